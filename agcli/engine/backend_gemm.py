"""Matrix products by MKL's gemm, called as PyTorch's addmm_impl_cpu_ calls it
(aten/src/ATen/native/LinearAlgebra.cpp, then cpublas::gemm): the same operand
order, transpositions and leading dimensions give the same kernel, so the same
sums in the same order, bit for bit (measured against PyTorch 2.13 with MKL
2024.2, the `mkl` extra's). Without the extra every function here gives None
and backend_matmul.py's kernels run.
"""
from __future__ import annotations

import numpy

from .mkl import library

_GEMMS = {}
_absent = False         # (set once MKL is known not to be there: the callers' test is then one global)
_F32, _F64 = numpy.dtype("float32"), numpy.dtype("float64")


def _gemm(dtype):
    """MKL's Fortran (gemm, gemv, dot) for the dtype and the C type of its scalars, or None."""
    global _absent
    found = _GEMMS.get(dtype)
    if found is None and dtype not in _GEMMS:
        lib = library()
        _absent = lib is None
        if not _absent:
            import ctypes       # (here: start-up does not pay for it)
            p = "s" if dtype == _F32 else "d"
            dot = getattr(lib, p + "dot_")
            dot.restype = ctypes.c_float if dtype == _F32 else ctypes.c_double
            found = (getattr(lib, p + "gemm_"), getattr(lib, p + "gemv_"), dot, dot.restype,
                     getattr(lib, f"cblas_{p}gemm_batch"))
        _GEMMS[dtype] = found
    return found


def gemm_is_pytorchs() -> bool:
    """Whether products run on MKL's gemm (the operands' order then decides the last bits, as in PyTorch)."""
    return not _absent and _gemm(_F32) is not None


def mm(a, b):
    """a @ b of float32 or float64 host matrices (or stacks of them, each product on its own) by MKL's
    gemm as PyTorch's mm calls it; None when MKL is not there or the operands are not such."""
    if _absent:
        return None
    if a.dtype != b.dtype or (a.dtype != _F32 and a.dtype != _F64) or a.ndim < 2 or b.ndim < 2:
        return None
    if _gemm(a.dtype) is None:
        return None
    if a.ndim == b.ndim == 2:
        return addmm(None, a, b)
    return _line_by_line(addmm, a, b, 2)


def _line_by_line(product, a, b, b_dims):
    """product(None, a, b) of each line's matrices on a sweep's stacks (their leading dims broadcast;
    b's own dims: b_dims), or None where product gives None."""
    lead = numpy.broadcast_shapes(a.shape[:-2], b.shape[:-b_dims])
    a, b = numpy.broadcast_to(a, lead + a.shape[-2:]), numpy.broadcast_to(b, lead + b.shape[-b_dims:])
    results = [product(None, a[index], b[index]) for index in numpy.ndindex(*lead)]
    if not results or any(result is None for result in results):
        return None
    return numpy.stack(results).reshape(lead + results[0].shape)


def addmm(c, m1, m2, beta=1.0, alpha=1.0):
    """beta * c + alpha * m1 @ m2 (c None: the product alone) as addmm_impl_cpu_ computes it into a new
    row-major result; None without MKL or for an empty product."""
    if _absent:
        return None
    d = m1.dtype
    if (d != _F32 and d != _F64) or d != m2.dtype or (c is not None and c.dtype != d):
        return None
    gemm = _gemm(d)
    (rows, depth), cols = m1.shape, m2.shape[1]
    if gemm is None or not (rows and depth and cols):
        return None
    result = numpy.empty((rows, cols), m1.dtype)
    if c is None:
        beta = 0.0
    else:
        result[...] = c
    size = result.itemsize
    rs = (cols, 1)                          # (a new contiguous result's strides, in elements)
    if rs[0] == 1 and (cols == 1 or rs[1] >= max(1, rows)):
        transpose_c = False
    else:                                   # (a row-major result: C^T = m2^T m1^T, by columns)
        m1, m2, transpose_c = m2, m1, True
    m = cols if transpose_c else rows
    n = rows if transpose_c else cols
    k = depth
    a, transpose_a = _operand(m1, transpose_c, m, k)
    b, transpose_b = _operand(m2, transpose_c, k, n)
    lda = a.strides[1 if transpose_a == transpose_c else 0] // size
    ldb = b.strides[1 if transpose_b == transpose_c else 0] // size
    ldc = rs[0 if transpose_c else 1]
    # cpublas::gemm's normalize_last_dims
    if n == 1:
        ldc = m
    if transpose_a:
        lda = k if m == 1 else lda
    elif k == 1:
        lda = m
    if transpose_b:
        ldb = n if k == 1 else ldb
    elif n == 1:
        ldb = k
    fn, _, _, scalar, _ = gemm
    import ctypes
    byref, integer, address = ctypes.byref, ctypes.c_int, ctypes.c_void_p
    fn(byref(ctypes.c_char(b"T" if transpose_a else b"N")), byref(ctypes.c_char(b"T" if transpose_b else b"N")),
       byref(integer(m)), byref(integer(n)), byref(integer(k)), byref(scalar(alpha)), address(a.ctypes.data),
       byref(integer(lda)), address(b.ctypes.data), byref(integer(ldb)), byref(scalar(beta)),
       address(result.ctypes.data), byref(integer(ldc)))
    return result


