"""Values picked by rank: topk, kthvalue, median (whole, or along a dim) and mode. Their gradients
go back to the picked elements (median of all: shared by the elements equal to it).
median(dim) picks as a stable sort orders ties (measured against PyTorch 2.13, nan first
where there is one); kthvalue runs PyTorch's own quickselect and topk, on a row with ties,
libstdc++'s std::partial_sort or std::nth_element as PyTorch's kernel does (engine/backend_sort.py),
so their picks among equal values are PyTorch's.
Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from ..backend import arange, asarray, astype, copy, from_host, host, kind, to_host, xp, zeros
from ..backend_sort import sort_items, top_k
from ..layouts import lay_out, row_major
from ..op import Op
from ..tensor import Tensor, apply, data
from . import tangents as T
from . import writes as W
from .reductions import _whole_grad, keep_dims, sort_order


def topk_order(a, k, dim, largest):
    """The indices of the k largest (smallest) along dim, in order; a row with equal values (or
    nans) runs PyTorch's own selection (backend_sort.top_k), which decides which of them it picks."""
    if a.ndim == 0:
        return zeros((), dtype=xp.int64)
    full = sort_order(a, dim, bool(largest))
    order = xp.take(full, arange(k), axis=dim)
    if not k or not a.size:
        return order
    rows = host.moveaxis(to_host(a), dim, -1)
    flat = rows.reshape(-1, rows.shape[-1])
    ranked = host.take_along_axis(flat, host.moveaxis(to_host(full), dim, -1).reshape(flat.shape), axis=-1)
    tied = ranked[:, 1:] == ranked[:, :-1]
    if flat.dtype.kind == "f":
        tied |= host.isnan(ranked[:, 1:]) & host.isnan(ranked[:, :-1])
    rows_tied = host.flatnonzero(tied.any(axis=1))
    if not rows_tied.size:
        return order
    picked = host.moveaxis(to_host(order), dim, -1).reshape(-1, k).copy()
    for r in rows_tied:
        picked[r] = top_k(flat[r].tolist(), k, largest)
    return from_host(host.moveaxis(picked.reshape(rows.shape[:-1] + (k,)), -1, dim))


