"""ATen's cascade_sum kernel (aten/src/ATen/native/cpu/SumKernel.cpp) in NumPy: the
order in which PyTorch's CPU adds float32 and float64 numbers (engine/backend_sums.py
says where each piece is used). Each sequential run of additions is a left fold
(`fold`); PyTorch's vectors are 32 bytes wide here (`lanes`), its threads as many as
PyTorch would start (`threads`, read on first use)."""
from __future__ import annotations

import math
import os

import numpy

GRAIN_SIZE = 32768          # at::internal::GRAIN_SIZE
FLOATS = (numpy.dtype("float32"), numpy.dtype("float64"))
_machine = {}               # "threads": read once, when a sum first needs it


def threads() -> int:
    """PyTorch's intra-op threads: OMP_NUM_THREADS, MKL_NUM_THREADS, else the physical cores."""
    if "threads" not in _machine:
        n = 0
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            try:
                n = int(os.environ[name]) if int(os.environ.get(name, "0")) > 0 else n
            except ValueError:
                pass
        _machine["threads"] = n or _physical_cores()
    return _machine["threads"]


def _physical_cores() -> int:
    cores, physical = set(), "0"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "physical id":
                    physical = value.strip()
                elif key == "core id":
                    cores.add((physical, value.strip()))
    except OSError:
        pass
    count = os.cpu_count() or 1
    return min(len(cores), count) if cores else count


def lanes(itemsize: int) -> int:
    """Vectorized<float32/float64>::size() in the kernel that runs: 32 bytes. sum_stub is
    registered with REGISTER_DISPATCH, which leaves the AVX512 slot empty, so an AVX512
    CPU runs the AVX2 kernel (and DEFAULT's generic vectors are 32 bytes too)."""
    return 32 // itemsize


