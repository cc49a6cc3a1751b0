"""Normal, Uniform, Bernoulli and Categorical (torch.distributions), each computed as PyTorch 2.13's
class computes it: the same ops in the same order (so the same grad_fn names and float rounding), samples
from the same random stream (sample() without a graph, rsample() through the reparameterization)."""
from __future__ import annotations

import math

from ...engine import backend as B
from ...engine.tensor import Tensor, set_grad_enabled
from ...errors import AgcliError
from .. import creation as C
from .. import functions as T
from .. import multinomial as MN
from .. import ranges
from .. import sampling as RS
from .. import special_math as SM
from ..dtypes import DType
from ..namespace import METHODS, Size
from .base import (Distribution, finfo, IntegerInterval, Interval, GreaterThan, LessThan, boolean, broadcast_all,
                   batch_shape_of, broadcast_tensors, LOG_SQRT_TWO_PI, positive, real, real_vector, shape_of, simplex,
                   unit_interval, value_error)


def _dtype(t):
    return DType(B.dtype_name(t.data.dtype))


def empty_like(t, shape):
    """t.new(shape): an uninitialised tensor of t's dtype and device."""
    return C.empty(*shape, dtype=_dtype(t), device=t.device)


def _nan_like(shape, like):
    return C.full(tuple(shape), math.nan, dtype=_dtype(like), device=like.device)


class Normal(Distribution):
    pytorch_module = "torch.distributions.normal"
    arg_constraints = {"loc": real, "scale": positive}
    support = real
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "loc": "loc", "scale": "scale"}

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(batch_shape_of((loc, scale), self.loc), validate_args=validate_args)

    mean = mode = property(lambda self: self.loc)
    stddev = property(lambda self: self.scale)
    variance = property(lambda self: T.pow(self.scale, 2))

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with set_grad_enabled(False):
            return RS.normal(T.expand(self.loc, shape), T.expand(self.scale, shape))

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        eps = RS.normal_(empty_like(self.loc, shape))
        return T.add(self.loc, T.mul(eps, self.scale))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        var = T.pow(self.scale, 2)
        log_scale = T.log(self.scale)
        square = T.div(T.neg(T.pow(T.sub(value, self.loc), 2)), T.mul(2, var))
        return T.sub(T.sub(square, log_scale), LOG_SQRT_TWO_PI)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = T.div(T.mul(T.sub(value, self.loc), T.reciprocal(self.scale)), math.sqrt(2))
        return T.mul(0.5, T.add(1, T.erf(z)))

    def icdf(self, value):
        # (PyTorch's: no check of value; a number reaches erfinv, which refuses it in its words)
        return T.add(self.loc, T.mul(T.mul(self.scale, SM.erfinv(T.sub(T.mul(2, value), 1))), math.sqrt(2)))

    def entropy(self):
        return T.add(0.5 + 0.5 * math.log(2 * math.pi), T.log(self.scale))


