"""PyTorch's as_strided on a storage (torchapi/strided.py): a view writes go through, on the host's NumPy
arrays and on the strict stand-in's (the NumPy array inside); on CuPy none (as_strided keeps its copy)."""
from __future__ import annotations

import numpy

from . import backend as B


def _numpy(a, shape, steps, offset):
    """The view of `a`'s storage (a begins it) at `offset`, with `steps` in elements."""
    start = numpy.lib.stride_tricks.as_strided(a, (offset + 1,), (a.itemsize,), writeable=a.flags.writeable)
    return numpy.lib.stride_tricks.as_strided(start[offset:], tuple(shape), tuple(st * a.itemsize for st in steps),
                                              writeable=a.flags.writeable)


def strided(a, shape, steps, offset):
    """The view, or None where the backend's arrays give none."""
    if B.BACKEND == "array-api-strict":
        return B.ndarray._new(_numpy(a._array, shape, steps, offset), device=a.device)
    return _numpy(a, shape, steps, offset) if B.ON_HOST else None


def empty_strided(shape, strides, dtype):
    """A new host array of `shape` with these strides in bytes (PyTorch's empty_strided, for a dense layout)."""
    size = 1
    for n in shape:
        size *= n
    return numpy.lib.stride_tricks.as_strided(numpy.empty((size,), dtype=dtype), tuple(shape), tuple(strides))
