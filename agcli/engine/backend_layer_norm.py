"""A float32 layer norm as ATen's CPU kernel computes it (native/cpu/layer_norm_kernel.cpp and
moments_utils.h, built for AVX2: vectors of 8 floats), so that its output is PyTorch's to the last bit.

Each row's mean and variance come from RowwiseMoments: Welford's updates in each of 8 lanes over
chunks of 16 vectors, the chunks' moments combined in a cascade (a binary counter's carries), then
the row's leftover values one at a time, then the 8 lanes' moments added in. The output is
fma((x - mean) * rstd, gamma, beta). The vector updates are written `fmadd` in ATen; of the scalar
ones, GCC fuses AddMoments' a * b + c and not the leftover values' (measured against PyTorch 2.13).
A fused op is engine/fma.py's.
"""
from __future__ import annotations

import numpy

from .fma import fma

_F32, _F64 = numpy.float32, numpy.float64
LANES, CHUNK = 8, 16
_RECIPROCALS = [_F32(_F32(1) / _F32(j + 1)) for j in range(CHUNK)]     # c_vecs


def follows_aten(x) -> bool:
    """Does x's layer norm take the kernel followed here (a float32 host array)?"""
    return type(x) is numpy.ndarray and x.dtype == _F32 and x.size > 0


def layer_norm(x, normalized: int, weight, bias, eps):
    """x normalised over its last `normalized` dims, scaled and shifted, in x's shape."""
    n = 1
    for size in x.shape[x.ndim - normalized:]:
        n *= size
    rows = numpy.ascontiguousarray(x).reshape(-1, n)
    mean, var = _moments(rows)
    rstd = (_F32(1) / numpy.sqrt(var + _F32(eps))).astype(_F32)
    scaled = (rows - mean[:, None]) * rstd[:, None]
    gamma = numpy.ones(n, _F32) if weight is None else weight.reshape(n)
    beta = numpy.zeros(n, _F32) if bias is None else bias.reshape(n)
    return fma(scaled, gamma, beta).reshape(x.shape)


def _moments(rows):
    """(mean, biased variance) of each row, float32: RowwiseMoments."""
    count, n = rows.shape
    vectors = n // LANES
    chunks = -(-vectors // CHUNK)
    depth = 1 if chunks <= 2 else (chunks - 1).bit_length()        # utils::CeilLog2
    zero = numpy.zeros((count, LANES), _F32)
    stack = [[0, zero, zero] for _ in range(depth)]
    lanes = rows[:, :vectors * LANES].reshape(count, vectors, LANES)
    for i in range(chunks):
        size = min(CHUNK, vectors - i * CHUNK)
        m1 = m2 = zero
        for j in range(size):                                       # UpdateMomentsVec
            x = lanes[:, i * CHUNK + j]
            delta = x - m1
            m1 = fma(delta, _RECIPROCALS[j], m1)
            m2 = fma(delta, x - m1, m2)
        _add_vectors(size, m1, m2, stack[0])
        mask, j = i + 1, 1
        while j < depth and mask & 1 == 0:
            _add_vectors(*stack[j - 1], stack[j])
            stack[j - 1] = [0, zero, zero]
            mask >>= 1
            j += 1
    for level in stack[1:]:
        _add_vectors(*level, stack[0])
    m0, m1, m2 = 0, numpy.zeros(count, _F32), numpy.zeros(count, _F32)
    for i in range(vectors * LANES, n):                             # the leftover values, one by one
        x = rows[:, i]
        delta = x - m1
        m0 += 1
        m1 = m1 + delta / _F32(m0)
        m2 = m2 + delta * (x - m1)                                  # (not fused: measured)
    for lane in range(LANES):                                       # AddMoments of each lane
        total = m0 + vectors
        c = _F32(0) if total == 0 else _F32(vectors) / _F32(total)
        delta = stack[0][1][:, lane] - m1
        m1 = fma(delta, c, m1)
        m2 = m2 + fma(delta * delta * c, _F32(m0), stack[0][2][:, lane])
        m0 = total
    return m1, m2 / _F32(n)


def _add_vectors(m0_add, m1_add, m2_add, into):
    """AddMomentsVec: moments of m0_add values per lane added into `into` ([m0, m1, m2])."""
    m0, m1, m2 = into
    total = m0 + m0_add
    c = _F32(0) if total == 0 else _F32(m0_add) / _F32(total)
    delta = m1_add - m1
    c_delta = c * delta
    into[:] = [total, m1 + c_delta, fma(delta * _F32(m0), c_delta, m2 + m2_add)]
