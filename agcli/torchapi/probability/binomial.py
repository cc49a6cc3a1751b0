"""torch.distributions.Binomial (total_count with probs or logits), computed as torch/distributions/binomial.py
computes it: samples are torch.binomial's (ATen's BTRS and inversion samplers, draw for draw from the CPU
generator), log_prob of lgamma terms and the logits."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.tensor import set_grad_enabled
from ...errors import AgcliError
from .. import functions as T
from .. import ranges
from .. import special_math as SM
from ..dtypes import DType
from ..namespace import METHODS
from ..poisson import binomial
from .base import IntegerInterval, broadcast_all, value_error
from .families import Bernoulli, _ProbsOrLogits
from .geometric import IntegerGreaterThanEq


def _clamp_by_zero(x):
    return T.div(T.sub(T.add(T.clamp(x, min=0), x), T.clamp(x, max=0)), 2)


class Binomial(_ProbsOrLogits):
    pytorch_module = "torch.distributions.binomial"
    arg_constraints = {"total_count": IntegerGreaterThanEq(0), **Bernoulli.arg_constraints}
    has_enumerate_support = True
    _probs, _logits = Bernoulli._probs, Bernoulli._logits
    program_attributes = {**_ProbsOrLogits.program_attributes, "total_count": "total_count"}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            value_error("Either `probs` or `logits` must be specified, but not both.")
        name, value = ("probs", probs) if probs is not None else ("logits", logits)
        total, param = broadcast_all(total_count, value)
        self.total_count = METHODS["type_as"](total, param)
        self.__dict__[name] = self._param = param
        super().__init__(tuple(param.data.shape), validate_args=validate_args)

    @property
    def support(self):
        return IntegerInterval(0, self.total_count)

    mean = property(lambda self: T.mul(self.total_count, self.probs))
    variance = property(lambda self: T.mul(T.mul(self.total_count, self.probs), T.sub(1, self.probs)))

    @property
    def mode(self):
        return T.clamp(T.floor(T.mul(T.add(self.total_count, 1), self.probs)), max=self.total_count)

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with set_grad_enabled(False):
            return binomial(T.expand(self.total_count, shape), T.expand(self.probs, shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_factorial_n = SM.lgamma(T.add(n, 1))
        log_factorial_k = SM.lgamma(T.add(value, 1))
        log_factorial_nmk = SM.lgamma(T.add(T.sub(n, value), 1))
        normalize_term = T.sub(T.add(T.mul(n, _clamp_by_zero(logits)),
                                     T.mul(n, T.log1p(T.exp(T.neg(T.abs(logits)))))), log_factorial_n)
        return T.sub(T.sub(T.sub(T.mul(value, logits), log_factorial_k), log_factorial_nmk), normalize_term)

    def _homogeneous_count(self, what) -> int:
        top = int(B.item(B.xp.max(self.total_count.data)))
        if not B.item(B.xp.min(self.total_count.data)) == top:
            raise AgcliError(f"Inhomogeneous total count not supported by `{what}`.", kind="not_implemented")
        return top

    def entropy(self):
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return T.neg(T.sum(T.mul(T.exp(log_prob), log_prob), 0))

    def enumerate_support(self, expand=True):
        total_count = self._homogeneous_count("enumerate_support")
        values = ranges.arange(1 + total_count, dtype=DType(B.dtype_name(self._param.data.dtype)),
                               device=self._param.device)
        values = T.view(values, (-1,) + (1,) * len(self._batch_shape))
        return T.expand(values, (-1,) + tuple(self._batch_shape)) if expand else values


CLASSES = {"Binomial": Binomial}
