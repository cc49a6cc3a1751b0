"""Embedding lookups: rows of a weight picked by integer indices (EmbeddingBackward0), and
their gradient's rows added back into the weight's (embedding_dense_backward, which
create_graph records as EmbeddingDenseBackwardBackward0). Each entry: grad_fn name,
kernel, rule, the rule in words."""
from __future__ import annotations

from ..backend import add_at, arange, getitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply, data
from . import tangents as T
from .pointwise import where
from .shapes import index, reshape


def _rows(weight, indices):
    """weight's rows at `indices`: shape indices.shape + (embedding_dim,)."""
    flat = xp.reshape(indices, (-1,))
    return xp.reshape(xp.take(weight, flat, axis=0), tuple(indices.shape) + (weight.shape[-1],))


def _dense(g, indices, num_weights, padding_idx):
    """embedding_dense_backward: each index's row of g added into its weight row, in the
    indices' order (the padding index's rows left out)."""
    d = g.shape[-1]
    flat, rows = xp.reshape(indices, (-1,)), xp.reshape(g, (-1, d))
    if padding_idx is not None:
        keep = flat != padding_idx
        flat, rows = getitem(flat, keep), getitem(rows, keep)
    out = zeros((num_weights, d), dtype=g.dtype)
    add_at(out, (flat,), rows)
    return out


def _weight_grad(g, out, weight, indices, padding_idx):
    num_weights = data(weight).shape[0]
    if type(g) is Tensor:
        return apply(EMBEDDING_DENSE, g, indices=indices, num_weights=num_weights, padding_idx=padding_idx)
    return _dense(g, indices, num_weights, padding_idx)


def _picked_tangent(t, out, weight, indices, padding_idx):
    """auto_linear: the tangent's rows at the indices (after its batch dims)."""
    nb = T.lead(t, weight)
    if type(t) is Tensor:
        return index(t, (slice(None),) * nb + (indices,))
    return getitem(t, (slice(None),) * nb + (indices,))


def _dense_grad(gg, out, g, indices, num_weights, padding_idx):
    """embedding_dense_double_backward: gg's rows at the indices, the padding index's zeroed."""
    picked = apply(EMBEDDING, gg, indices=indices, padding_idx=None) if type(gg) is Tensor else _rows(gg, indices)
    if padding_idx is None:
        return picked
    return where(xp.expand_dims(indices == padding_idx, -1), 0.0, picked)


def _dense_tangent(t, out, g, indices, num_weights, padding_idx):
    """auto_linear: the dense gradient of the tangent; its batch dims become more weight rows (each
    batch's indices offset by num_weights), so that one call serves them all."""
    nb = T.lead(t, g)
    batch = tuple(data(t).shape[:nb])
    count = 1
    for n in batch:
        count *= n
    t = reshape(t, (count,) + tuple(data(t).shape[nb:]))
    if padding_idx is not None:
        t = where(xp.expand_dims(indices == padding_idx, -1), 0.0, t)
    offsets = xp.reshape(arange(count, dtype=indices.dtype) * num_weights, (count,) + (1,) * indices.ndim)
    spread = xp.expand_dims(indices, 0) + offsets
    total = num_weights * count
    dense = apply(EMBEDDING_DENSE, t, indices=spread, num_weights=total, padding_idx=None) if type(t) is Tensor \
        else _dense(t, spread, total, None)
    return reshape(dense, batch + (num_weights, data(dense).shape[-1]))


EMBEDDING = Op("EmbeddingBackward0", lambda weight, indices, padding_idx: _rows(weight, indices), (_weight_grad,),
               ("embedding_backward(grad, indices, num_weights, padding_idx): grad's rows added into the weight's",),
               saves=False, jvps=(_picked_tangent,))
EMBEDDING_DENSE = Op("EmbeddingDenseBackwardBackward0", _dense, (_dense_grad,),
                     ("grad.index_select(0, indices), the padding index's rows zeroed",), saves=False,
                     jvps=(_dense_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
