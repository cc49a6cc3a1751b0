"""index_add and index_copy: slices of a source written (added or copied) into a copy of self at
an index along dim, in the index's order as PyTorch's CPU loop goes (add_ with alpha: an FMA).
Their rules are derivatives.yaml's: index_add's self gets grad, its source
grad.index_select(dim, index) (times alpha); index_copy's self grad.index_fill(dim, index, 0).
Each entry: grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ..backend import copy, getitem, kind, setitem, to_host, xp, zeros
from ..fma import fma
from ..op import Op
from ..tensor import Tensor, apply, data
from . import shapes as S
from .pointwise import mul_scalar
from .writes import INDEX_FILL, _index_fill, index_select


def _key(dim, i):
    return (slice(None),) * dim + (i,)


def _index_add(x, source, dim, index, alpha=1):
    out = copy(x)
    if out.ndim == 0:       # (a number's index is 0: the source's one value added)
        return _index_add(xp.reshape(x, (1,)), xp.reshape(source, (1,)), 0, index, alpha)[0]
    for i, j in enumerate(to_host(index).tolist()):
        here, add = getitem(out, _key(dim, j)), getitem(source, _key(dim, i))
        if alpha == 1:
            value = here + add
        elif kind(out.dtype) == "f" and out.ndim > 1:     # (add_'s kernel; a vector's loop rounds the product)
            value = fma(add, xp.full_like(add, alpha), here)
        else:
            value = here + add * xp.full_like(add, alpha) if kind(out.dtype) == "f" else here + add * alpha
        setitem(out, _key(dim, j), value)
    return out


def _index_copy(x, source, dim, index):
    out = copy(x)
    if out.ndim == 0:       # (each of source's values in turn: the last one stays)
        return copy(xp.reshape(source, (-1,))[-1])
    if source.ndim == 0:
        source = xp.reshape(source, (1,))
    for i, j in enumerate(to_host(index).tolist()):
        setitem(out, _key(dim, j), getitem(source, _key(dim, i)))
    return out


def _picked(g, source, dim, index, alpha=1):
    """grad.index_select(dim, index) (expand_as(source)), times alpha where it is not 1."""
    if data(source).ndim == 0:
        return S.sum_to(index_select(g, 0, index) if data(g).ndim else g, ())
    value = index_select(g, dim, index)
    if type(value) is Tensor:       # (expand_as records its node even to the same shape)
        value = apply(S.EXPAND, value, shape=tuple(data(source).shape))
    return value if alpha == 1 else mul_scalar(value, alpha)


def _zeros_with(t, x, dim, index, op, **params):
    """A source tangent written into zeros of self's shape (with the tangent's batch dims)."""
    shape = tuple(data(t).shape[:len(data(t).shape) - data(x).ndim]) + tuple(data(x).shape)
    base = zeros(shape, dtype=data(t).dtype)
    d = S.tangent_dim(dim, data(x), data(t)) if data(x).ndim else 0
    if type(t) is Tensor:
        return apply(op, Tensor(base), t, dim=d, index=index, **params)
    return op.forward(base, t, dim=d, index=index, **params)


def _filled(t, x, dim, index):
    d = S.tangent_dim(dim, data(x), data(t)) if data(x).ndim else 0
    if type(t) is Tensor:
        return apply(INDEX_FILL, t, dim=d, index=index, value=0)
    return _index_fill(t, d, index, 0)


INDEX_ADD = Op("IndexAddBackward0", _index_add,
               (lambda g, out, x, source, dim, index, alpha=1: g,
                lambda g, out, x, source, dim, index, alpha=1: _picked(g, source, dim, index, alpha)),
               ("grad", "maybe_multiply(grad.index_select(dim, index).expand_as(source), alpha)"), saves=False,
               jvps=(lambda t, out, x, source, dim, index, alpha=1: t,
                     lambda t, out, x, source, dim, index, alpha=1:
                     _zeros_with(t, x, dim, index, INDEX_ADD, alpha=alpha)))
INDEX_COPY = Op("IndexCopyBackward0", _index_copy,
                (lambda g, out, x, source, dim, index: _filled(g, x, dim, index),
                 lambda g, out, x, source, dim, index: _picked(g, source, dim, index)),
                ("grad.index_fill(dim, index, 0)", "grad.index_select(dim, index).expand_as(source)"), saves=False,
                jvps=(lambda t, out, x, source, dim, index: _filled(t, x, dim, index),
                      lambda t, out, x, source, dim, index: _zeros_with(t, x, dim, index, INDEX_COPY)))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare  # noqa: E402  (after the entries it declares)

declare(LOOP, INDEX_ADD, INDEX_COPY)       # line by line
