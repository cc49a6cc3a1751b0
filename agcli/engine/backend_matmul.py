"""PyTorch's CPU order of additions for matrix products where it differs from BLAS's: each
term rounded and added in turn from +0, without FMA — for a matrix times a vector (a matrix
laid out by columns, any K; by rows, K <= 4), for few terms (K <= 3, every layout),
and for a float32 column-major mat1 times a row-major mat2 with one row or column, or rows
and columns among 1, 2, 3, 4, 8 (`grad.t().mm(input)`: a small layer's weight gradient;
MKL's kernels for those shapes, any K). Measured against PyTorch 2.13. mm_kernel below and
engine/backend.py's addmm_kernel pick it."""
from __future__ import annotations

import numpy

from . import backend_gemm


def in_turn_shapes(a, b) -> bool:
    return type(a) is type(b) is numpy.ndarray and a.ndim >= 2 and b.ndim >= 2 and a.shape[-1] <= 3 and a.size \
        and b.size and (b.shape[-1] <= 8 or a.shape[-2] <= 2) and a.dtype == b.dtype and a.dtype.kind == "f" \
        and a.dtype.itemsize > 2      # (float16: PyTorch adds in float32, rounding once, as NumPy's matmul)


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


_IN_TURN_SIDES = frozenset((1, 2, 3, 4, 8))
_FLOAT32 = numpy.dtype("float32")


def in_turn_transposed(a, b) -> bool:
    """A float32 (M, K) column-major times (K, N) row-major product that PyTorch adds in turn."""
    if type(a) is not numpy.ndarray or type(b) is not numpy.ndarray or a.ndim != 2 or b.ndim != 2 \
            or a.dtype != _FLOAT32 or b.dtype != _FLOAT32 or not a.size or not b.size:
        return False
    (m, k), n = a.shape, b.shape[1]
    if not (m == 1 or n == 1 or (m in _IN_TURN_SIDES and n in _IN_TURN_SIDES)):
        return False
    size = a.itemsize
    column_major = (m == 1 or a.strides[0] == size) and (k == 1 or a.strides[1] == m * size)
    row_major = (n == 1 or b.strides[1] == size) and (k == 1 or b.strides[0] == n * size)
    return column_major and row_major


def in_turn_any_k(a, b):
    """Each element's K products added in turn from +0: a running sum down the K axis."""
    products = numpy.empty((a.shape[1] + 1, a.shape[0], b.shape[1]), dtype=a.dtype)
    products[0] = 0
    numpy.multiply(a.T[:, :, None], b[:, None, :], out=products[1:])
    return numpy.ascontiguousarray(numpy.cumsum(products, axis=0)[-1])


def in_turn_mv(m, v):
    """m @ v (mv; on a sweep's stacks, each line's) in PyTorch's order: gemv adds each column's
    products in turn for a matrix laid out by columns (m.t() of a row-major one), and so do its
    dot products of K <= 4."""
    if type(m) is numpy.ndarray and type(v) is numpy.ndarray:
        product = backend_gemm.mv(m, v)         # (PyTorch's own kernel, with the mkl extra)
        if product is not None:
            return product
    if _gemv_in_turn(m, v):
        return _mv(m, v)
    return numpy.matmul(m, v) if v.ndim == 1 else numpy.matmul(m, v[..., None])[..., 0]


def _gemv_in_turn(m, v) -> bool:
    return m.dtype == v.dtype and m.dtype in _ZERO and m.size and (m.shape[-1] <= 4 or m.strides[-2] == m.itemsize)


def _mv(m, v):
    k = m.shape[-1]
    if k <= 4:
        out = _ZERO[m.dtype] + m[..., 0] * v[..., None, 0]
        for i in range(1, k):
            out = out + m[..., i] * v[..., None, i]
        return out
    products = numpy.empty(numpy.broadcast_shapes(m.shape[:-1], v.shape[:-1] + (1,)) + (k + 1,), dtype=m.dtype)
    products[..., 0] = 0
    numpy.multiply(m, v[..., None, :], out=products[..., 1:])
    return numpy.cumsum(products, axis=-1)[..., -1]


