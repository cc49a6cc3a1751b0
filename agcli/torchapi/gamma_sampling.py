"""torch._standard_gamma's, torch.poisson's and torch.binomial's CPU kernels (ATen/native/Distributions.cpp,
Distributions.h). sample_gamma: Marsaglia and Tsang's acceptance-rejection, one element after another in the
order the tensor is laid out, each drawing from the generator as ATen does: a double uniform (53 bits of random64())
and a double normal (normal_distribution<double>, Box-Muller with the generator's cached second value).
The arithmetic is double (accscalar_t) except where the kernel computes in the tensor's float; its
float literals (0.0331f, 1.0f / 3.0f) are their floats' values."""
from __future__ import annotations

import math

import numpy

from ..errors import AgcliError
from .distributions import _one_at_a_time, unit

_THIRD32 = float(numpy.float32(1.0) / numpy.float32(3.0))     # 1.0f / 3.0f
_C0331 = float(numpy.float32(0.0331))
_TINY = {"float64": float(numpy.finfo(numpy.float64).tiny), "float32": float(numpy.finfo(numpy.float32).tiny)}


def _uniform(g) -> float:
    return float(unit(g, 1, "float64")[0])


def _normal(g) -> float:
    return float(_one_at_a_time(g, 1, 0.0, 1.0)[0])


def _boosted(g, alpha, single):
    """alpha < 1: scale = (1 - u) ** (1 / alpha) and alpha + 1 (1 / alpha and the sum in the tensor's float)."""
    if single:
        a = numpy.float32(alpha)
        return math.pow(1 - _uniform(g), float(numpy.float32(1.0) / a)), float(a + numpy.float32(1.0))
    return math.pow(1 - _uniform(g), 1.0 / alpha), alpha + 1.0


def sample_gamma(g, alpha: float, single: bool) -> float:
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale, alpha = _boosted(g, alpha, single)
    d = float(numpy.float32(alpha) - numpy.float32(_THIRD32)) if single else alpha - _THIRD32
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = _normal(g)
            y = 1.0 + c * x
            if not y <= 0:
                break
        v = y * y * y
        u = 1 - _uniform(g)
        xx = x * x
        if u < 1.0 - _C0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def standard_gamma(g, alphas, dtype: str):
    """Each alpha's draw (a flat host array in fill order), at least the dtype's smallest normal number."""
    single = dtype == "float32"
    out = numpy.empty(len(alphas), dtype=dtype)
    for i, a in enumerate(alphas):
        out[i] = max(_TINY[dtype], float(numpy.asarray(sample_gamma(g, float(a), single), dtype=dtype)))
    return out


# ------------------------------------------------------------ poisson (Distributions.cpp sample_poisson)
def sample_poisson(g, lam: float) -> int:
    """Hoermann's transformed rejection for lambda >= 10, else Knuth's products of uniforms."""
    if not lam >= 0:        # (checked element by element: the draws before it are made)
        raise AgcliError("invalid Poisson rate, expected rate to be non-negative")
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = _uniform(g) - 0.5
            v = _uniform(g)
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            bound = -lam + k * loglam - math.lgamma(k + 1.0)
            if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= bound:
                return k
    if lam == 0:
        return 0
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= _uniform(g)
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(g, rates, dtype: str):
    """torch.poisson's draws (a flat host array in fill order)."""
    return numpy.array([sample_poisson(g, float(r)) for r in rates], dtype=dtype)


# ------------------------------------------------------------ binomial (Distributions.h sample_binomial)
_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
         0.0138761288230707, 0.0118967099458917, 0.0104112652619720, 0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k: float) -> float:
    if k < len(_TAIL):
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _inversion(g, count, prob, t):
    """binomial_inversion: geometric gaps until they pass count (log1p(-prob) in the tensor's float t)."""
    geom_sum, num_geom = 0.0, 0
    logprob = float(t(math.log1p(-float(prob))))
    while True:
        geom_sum += math.ceil(math.log(_uniform(g)) / logprob)
        if geom_sum > count:
            return num_geom
        num_geom += 1


def _btrs(g, count, prob, t):
    """Hormann's BTRS; the products of count and prob in the tensor's float t, the rest in double."""
    one = t(1)
    stddev = float(t(math.sqrt(float(t(count * prob * (one - prob))))))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob)
    c = float(t(count * prob)) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(t(prob / (one - prob)))
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(math.floor(float(t((count + one) * prob))))
    n = float(count)
    while True:
        u = _uniform(g) - 0.5
        v = _uniform(g)
        us = 0.5 - abs(u)
        k = t(math.floor((2 * a / us + b) * u + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        n_k1 = float(count - k + one)
        upper = ((m + 0.5) * math.log((m + 1) / (r * (n - m + 1))) + (n + 1) * math.log((n - m + 1) / n_k1)
                 + (float(k) + 0.5) * math.log(r * n_k1 / float(k + one)) + _stirling_tail(m)
                 + _stirling_tail(n - m) - _stirling_tail(float(k)) - _stirling_tail(float(count - k)))
        if v <= upper:
            return k


def sample_binomial(g, count, prob, single: bool) -> float:
    t = numpy.float32 if single else numpy.float64
    count, prob = t(count), t(prob)
    if count <= 0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return float(count)
    if prob <= 0.5:
        if count * prob >= 10:
            return float(_btrs(g, count, prob, t))
        return float(_inversion(g, count, prob, t))
    if prob > 0.5:
        qprob = t(1.0 - float(prob))
        if count * qprob >= 10:
            return float(count - _btrs(g, count, qprob, t))
        return float(count - t(_inversion(g, count, qprob, t)))
    return math.nan


def binomial(g, counts, probs, dtype: str):
    """torch.binomial's draws (flat host arrays of one shape, in fill order)."""
    single = dtype == "float32"
    return numpy.array([sample_binomial(g, c, p, single) for c, p in zip(counts, probs)], dtype=dtype)
