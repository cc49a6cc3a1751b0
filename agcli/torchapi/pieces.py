"""PyTorch's functions that cut a tensor into pieces along a dim: split and chunk (views:
SplitBackward0, SplitWithSizesBackward0), and unsafe_split, unsafe_split_with_sizes, unsafe_chunk (the
same pieces in the tensor's memory, not views to autograd: UnsafeSplitBackward0, as the LSTM's and GRU's
gates are cut)."""
from __future__ import annotations

import builtins

from ..engine.ops import pieces as P
from ..engine.tensor import apply
from .checks import dim_index, fail, ndim_of, shape_of, size_tuple


def split(x, split_size_or_sections, dim=0):
    """Views of x along dim: pieces of one size (the last smaller; SplitBackward0) or of the
    sizes given (SplitWithSizesBackward0)."""
    return _split(x, split_size_or_sections, dim, (P.SPLIT, P.SPLIT_WITH_SIZES))


def _split(x, split_size_or_sections, dim, ops):
    """split with its two ops (a size, sizes): split's views or unsafe_split's pieces."""
    if not ndim_of(x):
        fail("split expects at least a 1-dimensional tensor")
    d = dim_index(dim, ndim_of(x))
    size = shape_of(x)[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = size_tuple((split_size_or_sections,))
        if builtins.sum(sizes) != size:
            fail(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension "
                 f"{d}), but got split_sizes=[{', '.join(map(str, sizes))}]")
        return _pieces(ops[1], x, d, sizes)
    step = size_tuple((split_size_or_sections,))[0]
    if step < 0:
        fail(f"split expects split_size be non-negative, but got split_size={step}")
    if step == 0 and size:
        fail(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
    return _pieces(ops[0], x, d, tuple(min(step, size - s) for s in range(0, size, step)) or (0,))


def chunk(x, chunks, dim=0):
    """split into `chunks` pieces of ceil(size / chunks) (fewer when they run out)."""
    return _chunk(x, chunks, dim, (P.SPLIT, P.SPLIT_WITH_SIZES))


def _chunk(x, chunks, dim, ops):
    if not ndim_of(x):
        fail("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        fail(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = dim_index(dim, ndim_of(x))
    size = shape_of(x)[d]
    if size == 0:
        return _pieces(ops[1], x, d, (0,) * chunks)
    return _split(x, -(-size // chunks), d, ops)


_UNSAFE = (P.UNSAFE_SPLIT, P.UNSAFE_SPLIT_WITH_SIZES)


def unsafe_split(x, split_size, dim=0):
    """split's pieces as tensors of their own to autograd (UnsafeSplitBackward0), in x's memory."""
    return _split(x, split_size, dim, _UNSAFE)


def unsafe_split_with_sizes(x, split_sizes, dim=0):
    return _split(x, list(split_sizes), dim, _UNSAFE)


def unsafe_chunk(x, chunks, dim=0):
    """chunk's pieces, as unsafe_split's (the LSTM and GRU cells' gates)."""
    return _chunk(x, chunks, dim, _UNSAFE)


def _pieces(op, x, dim, sizes):
    return tuple(apply(op, x, dim=dim, sizes=sizes, index=i) for i in range(len(sizes)))
