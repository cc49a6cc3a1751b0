"""nn.EmbeddingBag's op (EmbeddingBagBackward0): a weight's rows picked by indices and reduced per
bag, as ATen's CPU kernel computes them. A bag's rows are added in turn (each times its per-sample
weight as one FMA), a mean is that sum divided once by the bag's count (the padding index's entries
left out), a max takes each column's first largest. The weight's gradient adds the bag's gradient
back a row at a time (axpy: one FMA each, a mean's scaled by 1/count); the per-sample weights'
is the dot of the bag's gradient with each row. PyTorch has no second derivative here and no
forward-mode rule: both raise its errors. Each entry: grad_fn name, kernel, rules, the rules in words."""
from __future__ import annotations

from ..backend import add_at, arange, asarray, astype, dot, full, getitem, ones, setitem, tolist, xp, zeros
from ..fma import fma
from ..op import Op, forward_ad_not_implemented, no_derivative
from ..tensor import Tensor, apply, data

SUM, MEAN, MAX = "sum", "mean", "max"


def _refused(message, kind):
    def rule(*args, **params):
        from ...errors import AgcliError
        raise AgcliError(message, kind=kind)
    return rule


_no_forward = forward_ad_not_implemented


def _entries(indices, bag_of, padding_idx, weights=None):
    """The entries that count (not the padding index): their indices, bags and weights."""
    if padding_idx is None:
        return indices, bag_of, weights
    keep = indices != padding_idx
    return getitem(indices, keep), getitem(bag_of, keep), None if weights is None else getitem(weights, keep)


def _rounds(keys):
    """For entries that write into rows `keys`, which write each is (0 for a row's first): entries of
    one round write distinct rows, so a round is one gather and one scatter."""
    order = [0] * keys.shape[0]
    seen = {}
    for i, k in enumerate(tolist(keys)):
        order[i] = seen.get(k, 0)
        seen[k] = order[i] + 1
    return asarray(order, dtype=keys.dtype), max(seen.values(), default=0)


def _fma_into(out, rows, scale, values):
    """out[rows[i]] = fma(scale[i], values[i], out[rows[i]]) for each entry in turn."""
    rank, rounds = _rounds(rows)
    for r in range(rounds):
        at = rank == r
        where_ = getitem(rows, at)
        current = getitem(out, (where_,))
        setitem(out, (where_,), fma(xp.reshape(getitem(scale, at), (-1, 1)), getitem(values, at), current))
    return out


def _counts(bag_of, bags, dtype):
    counts = zeros((bags,), dtype=dtype)
    add_at(counts, (bag_of,), astype(xp.ones_like(bag_of), dtype))
    return counts


def _maxima(weight, indices, bag_of, bags):
    """Each bag's column maxima and the index of the row each came from (-1 for an empty bag)."""
    d = weight.shape[1]
    out = zeros((bags, d), dtype=weight.dtype)
    where_ = full((bags, d), -1, dtype=indices.dtype)
    for b in range(bags):
        mine = bag_of == b
        if not bool(xp.any(mine)):
            continue
        picked = getitem(indices, mine)
        rows = getitem(weight, (picked,))
        first = xp.argmax(rows, axis=0)
        setitem(out, (b,), getitem(rows, (first, arange(d))))
        setitem(where_, (b,), getitem(picked, (first,)))
    return out, where_


def _bag(weight, weights, *, indices, bag_of, bags, mode, padding_idx, weighted):
    idx, bag, w = _entries(indices, bag_of, padding_idx, weights if weighted else None)
    if mode == MAX:
        return _maxima(weight, idx, bag, bags)[0]
    out = zeros((bags, weight.shape[1]), dtype=weight.dtype)
    rows = getitem(weight, (idx,))
    if w is not None:
        return _fma_into(out, bag, w, rows)
    add_at(out, (bag,), rows)
    if mode == MEAN:
        counts = _counts(bag, bags, weight.dtype)
        out = xp.where(xp.reshape(counts, (-1, 1)) > 0, out / xp.reshape(xp.where(counts > 0, counts, 1), (-1, 1)),
                       out)
    return out


def _dense_backward(g, weights, *, weight, indices, bag_of, bags, mode, padding_idx, weighted):
    """_embedding_bag_dense_backward: the bags' gradients added into the weight's rows."""
    grad = zeros(tuple(weight.shape), dtype=g.dtype)
    idx, bag, w = _entries(indices, bag_of, padding_idx, weights if weighted else None)
    if mode == MAX:
        where_ = _maxima(weight, idx, bag, bags)[1]
        columns = xp.reshape(arange(g.shape[1], dtype=where_.dtype), (1, -1)) + 0 * where_
        found = where_ >= 0
        add_at(grad, (getitem(where_, found), getitem(columns, found)), getitem(g, found))
        return grad
    if w is None:
        unit = ones(tuple(bag.shape), dtype=g.dtype)
        w = unit / getitem(_counts(bag, bags, g.dtype), (bag,)) if mode == MEAN else unit
    return _fma_into(grad, idx, astype(w, g.dtype), getitem(g, (bag,)))


def _weights_backward(g, weight, *, indices, bag_of, padding_idx):
    """_embedding_bag_per_sample_weights_backward: dot(bag's gradient, row) per entry, 0 at the padding index."""
    out = zeros(indices.shape, dtype=g.dtype)
    for i, (k, b) in enumerate(zip(tolist(indices), tolist(bag_of))):
        if k != padding_idx:
            setitem(out, (i,), dot(getitem(g, (b,)), getitem(weight, (k,))))
    return out


def _weight_rule(g, out, weight, weights, **params):
    if type(g) is Tensor:       # (PyTorch's node: the gradient and the per-sample weights its inputs)
        return apply(EMBEDDING_BAG_BACKWARD, g, weights, weight=data(weight), **params)
    return _dense_backward(g, data(weights), weight=data(weight), **params)


def _weights_rule(g, out, weight, weights, *, indices, bag_of, bags, mode, padding_idx, weighted):
    if type(g) is Tensor:
        return apply(PER_SAMPLE_WEIGHTS_BACKWARD, g, weight, indices=indices, bag_of=bag_of, padding_idx=padding_idx)
    return _weights_backward(g, data(weight), indices=indices, bag_of=bag_of, padding_idx=padding_idx)


# (its second input: the per-sample weights, or an empty placeholder, an edge without a gradient as PyTorch's)
EMBEDDING_BAG = Op("EmbeddingBagBackward0", _bag, (_weight_rule, _weights_rule),
                   ("_embedding_bag_backward(grad, indices, offset2bag, bag_size, max_indices, num_weights, ...)",
                    "_embedding_bag_per_sample_weights_backward(grad, weight, indices, offsets, offset2bag, mode)"),
                   jvps=(_no_forward("_embedding_bag"),) * 2)
# Their gradients, as create_graph records them: PyTorch has no derivative for either.
EMBEDDING_BAG_BACKWARD = Op("EmbeddingBagBackwardBackward0", _dense_backward,
                            (_refused("the derivative for '_embedding_bag_backward' is not implemented.",
                                      "not_implemented"),) * 2, ("not implemented",) * 2,
                            jvps=(_no_forward("_embedding_bag_backward"),) * 2)
PER_SAMPLE_WEIGHTS_BACKWARD = Op("NotImplemented", _weights_backward,
                                 (no_derivative("_embedding_bag_per_sample_weights_backward"),) * 2,
                                 ("not implemented",) * 2,
                                 jvps=(_no_forward("_embedding_bag_per_sample_weights_backward"),) * 2)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import UNBATCHED, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), UNBATCHED)      # (their indices are parameters: a sweep never replays them)
