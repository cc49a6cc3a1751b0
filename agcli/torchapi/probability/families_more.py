"""Exponential, Laplace and OneHotCategorical (torch.distributions), computed as PyTorch 2.13's classes
compute them: the same ops in the same order, samples from the same random stream."""
from __future__ import annotations


from ...engine import backend as B
from .. import creation as C
from .. import functions as T
from .. import sampling as RS
from ..namespace import METHODS
from .base import Constraint, Distribution, GreaterThan, batch_shape_of, broadcast_all, finfo, positive, real
from .families import Categorical, empty_like


class GreaterThanEq(GreaterThan):
    def check(self, value):
        return self.bounds["lower_bound"] <= value.data


class OneHot(Constraint):
    event_dim = 1

    def check(self, value):
        a = value.data
        return B.xp.all((a == 0) | (a == 1), axis=-1) & (B.xp.sum(a, axis=-1) == 1)


class Exponential(Distribution):
    pytorch_module = "torch.distributions.exponential"
    arg_constraints = {"rate": positive}
    support = GreaterThanEq(0.0)
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "rate": "rate"}

    def __init__(self, rate, validate_args=None):
        self.rate, = broadcast_all(rate)
        super().__init__(batch_shape_of((rate,), self.rate), validate_args=validate_args)

    mean = stddev = property(lambda self: T.reciprocal(self.rate))
    mode = property(lambda self: C.zeros_like(self.rate))
    variance = property(lambda self: T.pow(self.rate, -2))

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        return T.div(RS.exponential_(empty_like(self.rate, shape)), self.rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return T.sub(T.log(self.rate), T.mul(self.rate, value))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return T.sub(1, T.exp(T.mul(T.neg(self.rate), value)))

    def icdf(self, value):
        return T.div(T.neg(T.log1p(T.neg(value))), self.rate)

    def entropy(self):
        return T.sub(1.0, T.log(self.rate))


class Laplace(Distribution):
    pytorch_module = "torch.distributions.laplace"
    arg_constraints = {"loc": real, "scale": positive}
    support = real
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "loc": "loc", "scale": "scale"}

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(batch_shape_of((loc, scale), self.loc), validate_args=validate_args)

    mean = mode = property(lambda self: self.loc)
    variance = property(lambda self: T.mul(2, T.pow(self.scale, 2)))
    stddev = property(lambda self: T.mul(2**0.5, self.scale))

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        eps = float(finfo(self.loc).eps)
        u = RS.uniform_(empty_like(self.loc, shape), eps - 1, 1)
        return T.sub(self.loc, T.mul(T.mul(self.scale, T.sign(u)), T.log1p(T.neg(T.abs(u)))))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return T.sub(T.neg(T.log(T.mul(2, self.scale))), T.div(T.abs(T.sub(value, self.loc)), self.scale))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        d = T.sub(value, self.loc)
        return T.sub(0.5, T.mul(T.mul(0.5, T.sign(d)), T.expm1(T.div(T.neg(T.abs(d)), self.scale))))

    def icdf(self, value):
        term = T.sub(value, 0.5)
        return T.sub(self.loc, T.mul(T.mul(self.scale, T.sign(term)), T.log1p(T.mul(-2, T.abs(term)))))

    def entropy(self):
        return T.add(1, T.log(T.mul(2, self.scale)))


class OneHotCategorical(Distribution):
    pytorch_module = "torch.distributions.one_hot_categorical"
    arg_constraints = {"probs": Categorical.arg_constraints["probs"], "logits": Categorical.arg_constraints["logits"]}
    support = OneHot()
    has_enumerate_support = True
    program_attributes = {**Distribution.program_attributes, "probs": "probs", "logits": "logits",
                          "param_shape": "param_shape"}

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    probs = mean = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)
    variance = property(lambda self: T.mul(self._categorical.probs, T.sub(1, self._categorical.probs)))

    @property
    def mode(self):
        probs = self._categorical.probs
        mode = T.argmax(probs, dim=-1)
        return METHODS["to"](T.one_hot(mode, num_classes=probs.data.shape[-1]), probs)

    def sample(self, sample_shape=()):
        probs = self._categorical.probs
        indices = self._categorical.sample(sample_shape)
        return METHODS["to"](T.one_hot(indices, self._categorical._num_events), probs)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(T.max(value, -1)[1])

    def entropy(self):
        return self._categorical.entropy()

    def _expand_parts(self, new, batch_shape):
        new._categorical = self._categorical.expand(batch_shape)

    def __repr__(self):         # (the parameters live on its Categorical: PyTorch's repr shows none)
        return "OneHotCategorical()"


CLASSES = {"Exponential": Exponential, "Laplace": Laplace, "OneHotCategorical": OneHotCategorical}

