"""torch.distributions.Dirichlet and Beta (a Dirichlet of [concentration1, concentration0]), computed as
torch/distributions/dirichlet.py and beta.py compute them: rsample is ATen's _sample_dirichlet (a double
gamma draw per element from the CPU generator, normalised by their sum) through the _Dirichlet Function
(_DirichletBackward: ATen's _dirichlet_grad); sample() is rsample without a graph, as PyTorch's."""
from __future__ import annotations

import numpy

from ...engine import backend as B
from ...engine.ops.dirichlet import DIRICHLET
from ...engine.tensor import Tensor, apply
from .. import creation as C
from .. import functions as T
from .. import gamma_sampling as GS
from .. import special_math as SM
from ..autograd import setitem
from ..generator import default_generator
from ..namespace import METHODS
from .base import (Distribution, IndependentConstraint, broadcast_all, is_number, positive, simplex, unit_interval,
                   value_error)
from .families import raise_type


def sample_dirichlet(concentration):
    """torch._sample_dirichlet: double gamma draws (row-major), over their double sum, in the dtype."""
    name = B.dtype_name(concentration.data.dtype)
    alphas = B.to_host(concentration.data).ravel().tolist()
    g = default_generator()
    tiny = float(numpy.finfo(numpy.float64).tiny)
    gamma = numpy.array([max(tiny, GS.sample_gamma(g, a, False)) for a in alphas]).reshape(concentration.data.shape)
    total = B.to_host(B.reduce_sum(B.from_host(gamma), axis=-1, keepdims=True))
    ratio = (gamma / total).astype(name)
    top = numpy.nextafter(numpy.array(1.0, dtype=name), numpy.array(0.0, dtype=name))
    drawn = numpy.minimum(top, numpy.maximum(numpy.finfo(name).tiny, ratio))
    return apply(DIRICHLET, concentration, values=B.from_host(drawn))


class Dirichlet(Distribution):
    pytorch_module = "torch.distributions.dirichlet"
    arg_constraints = {"concentration": IndependentConstraint(positive, 1)}
    support = simplex
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "concentration": "concentration"}

    def __init__(self, concentration, validate_args=None):
        if type(concentration) is not Tensor:
            raise_type("concentration", concentration)
        if concentration.data.ndim < 1:
            value_error("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.data.shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def rsample(self, sample_shape=()):
        return sample_dirichlet(T.expand(self.concentration, tuple(self._extended_shape(sample_shape))))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return T.sub(T.add(T.sum(SM.xlogy(T.sub(c, 1.0), value), -1), SM.lgamma(T.sum(c, -1))),
                     T.sum(SM.lgamma(c), -1))

    @property
    def mean(self):
        return T.div(self.concentration, T.sum(self.concentration, -1, keepdim=True))

    @property
    def mode(self):
        concentrationm1 = T.clamp(T.sub(self.concentration, 1), min=0.0)
        mode = T.div(concentrationm1, T.sum(concentrationm1, -1, keepdim=True))
        mask = METHODS["all"](T.lt(self.concentration, 1), dim=-1)
        picked = T.argmax(T.getitem(mode, mask), dim=-1)
        setitem(mode, mask, METHODS["to"](T.one_hot(picked, concentrationm1.data.shape[-1]), mode))
        return mode

    @property
    def variance(self):
        con0 = T.sum(self.concentration, -1, keepdim=True)
        return T.div(T.mul(self.concentration, T.sub(con0, self.concentration)),
                     T.mul(T.pow(con0, 2), T.add(con0, 1)))

    def entropy(self):
        c = self.concentration
        k = c.data.shape[-1]
        a0 = T.sum(c, -1)
        return T.sub(T.sub(T.sub(T.sum(SM.lgamma(c), -1), SM.lgamma(a0)), T.mul(T.sub(k, a0), SM.digamma(a0))),
                     T.sum(T.mul(T.sub(c, 1.0), SM.digamma(c)), -1))


class Beta(Distribution):
    pytorch_module = "torch.distributions.beta"
    arg_constraints = {"concentration1": positive, "concentration0": positive}
    support = unit_interval
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "concentration1": "concentration1",
                          "concentration0": "concentration0"}

    def __init__(self, concentration1, concentration0, validate_args=None):
        if is_number(concentration1) and is_number(concentration0):
            both = C.tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            both = T.stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet.batch_shape, validate_args=validate_args)

    concentration1 = property(lambda self: T.getitem(self._dirichlet.concentration, (Ellipsis, 0)))
    concentration0 = property(lambda self: T.getitem(self._dirichlet.concentration, (Ellipsis, 1)))
    mode = property(lambda self: T.getitem(self._dirichlet.mode, (Ellipsis, 0)))

    @property
    def mean(self):
        return T.div(self.concentration1, T.add(self.concentration1, self.concentration0))

    @property
    def variance(self):
        total = T.add(self.concentration1, self.concentration0)
        return T.div(T.mul(self.concentration1, self.concentration0), T.mul(T.pow(total, 2), T.add(total, 1)))

    def rsample(self, sample_shape=()):
        return T.select(self._dirichlet.rsample(sample_shape), -1, 0)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(T.stack([value, T.sub(1.0, value)], -1))

    def entropy(self):
        return self._dirichlet.entropy()

    def _expand_parts(self, new, batch_shape):
        new._dirichlet = self._dirichlet.expand(batch_shape)


CLASSES = {"Dirichlet": Dirichlet, "Beta": Beta}
