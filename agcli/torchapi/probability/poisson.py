"""torch.distributions.Poisson, computed as torch/distributions/poisson.py computes it: samples are torch.poisson's
(ATen's sampler, draw for draw from the CPU generator), log_prob value.xlogy(rate) - rate - lgamma(value + 1)."""
from __future__ import annotations

from ...engine.tensor import set_grad_enabled
from .. import functions as T
from .. import special_math as SM
from ..poisson import poisson
from .base import Distribution, batch_shape_of, broadcast_all
from .families_more import GreaterThanEq
from .geometric import IntegerGreaterThanEq


class Poisson(Distribution):
    pytorch_module = "torch.distributions.poisson"
    arg_constraints = {"rate": GreaterThanEq(0.0)}
    support = IntegerGreaterThanEq(0)
    program_attributes = {**Distribution.program_attributes, "rate": "rate"}

    def __init__(self, rate, validate_args=None):
        self.rate, = broadcast_all(rate)
        super().__init__(batch_shape_of((rate,), self.rate), validate_args=validate_args)

    mean = variance = property(lambda self: self.rate)
    mode = property(lambda self: T.floor(self.rate))

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with set_grad_enabled(False):
            return poisson(T.expand(self.rate, shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return T.sub(T.sub(SM.xlogy(value, rate), rate), SM.lgamma(T.add(value, 1)))


CLASSES = {"Poisson": Poisson}
