"""Where a new tensor's elements lie in memory, as PyTorch lays it out: TensorIterator's memory order of an
existing tensor's axes, and a *_like tensor laid out as its input (preserve_format), which decides the order
its random values are drawn in."""
from __future__ import annotations

import numpy

from ..engine import backend as B
from ..engine import layouts as E
from ..engine.layouts import dense_order, preserved
from ..engine.ops.layout import is_contiguous


def memory_order(a):
    """The axes from outermost to innermost in memory (TensorIterator's order), and
    whether the array is contiguous in PyTorch's sense (size-1 dims aside)."""
    if a.ndim == 0:
        return (), True
    if is_contiguous(a):
        return tuple(range(a.ndim)), True
    return dense_order(a.shape, B.strides(a))[::-1], False


def like_axes(a) -> tuple:
    """The axes a *_like of `a` is made along (laid_out turns it back): `a`'s memory order on the host, where
    PyTorch's preserve_format is followed; row-major on a device."""
    return memory_order(a)[0] if B.ON_HOST else tuple(range(a.ndim))


def laid_out(t, axes, like):
    """t, made row-major in the shape of `axes`' order (memory_order's), seen back in its own shape: its
    strides those of a *_like of array `like` (empty_like's preserve_format, on the host)."""
    if axes != tuple(range(len(axes))):
        t.data = numpy.transpose(t.data, numpy.argsort(axes))
    t.data = E.laid_out(preserved, t.data, (like,))
    return t


def converted(a, dtype):
    """a in another dtype, laid out as x.to(dtype) lays out its copy (preserve_format)."""
    return E.laid_out(preserved, B.astype(a, dtype), (a,))
