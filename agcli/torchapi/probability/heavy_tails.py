"""Cauchy, StudentT and Chi2 (torch.distributions), computed as PyTorch 2.13's cauchy.py, studentT.py and
chi2.py compute them: the same ops in the same order, samples from the same random stream (cauchy_'s
kernel; StudentT's normal_ draws, then its Chi2's, a Gamma's, standard gamma draws)."""
from __future__ import annotations

import math

from .. import creation as C
from .. import functions as T
from .. import sampling as RS
from .. import special_math as SM
from ..autograd import setitem
from ..bitwise import bitwise_and
from ..indexing import getitem
from .base import Distribution, batch_shape_of, broadcast_all, check_parameter, positive, real
from .families import _dtype, empty_like
from .gamma import Gamma


def _full(d, value):
    """torch.full(d._extended_shape(), value) of the distribution's dtype (a mean or variance it has not)."""
    return C.full(tuple(d._extended_shape()), value, dtype=_dtype(d.loc), device=d.loc.device)


class Cauchy(Distribution):
    pytorch_module = "torch.distributions.cauchy"
    arg_constraints = {"loc": real, "scale": positive}
    support = real
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "loc": "loc", "scale": "scale"}

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(batch_shape_of((loc, scale), self.loc), validate_args=validate_args)

    mean = property(lambda self: _full(self, math.nan))
    variance = property(lambda self: _full(self, math.inf))
    mode = property(lambda self: self.loc)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        eps = RS.cauchy_(empty_like(self.loc, shape))
        return T.add(self.loc, T.mul(eps, self.scale))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = T.pow(T.div(T.sub(value, self.loc), self.scale), 2)
        return T.sub(T.sub(-math.log(math.pi), T.log(self.scale)), T.log1p(z))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return T.add(T.div(T.atan(T.div(T.sub(value, self.loc), self.scale)), math.pi), 0.5)

    def icdf(self, value):
        return T.add(T.mul(T.tan(T.mul(math.pi, T.sub(value, 0.5))), self.scale), self.loc)

    def entropy(self):
        return T.add(math.log(4 * math.pi), T.log(self.scale))


class Chi2(Gamma):
    """Gamma(0.5 * df, 0.5): its parameter is df (not among its attributes: printed `Chi2()`)."""

    pytorch_module = "torch.distributions.chi2"
    arg_constraints = {"df": positive}
    program_attributes = {**Gamma.program_attributes, "df": "df"}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df if type(df) in (int, float) else T.mul(0.5, df), 0.5, validate_args=validate_args)
        if self._validate_args:         # (df is a property: the shared check passes it by)
            check_parameter(self, "df", positive, self.df)

    df = property(lambda self: T.mul(self.concentration, 2))

    def _expand_parts(self, new, batch_shape):
        new.concentration = T.expand(self.concentration, tuple(batch_shape))
        new.rate = T.expand(self.rate, tuple(batch_shape))


class StudentT(Distribution):
    pytorch_module = "torch.distributions.studentT"
    arg_constraints = {"df": positive, "loc": real, "scale": positive}
    support = real
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "df": "df", "loc": "loc", "scale": "scale"}

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.data.shape, validate_args=validate_args)

    @property
    def mean(self):
        m = T.clone(self.loc)
        setitem(m, T.le(self.df, 1), math.nan)
        return m

    mode = property(lambda self: self.loc)

    @property
    def variance(self):
        df = self.df
        m = T.clone(df)
        above = T.gt(df, 2)
        setitem(m, above, T.div(T.mul(T.pow(getitem(self.scale, T.gt(df, 2)), 2), getitem(df, T.gt(df, 2))),
                                T.sub(getitem(df, T.gt(df, 2)), 2)))
        setitem(m, bitwise_and(T.le(df, 2), T.gt(df, 1)), math.inf)
        setitem(m, T.le(df, 1), math.nan)
        return m

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        x = RS.normal_(empty_like(self.df, shape))          # (_standard_normal)
        z = self._chi2.rsample(sample_shape)
        y = T.mul(x, T.rsqrt(T.div(z, self.df)))
        return T.add(self.loc, T.mul(self.scale, y))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        df = self.df
        y = T.div(T.sub(value, self.loc), self.scale)
        z = T.sub(T.add(T.add(T.add(T.log(self.scale), T.mul(0.5, T.log(df))), 0.5 * math.log(math.pi)),
                        SM.lgamma(T.mul(0.5, df))), SM.lgamma(T.mul(0.5, T.add(df, 1.0))))
        return T.sub(T.mul(T.mul(-0.5, T.add(df, 1.0)), T.log1p(T.div(T.pow(y, 2.0), df))), z)

    def entropy(self):
        df = self.df
        lbeta = T.sub(T.add(SM.lgamma(T.mul(0.5, df)), math.lgamma(0.5)), SM.lgamma(T.mul(0.5, T.add(df, 1))))
        spread = T.sub(SM.digamma(T.mul(0.5, T.add(df, 1))), SM.digamma(T.mul(0.5, df)))
        return T.add(T.add(T.add(T.log(self.scale), T.mul(T.mul(0.5, T.add(df, 1)), spread)),
                           T.mul(0.5, T.log(df))), lbeta)

    def _expand_parts(self, new, batch_shape):
        new._chi2 = self._chi2.expand(batch_shape)


CLASSES = {"Cauchy": Cauchy, "StudentT": StudentT, "Chi2": Chi2}