def median_order(a, dim):
    """The index of the lower median along dim (kept): the middle of a stable sort, or a row's
    first nan."""
    if a.ndim == 0:
        return zeros((), dtype=xp.int64)
    n = a.shape[dim]
    middle = xp.take(sort_order(a, dim, False), asarray([(n - 1) // 2]), axis=dim)
    if kind(a.dtype) == "f":        # (a row holding nan has it as its median)
        nan = xp.isnan(a)
        first_nan = xp.expand_dims(xp.argmax(astype(nan, "int8"), axis=dim), dim)
        middle = xp.where(xp.any(nan, axis=dim, keepdims=True), first_nan, middle)
    return middle


def kth_order(a, k, dim):
    """The index (kept along dim) of the k-th smallest (k from 1) along dim, nan largest:
    where PyTorch's quickselect (kthvalue_out_impl_cpu) leaves it, ties and all."""
    if a.ndim == 0:
        return zeros((), dtype=xp.int64)
    rows = host.moveaxis(to_host(a), dim, -1)
    picked = [_quickselect(row, k - 1) for row in rows.reshape(-1, rows.shape[-1]).tolist()]
    order = host.asarray(picked, dtype="int64").reshape(rows.shape[:-1] + (1,))
    return from_host(host.moveaxis(order, -1, dim))


def mode_order(a, dim):
    """The index (kept along dim) of the most frequent value along dim, as PyTorch's CPU mode finds
    it: (value, index) pairs put in order by std::sort on the values alone (libstdc++'s introsort,
    which decides where equal values land), then the first longest run of equal values, its
    last pair's index."""
    if a.ndim == 0:
        return zeros((), dtype=xp.int64)
    rows = host.moveaxis(to_host(a), dim, -1)
    picked = [_mode_index(row) for row in rows.reshape(-1, rows.shape[-1]).tolist()]
    order = host.asarray(picked, dtype="int64").reshape(rows.shape[:-1] + (1,))
    return from_host(host.moveaxis(order, -1, dim))


def _mode_index(values):
    items = [(v, i) for i, v in enumerate(values)]
    sort_items(items, lambda left, right: left[0] < right[0])
    best, run, index = 0, 0, 0
    for k, (v, i) in enumerate(items):
        run += 1
        if k == len(items) - 1 or v != items[k + 1][0]:
            if run > best:
                best, index = run, i
            run = 0
    return index


def _greater_or_nan(x, y) -> bool:
    return (x != x and y == y) or x > y


def _quickselect(values, k):
    """The index of values' k-th smallest (from 0) as quick_select_template
    (aten/src/ATen/native/SortingUtils.h) finds it: its median-of-three pivots and swaps,
    which decide which of equal values is picked."""
    v, at = values, list(range(len(values)))

    def swap(i, j):
        v[i], v[j] = v[j], v[i]
        at[i], at[j] = at[j], at[i]
    low, high = 0, len(v) - 1
    while high > low:
        if high == low + 1:
            if _greater_or_nan(v[low], v[high]):
                swap(low, high)
            break
        swap(low + (high - low) // 2, low + 1)
        if _greater_or_nan(v[low + 1], v[high]):
            swap(low + 1, high)
        if _greater_or_nan(v[low], v[high]):
            swap(low, high)
        if _greater_or_nan(v[low + 1], v[low]):
            swap(low + 1, low)
        i, j, pivot = low + 1, high, v[low]
        while True:
            i += 1
            while _greater_or_nan(pivot, v[i]):
                i += 1
            j -= 1
            while _greater_or_nan(v[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(low, j)
        if j <= k:
            low = i
        if j >= k:
            high = j - 1
    return at[k]


def _picked(a, order, dim):
    return copy(a) if a.ndim == 0 else xp.take_along_axis(a, order, axis=dim)      # (a 0-d x's value: a new tensor)


def _placed_grad(g, x, dim, order):
    """value_selecting_reduction_backward: zeros(self.sizes()).scatter(dim, indices, grad)."""
    a = data(x)
    if a.ndim == 0:
        return g
    base = zeros(a.shape, dtype=data(g).dtype)
    if type(g) is Tensor:
        return apply(W.SCATTER, Tensor(base, device=g.device), g, dim=dim, index=order)
    return W.SCATTER.forward(base, g, dim=dim, index=order)


def _median(x):
    """The lower median of all the elements (nan if there is one)."""
    flat = xp.reshape(x, (-1,))
    order = sort_order(flat, 0, False)
    return flat[order[(flat.shape[0] - 1) // 2]] if not (kind(x.dtype) == "f" and bool(xp.any(xp.isnan(flat)))) \
        else asarray(xp.nan, dtype=x.dtype)


TOPK = Op("TopkBackward0", lambda x, k, dim, largest: _picked(x, topk_order(x, k, dim, largest), dim),
          (lambda g, out, x, k, dim, largest: _placed_grad(g, x, dim, topk_order(data(x), k, dim, largest)),),
          ("value_selecting_reduction_backward(grad, dim, indices, self.sizes(), true)",),
          jvps=(lambda t, out, x, k, dim, largest: T.gathered(t, x, topk_order(data(x), k, dim, largest), dim),))
MEDIAN = Op("MedianBackward0", _median, (lambda g, out, x: _whole_grad(g, out, x),),
            ("evenly_distribute_backward(grad, self, result)",), saves_out=True, jvps=(T.evenly_read,))
MEDIAN_DIM = Op("MedianBackward1",
                lambda x, dim, keepdim: _picked(x, median_order(x, dim), dim) if keepdim or x.ndim == 0 else
                xp.squeeze(_picked(x, median_order(x, dim), dim), axis=dim),
                (lambda g, out, x, dim, keepdim:
                 _placed_grad(keep_dims(g, (dim,), keepdim or data(x).ndim == 0), x, dim, median_order(data(x), dim)),),
                ("value_selecting_reduction_backward(grad, dim, indices, self.sizes(), keepdim)",),
                jvps=(lambda t, out, x, dim, keepdim: T.gathered(t, x, median_order(data(x), dim), dim, keepdim),))

KTHVALUE = Op("KthvalueBackward0",
              lambda x, k, dim, keepdim: _picked(x, kth_order(x, k, dim), dim) if keepdim or x.ndim == 0 else
              xp.squeeze(_picked(x, kth_order(x, k, dim), dim), axis=dim),
              (lambda g, out, x, k, dim, keepdim: _placed_grad(keep_dims(g, (dim,), keepdim or data(x).ndim == 0), x,
                                                               dim, kth_order(data(x), k, dim)),),
              ("value_selecting_reduction_backward(grad, dim, indices, self.sizes(), keepdim)",),
              jvps=(lambda t, out, x, k, dim, keepdim: T.gathered(t, x, kth_order(data(x), k, dim), dim, keepdim),))
MODE = Op("ModeBackward0",
          lambda x, dim, keepdim: _picked(x, mode_order(x, dim), dim) if keepdim or x.ndim == 0 else
          xp.squeeze(_picked(x, mode_order(x, dim), dim), axis=dim),
          (lambda g, out, x, dim, keepdim: _placed_grad(keep_dims(g, (dim,), keepdim or data(x).ndim == 0), x,
                                                        dim, mode_order(data(x), dim)),),
          ("value_selecting_reduction_backward(grad, dim, indices, self.sizes(), keepdim)",),
          jvps=(lambda t, out, x, dim, keepdim: T.gathered(t, x, mode_order(data(x), dim), dim, keepdim),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line


# at::empty of the shape holds these ops' results: row-major (engine/layouts.py).
lay_out(row_major, MEDIAN_DIM, KTHVALUE, MODE, TOPK)