def _operand(x, transpose_c, rows, cols):
    """(the matrix gemm reads, whether it reads it transposed), as addmm_impl_cpu_ casts m1 and m2:
    `rows` and `cols` are m and k for m1, k and n for m2; a layout BLAS cannot read is copied row-major."""
    s0, s1 = (stride // x.itemsize if stride % x.itemsize == 0 else 0 for stride in x.strides)
    first, second = (s1, s0) if transpose_c else (s0, s1)
    if first == 1 and second >= max(1, rows):
        return x, False
    if second == 1 and first >= max(1, cols):
        return x, True
    return numpy.ascontiguousarray(x), not transpose_c


def mv(mat, vec):
    """mat @ vec by MKL's gemv as PyTorch's mv calls it (a sweep's stacks: each line's on its own), or None."""
    if _absent or mat.ndim < 2 or vec.ndim < 1:
        return None
    if mat.ndim == 2 and vec.ndim == 1:
        return addmv(None, mat, vec)
    return _line_by_line(addmv, mat, vec, 1)


def addmv(c, mat, vec, beta=1.0, alpha=1.0):
    """beta * c + alpha * mat @ vec (c None: the product alone) as addmv_impl_cpu calls gemv, or None."""
    d = mat.dtype
    if _absent or (d != _F32 and d != _F64) or d != vec.dtype or (c is not None and c.dtype != d) \
            or mat.ndim != 2 or vec.ndim != 1:
        return None
    blas = _gemm(d)
    rows, cols = mat.shape
    size = mat.itemsize
    if blas is None or not (rows and cols) or vec.strides[0] <= 0 or vec.strides[0] % size:
        return None
    result = numpy.empty(rows, d)
    if c is None:
        beta = 0.0
    else:
        result[...] = c
    s0, s1 = (stride // size if stride > 0 and stride % size == 0 else 0 for stride in mat.strides)
    if s0 == 1 and (cols == 1 or s1 >= max(1, rows)):
        trans, m, n, lda = b"N", rows, cols, s1
    elif s1 == 1 and (rows == 1 or s0 >= max(1, cols)):
        trans, m, n, lda = b"T", cols, rows, s0
    else:
        mat = numpy.ascontiguousarray(mat)
        trans, m, n, lda = b"T", cols, rows, cols
    lda = m if n == 1 else lda
    _, gemv, _, scalar, _ = blas
    import ctypes
    byref, integer, address = ctypes.byref, ctypes.c_int, ctypes.c_void_p
    incx = vec.strides[0] // size
    gemv(byref(ctypes.c_char(trans)), byref(integer(m)), byref(integer(n)), byref(scalar(alpha)),
         address(mat.ctypes.data), byref(integer(lda)), address(vec.ctypes.data), byref(integer(incx)),
         byref(scalar(beta)), address(result.ctypes.data), byref(integer(1)))
    return result


def dot(x, y):
    """x @ y of float32 or float64 vectors as at::dot's BLAS path computes it (0-d), or None."""
    d = x.dtype
    if _absent or (d != _F32 and d != _F64) or d != y.dtype or x.ndim != 1 or y.ndim != 1 or not x.size:
        return None
    blas = _gemm(d)
    size = x.itemsize
    if blas is None or x.strides[0] % size or y.strides[0] % size:
        return None
    n = x.size
    incx, incy = (1, 1) if n == 1 else (x.strides[0] // size, y.strides[0] // size)
    if incx <= 0 or incy <= 0:
        return None
    import ctypes
    byref, integer = ctypes.byref, ctypes.c_int
    value = blas[2](byref(integer(n)), ctypes.c_void_p(x.ctypes.data), byref(integer(incx)),
                    ctypes.c_void_p(y.ctypes.data), byref(integer(incy)))
    return numpy.array(value, d)


def baddbmm(c, batch1, batch2, beta=1.0, alpha=1.0):
    """beta * c + alpha * batch1 @ batch2 (c None: bmm) as bmm_out_or_baddbmm_ gives a product of 400
    terms or more to MKL's batched gemm (baddbmm_mkl_template), or None where PyTorch does otherwise."""
    d = batch1.dtype
    if _absent or (d != _F32 and d != _F64) or d != batch2.dtype or batch1.ndim != 3 or batch2.ndim != 3 \
            or (c is not None and c.dtype != d):
        return None
    (count, m, k), n = batch1.shape, batch2.shape[2]
    blas = _gemm(d)
    if blas is None or k * m * n < 400 or not count:
        return None
    size = batch1.itemsize
    s1, s2 = ([s // size if s % size == 0 else 0 for s in x.strides] for x in (batch1, batch2))
    if not (_items_laid_out(s1, batch1.shape) and _items_laid_out(s2, batch2.shape)):
        return None
    result = numpy.empty((count, m, n), d)
    if c is None:
        beta = 0.0
    else:
        result[...] = c
    import ctypes
    transposed = [x[1] == 1 and x[2] >= shape[1] for x, shape in ((s1, batch1.shape), (s2, batch2.shape))]
    ints = ctypes.c_int * 1
    scalar = blas[3]
    pointers = [(ctypes.c_void_p * count)(*[x.ctypes.data + i * x.strides[0] for i in range(count)])
                for x in (batch1, batch2, result)]
    blas[4](ctypes.c_int(101), ints(112 if transposed[0] else 111), ints(112 if transposed[1] else 111), ints(m),
            ints(n), ints(k), (scalar * 1)(alpha), pointers[0], ints(s1[2] if transposed[0] else s1[1]), pointers[1],
            ints(s2[2] if transposed[1] else s2[1]), (scalar * 1)(beta), pointers[2], ints(n), ctypes.c_int(1),
            ints(count))
    return result


def _items_laid_out(strides, shape) -> bool:
    """batch_items_contiguous_or_transposed: each matrix row-major, or column-major, packed."""
    return (strides[2] == 1 and strides[1] == shape[2]) or (strides[1] == 1 and strides[2] == shape[1])
