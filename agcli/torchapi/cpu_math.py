"""The arithmetic PyTorch's CPU random kernels do, bit for bit, on host arrays.

- Fused multiply-add: GCC contracts `x * (to - from) + from` and `val * std + mean`
  into one FMA in the kernels built for AVX2/AVX-512 (one rounding). NumPy has no
  FMA, so it is emulated exactly: in float32 through the float64 product (exact)
  and a sum rounded to odd; in float64 through Dekker's exact product and TwoSum.
- log and sincos of float32 vectors: avx_mathfun.h's (Cephes polynomials), which
  normal_fill_AVX2 uses, with the FMAs GCC forms from its mul/add pairs.
- log, sin, cos of doubles: glibc's, one call each (as std::log does; NumPy's SIMD
  versions differ from it in the last bit of some values).
"""
from __future__ import annotations

import math

import numpy

f32, f64, u64 = numpy.float32, numpy.float64, numpy.uint64


def _odd(s, error):
    """s nudged one ulp toward the exact sum where it was rounded to an even mantissa:
    rounding to odd, after which a second rounding to a narrower format is exact."""
    even = (s.view(u64) & u64(1)) == 0
    return numpy.where((error != 0) & even, numpy.nextafter(s, numpy.copysign(numpy.inf, error)), s)


def _two_sum(a, b):
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def fma32(a, b, c):
    """round32(a*b + c) in one rounding (float32 arrays or numbers). The float64 product is
    exact and the float64 sum rounds once more, which matters only where that sum falls on
    a float32 midpoint (or in float32's subnormals): there the sum is redone, rounded to odd."""
    p = numpy.asarray(a, f32).astype(f64) * numpy.asarray(b, f32).astype(f64)
    c = numpy.asarray(c, f32).astype(f64)
    shape = numpy.broadcast_shapes(p.shape, c.shape)
    s = numpy.atleast_1d(p + c)
    bits = s.view(u64)
    doubtful = ((bits & u64(0x1FFFFFFF)) == u64(0x10000000)) | (bits & u64(0x7FF0000000000000) < u64(0x3810000000000000))
    if doubtful.any():
        total, error = _two_sum(numpy.broadcast_to(p, s.shape)[doubtful], numpy.broadcast_to(c, s.shape)[doubtful])
        s[doubtful] = _odd(total, error)
    return s.astype(f32).reshape(shape)


def _split(a):
    t = a * 134217729.0                 # 2**27 + 1: Veltkamp's split into two 26-bit halves
    high = t - (t - a)
    return high, a - high


def fma64(a, b, c):
    """round64(a*b + c) in one rounding (float64 arrays or numbers)."""
    a, b, c = (numpy.asarray(v, f64) for v in (a, b, c))
    p = a * b
    (ah, al), (bh, bl) = _split(a), _split(b)
    p_error = ((ah * bh - p) + ah * bl + al * bh) + al * bl         # a*b == p + p_error exactly
    s, s_error = _two_sum(p, c)
    low, low_error = _two_sum(s_error, p_error)
    result = s + _odd(low, low_error)
    return numpy.where(numpy.isfinite(result), result, p + c)     # (inf, nan or a split overflowing: fma.py)


def glibc(fn, x):
    """fn (math.log, math.sin, ...) of each double: glibc's libm, as PyTorch's kernels call it."""
    return numpy.fromiter(map(fn, x.ravel().tolist()), f64, x.size).reshape(x.shape)


# ------------------------------------------------------------ avx_mathfun.h
_LOG_P = (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
          -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)
_MIN_NORMAL = numpy.array(0x00800000, numpy.int32).view(f32)


def log_ps(x):
    """log256_ps of positive float32s."""
    x = numpy.maximum(x, _MIN_NORMAL)
    bits = x.view(numpy.int32)
    e = ((bits >> 23) - 0x7F).astype(f32) + f32(1)
    x = ((bits & ~0x7F800000) | 0x3F000000).view(f32)     # the mantissa, in [0.5, 1)
    small = x < f32(0.707106781186547524)
    x = (x - f32(1)) + numpy.where(small, x, f32(0))
    e = e - numpy.where(small, f32(1), f32(0))
    z = x * x
    y = numpy.full_like(x, f32(_LOG_P[0]))
    for p in _LOG_P[1:]:
        y = fma32(y, x, f32(p))
    y = fma32(y * x, z, e * f32(-2.12194440e-4))
    y = y - z * f32(0.5)
    return fma32(e, f32(0.693359375), x + y)


def sincos_ps(x):
    """sincos256_ps of non-negative float32s: (sin, cos)."""
    j = ((x * f32(1.27323954473516)).astype(numpy.int32) + 1) & ~1        # 4/pi
    y = j.astype(f32)
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = fma32(y, f32(dp), x)
    sin_negative = (j & 4) != 0
    cos_negative = (~(j - 2) & 4) != 0
    first = (j & 2) == 0                # which polynomial the sine takes
    z = x * x
    c = fma32(fma32(f32(2.443315711809948E-005), z, f32(-1.388731625493765E-003)), z,
              f32(4.166664568298827E-002)) * z
    c = fma32(c, z, -(z * f32(0.5))) + f32(1)
    s = fma32(fma32(f32(-1.9515295891E-4), z, f32(8.3321608736E-3)), z, f32(-1.6666654611E-1)) * z
    s = fma32(s, x, x)
    sin = numpy.where(first, s, c)
    cos = numpy.where(first, c, s)
    return numpy.where(sin_negative, -sin, sin), numpy.where(cos_negative, -cos, cos)
