"""Factorizations by MKL's LAPACK, called as PyTorch's CPU build calls it (the `mkl` extra, mkl.py):
the same routine on the same column-major copy gives PyTorch's factors bit for bit. Without the extra
each function gives None and the caller keeps NumPy's LAPACK (OpenBLAS's).
"""
from __future__ import annotations

from .backend import host as numpy      # (NumPy: MKL computes on host arrays only)
from .mkl import library

_F32, _F64 = numpy.dtype("float32"), numpy.dtype("float64")


def cholesky(a, upper: bool):
    """linalg.cholesky's factors of float32/float64 host matrices (..., n, n) as apply_cholesky gets them:
    potrf on each matrix's column-major copy (uplo 'U' for upper, else 'L'), the other triangle zeroed;
    None without MKL. (The matrices are known to be positive-definite: the caller checked.)"""
    if type(a) is not numpy.ndarray or (a.dtype != _F32 and a.dtype != _F64) or a.ndim < 2:
        return None
    lib = library()
    if lib is None:
        return None
    import ctypes
    potrf = lib.spotrf_ if a.dtype == _F32 else lib.dpotrf_
    n = a.shape[-1]
    out = numpy.empty(a.shape, a.dtype)
    size, info = ctypes.c_int(n), ctypes.c_int(0)
    uplo = ctypes.c_char(b"U" if upper else b"L")
    for index in numpy.ndindex(*a.shape[:-2]):
        work = numpy.array(a[index], order="F")         # (a copy: potrf writes into it)
        if n:
            potrf(ctypes.byref(uplo), ctypes.byref(size), ctypes.c_void_p(work.ctypes.data), ctypes.byref(size),
                  ctypes.byref(info))
        out[index] = numpy.triu(work) if upper else numpy.tril(work)
    return out


def _getrf(lib, dtype, work, n):
    """getrf in place on a column-major n x n buffer: (the 1-based pivots, info)."""
    import ctypes
    pivots = numpy.zeros(n, numpy.intc)
    size, info = ctypes.c_int(n), ctypes.c_int(0)
    (lib.sgetrf_ if dtype == _F32 else lib.dgetrf_)(ctypes.byref(size), ctypes.byref(size), ctypes.c_void_p(
        work.ctypes.data), ctypes.byref(size), ctypes.c_void_p(pivots.ctypes.data), ctypes.byref(info))
    return pivots, info.value


def lu_factors(m, transposed: bool):
    """(LU factors of the square matrix m's transpose, or of m if not `transposed`; the row swaps' sign)
    by getrf, as linalg.det and slogdet get them; None without MKL or when singular."""
    if type(m) is not numpy.ndarray or (m.dtype != _F32 and m.dtype != _F64) or m.ndim != 2 or not m.size:
        return None
    lib = library()
    if lib is None:
        return None
    n = m.shape[0]
    work = numpy.array(m, order="C" if transposed else "F")    # (a row-major buffer read by columns: m^T)
    pivots, info = _getrf(lib, m.dtype, work, n)
    if info:
        return None
    swaps = int(numpy.count_nonzero(pivots != numpy.arange(1, n + 1)))
    return (work.T if transposed else work), (-1.0 if swaps % 2 else 1.0)


def solve(a, b):
    """X with a @ X = b for float32/float64 host matrices (..., n, n) and (..., n, k), as PyTorch 2.13's
    linalg_solve_ex and linalg_inv_ex compute it (measured): getrf on a's column-major copy, then getrs('N')
    on b's; X laid out by columns. None without MKL or for a singular matrix."""
    if type(a) is not numpy.ndarray or type(b) is not numpy.ndarray or (a.dtype != _F32 and a.dtype != _F64) \
            or b.dtype != a.dtype or a.ndim < 2 or b.ndim != a.ndim or not a.size:
        return None
    lib = library()
    if lib is None:
        return None
    import ctypes
    lead = numpy.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    n, k = a.shape[-1], b.shape[-1]
    a, b = numpy.broadcast_to(a, lead + a.shape[-2:]), numpy.broadcast_to(b, lead + b.shape[-2:])
    out = numpy.empty(lead + (k, n), a.dtype)       # (each X stored by columns: its transpose row-major)
    getrs = lib.sgetrs_ if a.dtype == _F32 else lib.dgetrs_
    size, rhs, info = ctypes.c_int(n), ctypes.c_int(k), ctypes.c_int(0)
    trans = ctypes.c_char(b"N")
    for index in numpy.ndindex(*lead):
        work = numpy.array(a[index], order="F")
        pivots, failed = _getrf(lib, a.dtype, work, n)
        if failed:
            return None
        x = numpy.array(b[index], order="F")
        if k:
            getrs(ctypes.byref(trans), ctypes.byref(size), ctypes.byref(rhs), ctypes.c_void_p(work.ctypes.data),
                  ctypes.byref(size), ctypes.c_void_p(pivots.ctypes.data), ctypes.c_void_p(x.ctypes.data),
                  ctypes.byref(size), ctypes.byref(info))
        out[index] = x.T
    return numpy.swapaxes(out, -1, -2)
