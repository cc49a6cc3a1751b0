"""softmax and log_softmax along the last dim, and their backward, as PyTorch's CPU kernels
compute them (SoftMaxKernel.cpp, its AVX512 build: 16 float32 or 8 float64 lanes a vector).

- A row's sum is vec::reduce_all's: vectors of lanes added in turn, a short last vector into
  the first lanes, then the lanes folded (float32 by halves, as its shuffles do; float64 in turn).
  A row shorter than a vector is added in turn.
- softmax multiplies each value by the sum's reciprocal.
- float32's exp is Sleef's expf (u10), which is not rounded correctly in every last bit.
- log_softmax's backward is one FMA a value (the compiler fuses `grad - exp(out) * sum`).

Host NumPy only; other dims, dtypes and backends keep the plain formula (engine/ops/nn.py).
"""
from __future__ import annotations

import numpy

_F32, _F64 = numpy.dtype("float32"), numpy.dtype("float64")
_LANES = {_F32: 16, _F64: 8}


def applies(x, dim) -> bool:
    """Does this module compute x's softmax along dim (a float32/float64 host array, its last dim)?"""
    return type(x) is numpy.ndarray and x.dtype in _LANES and x.ndim and x.size and dim in (-1, x.ndim - 1)


def softmax(x):
    e = vector_exp(x - x.max(axis=-1, keepdims=True))
    return e * (1 / row_sums(e))


def log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    total = row_sums(vector_exp(shifted))
    return shifted - (numpy.log(total) if x.dtype is _F64 else _rounded(numpy.log(total.astype(_F64))))


def softmax_backward(g, y):
    return (g - row_sums(g * y)) * y


def log_softmax_backward(g, y):
    total = row_sums(g)
    if y.dtype is _F64:
        return g - numpy.exp(y) * total
    # float32 products are exact in float64: one rounding after the subtraction, as the FMA's
    return _rounded(g.astype(_F64) - vector_exp(y).astype(_F64) * total)


def row_sums(v):
    """vec::reduce_all's sum of each row of v (the last dim), keeping that dim."""
    lanes, n = _LANES[v.dtype], v.shape[-1]
    if n < lanes:
        return numpy.add.accumulate(v, axis=-1)[..., -1:]
    full = n - n % lanes
    blocks = numpy.ascontiguousarray(v[..., :full]).reshape(v.shape[:-1] + (full // lanes, lanes))
    acc = numpy.add.reduce(blocks, axis=-2)      # (the lanes inside: NumPy adds the vectors in turn)
    if full < n:
        acc[..., :n - full] += v[..., full:]
    if lanes == 16:         # float32's shuffles: lane i + lane i+8, then +4, +2, +1
        while acc.shape[-1] > 1:
            half = acc.shape[-1] // 2
            acc = acc[..., :half] + acc[..., half:]
        return acc
    return numpy.add.accumulate(acc, axis=-1)[..., -1:]


# Sleef's expf_u10 (xexpf): its float32 constants, and its polynomial's from the highest power.
_R_LN2, _L2U, _L2L = float(numpy.float32(1.442695040888963407359924681001892137426645954152985934)), \
    0.693145751953125, float(numpy.float32(1.428606765330187045e-06))
_POLY = tuple(float(numpy.float32(c)) for c in (0.000198527617612853646278381, 0.00139304355252534151077271,
                                                0.00833336077630519866943359, 0.0416664853692054748535156,
                                                0.166666671633720397949219, 0.5))


def vector_exp(x):
    """exp as the kernels' Vectorized exp: float32 by Sleef's algorithm (its FMAs exact in float64,
    each rounded once to float32), float64 as NumPy's."""
    if x.dtype is _F64:
        return numpy.exp(x)
    with numpy.errstate(over="ignore", invalid="ignore"):
        q = numpy.rint(x * numpy.float32(_R_LN2)).astype(_F64)
        s = _rounded(q * -_L2U + x)
        s = _rounded(q * -_L2L + s)
        s64 = s.astype(_F64)
        u = numpy.full(x.shape, _POLY[0], _F64)
        for c in _POLY[1:]:
            u = _rounded(u * s64 + c).astype(_F64)
        u = _rounded((s * s).astype(_F64) * u + s64) + numpy.float32(1)
        scaled = _rounded(u.astype(_F64) * numpy.exp2(q))      # (exact in float64: rounded once, as Sleef's ldexp)
    scaled[x < -104] = 0
    scaled[x > 100] = numpy.inf
    return scaled


def _rounded(v):
    return v.astype(_F32)
