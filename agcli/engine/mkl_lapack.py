"""Factorizations by MKL's LAPACK, called as PyTorch's CPU build calls it (the `mkl` extra, mkl.py):
the same routine on the same column-major copy gives PyTorch's factors bit for bit. Without the extra
each function gives None and the caller keeps NumPy's LAPACK (OpenBLAS's).
"""
from __future__ import annotations

import numpy

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
        work = numpy.asfortranarray(a[index], dtype=a.dtype).copy(order="F")
        if n:
            potrf(ctypes.byref(uplo), ctypes.byref(size), ctypes.c_void_p(work.ctypes.data), ctypes.byref(size),
                  ctypes.byref(info))
        out[index] = numpy.triu(work) if upper else numpy.tril(work)
    return out
