"""PyTorch's CPU order of additions for matrix products of few terms (K <= 3), where it
differs from BLAS's: each term rounded and added in turn from +0, without FMA (measured
against PyTorch 2.13, every layout). engine/backend.py's mm_kernel and addmm_kernel pick it."""
from __future__ import annotations

import numpy


def in_turn_shapes(a, b) -> bool:
    return type(a) is type(b) is numpy.ndarray and a.ndim >= 2 and b.ndim >= 2 and a.shape[-1] <= 3 and a.size \
        and b.size and (b.shape[-1] <= 8 or a.shape[-2] <= 2) and a.dtype == b.dtype and a.dtype.kind == "f"


def in_turn(a, b):
    """Each element's K terms added in turn from +0 (-0 is +0): ((0 + a0 b0) + a1 b1) + a2 b2."""
    zero = _ZERO.get(a.dtype, 0.0)         # (a 0-d array: NumPy's path for a Python number costs an op)
    if a.shape[-1] == 1:
        return zero + a * b
    if a.ndim == b.ndim == 2 and b.shape[1] > 1 and a.dtype in _ZERO:
        # All the terms in one product, added along K: NumPy's reduce adds in order along an axis
        # with the lanes (n > 1) inside it; float16's reduce adds in float32, so not for it.
        # Started from +0 (reduce's `initial`), row-major as the sum of (m, 1) x (1, n) products is
        # (later sums follow the layout).
        out = numpy.add.reduce(numpy.multiply(a[:, :, None], b), axis=1, initial=zero)
        return out if out.flags.c_contiguous else numpy.ascontiguousarray(out)
    return sum((a[..., k:k + 1] * b[..., k:k + 1, :] for k in range(a.shape[-1])), zero)


_ZERO = {z.dtype: z for z in (numpy.zeros((), dtype="float32"), numpy.zeros((), dtype="float64"))}
