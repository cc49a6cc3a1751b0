"""torch.take and torch.put: elements read from, or written into, a tensor taken as flat, at integer
indices (TakeBackward0, PutBackward0; the index is a parameter, not an input). Their rules are
derivatives.yaml's: take's gradient is put's with accumulate (`zeros_like(self).put_(index, grad, true)`),
put's are `grad.put(index, zeros_like(source))` and `grad.take(index)`. Each entry: grad_fn name,
kernel, one rule per input, the rules in words."""
from __future__ import annotations

import math

from ..backend import add_at, arange, astype, copy, getitem, setitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply, data
from . import tangents as T
from .shapes import index as pick, reshape


def _take(x, index):
    """x's elements at index (negative ones count from the end), in index's shape."""
    return xp.reshape(getitem(xp.reshape(x, (-1,)), (xp.reshape(index, (-1,)),)), tuple(index.shape))


def _put(x, source, index, accumulate):
    """A copy of x with source's elements written (or added) at index, in index's order."""
    flat = xp.reshape(copy(x), (-1,))
    values = astype(xp.reshape(source, (-1,)), x.dtype)
    if accumulate:
        add_at(flat, (xp.reshape(index, (-1,)),), values)
    else:
        setitem(flat, (xp.reshape(index, (-1,)),), values)
    return xp.reshape(flat, tuple(x.shape))


def _zeros_like(x, like):
    z = zeros(tuple(data(x).shape), dtype=data(like).dtype)
    return Tensor(z) if type(like) is Tensor else z


def put(x, source, index, accumulate):
    """x.put(index, source, accumulate) on arrays, or recorded on tensors."""
    if type(x) is Tensor or type(source) is Tensor:
        return apply(PUT, x if type(x) is Tensor else Tensor(x), source, index=index, accumulate=accumulate)
    return _put(x, source, index, accumulate)


def take(x, index):
    return apply(TAKE, x, index=index) if type(x) is Tensor else _take(x, index)


def _take_grad(g, out, x, index):
    return put(_zeros_like(x, g), g, index, True)


def _self_grad(g, out, x, source, index, accumulate):
    return g if accumulate else put(g, _zeros_like(source, g), index, False)


def _source_grad(g, out, x, source, index, accumulate):
    return reshape(take(g, index), tuple(data(source).shape))


def _batched(t, x):
    """t (batch dims first) with x's dims flattened into one, and its batch shape."""
    nb = T.lead(t, x)
    batch = tuple(data(t).shape[:nb])
    return reshape(t, batch + (math.prod(data(t).shape[nb:]),)), batch


def _take_tangent(t, out, x, index):
    """self_t.take(index), for each batch of tangents."""
    flat, batch = _batched(t, x)
    picked = pick(flat, (slice(None),) * len(batch) + (xp.reshape(index, (-1,)),))
    return reshape(picked, batch + tuple(index.shape))


def _put_tangent(tangents, out, x, source, index, accumulate):
    """self_t.put(index, source_t, accumulate), a missing tangent zeros: each batch of tangents
    written in turn (the batch dims lead)."""
    self_t, source_t = tangents
    like = self_t if self_t is not None else source_t
    nb = T.lead(like, x if self_t is not None else source)
    batch = tuple(data(like).shape[:nb])
    if self_t is None:
        self_t = _zeros_like(zeros(batch + tuple(data(x).shape)), like)
    if source_t is None:
        source_t = _zeros_like(zeros(batch + tuple(data(source).shape)), like)
    if not batch:
        return put(self_t, source_t, index, accumulate)
    rows, _ = _batched(self_t, x)
    values, _ = _batched(source_t, source)
    size = math.prod(batch)
    rows = reshape(rows, (size, data(rows).shape[-1]))
    values = reshape(values, (size, data(values).shape[-1]))
    # one put over the rows laid end to end: each row's indices offset by its start
    n = data(rows).shape[-1]
    flat_index = xp.reshape(index, (-1,))
    offsets = xp.reshape(arange(size, dtype=flat_index.dtype) * n, (size, 1))
    shifted = xp.reshape(xp.where(flat_index < 0, flat_index + n, flat_index) + offsets, (-1,))
    written = put(reshape(rows, (size * n,)), reshape(values, (size * data(values).shape[-1],)), shifted,
                  accumulate)
    return reshape(written, batch + tuple(data(x).shape))


TAKE = Op("TakeBackward0", _take, (_take_grad,), ("take_backward(grad, self, index)",), saves=True, reads=((),),
          jvps=(_take_tangent,))
PUT = Op("PutBackward0", _put, (_self_grad, _source_grad),
         ("accumulate ? grad : grad.put(index, zeros_like(source), false)", "grad.take(index).reshape_as(source)"),
         saves=False, jvps=_put_tangent)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import UNBATCHED, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), UNBATCHED)      # (their indices are parameters: a sweep never replays them)
