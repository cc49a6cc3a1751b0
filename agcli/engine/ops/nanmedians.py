"""nanmedian: the lower median of the values that are not nan, of all the elements
(NanmedianBackward0: evenly_distribute_backward, as median's) or along a dim
(NanmedianBackward1: value_selecting_reduction_backward at its index). The index is where
PyTorch's std::nth_element leaves it (ties by position, nans last and alike: a row of nans gives
the one libstdc++'s introselect stops at). Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

import math

from ..backend import asarray, from_host, host, to_host, xp, zeros
from ..backend_sort import _introselect
from ..op import Op
from ..tensor import data
from . import tangents as T
from .ranks import _picked, _placed_grad
from .reductions import _whole_grad, keep_dims


def _before(left, right) -> bool:
    """median_with_indices_impl's comparator for nanmedian, on (value, index) pairs."""
    (a, i), (b, j) = left, right
    return a < b or (a == b and i < j) or (b != b and a == a)


def _row_index(row) -> int:
    nans = sum(1 for v in row if v != v)
    items = [(v, i) for i, v in enumerate(row)]
    nth = int((len(row) - nans - 1) / 2)        # (C's division: toward zero, 0 for a row of nans)
    _introselect(items, nth, len(items), _before)
    return items[nth][1]


def nanmedian_order(a, dim):
    """The index (kept along dim) of each row's nanmedian."""
    if a.ndim == 0:
        return zeros((), dtype=xp.int64)
    values = to_host(a)
    if values.dtype.kind != "f":        # (a host array: NumPy's kind)
        values = values.astype("float64")
    rows = host.moveaxis(values, dim, -1)
    picked = [_row_index(row) for row in rows.reshape(-1, rows.shape[-1]).tolist()]
    order = host.asarray(picked, dtype="int64").reshape(rows.shape[:-1] + (1,))
    return from_host(host.moveaxis(order, -1, dim))


def _nanmedian(x):
    """The k-th smallest of the values that are not nan (k = (n - nans - 1) / 2), nan if all are."""
    flat = to_host(xp.reshape(x, (-1,)))
    kept = sorted(v for v in flat.tolist() if v == v)
    if not kept:
        return asarray(math.nan, dtype=x.dtype)
    return asarray(kept[(len(kept) - 1) // 2], dtype=x.dtype)


def _along(x, dim, keepdim):
    value = _picked(x, nanmedian_order(x, dim), dim)
    return value if keepdim or x.ndim == 0 else xp.squeeze(value, axis=dim)


NANMEDIAN = Op("NanmedianBackward0", _nanmedian, (lambda g, out, x: _whole_grad(g, out, x),),
               ("evenly_distribute_backward(grad, self, result)",), saves_out=True, jvps=(T.evenly_read,))
NANMEDIAN_DIM = Op("NanmedianBackward1", _along,
                   (lambda g, out, x, dim, keepdim: _placed_grad(keep_dims(g, (dim,), keepdim or data(x).ndim == 0),
                                                                 x, dim, nanmedian_order(data(x), dim)),),
                   ("value_selecting_reduction_backward(grad, dim, indices, self.sizes(), keepdim)",),
                   jvps=(lambda t, out, x, dim, keepdim:
                         T.gathered(t, x, nanmedian_order(data(x), dim), dim, keepdim),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare  # noqa: E402  (after the entries)

declare(LOOP, NANMEDIAN, NANMEDIAN_DIM)
