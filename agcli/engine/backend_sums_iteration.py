"""TensorIterator's reductions, for the cascade_sum kernel (backend_sums_kernel.py): the
dims sorted with the reduced ones innermost and coalesced (reorder_dimensions,
coalesce_dimensions), the 2-D loop with the outer dims in turn (serial_for_each), and
parallel_reduce's use of threads from GRAIN_SIZE elements on: a whole reduction in
equal ranges (two_pass_reduction), else a kept dim cut among them (parallel_dim_reduction,
find_split_dim, round_columns)."""
from __future__ import annotations

import numpy

from .axis_order import ambiguously_sorted
from .backend_sums_kernel import GRAIN_SIZE, flat_total, fold, loop2d
from .backend_sums_kernel import threads as thread_count


def iteration_dims(x, axes, out):
    """TensorIterator's dims for the reduction: [size, input stride, output stride] in
    bytes, innermost first (reorder_dimensions, then coalesce_dimensions)."""
    dims = [[x.shape[d], x.strides[d], 0 if d in axes else out.strides[d]]
            for d in reversed(range(x.ndim)) if x.shape[d] != 1]

    def should_swap(a, b):          # 1: a goes after b; -1: before; 0: ambiguous
        if (a[2] == 0) != (b[2] == 0):
            return 1 if b[2] == 0 else -1
        for k in (2, 1):            # the output, then the input
            s0, s1 = a[k], b[k]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if a[0] > b[0]:
                return 1
        return 0

    ambiguously_sorted(dims, should_swap)
    merged = []
    for d in dims:
        if merged and all(merged[-1][0] * merged[-1][k] == d[k] for k in (1, 2)):
            merged[-1][0] *= d[0]
        else:
            merged.append(list(d))
    return merged


def _view(a, dims, k):
    """a seen along the iteration dims, outermost first (k: 1 the input, 2 the output)."""
    return numpy.lib.stride_tricks.as_strided(
        a, tuple(d[0] for d in reversed(dims)), tuple(d[k] for d in reversed(dims)), writeable=k == 2)


def reduce_into(x, out, dims):
    """parallel_reduce: serial below GRAIN_SIZE (or on one thread); a whole reduction in
    per-thread ranges; else the split dim cut among threads."""
    numel = 1
    for d in dims:
        numel *= d[0]
    threads = thread_count() if numel >= GRAIN_SIZE else 1
    reduced = sum(1 for d in dims if d[2] == 0)
    if threads == 1:
        _serial(x, out, dims)
    elif reduced == len(dims):
        _two_pass(x, out, dims, numel, threads)
    else:
        _split_columns(x, out, dims, threads, reduced)


def _serial(x, out, dims):
    """serial_for_each over the whole range: the 2-D loop, then the outer dims in turn."""
    rows = loop2d(_view(x, dims, 1), dims, x.itemsize)      # (outer..., size1)
    if len(dims) == 1:
        total, target = rows[0], out.reshape(())
    else:
        # rows of a reduced dim 1 (and of outer reduced dims, the innermost fastest) add
        # into their output in turn; the kept dims (outermost) are outputs of their own
        reduced = sum(1 for d in dims if d[2] == 0)
        if reduced > 1:
            kept = rows.shape[:len(dims) - reduced]
            total = fold(numpy.moveaxis(rows.reshape(kept + (-1,)), -1, 0))
        else:
            total = rows
        target = _view(out, dims[max(reduced, 1):], 2)
    numpy.add(target, total, out=target)


def _two_pass(x, out, dims, numel, threads):
    """A whole reduction on threads: equal ranges (parallel_for), each from +0 into its
    own slot, the slots then summed as a reduction of their own."""
    used = min(threads, -(-numel // GRAIN_SIZE))
    chunk = -(-numel // used)
    slots = numpy.zeros(threads, dtype=x.dtype)
    for t in range(used):
        begin, end = t * chunk, min(numel, (t + 1) * chunk)
        if begin < end:
            slots[t] = _range_sum(x, dims, begin, end)
    out.reshape(-1)[0] = flat_total(slots)


def _range_sum(x, dims, begin, end):
    """serial_for_each over [begin, end) of a whole reduction, from +0: 2-D steps as
    DimCounter takes them, every row's sum added in turn."""
    shape = [d[0] for d in dims]
    values, rest = [], begin
    for n in shape:
        values.append(rest % n)
        rest //= n
    stride1 = dims[1][1] if len(dims) > 1 else 0
    total = numpy.zeros(1, dtype=x.dtype)
    offset = begin
    while offset < end:
        step0 = min(shape[0] - values[0], end - offset)
        step1 = min(shape[1] - values[1], (end - offset) // shape[0]) if step0 == shape[0] and len(dims) > 1 else 1
        start = _shifted(x, sum(v * d[1] for v, d in zip(values, dims)))
        block = numpy.lib.stride_tricks.as_strided(start, (step1, step0), (stride1, dims[0][1]), writeable=False)
        rows = loop2d(block, [[step0, dims[0][1], 0], [step1, stride1, 0]], x.itemsize)
        total = fold(numpy.concatenate((total, rows.reshape(-1))))[None]
        offset += step0 * step1
        _increment(values, shape, step0, step1)
    return total[0]


def _increment(values, shape, step0, step1):
    """DimCounter::increment by a 2-D step."""
    i, overflow = (1, step1) if step1 != 1 else (0, step0)
    while i < len(shape) and overflow > 0:
        value = values[i] + overflow
        overflow = 1 if value >= shape[i] else 0
        values[i] = value - shape[i] if overflow else value
        i += 1


def _split_columns(x, out, dims, threads, reduced):
    """parallel_dim_reduction: find_split_dim's kept dim cut in equal column ranges
    (rounded to 128 bytes where the input is contiguous along it), each a serial loop."""
    split = len(dims) - 1
    best = split
    for d in range(len(dims) - 1, -1, -1):
        if dims[d][2] == 0:
            break
        if dims[d][0] >= threads:
            best = d
            break
        if dims[d][0] > dims[best][0]:
            best = d
    cols = dims[best][0]
    parts = min(threads, cols)
    chunk = -(-cols // parts)
    multiple = 128 // x.itemsize if dims[best][1] == x.itemsize else 1
    for t in range(parts):
        begin, end = t * chunk, min(cols, (t + 1) * chunk)
        if begin >= end:
            continue
        begin -= begin % multiple
        if end != cols:
            end -= end % multiple
        if begin == end:
            continue
        sub = [list(d) for d in dims]
        sub[best][0] = end - begin
        xs = _shifted(x, begin * dims[best][1])
        os_ = _shifted(out, begin * dims[best][2])
        _serial(xs, os_, sub)


def _shifted(a, offset_bytes):
    """An array starting offset_bytes into a's memory (for the strided views above)."""
    if offset_bytes == 0:
        return a
    flat = numpy.lib.stride_tricks.as_strided(a, (offset_bytes // a.itemsize + 1,), (a.itemsize,),
                                              writeable=a.flags.writeable)
    return flat[offset_bytes // a.itemsize:]


