"""Kernels that index and scatter as ATen's CPU loops do (upsampling, padding's modes, adaptive max
pools, group norm, multi_margin_loss) are written with NumPy: `on_host` brings a device backend's
arrays to the host around them and sends the result back (on the host both are no-ops), as
ranks.py and running.py do. `fma` is engine/fma.py's fused multiply-add for host arrays (the
same steps, NumPy's functions): a device's namespace refuses NumPy arrays."""
from __future__ import annotations

from functools import wraps

from ..backend import ON_HOST, from_host, host as numpy, ndarray, to_host
from ..fma import fma as _engine_fma


def on_host(kernel):
    if ON_HOST:
        return kernel

    def host(v):
        return to_host(v) if isinstance(v, ndarray) else v

    @wraps(kernel)
    def run(*args, **params):
        out = kernel(*map(host, args), **{k: host(v) for k, v in params.items()})
        return tuple(from_host(o) for o in out) if isinstance(out, tuple) else from_host(out)
    return run


def _two_sum(a, b):
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def _neighbour(r, up):
    """r's neighbour above it (up) or below."""
    return numpy.nextafter(r, numpy.where(up, numpy.inf, -numpy.inf).astype(r.dtype))


def host_fma(a, b, c):
    """round(a * b + c), one rounding, for float32 or float64 NumPy arrays (engine/fma.py's steps)."""
    a, b, c = numpy.asarray(a), numpy.asarray(b), numpy.asarray(c)
    if c.dtype == numpy.float32:
        product = a.astype(numpy.float64) * b.astype(numpy.float64)        # exact
        exact, error = _two_sum(product, c.astype(numpy.float64))
        r = exact.astype(numpy.float32)
        wide = r.astype(numpy.float64)
        away = exact > wide
        neighbour = _neighbour(r, away)
        middle = wide + (neighbour.astype(numpy.float64) - wide) * 0.5
        tie = (exact == middle) & (error != 0) & numpy.isfinite(exact)
        return numpy.where(tie & ((error > 0) == away), neighbour, r)
    if c.dtype != numpy.float64:
        return a * b + c
    product = a * b
    (a_high, a_low), (b_high, b_low) = _split(a), _split(b)
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    s, s_error = _two_sum(product, c)
    low, low_error = _two_sum(s_error, product_error)
    rounded, rest = _two_sum(s, low)
    toward = rest > 0
    neighbour = _neighbour(rounded, toward)
    tie = (rest != 0) & (rest == (neighbour - rounded) * 0.5) & (low_error != 0) & numpy.isfinite(rounded)
    result = numpy.where(tie & ((low_error > 0) == toward), neighbour, rounded)
    return numpy.where(numpy.isfinite(result), result, product + c)


def _split(a):
    t = a * 134217729.0                 # 2**27 + 1: two 26-bit halves
    high = t - (t - a)
    return high, a - high


fma = _engine_fma if ON_HOST else host_fma      # (on the host the engine's own, bit for bit)
