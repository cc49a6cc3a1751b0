"""Where a new tensor's elements lie in memory, as PyTorch lays it out: TensorIterator's memory order of an
existing tensor's axes, and a *_like tensor laid out as its input (preserve_format), which decides the order
its random values are drawn in."""
from __future__ import annotations

import numpy

from ..engine import backend as B


def memory_order(a):
    """The axes from outermost to innermost in memory (TensorIterator's order), and
    whether the array is contiguous in PyTorch's sense (size-1 dims aside)."""
    if a.ndim == 0:
        return (), True
    strides = B.strides(a)
    if any(st == 0 and n > 1 for st, n in zip(strides, a.shape)):
        return tuple(range(a.ndim)), True       # (an expanded tensor: empty_like's copy of it is row-major)
    expected, contiguous = 1, True
    for d in reversed(range(a.ndim)):
        if a.shape[d] != 1:
            contiguous = contiguous and strides[d] == expected
            expected *= a.shape[d]
    if contiguous:
        return tuple(range(a.ndim)), True
    return tuple(sorted(range(a.ndim), key=lambda d: -abs(strides[d]))), False


def like_axes(a) -> tuple:
    """The axes a *_like of `a` is made along (laid_out turns it back): `a`'s memory order on the host, where
    PyTorch's preserve_format is followed; row-major on a device."""
    return memory_order(a)[0] if B.ON_HOST else tuple(range(a.ndim))


def laid_out(t, axes):
    """t, made row-major in the shape of `axes`' order (memory_order's), seen back in its own shape: its
    strides follow that order, as a *_like of a tensor of that memory order has them (on the host)."""
    if axes != tuple(range(len(axes))):
        t.data = numpy.transpose(t.data, numpy.argsort(axes))
    return t
