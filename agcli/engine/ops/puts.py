"""index_put with accumulate=True and masked_scatter, as derivatives.yaml gives them: the values added
into a copy of self at the indices in index order (repeats add one after another, as PyTorch's CPU
kernel adds them), and source's first elements written where the mask holds, in row-major order."""
from __future__ import annotations

from ..backend import add_at, asarray, astype, getitem, setitem, xp, zeros
from ..backend import diagonal as diagonal_view
from ..op import Op
from ..tensor import Tensor, apply
from .pointwise import masked_fill, zeros_like
from .layout import select_key, slice_key
from .shapes import STACK, diagonal, index, reshape, select, slice_, sum_to



def _linear(name):
    """The forward-mode rule of an op linear in its inputs together (derivatives.yaml's `result:` is the op
    of the tangents, zeros for a missing one): the op itself, one batch entry after another."""
    def rule(ts, out, *inputs, **params):
        op = globals()[name]
        k = next(i for i, t in enumerate(ts) if t is not None)
        batch = tuple(ts[k].shape[:len(ts[k].shape) - len(inputs[k].shape)])
        filled = [t if t is not None else zeros(batch + tuple(a.shape), dtype=ts[k].dtype) for t, a in zip(ts, inputs)]
        tensors = any(type(f) is Tensor for f in filled)
        if not batch:
            return apply(op, *filled, **params) if tensors else op.forward(*filled, **params)
        count = 1
        for n in batch:
            count *= n
        rows = [reshape(f, (count,) + tuple(a.shape)) for f, a in zip(filled, inputs)]
        parts = [rule([select(r, 0, i) for r in rows], out, *inputs, **params) for i in range(count)]
        stacked = apply(STACK, *parts, dim=0) if tensors else xp.stack(parts)
        return reshape(stacked, batch + tuple(out.shape))
    return rule

def _add_into(x, value, key):
    out = asarray(x, copy=True)
    add_at(out, key, xp.broadcast_to(value, getitem(x, key).shape))
    return out


INDEX_PUT_ADD = Op("IndexPutBackward0", _add_into,
                   (lambda g, out, x, value, key: g, lambda g, out, x, value, key: sum_to(index(g, key), value.shape)),
                   ("grad", "grad[indices].sum_to_size(values.sizes())"), saves=True, reads=((), ()),
                   jvps=_linear("INDEX_PUT_ADD"))


def _scattered(x, source, mask):
    out = asarray(x, copy=True)
    count = int(xp.sum(astype(mask, "int64")))
    setitem(out, mask, xp.reshape(source, (-1,))[:count])
    return out


def _embedded(g, mask, shape):
    """masked_scatter_backward: g where the mask holds, in order, into the first elements of zeros of `shape`."""
    taken = getitem(g, mask)
    numel = 1
    for n in shape:
        numel *= n
    out = zeros((numel,), dtype=g.dtype)
    setitem(out, slice(0, taken.shape[0]), taken)
    return xp.reshape(out, tuple(shape))


MASKED_SCATTER_BACKWARD = Op("MaskedScatterBackwardBackward0", _embedded,
                             (lambda gg, out, g, mask, shape: masked_scatter(zeros_like(g), gg, mask),),
                             ("zeros_like(grad_output).masked_scatter_(mask, grad)",), saves=False,
                             jvps=_linear("MASKED_SCATTER_BACKWARD"))


def masked_scatter(x, source, mask):
    return apply(MASKED_SCATTER, x, source, mask=mask) if type(x) is Tensor or type(source) is Tensor \
        else _scattered(x, source, mask)


MASKED_SCATTER = Op("MaskedScatterBackward0", _scattered,
                    (lambda g, out, x, source, mask: masked_fill(g, mask, 0),
                     lambda g, out, x, source, mask: apply(MASKED_SCATTER_BACKWARD, g, mask=mask, shape=source.shape)
                     if type(g) is Tensor else _embedded(g, mask, source.shape)),
                    ("grad.masked_fill(mask, 0)", "masked_scatter_backward(grad, mask, source.sizes())"),
                    saves=False, jvps=_linear("MASKED_SCATTER"))


# ---------------------------------------------- slice_scatter, select_scatter, diagonal_scatter
def _part(x, kind, params):
    """The part of x the op writes, as (array, key)."""
    if kind == "diagonal":
        return diagonal_view(x, *params), ...
    return x, (select_key if kind == "select" else slice_key)(*params)


def _written(x, src, kind, params):
    out = asarray(x, copy=True)
    setitem(*_part(out, kind, params), src)
    return out


def _scatter_op(name, name_of, kind, view, says):
    def scatter(a, b, params):
        if type(a) is Tensor or type(b) is Tensor:
            return apply(op, a, b, params=params)
        return _written(a, b, kind, params)
    op = Op(name, lambda x, src, params: _written(x, src, kind, params),
            (lambda g, out, x, src, params: scatter(g, zeros_like(src), params),
             lambda g, out, x, src, params: view(g, *params)),
            (f"{kind}_scatter(grad, zeros_like(src), ...)", says), saves=False, jvps=_linear(name_of))
    return op


SLICE_SCATTER = _scatter_op("SliceScatterBackward0", "SLICE_SCATTER", "slice", slice_,
                            "grad.slice(dim, start, end, step)")
SELECT_SCATTER = _scatter_op("SelectScatterBackward0", "SELECT_SCATTER", "select", select,
                             "grad.select(dim, index)")
DIAGONAL_SCATTER = _scatter_op("DiagonalScatterBackward0", "DIAGONAL_SCATTER", "diagonal", diagonal,
                               "grad.diagonal(offset, dim1, dim2)")


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)   # (their keys and masks are parameters: line by line)
