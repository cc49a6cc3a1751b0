"""PyTorch's CPU order of additions for float32 and float64 sums, in NumPy.

PyTorch's sum (and mean: on the CPU its sum divided by the count) adds in the order
of ATen's cascade_sum (aten/src/ATen/native/cpu/SumKernel.cpp), not in NumPy's
pairwise one, so a float32 `loss.item()` printed in full differs in its last bits
unless the additions happen in the same order. Here they do, with whole-array NumPy
operations:

- backend_sums_iteration.py: TensorIterator's view of the reduction (dims sorted
  with the reduced ones innermost, then coalesced; the 2-D loop and the outer dims
  in turn) and parallel_reduce's threads from GRAIN_SIZE (32768) elements on (a whole
  reduction in equal ranges, their totals then summed; else a kept dim cut among
  the threads, at 128-byte multiples).
- backend_sums_kernel.py: the kernel. A contiguous reduced dim goes by 32-byte vectors
  (8 float32 / 4 float64: sum_stub is registered with REGISTER_DISPATCH, which leaves
  the AVX512 slot empty, so AVX512 CPUs run the AVX2 kernel, measured), four vectors
  at a time through multi_row_sum's levels, then the leftover elements and the lanes
  one by one; a contiguous kept dim takes columns four vectors at a time through
  multi_row_sum, the rest through row_sum; other layouts the same by scalars.
- here: the common case, one run of memory summed whole, without the general
  iteration; and the limit above which NumPy's own sum is kept.

The sign of a zero partial sum never shows: PyTorch's output starts at +0 and
adds the result. The thread count is read when a large sum first needs it.
"""
from __future__ import annotations

import math

import numpy

from .backend_sums_iteration import iteration_dims, reduce_into
from .backend_sums_kernel import FLOATS, GRAIN_SIZE, SMALL, column_sums, flat_total, flat_two_pass, small_total, threads

# Above this many elements NumPy's own (pairwise) sum is kept, so that sums of 10**6 to
# 10**7 elements keep NumPy's speed: PyTorch's order runs in NumPy at 4 to 9 times its
# time (measured from 3*10**4 to 2.6*10**5 elements: the kernel's runs are 32 bytes).
EXACT_LIMIT = 1 << 18


