"""torch.distributions.LogNormal: PyTorch's TransformedDistribution of a Normal by ExpTransform, computed
as transformed_distribution.py computes it (log_prob: 0.0 - log|det J| + the Normal's log_prob at log(y);
samples: exp of the Normal's, from the same random stream); its printing shows no parameters, as PyTorch's."""
from __future__ import annotations

from ...engine.tensor import set_grad_enabled
from .. import functions as T
from .base import Constraint, Distribution, positive, real
from .families import Normal


class ExpTransform:
    """transforms.ExpTransform: y = exp(x), log|dy/dx| = x."""

    pytorch_module = "torch.distributions.transforms"
    domain, codomain, sign, bijective = real, positive, 1, True
    program_methods = frozenset(("inv", "log_abs_det_jacobian"))
    program_attributes = {n: n for n in ("domain", "codomain", "sign", "bijective")}

    def __call__(self, x):
        return T.exp(x)

    def inv(self, y):
        return T.log(y)

    def log_abs_det_jacobian(self, x, y):
        return x

    def __eq__(self, other):
        return isinstance(other, ExpTransform)

    __hash__ = object.__hash__

    def __repr__(self):
        return "ExpTransform()"


class LogNormal(Distribution):
    pytorch_module = "torch.distributions.log_normal"
    arg_constraints: dict[str, Constraint] = {"loc": real, "scale": positive}
    support = positive
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "loc": "loc", "scale": "scale",
                          "base_dist": "base_dist", "transforms": "transforms"}

    def __init__(self, loc, scale, validate_args=None):
        self.base_dist = Normal(loc, scale, validate_args=validate_args)
        self.transforms = [ExpTransform()]
        super().__init__(self.base_dist.batch_shape, self.base_dist.event_shape, validate_args=validate_args)

    loc = property(lambda self: self.base_dist.loc)
    scale = property(lambda self: self.base_dist.scale)
    mean = property(lambda self: T.exp(T.add(self.loc, T.div(T.pow(self.scale, 2), 2))))
    mode = property(lambda self: T.exp(T.sub(self.loc, T.pow(self.scale, 2))))     # (scale.square())

    @property
    def variance(self):
        scale_sq = T.pow(self.scale, 2)
        return T.mul(T.expm1(scale_sq), T.exp(T.add(T.mul(2, self.loc), scale_sq)))

    def sample(self, sample_shape=()):
        with set_grad_enabled(False):
            return T.exp(self.base_dist.sample(sample_shape))

    def rsample(self, sample_shape=()):
        return T.exp(self.base_dist.rsample(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        x = T.log(value)
        return T.add(T.sub(0.0, x), self.base_dist.log_prob(x))

    def cdf(self, value):
        value = T.log(value)
        if self._validate_args:
            self.base_dist._validate_sample(value)
        return self.base_dist.cdf(value)

    def icdf(self, value):
        return T.exp(self.base_dist.icdf(value))

    def entropy(self):
        return T.add(self.base_dist.entropy(), self.loc)

    def _expand_parts(self, new, batch_shape):
        new.base_dist = self.base_dist.expand(batch_shape)


CLASSES = {"LogNormal": LogNormal}