def vector_loop(n: int, lanes: int):
    """Who computes each of n contiguous values of a cpu_kernel_vec loop: (index, the first
    index of its thread's share, whether the vector op computes it). Each thread's share
    (over GRAIN_SIZE values they are split) runs blocks of two vectors, the rest value by value."""
    i = numpy.arange(n, dtype=numpy.int64)
    parts = min(threads(), -(-n // GRAIN_SIZE)) if n > GRAIN_SIZE else 1
    share = -(-n // parts)
    first = (i // share) * share if share else i
    whole = (numpy.minimum(first + share, n) - first) // (2 * lanes) * (2 * lanes)
    return i, first, i - first < whole


# ------------------------------------------------- one run of memory, fast
def flat_total(x):
    """0 + vectorized_inner_sum of a contiguous 1-D x (scalar row_sum when shorter
    than a vector), with few NumPy calls: the hot path of a loss's sum."""
    n = x.shape[0]
    if n < SMALL and x.dtype is FLOATS[1]:
        total = small_total(x.tolist())
        if math.isfinite(total):        # (else NumPy's additions again: they raise its warnings)
            return numpy.float64(total)
    width = lanes(x.itemsize)
    if n < width:
        order = x if n < 4 else x[_SMALL_ORDER[n]]
        return numpy.add.accumulate(numpy.concatenate((_ZERO[x.dtype], order)))[-1]
    vectors = n // width
    rows = vectors // 4
    extra = x[rows * 4 * width:vectors * width].reshape(-1, width)    # vectors after the fours
    if rows:
        partial = _cascade_rows(x[:rows * 4 * width].reshape(rows, 4 * width)).reshape(4, width)
        acc = numpy.add.reduce(numpy.concatenate((partial[:1], extra, partial[1:])), axis=0)
    else:           # (the four accumulators hold zeros)
        acc = numpy.add.reduce(extra, axis=0)
    return numpy.add.accumulate(numpy.concatenate((_ZERO[x.dtype], x[vectors * width:], acc)))[-1]


# Below 16 rows of four vectors (256 float64 numbers) _cascade_rows has no whole chunk,
# and Python's float additions (IEEE's, as NumPy's) cost less than the NumPy calls
# that order them.
SMALL = 256


def small_total(v):
    """flat_total of a short list of float64 numbers (four lanes a vector), by the same
    additions in the same order: each lane's four-vector rows (16 columns, each + 0 for
    the empty levels above), the vectors after them, then the lane's other three columns;
    the total is 0 + the elements after the last vector + the four lanes."""
    n = len(v)
    total = 0.0
    if n < 4:
        for t in v:
            total += t
        return total
    end = n // 4 * 4
    start = end // 16 * 16
    if start:
        c = _columns(v, start)
        a0, a1, a2, a3 = c[0] + 0.0, c[1] + 0.0, c[2] + 0.0, c[3] + 0.0
    else:
        a0, a1, a2, a3 = v[0], v[1], v[2], v[3]
        start = 4
    for i in range(start, end, 4):
        a0 += v[i]
        a1 += v[i + 1]
        a2 += v[i + 2]
        a3 += v[i + 3]
    if end >= 16:
        for k in (4, 8, 12):
            a0 += c[k] + 0.0
            a1 += c[k + 1] + 0.0
            a2 += c[k + 2] + 0.0
            a3 += c[k + 3] + 0.0
    for t in v[end:]:
        total += t
    return total + a0 + a1 + a2 + a3


def _columns(v, start):
    """The 16 column sums of v[:start] seen as rows of 16, each down its rows in turn."""
    columns = v[:16]
    for r in range(16, start, 16):
        row = v[r:r + 16]
        for j in range(16):
            columns[j] += row[j]
    return columns


def column_sums(x):
    """Each column's sum of a row-major (m, n) x where the kernel's loop is short enough to
    spell out (None elsewhere): up to 4 rows added in turn; up to 63 rows, on columns narrower
    than a four-vector row (and not between one and two vectors wide, which scalar_outer_sum
    splits), loop2d's _row_sum as it runs there: every fourth row into four accumulators
    (no whole chunk of _cascade), then the leftover rows and the other three."""
    m, n = x.shape
    if m <= 4:
        return numpy.add.accumulate(x, axis=0)[-1] + 0.0
    width = lanes(x.itemsize)
    if m >= 64 or not (n < 4 or width <= n < 4 * width):
        return None
    body = m // 4 * 4
    partial = numpy.add.reduce(x[:body].reshape(m // 4, 4, n), axis=0)
    return numpy.add.reduce(numpy.concatenate((partial[:1], x[body:], partial[1:])), axis=0) + 0.0


def flat_two_pass(x, threads):
    """A contiguous whole reduction on threads: equal ranges, their totals summed."""
    n = x.shape[0]
    used = min(threads, -(-n // GRAIN_SIZE))
    chunk = -(-n // used)
    slots = numpy.zeros(threads, dtype=x.dtype)
    for t in range(used):
        slots[t] = flat_total(x[t * chunk:(t + 1) * chunk])
    return flat_total(slots)


def _cascade_rows(a):
    """_cascade of a contiguous 2-D a (rows, lanes) by NumPy's reduce over axes that
    are not the innermost (so it adds in order)."""
    n, width = a.shape
    step = 1 << max(4, (max(n - 1, 1).bit_length() if n > 2 else 1) // 4)
    full = n // step
    acc = numpy.add.reduce(a[full * step:], axis=0)
    level = numpy.add.reduce(a[:full * step].reshape(full, step, width), axis=1)
    for _ in range(2):
        groups = level.shape[0] // step
        if not groups:              # (the levels above hold zeros)
            break
        acc = acc + numpy.add.reduce(level[groups * step:], axis=0)
        level = numpy.add.reduce(level[:groups * step].reshape(groups, step, width), axis=1)
    return acc + numpy.add.reduce(level, axis=0)


_SMALL_ORDER = {n: numpy.array([0] + list(range(4, n)) + [1, 2, 3]) for n in range(4, 8)}
_ZERO = {d: numpy.zeros(1, dtype=d) for d in FLOATS}


# --------------------------------------------------------------- the kernel
def loop2d(v, dims, itemsize):
    """cascade_sum's 2-D loop on v (outer..., size1, size0), dim 0 reduced: each
    column j's sum (outer..., size1), the value it adds into its output."""
    if len(dims) == 1:
        v = v[..., None, :]
    s0 = dims[0][1] // itemsize
    s1 = dims[1][1] // itemsize if len(dims) > 1 else 0
    size0, size1 = v.shape[-1], v.shape[-2]
    width = lanes(itemsize)
    a = v.transpose((v.ndim - 1,) + tuple(range(v.ndim - 1)))      # (size0, outer..., size1)
    if s0 == 1 and size0 >= width:              # vectorized_inner_sum
        whole = size0 // width * width
        vecs = v[..., :whole].reshape(v.shape[:-1] + (whole // width, width))
        acc = _row_sum(numpy.moveaxis(vecs, -2, 0))             # (outer..., size1, lanes)
        return fold(numpy.moveaxis(numpy.concatenate((v[..., whole:], acc), axis=-1), -1, 0))
    if s1 == 1 and size1 >= width:              # vectorized_outer_sum
        grouped = size1 // (4 * width) * 4 * width
    elif s0 < s1:                               # scalar_inner_sum
        grouped = 0
    else:                                       # scalar_outer_sum
        grouped = size1 // 4 * 4
    if grouped == 0:
        return _row_sum(a)
    if grouped == size1:
        return _cascade(a)
    return numpy.concatenate((_cascade(a[..., :grouped]), _row_sum(a[..., grouped:])), axis=-1)


def _row_sum(a):
    """row_sum along axis 0: four interleaved accumulators (ilp_factor) through
    multi_row_sum, the leftover elements into the first, then the four added."""
    n = a.shape[0]
    body = n // 4 * 4
    partial = _cascade(a[:body].reshape((n // 4, 4) + a.shape[1:]))      # (4, lanes...)
    return fold(numpy.concatenate((partial[:1], a[body:], partial[1:])))


def _cascade(a):
    """multi_row_sum along axis 0: chunks of `step` rows added in order, chunk sums
    gathered in `step`s at the next level, and so on for four levels; what is left at
    each level added at the end, lowest level first."""
    n = a.shape[0]
    power = max(4, (max(n - 1, 1).bit_length() if n > 2 else 1) // 4)
    step = 1 << power
    if n < step:                # no whole chunk: the rows in turn
        return fold(a)
    lanes = a.shape[1:]
    full = n // step
    acc0 = fold(a[full * step:])
    level = fold(numpy.moveaxis(a[:full * step].reshape((full, step) + lanes), 1, 0))
    leftovers = []
    for _ in range(2):
        groups = level.shape[0] // step
        leftovers.append(fold(level[groups * step:]))
        level = fold(numpy.moveaxis(level[:groups * step].reshape((groups, step) + lanes), 1, 0))
    total = acc0 + leftovers[0]
    total = total + leftovers[1]
    return total + fold(level)


def fold(a):
    """The left fold a[0] + a[1] + ... along axis 0 (zeros when empty). NumPy's reduce
    adds in order when the folded axis is not the innermost one (its inner loop then runs
    over the lanes); along the innermost it adds pairwise, so accumulate does it there."""
    n = a.shape[0]
    if n <= 1:
        return a[0] if n else numpy.zeros(a.shape[1:], dtype=a.dtype)
    if a.ndim > 1 and _lanes_inside(a):
        return numpy.add.reduce(a, axis=0)
    return numpy.add.accumulate(a, axis=0)[-1]


def _lanes_inside(a) -> bool:
    """Some axis of two or more lanes runs in smaller steps than axis 0 does."""
    step = abs(a.strides[0])
    return any(n > 1 and abs(st) < step for n, st in zip(a.shape[1:], a.strides[1:]))