def torch_sum(x, axis=None, keepdims=False):
    """numpy.add.reduce(x, axis, keepdims) with PyTorch's order of additions
    (float32/float64 on the host; other dtypes as NumPy adds them)."""
    if axis is None and type(x) is numpy.ndarray and x.dtype is FLOATS[1] and 0 < x.size < SMALL \
            and (ndim := x.ndim) and x.flags.c_contiguous:
        # (the common case, a small float64 array summed whole: the path below, its tests skipped, and
        # flat_total's additions in Python's floats, without its call)
        total = small_total(x.tolist() if ndim == 1 else x.ravel().tolist())
        total = numpy.float64(total) if math.isfinite(total) else flat_total(x.reshape(-1))
        return total.reshape((1,) * ndim) if keepdims else total
    if type(x) is numpy.ndarray and x.dtype == numpy.float16:    # (PyTorch adds halves in float)
        return torch_sum(x.astype(numpy.float32), axis, keepdims).astype(numpy.float16)
    if type(x) is not numpy.ndarray or x.dtype not in FLOATS or x.ndim == 0 or not 0 < x.size <= EXACT_LIMIT:
        return numpy.add.reduce(x, axis=axis, keepdims=keepdims)
    ndim = x.ndim
    axes = None if axis is None else _sorted_axes(axis, ndim)
    contiguous = x.flags.c_contiguous
    if not contiguous and any(s < 0 for s in x.strides):    # (PyTorch has no negative strides: its flip copies)
        x = numpy.ascontiguousarray(x)
        contiguous = True
    whole = axes is None or len(axes) == ndim
    if contiguous and (whole or _kept_ones(x.shape, axes)):
        flat = x if ndim == 1 else x.reshape(-1)      # the common case, one run of memory summed whole
    else:
        # a permuted one (x.t()) summed whole: TensorIterator sorts the dims by stride and
        # coalesces them, so it adds in memory order too
        flat = _in_memory_order(x) if whole else None
    if flat is not None:
        total = flat_total(flat) if flat.shape[0] < GRAIN_SIZE or threads() == 1 else \
            flat_two_pass(flat, threads())
        kept = ndim if keepdims else 0 if axes is None else ndim - len(axes)
        return total.reshape((1,) * kept) if kept else total
    if axes == (0,) and ndim == 2 and contiguous:
        columns = column_sums(x)                # (a broadcast gradient summed back over its rows: sum_to)
        if columns is not None:
            return columns.reshape(1, -1) if keepdims else columns
    if axes is None:
        axes = tuple(range(ndim))
    kept_shape = tuple(1 if d in axes else n for d, n in enumerate(x.shape))
    summed = [d for d in axes if x.shape[d] > 1]
    if len(summed) == 1 and x.shape[summed[0]] <= 4:
        # up to 4 terms every kernel adds in turn (row_sum's four accumulators hold one each)
        last = numpy.add.accumulate(x, axis=summed[0])[(slice(None),) * summed[0] + (slice(-1, None),)]
        out = last.reshape(kept_shape) + 0.0       # (+0: PyTorch's output starts at +0)
        return out if keepdims else out.reshape(tuple(n for d, n in enumerate(x.shape) if d not in axes))
    out = numpy.zeros(kept_shape, dtype=x.dtype)
    dims = iteration_dims(x, axes, out)
    if dims and dims[0][2] == 0:
        reduce_into(x, out, dims)
    else:                                       # nothing to add up (reduced dims of size 1)
        numpy.add(out, x.reshape(kept_shape), out=out)
    if not keepdims:
        out = out.reshape(tuple(n for d, n in enumerate(x.shape) if d not in axes))
        return out if out.ndim else out[()]
    return out


def _in_memory_order(x):
    """x's elements as one run of memory, in memory order (a view), when x is a permutation
    of a C-contiguous array (transposed, permuted); else None."""
    strides = x.strides
    y = x.transpose(sorted(range(x.ndim), key=lambda d: strides[d], reverse=True))
    return y.reshape(-1) if y.flags.c_contiguous else None


def _sorted_axes(axis, ndim) -> tuple:
    """The summed axes, each once, counted from 0, in order (one axis without the set and sort)."""
    if isinstance(axis, int):
        return (axis % ndim,)
    if len(axis) == 1:
        return (axis[0] % ndim,)
    return tuple(sorted({a % ndim for a in axis}))


def _kept_ones(shape, axes) -> bool:
    for d, n in enumerate(shape):       # (a loop: a generator costs more on a few dims)
        if n != 1 and d not in axes:
            return False
    return True


def torch_mean(x, axis=None, keepdims=False):
    """PyTorch's mean on the CPU: its sum, divided by the count (in the sum's dtype; float for halves)."""
    if x.dtype == numpy.float16:
        return torch_mean(x.astype(numpy.float32), axis, keepdims).astype(numpy.float16)
    count = 1
    for a in (range(x.ndim) if axis is None else {a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis)}):
        count *= x.shape[a]
    return torch_sum(x, axis, keepdims) / count


def squared_deviations(x, center):
    """std_var_all_cpu's total: (x - center)**2 in double, added in turn in memory order
    within each of parallel_reduce's thread ranges, the ranges' totals then in turn."""
    flat = _in_memory_order(x)
    d = numpy.asarray(x if flat is None else flat, dtype=numpy.float64).reshape(-1) - center
    d *= d
    n = d.size
    if not n:
        return 0.0
    used = 1 if n <= GRAIN_SIZE else min(threads(), -(-n // GRAIN_SIZE))
    chunk = -(-n // used)
    total = 0.0
    for begin in range(0, n, chunk):
        total += float(numpy.cumsum(d[begin:begin + chunk])[-1])
    return total
