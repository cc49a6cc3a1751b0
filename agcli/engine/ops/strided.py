"""as_strided whose windows overlap, or of a view that reads storage outside the view's own elements
(AsStridedBackward0): the values come from the storage, and as_strided_backward keeps only the gradients
of the view's elements (the input geometry's), dropping those of the storage it does not cover. (Where
the view covers every element read once, torchapi/strided.py records engine/ops/writes.py's AS_STRIDED.)
Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from ..backend import add_at, arange, astype, getitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply, data
from . import shapes as S
from .indexed import INDEX_ADD
from .writes import AS_STRIDED


def _covered(positions):
    """The flat places of the output the input covers, and the input's flat positions there."""
    flat = xp.reshape(positions, (-1,))
    places = xp.nonzero(flat >= 0)[0]
    return places, getitem(flat, (places,))


def _grad(g, out, x, positions, values):
    """zeros(input) with each covered output element's gradient added where it lies (repeats add up, in the
    output's order). With create_graph, recorded as as_strided_backward composes it: a storage (here with
    spare places for what the input does not cover) given the gradient by index_add (windows that overlap)
    or by copy into its as_strided view (CopySlices), then seen with the input's geometry (AsStridedBackward0)."""
    size = int(data(x).size)
    shape = tuple(data(x).shape)
    if type(g) is not Tensor:
        places, where = _covered(positions)
        out = zeros((size,), dtype=g.dtype)
        add_at(out, (where,), getitem(xp.reshape(g, (-1,)), (places,)))
        return xp.reshape(out, shape)
    flat = xp.reshape(positions, (-1,))
    outside = flat < 0
    spare = int(xp.sum(astype(outside, flat.dtype)))
    if int(xp.unique_values(getitem(flat, (xp.nonzero(flat >= 0)[0],))).size) + spare < int(flat.size):
        index = xp.where(outside, size, flat)
        storage = apply(INDEX_ADD, zeros((size + 1,), dtype=g.dtype), S.reshape(g, (-1,)), dim=0, index=index)
    else:
        index = xp.reshape(xp.where(outside, size + xp.cumulative_sum(astype(outside, flat.dtype)) - 1, flat),
                           tuple(positions.shape))
        storage = apply(S.COPY_SLICES, zeros((size + spare,), dtype=g.dtype), g, key=(index,))
    return apply(AS_STRIDED, storage, positions=xp.reshape(arange(size), shape))


def _tangent(t, out, x, positions, values):
    """The flat tangent read at the covered places, zero elsewhere (a batch of tangents in front)."""
    nb = len(t.shape) - len(data(x).shape)
    lead = tuple(t.shape[:nb])
    places, where = _covered(positions)
    flat = S.reshape(t, lead + (int(data(x).size),))
    picked = S.index(flat, (slice(None),) * nb + (where,))
    count = int(xp.reshape(positions, (-1,)).shape[0])
    key = (slice(None),) * nb + (places,)
    full = apply(S.INDEX_BACKWARD, zeros(lead + (count,), dtype=data(t).dtype), picked, key=key) \
        if type(t) is Tensor else _embed(picked, lead + (count,), key)
    return S.reshape(full, lead + tuple(positions.shape))


def _embed(picked, shape, key):
    out = zeros(shape, dtype=picked.dtype)
    add_at(out, key, picked)
    return out


def _forward(x, positions, values):
    """x's elements where x covers the storage read, the storage's values (read before) elsewhere."""
    if not x.size:
        return values
    picked = getitem(xp.reshape(x, (-1,)), (xp.where(positions >= 0, positions, 0),))
    return xp.where(positions >= 0, picked, values)


AS_STRIDED_PART = Op("AsStridedBackward0", _forward, (_grad,),
                     ("as_strided_backward(grad, self's geometry, size, stride, offset): the gradients of the "
                      "storage self covers",), saves=False, jvps=(_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare  # noqa: E402  (after the entries)

declare(LOOP, AS_STRIDED_PART)