def mm_kernel(a, b):
    """mat1 @ mat2 (each line's, on a sweep's stacks); PyTorch's order where measured (2.13, every layout):
    K <= 3 terms with N <= 8 or M <= 2, a small layer's weight gradient, or one row or column (a gemv),
    each term rounded and added in turn from +0 without FMA; but an outer product of M, N >= 2 is
    its products alone, as PyTorch's gemm gives it (-0. stays -0.)."""
    if type(a) is numpy.ndarray and type(b) is numpy.ndarray:
        product = backend_gemm.mm(a, b)         # (PyTorch's own kernel, with the mkl extra)
        if product is not None:
            return product
        sa, sb = a.shape, b.shape
        if sa[-1] == 1 and sa[-2] > 1 and sb[-1] > 1 and a.dtype == b.dtype:
            return a * b
        if len(sa) == 2 and len(sb) == 2:     # (one product: the tests below, the shapes and dtypes read once)
            (m, k), n = sa, sb[1]
            d = a.dtype
            same = d == b.dtype
            if k <= 3 and m and k and n and (n <= 8 or m <= 2) and same and d.kind == "f" and d.itemsize > 2:
                # (in_turn_shapes)
                return in_turn(a, b)
            if d == _FLOAT32 and in_turn_transposed(a, b):
                return in_turn_any_k(a, b)
            return as_mv(a, b) if (m == 1) != (n == 1) and same else numpy.matmul(a, b)   # one_row_or_column
    if in_turn_shapes(a, b):
        return in_turn(a, b)
    if in_turn_transposed(a, b):
        return in_turn_any_k(a, b)
    return as_mv(a, b) if one_row_or_column(a, b) else numpy.matmul(a, b)


def dot_kernel(x, y):
    """x @ y of vectors: at::dot's BLAS call with the mkl extra, else NumPy's."""
    product = backend_gemm.dot(x, y) if type(x) is numpy.ndarray and type(y) is numpy.ndarray else None
    return numpy.dot(x, y) if product is None else product


def mkl_baddbmm(c, b1, b2, beta=1, alpha=1):
    """beta * c + alpha * b1 @ b2 by PyTorch's own batched gemm (the mkl extra), or None."""
    if type(b1) is numpy.ndarray and type(b2) is numpy.ndarray and type(c) is numpy.ndarray:
        return backend_gemm.baddbmm(c, b1, b2, beta, alpha)
    return None


def mkl_addmv(c, m, v, beta=1, alpha=1):
    """beta * c + alpha * m @ v by PyTorch's own gemv (the mkl extra), or None."""
    if type(m) is numpy.ndarray and type(v) is numpy.ndarray and type(c) is numpy.ndarray:
        return backend_gemm.addmv(c, m, v, beta, alpha)
    return None


def mkl_addmm(c, a, b, beta=1, alpha=1):
    """beta * c + alpha * a @ b by PyTorch's own gemm (the mkl extra: backend_gemm.py), or None."""
    if type(a) is numpy.ndarray and type(b) is numpy.ndarray and type(c) is numpy.ndarray and a.ndim == b.ndim == 2:
        return backend_gemm.addmm(c, a, b, beta, alpha)
    return None


def one_row_or_column(a, b) -> bool:
    """A product (1, K) @ (K, N) or (M, K) @ (K, 1) (or a sweep's stack of them): PyTorch's BLAS
    runs it as a gemv."""
    return a.ndim >= 2 and b.ndim >= 2 and (a.shape[-2] == 1) != (b.shape[-1] == 1) and a.dtype == b.dtype


def as_mv(a, b):
    """a @ b for one_row_or_column, in in_turn_mv's order where it is PyTorch's (else BLAS's gemm)."""
    if b.shape[-1] == 1:
        return _mv(a, b[..., 0])[..., None] if _gemv_in_turn(a, b[..., 0]) else numpy.matmul(a, b)
    m = numpy.swapaxes(b, -1, -2)
    return _mv(m, a[..., 0, :])[..., None, :] if _gemv_in_turn(m, a[..., 0, :]) else numpy.matmul(a, b)


def bmm_kernel(a, b):
    """batch1 @ batch2 (bmm) in PyTorch's CPU order: a matrix of fewer than 400 products (K * M * N)
    has each element's K products added in turn from +0 (baddbmm_cpu_kernel); a larger one is each
    matrix's mm (bmm_out_or_baddbmm_ splits the batch), as mm_kernel orders it."""
    if type(a) is not numpy.ndarray or type(b) is not numpy.ndarray or a.ndim != 3 or b.ndim != 3 \
            or a.dtype != b.dtype or a.dtype not in _ZERO or not a.size or not b.size:
        return numpy.matmul(a, b)
    product = backend_gemm.baddbmm(None, a, b)         # (PyTorch's own batched gemm, with the mkl extra)
    if product is not None:
        return product
    (_, m, k), n = a.shape, b.shape[-1]
    if k * m * n >= 400:
        return numpy.stack([mm_kernel(x, y) for x, y in zip(a, b)])
    products = numpy.empty((k + 1,) + a.shape[:-1] + (n,), dtype=a.dtype)
    products[0] = 0
    numpy.multiply(numpy.moveaxis(a, -1, 0)[..., None], numpy.swapaxes(b, 0, 1)[:, :, None, :], out=products[1:])
    return numpy.ascontiguousarray(numpy.cumsum(products, axis=0)[-1])
