"""PyTorch's CPU sort when it is not asked to be stable: std::sort from libstdc++ (introsort:
median-of-three quicksort down to runs of 16, then insertion sort; heapsort past its depth limit)
of (value, index) pairs, comparing values only, nan last (first when descending), as
SortingKernel.cpp's KeyValueComp does.

Only ties tell it from a stable sort, so NumPy's stable order is kept for rows without ties, for
rows of 16 or fewer values (insertion sort is stable), and for the radix sort PyTorch takes for a
long 1-D ascending sort of non-negative integers (GRAIN_SIZE values or more). A row with ties
runs the algorithm value by value in Python. Host NumPy only.
"""
from __future__ import annotations

import numpy

from .backend_sums_kernel import GRAIN_SIZE

_THRESHOLD = 16      # libstdc++'s _S_threshold


def unstable_order(a, dim, descending, stable_order):
    """The order std::sort leaves `a`'s values in along dim, given NumPy's stable order."""
    n = a.shape[dim]
    if n <= _THRESHOLD or _radix(a, descending):
        return stable_order
    rows = numpy.moveaxis(a, dim, -1).reshape(-1, n)
    order = numpy.moveaxis(stable_order, dim, -1).reshape(-1, n).copy()
    ranked = numpy.take_along_axis(rows, order, axis=-1)
    tied = ranked[:, 1:] == ranked[:, :-1]
    if a.dtype.kind == "f":
        tied |= numpy.isnan(ranked[:, 1:]) & numpy.isnan(ranked[:, :-1])
    for r in numpy.flatnonzero(tied.any(axis=1)):
        order[r] = introsort(rows[r].tolist(), descending)
    return numpy.moveaxis(order.reshape(numpy.moveaxis(stable_order, dim, -1).shape), -1, dim)


def _radix(a, descending) -> bool:
    """Does PyTorch take its radix sort (stable) for this? (can_use_radix_sort)"""
    return (a.ndim == 1 and not descending and a.dtype.kind in "iu" and a.size >= GRAIN_SIZE
            and bool((a >= 0).all()))


def introsort(keys, descending=False) -> list:
    """The indices of `keys` in the order std::sort leaves them (KeyValueCompAsc / Desc)."""
    items = [(k, i) for i, k in enumerate(keys)]
    _sort(items, len(items), _descending if descending else _ascending)
    return [i for _, i in items]


def sort_items(items, before):
    """std::sort of a list of items in place, `before` its comparison (PyTorch's mode sorts pairs so)."""
    _sort(items, len(items), before)


def _sort(items, n, before):
    """std::sort of items[:n]."""
    if n > 1:
        _loop(items, 0, n, 2 * (n.bit_length() - 1), before)
        if n > _THRESHOLD:
            _insertion_sort(items, 0, _THRESHOLD, before)
            for i in range(_THRESHOLD, n):
                _linear_insert(items, i, before)
        else:
            _insertion_sort(items, 0, n, before)


def top_k(keys, k, largest) -> list:
    """The indices of the k values topk picks from `keys` (nan largest), in the order PyTorch's
    topk_impl_loop leaves them: std::partial_sort where k * 64 <= n, else std::nth_element at k - 1
    and std::sort of the k - 1 before it (sorted=True). Which of equal values it picks is theirs."""
    items = [(v, i) for i, v in enumerate(keys)]
    before = _descending if largest else _ascending
    n = len(items)
    if k * 64 <= n:
        _heap_select(items, 0, k, n, before)
        _sort_heap(items, 0, k, before)
    elif k:
        _introselect(items, k - 1, n, before)
        _sort(items, k - 1, before)
    return [i for _, i in items[:k]]


def _sort_heap(a, first, last, before):
    while last - first > 1:
        last -= 1
        value, a[last] = a[last], a[first]
        _adjust_heap(a, first, 0, last - first, value, before)


def _introselect(a, nth, last, before):
    """std::nth_element's __introselect over a[:last]."""
    first, depth = 0, 2 * (last.bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last, before)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        _median_to_first(a, first, first + 1, first + (last - first) // 2, last - 1, before)
        cut = _partition(a, first + 1, last, first, before)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, before)


def _heap_select(a, first, middle, last, before):
    """__heap_select: the heap of a[first:middle] keeps the best of a[first:last] seen."""
    length = middle - first
    _make_heap(a, first, length, before)
    for i in range(middle, last):
        if before(a[i], a[first]):
            value, a[i] = a[i], a[first]
            _adjust_heap(a, first, 0, length, value, before)


def _ascending(left, right) -> bool:
    x, y = left[0], right[0]
    return (x == x and y != y) or x < y


def _descending(left, right) -> bool:
    x, y = left[0], right[0]
    return (x != x and y == y) or x > y


def _loop(a, first, last, depth, before):
    """__introsort_loop."""
    while last - first > _THRESHOLD:
        if depth == 0:
            _heap_sort(a, first, last, before)
            return
        depth -= 1
        _median_to_first(a, first, first + 1, first + (last - first) // 2, last - 1, before)
        cut = _partition(a, first + 1, last, first, before)
        _loop(a, cut, last, depth, before)
        last = cut


def _median_to_first(a, result, x, y, z, before):
    if before(a[x], a[y]):
        pick = y if before(a[y], a[z]) else z if before(a[x], a[z]) else x
    else:
        pick = x if before(a[x], a[z]) else z if before(a[y], a[z]) else y
    a[result], a[pick] = a[pick], a[result]


def _partition(a, first, last, pivot, before):
    """__unguarded_partition."""
    while True:
        while before(a[first], a[pivot]):
            first += 1
        last -= 1
        while before(a[pivot], a[last]):
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _insertion_sort(a, first, last, before):
    for i in range(first + 1, last):
        if before(a[i], a[first]):
            value = a[i]
            a[first + 1:i + 1] = a[first:i]
            a[first] = value
        else:
            _linear_insert(a, i, before)


def _linear_insert(a, last, before):
    """__unguarded_linear_insert."""
    value, previous = a[last], last - 1
    while before(value, a[previous]):
        a[last] = a[previous]
        last, previous = previous, previous - 1
    a[last] = value


def _heap_sort(a, first, last, before):
    """__partial_sort(first, last, last): make_heap, then sort_heap."""
    _make_heap(a, first, last - first, before)
    _sort_heap(a, first, last, before)


def _make_heap(a, first, length, before):
    if length >= 2:
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(a, first, parent, length, a[first + parent], before)


def _adjust_heap(a, first, hole, length, value, before):
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if before(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and before(a[first + parent], value):        # __push_heap
        a[first + hole] = a[first + parent]
        hole, parent = parent, (parent - 1) // 2
    a[first + hole] = value
