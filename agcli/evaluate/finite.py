"""Are an array's floats all finite? Asked of every gradient (run.py warns of inf and nan)
and of a sweep's (sweeps.py falls back to its lines run alone), so the common answer, a
small array that is, is found without NumPy's reductions."""
from __future__ import annotations

import math
import sys

import numpy

# An inf or a nan has all its exponent bits set, so the byte that holds the sign and the
# exponent's top seven bits reads 0x7f or 0xff. Where no element's does, all are finite: one
# copy and two byte searches, cheaper on a small array than any NumPy reduction.
_TOP_BYTE_FIRST = sys.byteorder == "big"
_SMALL = 4096


def _top_bytes_clear(data: bytes, itemsize: int) -> bool:
    """No element of these native floats' bytes has a top byte that an inf or a nan has."""
    top_bytes = data[0 if _TOP_BYTE_FIRST else itemsize - 1::itemsize]
    return 0x7F not in top_bytes and 0xFF not in top_bytes


def all_float64_finite(arrays) -> bool:
    """True if these gradients (None for some) are all small native float64 arrays of finite
    values, known from one byte search over them all; False: not known."""
    pieces = []
    for a in arrays:
        if a is None:
            continue
        if a.dtype is not _FLOAT64 or a.size > _SMALL:
            return False
        pieces.append(a.tobytes())
    return _top_bytes_clear(b"".join(pieces), 8)


_FLOAT64 = numpy.dtype("float64")


def all_finite(a) -> bool:
    """Are all elements of this array (of floats) finite?"""
    dtype = a.dtype
    if dtype.char in "fd" and dtype.byteorder == "=" and a.size <= _SMALL \
            and _top_bytes_clear(a.tobytes(), dtype.itemsize):
        return True
    # A finite sum clears the array in one pass, without isfinite's array of booleans. Only a
    # sum that overflows needs the elementwise check. (add.reduce: a.sum() without its Python wrapper.)
    return math.isfinite(a if a.ndim == 0 else numpy.add.reduce(a, None)) or bool(numpy.isfinite(a).all())