class Uniform(Distribution):
    pytorch_module = "torch.distributions.uniform"
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "low": "low", "high": "high"}

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(batch_shape_of((low, high), self.low), validate_args=validate_args)

    @property
    def arg_constraints(self):
        return {"low": LessThan(self.high), "high": GreaterThan(self.low)}

    @property
    def support(self):
        return Interval(self.low, self.high)

    mean = property(lambda self: T.div(T.add(self.high, self.low), 2))
    mode = property(lambda self: T.mul(math.nan, self.high))
    stddev = property(lambda self: T.div(T.sub(self.high, self.low), 12**0.5))
    variance = property(lambda self: T.div(T.pow(T.sub(self.high, self.low), 2), 12))

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        rand = RS.rand(*shape, dtype=_dtype(self.low), device=self.low.device)
        return T.add(self.low, T.mul(rand, T.sub(self.high, self.low)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        lb = METHODS["type_as"](T.le(self.low, value), self.low)
        ub = METHODS["type_as"](T.gt(self.high, value), self.low)
        return T.sub(T.log(T.mul(lb, ub)), T.log(T.sub(self.high, self.low)))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return T.clamp(T.div(T.sub(value, self.low), T.sub(self.high, self.low)), min=0, max=1)

    def icdf(self, value):
        return T.add(T.mul(value, T.sub(self.high, self.low)), self.low)

    def entropy(self):
        return T.log(T.sub(self.high, self.low))


class _ProbsOrLogits(Distribution):
    """Bernoulli and Categorical: made from probs or logits; the other is computed when first asked
    (with grad enabled, as PyTorch's lazy_property) and kept."""

    program_attributes = {**Distribution.program_attributes, "probs": "probs", "logits": "logits",
                          "param_shape": "param_shape"}

    def _parameter(self, probs, logits, make):
        if (probs is None) == (logits is None):
            value_error("Either `probs` or `logits` must be specified, but not both.")
        name, value = ("probs", probs) if probs is not None else ("logits", logits)
        self.__dict__[name] = make(name, value)
        self._param = self.__dict__[name]

    def __getattr__(self, name):            # (only for what __dict__ does not hold yet)
        if name in ("probs", "logits"):
            with set_grad_enabled(True):
                value = self._probs() if name == "probs" else self._logits()
            self.__dict__[name] = value
            return value
        raise AttributeError(name)

    @property
    def param_shape(self):
        return Size(self._param.data.shape)


def _clamped(probs):
    eps = float(finfo(probs).eps)
    return T.clamp(probs, min=eps, max=1 - eps)


class Bernoulli(_ProbsOrLogits):
    pytorch_module = "torch.distributions.bernoulli"
    arg_constraints = {"probs": unit_interval, "logits": real}
    support = boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._parameter(probs, logits, lambda name, v: broadcast_all(v)[0])
        super().__init__(batch_shape_of((probs if probs is not None else logits,), self._param),
                         validate_args=validate_args)

    def _probs(self):
        return T.sigmoid(self.logits)

    def _logits(self):
        p = _clamped(self.probs)
        return T.sub(T.log(p), T.log1p(T.neg(p)))

    mean = property(lambda self: self.probs)
    variance = property(lambda self: T.mul(self.probs, T.sub(1, self.probs)))

    @property
    def mode(self):
        mode = METHODS["to"](T.ge(self.probs, 0.5), self.probs)
        from ..autograd import setitem
        setitem(mode, T.eq(self.probs, 0.5), math.nan)
        return mode

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with set_grad_enabled(False):
            return RS.bernoulli(T.expand(self.probs, shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return T.neg(T.binary_cross_entropy_with_logits(logits, value, reduction="none"))

    def entropy(self):
        return T.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = ranges.arange(2, dtype=_dtype(self._param), device=self._param.device)
        values = T.view(values, (-1,) + (1,) * len(self._batch_shape))
        return T.expand(values, (-1,) + tuple(self._batch_shape)) if expand else values


class Categorical(_ProbsOrLogits):
    pytorch_module = "torch.distributions.categorical"
    arg_constraints = {"probs": simplex, "logits": real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._parameter(probs, logits, self._normalized)
        self._num_events = self._param.data.shape[-1]
        shape = self._param.data.shape[:-1] if self._param.data.ndim > 1 else ()
        super().__init__(shape, validate_args=validate_args)

    @staticmethod
    def _normalized(name, value):
        if type(value) is not Tensor:
            raise_type(name, value)
        if value.data.ndim < 1:
            value_error(f"`{name}` parameter must be at least one-dimensional.")
        if name == "probs":
            return T.div(value, T.sum(value, -1, keepdim=True))
        return T.sub(value, T.logsumexp(value, dim=-1, keepdim=True))

    def _probs(self):
        return T.softmax(self.logits, dim=-1)

    def _logits(self):
        return T.log(_clamped(self.probs))

    @property
    def support(self):
        return IntegerInterval(0, self._num_events - 1)

    mean = variance = property(lambda self: _nan_like(self._extended_shape(), self.probs))
    mode = property(lambda self: T.argmax(self.probs, dim=-1))

    def sample(self, sample_shape=()):
        shape = Size(shape_of(sample_shape))
        n = 1
        for size in shape:
            n *= size
        probs_2d = T.reshape(self.probs, (-1, self._num_events))
        samples_2d = T.attr_T(MN.multinomial(probs_2d, n, True))
        return T.reshape(samples_2d, tuple(self._extended_shape(shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = T.unsqueeze(METHODS["long"](value), -1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        value = T.getitem(value, (Ellipsis, slice(None, 1)))
        return T.squeeze(T.gather(log_pmf, -1, value), -1)

    def entropy(self):
        logits = T.clamp(self.logits, min=float(finfo(self.logits).min))
        return T.neg(T.sum(T.mul(logits, self.probs), -1))

    def enumerate_support(self, expand=True):
        values = ranges.arange(self._num_events, dtype=DType("int64"), device=self._param.device)
        values = T.view(values, (-1,) + (1,) * len(self._batch_shape))
        return T.expand(values, (-1,) + tuple(self._batch_shape)) if expand else values


def raise_type(name, value):
    raise AgcliError(f"'{type(value).__name__}' object has no attribute 'dim'", kind="attribute")


CLASSES = {"Normal": Normal, "Uniform": Uniform, "Bernoulli": Bernoulli, "Categorical": Categorical}
