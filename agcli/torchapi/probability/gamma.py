"""torch.distributions.Gamma, computed as torch/distributions/gamma.py computes it: rsample is
_standard_gamma(concentration) / rate (StandardGammaBackward0: the reparameterized gradient of
ATen's standard_gamma_grad_one), its draws ATen's sample_gamma's from the same random stream."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.ops.gamma import STANDARD_GAMMA
from ...engine.tensor import Tensor, apply
from ...errors import AgcliError
from .. import creation as C
from .. import functions as T
from .. import gamma_sampling as GS
from .. import special_math as SM
from ..dtypes import DType
from ..generator import default_generator
from .base import Distribution, batch_shape_of, broadcast_all, finfo, positive
from .families_more import GreaterThanEq


def standard_gamma(alpha):
    """torch._standard_gamma: one draw per element, in row-major order (StandardGammaBackward0)."""
    name = B.dtype_name(alpha.data.dtype)
    alphas = B.to_host(alpha.data).ravel().tolist()
    drawn = GS.standard_gamma(default_generator(), alphas, name).reshape(alpha.data.shape)
    return apply(STANDARD_GAMMA, alpha, values=B.from_host(drawn))


class Gamma(Distribution):
    pytorch_module = "torch.distributions.gamma"
    arg_constraints = {"concentration": positive, "rate": positive}
    support = GreaterThanEq(0.0)
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "concentration": "concentration", "rate": "rate"}

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(batch_shape_of((concentration, rate), self.concentration), validate_args=validate_args)

    mean = property(lambda self: T.div(self.concentration, self.rate))
    mode = property(lambda self: T.clamp(T.div(T.sub(self.concentration, 1), self.rate), min=0))
    variance = property(lambda self: T.div(self.concentration, T.pow(self.rate, 2)))

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        value = T.div(standard_gamma(T.expand(self.concentration, shape)), T.expand(self.rate, shape))
        tiny = float(finfo(value).tiny)       # (value.detach().clamp_(min=tiny): not recorded)
        B.setitem(value.data, ..., B.xp.maximum(value.data, B.asarray(tiny, dtype=value.data.dtype)))
        return value

    def log_prob(self, value):
        if type(value) is not Tensor:
            value = C.tensor(value, dtype=DType(B.dtype_name(self.rate.data.dtype)), device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return T.sub(T.sub(T.add(SM.xlogy(self.concentration, self.rate),
                                 SM.xlogy(T.sub(self.concentration, 1), value)),
                           T.mul(self.rate, value)), SM.lgamma(self.concentration))

    def entropy(self):
        c = self.concentration
        return T.add(T.add(T.sub(c, T.log(self.rate)), SM.lgamma(c)), T.mul(T.sub(1.0, c), SM.digamma(c)))

    def cdf(self, value):
        raise AgcliError("agcli has no torch.special.gammainc, which Gamma.cdf is", kind="not_implemented")


CLASSES = {"Gamma": Gamma}
