"""HalfNormal and Gumbel: PyTorch's TransformedDistributions (half_normal.py, gumbel.py and
transformed_distribution.py), computed as they are: a base distribution's draws through the transforms
in order (HalfNormal: |x| of a Normal(0, scale); Gumbel: log, 0 + -1 * x, log, loc + -scale * x of a
Uniform(tiny, 1 - eps)), cdf and icdf through the inverses and PyTorch's sign fix (_monotonize_cdf).
Printed as PyTorch prints them: HalfNormal's scale is its Normal's, so `HalfNormal()`."""
from __future__ import annotations

import math

from ...engine.tensor import Tensor, set_grad_enabled
from .. import creation as C
from .. import functions as T
from ..checks import broadcast_shapes
from .base import Distribution, broadcast_all, check_parameter, finfo, positive, real
from .families import Normal, Uniform
from .families_more import GreaterThanEq

EULER = 0.57721566490153286060      # torch.distributions.utils.euler_constant


class _Log:
    """ExpTransform().inv: y = log(x), its inverse exp, sign +1."""
    sign = 1

    def __call__(self, x):
        return T.log(x)

    def inv(self, y):
        return T.exp(y)


class _Affine:
    """AffineTransform(loc, scale): loc + scale * x; its inverse (y - loc) / scale; its sign scale's."""

    def __init__(self, loc, scale):
        self.loc, self.scale = loc, scale

    def __call__(self, x):
        return T.add(self.loc, T.mul(self.scale, x))

    def inv(self, y):
        return T.div(T.sub(y, self.loc), self.scale)

    @property
    def sign(self):
        return T.sign(self.scale)


class _Transformed(Distribution):
    """TransformedDistribution's sampling, cdf and icdf over `base_dist` and `transforms`."""

    has_rsample = True

    def sample(self, sample_shape=()):
        with set_grad_enabled(False):
            x = self.base_dist.sample(sample_shape)
            for transform in self.transforms:
                x = transform(x)
            return x

    def rsample(self, sample_shape=()):
        x = self.base_dist.rsample(sample_shape)
        for transform in self.transforms:
            x = transform(x)
        return x

    def _monotonize_cdf(self, value):
        sign = 1
        for transform in self.transforms:
            sign = T.mul(sign, transform.sign) if type(transform.sign) is Tensor or type(sign) is Tensor else \
                sign * transform.sign
        if type(sign) is int and sign == 1:
            return value
        return T.add(T.mul(sign, T.sub(value, 0.5)), 0.5)

    def cdf(self, value):
        for transform in self.transforms[::-1]:
            value = transform.inv(value)
        if self._validate_args:
            self.base_dist._validate_sample(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value):
        value = self.base_dist.icdf(self._monotonize_cdf(value))
        for transform in self.transforms:
            value = transform(value)
        return value

    def _expand_parts(self, new, batch_shape):
        new.base_dist = self.base_dist.expand(batch_shape)


class _Abs:
    """AbsTransform: |x| (not bijective: HalfNormal has its own log_prob, cdf and icdf)."""

    def __call__(self, x):
        return T.abs(x)


class HalfNormal(_Transformed):
    pytorch_module = "torch.distributions.half_normal"
    arg_constraints = {"scale": positive}
    support = GreaterThanEq(0.0)
    program_attributes = {**Distribution.program_attributes, "scale": "scale", "base_dist": "base_dist"}

    def __init__(self, scale, validate_args=None):
        self.base_dist = Normal(0, scale, validate_args=False)
        self.transforms = [_Abs()]
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)
        if self._validate_args:         # (scale is the Normal's: the shared check passes it by)
            check_parameter(self, "scale", positive, self.scale)

    scale = property(lambda self: self.base_dist.scale)
    mean = property(lambda self: T.mul(self.scale, math.sqrt(2 / math.pi)))
    mode = property(lambda self: C.zeros_like(self.scale))
    variance = property(lambda self: T.mul(T.pow(self.scale, 2), 1 - 2 / math.pi))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = T.add(self.base_dist.log_prob(value), math.log(2))
        return T.where(T.ge(value, 0), log_prob, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return T.sub(T.mul(2, self.base_dist.cdf(value)), 1)

    def icdf(self, prob):
        return self.base_dist.icdf(T.div(T.add(prob, 1), 2))

    def entropy(self):
        return T.sub(self.base_dist.entropy(), math.log(2))


class Gumbel(_Transformed):
    pytorch_module = "torch.distributions.gumbel"
    arg_constraints = {"loc": real, "scale": positive}
    support = real
    program_attributes = {**Distribution.program_attributes, "loc": "loc", "scale": "scale",
                          "base_dist": "base_dist"}

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        info = finfo(self.loc)
        tiny, top = float(info.tiny), 1 - float(info.eps)
        if type(loc) is not Tensor and type(scale) is not Tensor:
            self.base_dist = Uniform(tiny, top, validate_args=validate_args)
        else:
            self.base_dist = Uniform(C.full_like(self.loc, tiny), C.full_like(self.loc, top),
                                     validate_args=validate_args)
        self.transforms = [_Log(), _Affine(0, T.neg(C.ones_like(self.scale))), _Log(),
                           _Affine(loc, T.neg(self.scale))]
        shape = self.base_dist.batch_shape
        for t in (self.loc, self.scale):        # (the affine transforms' forward_shape)
            shape = broadcast_shapes(tuple(shape), t.data.shape)
        super().__init__(shape, validate_args=validate_args)

    mean = property(lambda self: T.add(self.loc, T.mul(self.scale, EULER)))
    mode = property(lambda self: self.loc)
    stddev = property(lambda self: T.mul(math.pi / math.sqrt(6), self.scale))
    variance = property(lambda self: T.pow(self.stddev, 2))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = T.div(T.sub(self.loc, value), self.scale)
        return T.sub(T.sub(y, T.exp(y)), T.log(self.scale))

    def entropy(self):
        return T.add(T.log(self.scale), 1 + EULER)


CLASSES = {"HalfNormal": HalfNormal, "Gumbel": Gumbel}
