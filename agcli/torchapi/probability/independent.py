"""torch.distributions.Independent: some of a distribution's batch dimensions read as event dimensions
(a diagonal Gaussian policy's Independent(Normal(mu, std), 1)): log_prob and entropy summed over them."""
from __future__ import annotations

from ...errors import AgcliError
from .. import functions as T
from .base import Distribution, IndependentConstraint, value_error


def sum_rightmost(value, dims: int):
    """utils._sum_rightmost: the last `dims` dimensions summed (reshaped to one first)."""
    if dims == 0:
        return value
    return T.sum(T.reshape(value, tuple(value.data.shape[:-dims]) + (-1,)), -1)


class Independent(Distribution):
    pytorch_module = "torch.distributions.independent"
    arg_constraints: dict = {}
    program_attributes = {**Distribution.program_attributes, "base_dist": "base_dist",
                          "reinterpreted_batch_ndims": "reinterpreted_batch_ndims"}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        if not isinstance(base_distribution, Distribution):
            raise AgcliError(f"'{type(base_distribution).__name__}' object has no attribute 'batch_shape'",
                             kind="attribute")
        n = reinterpreted_batch_ndims
        if n > len(base_distribution.batch_shape):
            value_error(f"Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual {n} vs "
                        f"{len(base_distribution.batch_shape)}")
        shape = base_distribution.batch_shape + base_distribution.event_shape
        event_dim = n + len(base_distribution.event_shape)
        self.base_dist, self.reinterpreted_batch_ndims = base_distribution, n
        super().__init__(shape[:len(shape) - event_dim], shape[len(shape) - event_dim:], validate_args=validate_args)

    has_rsample = property(lambda self: self.base_dist.has_rsample)
    has_enumerate_support = property(lambda self: self.reinterpreted_batch_ndims == 0 and
                                     self.base_dist.has_enumerate_support)
    mean = property(lambda self: self.base_dist.mean)
    mode = property(lambda self: self.base_dist.mode)
    variance = property(lambda self: self.base_dist.variance)

    @property
    def support(self):
        support = self.base_dist.support
        return IndependentConstraint(support, self.reinterpreted_batch_ndims) if self.reinterpreted_batch_ndims \
            else support

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand=True):
        if self.reinterpreted_batch_ndims > 0:
            raise AgcliError("Enumeration over cartesian product is not implemented", kind="not_implemented")
        return self.base_dist.enumerate_support(expand=expand)

    def _expand_parts(self, new, batch_shape):
        new.base_dist = self.base_dist.expand(tuple(batch_shape) +
                                              tuple(self._event_shape[:self.reinterpreted_batch_ndims]))

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
