"""torch._standard_gamma (StandardGammaBackward0): a draw made above the engine (torchapi/gamma_sampling.py)
whose gradient is the reparameterized one, grad * _standard_gamma_grad(alpha, sample), computed element by
element as ATen's standard_gamma_grad_one (Distributions.h) computes it, in double: a Taylor series for
small samples, Rice's saddle-point expansion for large alpha, else a bivariate rational approximation.
That gradient is itself not differentiable (derivatives.yaml: not_implemented)."""
from __future__ import annotations

import math

from ..backend import dtype_name, from_host, host, to_host
from ..op import Op, forward_ad_not_implemented
from ..tensor import data
from .pointwise import mul

_F32 = {0.8: 0.800000011920929, 0.9: 0.8999999761581421, 1.1: 1.100000023841858, 1e17: 9.999999848243207e16}
_PSI_10 = 2.25175258906672110764
_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3, -4.16666666666666666667E-3,
      3.96825396825396825397E-3, -8.33333333333333333333E-3, 8.33333333333333333333E-2)
_COEF_UV = ((0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084),
            (0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915,
             -0.00058392623),
            (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
             -1.5247877e-07))


def digamma_one(x: float) -> float:
    """Distributions.h digamma_one for a positive double (the sampler's alpha)."""
    if x == 0:
        return math.inf
    result = 0.0
    while x < 10:
        result -= 1 / x
        x += 1
    if x == 10:
        return result + _PSI_10
    y = 0.0
    if x < _F32[1e17]:
        z = 1.0 / (x * x)
        poly = 0.0
        for a in _A:
            poly = poly * z + a
        y = z * poly
    return result + math.log(x) - (0.5 / x) - y


def _small_x(x, alpha):
    numer, denom = 1.0, alpha
    series1, series2 = numer / denom, numer / (denom * denom)
    for i in range(1, 6):
        numer *= -x / i
        denom += 1
        series1 += numer / denom
        series2 += numer / (denom * denom)
    pow_x_alpha = math.pow(x, alpha)
    gamma_pdf = math.pow(x, alpha - 1) * math.exp(-x)
    gamma_cdf = pow_x_alpha * series1
    gamma_cdf_alpha = (math.log(x) - digamma_one(alpha)) * gamma_cdf - pow_x_alpha * series2
    result = -gamma_cdf_alpha / gamma_pdf if gamma_pdf else math.nan
    return 0.0 if math.isnan(result) else result


def _large_alpha(x, alpha):
    if _F32[0.9] * alpha <= x <= _F32[1.1] * alpha:
        numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
        numer_2 = 1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)
        denom = 1244160 * (alpha * alpha) * (alpha * alpha)
        return numer_1 * numer_2 / denom
    denom = math.sqrt(8 * alpha)
    term2 = denom / (alpha - x)
    term3 = math.pow(x - alpha - alpha * math.log(x / alpha), -1.5)
    term23 = term2 - term3 if x < alpha else term2 + term3
    term1 = math.log(x / alpha) * term23 - math.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
    stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
    return -stirling * (x * term1) / denom


def standard_gamma_grad_one(alpha: float, x: float) -> float:
    """-(d/dalpha cdf(x; alpha)) / pdf(x; alpha) for x drawn from Gamma(alpha, 1)."""
    if x < _F32[0.8]:
        return _small_x(x, alpha)
    if alpha > 8.0:
        return _large_alpha(x, alpha)
    u, v = math.log(x / alpha), math.log(alpha)
    coef_v = [_COEF_UV[0][i] + u * (_COEF_UV[1][i] + u * _COEF_UV[2][i]) for i in range(8)]
    p = coef_v[0] + v * (coef_v[1] + v * (coef_v[2] + v * coef_v[3]))
    q = coef_v[4] + v * (coef_v[5] + v * (coef_v[6] + v * coef_v[7]))
    return math.exp(p / q)


def standard_gamma_grad(alpha, sample):
    """_standard_gamma_grad(alpha, sample) of two arrays of one shape, in their dtype."""
    name = dtype_name(data(sample).dtype)
    a, s = to_host(data(alpha)), to_host(data(sample))
    values = [standard_gamma_grad_one(p, q) for p, q in zip(a.ravel().tolist(), s.ravel().tolist())]
    return from_host(host.asarray(values, dtype=name).reshape(s.shape))


def _grad(g, out, alpha, values):
    return mul(g, standard_gamma_grad(alpha, out))


_no_tangent = forward_ad_not_implemented("_standard_gamma")


STANDARD_GAMMA = Op("StandardGammaBackward0", lambda alpha, values: values, (_grad,),
                    ("grad * _standard_gamma_grad(self, result)",), saves_out=True,
                    jvps=(_no_tangent,))     # (PyTorch 2.13 has none)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line
