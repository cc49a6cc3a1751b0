"""Ops that write into places: copy_ (CopyBackwards), zero_ and fill_,
index_fill, scatter and scatter_add, with gather (their reading side, and
scatter's gradient); the
in-place view ops (t_, transpose_, squeeze_, unsqueeze_), which change a
tensor's shape in place; and AsStridedBackward0, the history a view regrows
after its base changed in place (engine/views.py)."""
from __future__ import annotations

from ...errors import AgcliError
from ..backend import add_at, arange, astype, copy, full, getitem, setitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply, data
from . import shapes as S
from .layout import is_contiguous
from .pointwise import or_zero, where, zeros_like


# ---------------------------------------------------------------- kernels
def along(index, dim):
    """The advanced key that reaches, for each element of `index`, the place it
    names along `dim` and its own place in every other dim (scatter's and gather's
    addressing: out[i][index[i][j]] for dim 1)."""
    key = []
    for d in range(index.ndim):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index.shape[d]
            key.append(xp.reshape(arange(index.shape[d]), tuple(shape)))
    return tuple(key)


def _part(src, shape):
    """The corner of src that an index of `shape` reads (src may be larger)."""
    if src.ndim == 0 or tuple(src.shape) == tuple(shape):
        return src
    return getitem(src, tuple(slice(0, n) for n in shape))


def _written(x, dim, index, write):
    """A copy of x after write(copy, key), key reaching what index names along dim
    (a 0-d x is addressed as its one element)."""
    out = copy(x)
    if index.size == 0:                 # nothing to write (and not every backend writes through an empty key)
        return out
    if index.ndim == 0:                 # a 0-d index names one place (a key of no dims would reach them all)
        index = xp.reshape(index, (1,))
    if x.ndim == 0:
        flat = xp.reshape(out, (1,))
        write(flat, along(index, dim))
        return xp.reshape(flat, ())
    write(out, along(index, dim))
    return out


def _scatter(x, src, dim, index):
    return _written(x, dim, index, lambda out, key: setitem(out, key, _part(src, _one_d(index.shape))))


def _scatter_value(x, dim, index, value):
    return _written(x, dim, index, lambda out, key: setitem(out, key, value))


def _scatter_add(x, src, dim, index):
    return _written(x, dim, index, lambda out, key: add_at(out, key, _part(src, _one_d(index.shape))))


def _one_d(shape):
    """An index's shape as scatter addresses it: a 0-d index is one place, (1,)."""
    return tuple(shape) or (1,)


def _gather(x, dim, index):
    if x.ndim == 0:
        x = xp.reshape(x, (1,))
    if index.ndim == 0:                 # one value read, a 0-d result (index's shape)
        return xp.reshape(getitem(x, along(xp.reshape(index, (1,)), dim)), ())
    return getitem(x, along(index, dim))


def _fill_key(ndim, dim, index):
    return (slice(None),) * dim + (xp.reshape(index, (-1,)),) if ndim else ()


def _index_fill(x, dim, index, value):
    out = copy(x)
    if index.size:
        setitem(out, _fill_key(x.ndim, dim, index), value)
    return out


def _copied(x, src):
    """src broadcast to x's shape, in x's dtype: what x.copy_(src) writes (into x)."""
    return astype(xp.broadcast_to(src, x.shape), x.dtype)


# ------------------------------------------------------------------ rules
def _src_grad(name):
    """scatter's and scatter_add's rule for src: grad.gather(dim, index). PyTorch's engine
    refuses it when src is larger than index (the gradient does not fit src's shape)."""
    def rule(g, out, x, src, dim, index):
        if tuple(index.shape) != tuple(src.shape):
            raise AgcliError(f"Function {name} returned an invalid gradient at index 1 - got "
                             f"[{', '.join(map(str, index.shape))}] but expected shape compatible with "
                             f"[{', '.join(map(str, src.shape))}]")
        return gather(g, dim, index)
    return rule


def _zero_filled(g, dim, index):
    """grad.index_fill(dim, index, 0): index_fill's gradient (IndexFillBackward0 with create_graph)."""
    if type(g) is Tensor:
        return apply(INDEX_FILL, g, dim=dim, index=index, value=0)
    return _index_fill(g, dim, index, 0)


def index_select_sum(g, dim, index):
    """index_fill's gradient for its 0-d tensor value: grad.index_select(dim, unique(index)).sum()."""
    if index.size == 0 or data(g).ndim == 0:
        return S.sum_to(g, ()) if index.size else zeros_like(S.sum_to(g, ()))
    unique = xp.unique_values(xp.reshape(index, (-1,)))
    picked = apply(INDEX_SELECT, g, dim=dim, index=unique) if type(g) is Tensor else _index_select(g, dim, unique)
    return S.sum_to(picked, ())


def _index_select(x, dim, index):
    out = getitem(x, (slice(None),) * dim + (index,))
    return out if not dim or out.ndim < 2 or is_contiguous(out) else copy(out)     # (PyTorch's is row-major)


def _index_select_grad(g, out, x, dim, index):
    """index_select_backward: zeros(self.sizes()) with grad added at index along dim."""
    key = (slice(None),) * dim + (index,)
    if type(g) is Tensor:
        return apply(S.INDEX_BACKWARD, zeros(x.shape, dtype=g.dtype), g, key=key)
    out = zeros(x.shape, dtype=g.dtype)
    add_at(out, key, g)
    return out


def _zero_scattered(g, dim, index):
    """grad.scatter(dim, index, 0): scatter's gradient for self (ScatterBackward1 with create_graph)."""
    if type(g) is Tensor:
        return apply(SCATTER_VALUE, g, dim=dim, index=index, value=0)
    return _scatter_value(g, dim, index, 0)


def _gather_grad(g, out, x, dim, index):
    base = zeros(x.shape, dtype=g.dtype)
    return apply(SCATTER_ADD, base, g, dim=dim, index=index) if type(g) is Tensor else _scatter_add(base, g, dim, index)


def _as_strided_grad(g, out, x, positions):
    """Each of the view's gradients back to the base element it covers (repeats add up)."""
    flat = (x.data if type(x) is Tensor else x).size
    if type(g) is Tensor:
        if int(xp.unique_values(positions).size) == int(positions.size):
            # PyTorch's as_strided_backward: zeros(storage).as_strided(view).copy_(grad), then the
            # storage seen with the input's geometry (CopySlices, then AsStridedBackward0)
            storage = apply(S.COPY_SLICES, zeros((flat,), dtype=g.dtype), g, key=(positions,))
            return apply(AS_STRIDED, storage, positions=xp.reshape(arange(flat), tuple(x.shape)))
        return S.reshape(apply(S.INDEX_BACKWARD, zeros((flat,), dtype=g.dtype), g, key=(positions,)), x.shape)
    out = zeros((flat,), dtype=g.dtype)
    add_at(out, (positions,), g)
    return xp.reshape(out, x.shape)


def _as_strided_tangent(t, out, x, positions):
    """as_strided of each tangent: the flat tangent read at the view's positions."""
    nb = len(t.shape) - len(x.shape)
    flat = S.reshape(t, tuple(t.shape[:nb]) + (int(data(x).size),))
    return S.index(flat, (slice(None),) * nb + (positions,))


def _filled_tangent(t, x, dim, index):
    """self_t.index_fill(dim, index, 0) for each tangent (a 0-d x is its one element)."""
    if not len(x.shape):
        return zeros_like(t) if index.size else t
    return _zero_filled(t, S.tangent_dim(dim, x, t), index)


def _batched_index(index, t, x):
    """index with the tangent's batch dims in front (broadcast): scatter and gather address
    every dim, so a batch of tangents needs the index for each."""
    nb = len(t.shape) - len(x.shape)
    return xp.broadcast_to(xp.reshape(index, (1,) * nb + tuple(index.shape)), tuple(t.shape[:nb]) + tuple(index.shape))


def _gathered_tangent(t, x, dim, index):
    """gather of each tangent (a 0-d index reads one value: each tangent's own, 0-d)."""
    if index.ndim:
        return gather(t, S.tangent_dim(dim, x, t), _batched_index(index, t, x))
    if not len(x.shape):
        return t
    one = xp.reshape(index, (1,))
    picked = gather(t, S.tangent_dim(dim, x, t), _batched_index(one, t, x))
    return S.reshape(picked, tuple(t.shape)[:len(t.shape) - 1])


def _value_scattered_tangent(t, x, dim, index):
    """self_t.scatter(dim, index, 0) for each tangent (a 0-d self's one place: zeros)."""
    if not len(x.shape):
        return zeros_like(t) if index.size else t
    index = index if index.ndim else xp.reshape(index, (1,))
    return _zero_scattered(t, S.tangent_dim(dim, x, t), _batched_index(index, t, x))


def _scattered_tangent(op, kernel):
    """scatter's and scatter_add's tangent: src_t put (or added) into self_t at index (into zeros
    for a self without one; a src without one writes zeros, or adds nothing)."""
    def rule(ts, out, x, src, dim, index):
        tx, t = ts
        if index.ndim == 0:             # one place: the tangents as 1-d ones (a 0-d self's put back after)
            batch = tuple((tx if tx is not None else t).shape)[:len((tx if tx is not None else t).shape)
                                                              - len((x if tx is not None else src).shape)]
            one = lambda v, w: v if v is None or len(w.shape) else S.reshape(v, batch + (1,))   # noqa: E731
            found = rule((one(tx, x), one(t, src)), out, one(x, x) if len(x.shape) else xp.reshape(x, (1,)),
                         src if len(src.shape) else xp.reshape(src, (1,)), dim, xp.reshape(index, (1,)))
            return found if len(x.shape) else S.reshape(found, batch)
        given = tx if tx is not None else t
        nb = len(given.shape) - len((x if tx is not None else src).shape)
        base = tx if tx is not None else zeros(tuple(given.shape[:nb]) + tuple(x.shape), dtype=data(given).dtype)
        if t is None:
            return _zero_scattered(base, dim + nb, _batched_index(index, base, x)) if op() is SCATTER else base
        if tuple(src.shape) != tuple(index.shape):       # src may be larger: its corner is used
            t = getitem(t, (...,) + tuple(slice(0, n) for n in index.shape))
        index = _batched_index(index, t, index)
        if type(t) is Tensor or type(base) is Tensor:
            return apply(op(), base, t, dim=dim + nb, index=index)
        return kernel(base, t, dim + nb, index)
    return rule


def _unsqueeze_back(g, x, dims):
    """squeeze_'s gradient: PyTorch's unsqueeze_to puts back each of dims that had size 1
    (UnsqueezeBackward0 nodes with create_graph; a reshape on raw arrays)."""
    if type(g) is not Tensor:
        return S.reshape(g, x.shape)
    for d in sorted(dims):
        if x.shape[d] == 1:
            g = S.unsqueeze(g, d)
    return g


def _squeeze_dims(x, dims):
    return xp.squeeze(x, axis=tuple(d for d in dims if x.shape[d] == 1))


# -------------------------------------------------------------------- ops
COPY_INTO = Op("CopyBackwards", _copied,                      # x.copy_(src)
               (lambda g, out, x, src: zeros_like(g), lambda g, out, x, src: S.to_dtype(g, src.dtype)),
               ("zeros_like(grad)", "grad.to(src.dtype), summed to src's shape"), saves=False,
               jvps=lambda ts, out, x, src:         # self_t.copy_(src_t)
               zeros_like(ts[0]) if ts[1] is None else S.to_dtype(ts[1], x.dtype), broadcasts=True)
INDEX_FILL = Op("IndexFillBackward0", _index_fill,            # x.index_fill(dim, index, number)
                (lambda g, out, x, dim, index, value: _zero_filled(g, dim, index),),
                ("grad.index_fill(dim, index, 0)",), saves=True, reads=((),),
                jvps=(lambda t, out, x, dim, index, value: _filled_tangent(t, x, dim, index),))
INDEX_FILL_TENSOR = Op("IndexFillBackward1",                  # x.index_fill(dim, index, 0-d tensor)
                       lambda x, value, dim, index: _index_fill(x, dim, index, value),
                       (lambda g, out, x, value, dim, index: _zero_filled(g, dim, index),
                        lambda g, out, x, value, dim, index:
                        index_select_sum(g, dim, index)),
                       ("grad.index_fill(dim, index, 0)", "grad.index_select(dim, unique(index)).sum()"),
                       saves=True, reads=((), ()),
                       jvps=lambda ts, out, x, value, dim, index:      # self_t.index_fill(dim, index, value_t)
                       _filled_tangent(ts[0], x, dim, index) if ts[1] is None else
                       where(_index_fill(zeros(x.shape, dtype="bool"), dim, index, True), ts[1], or_zero(ts[0])),
                       broadcasts=True)
SCATTER = Op("ScatterBackward0", _scatter,                    # x.scatter(dim, index, src)
             (lambda g, out, x, src, dim, index: _zero_scattered(g, dim, index),
              _src_grad("ScatterBackward0")),
             ("grad.scatter(dim, index, 0)", "grad.gather(dim, index)"), saves=True, reads=((), ()),
             jvps=_scattered_tangent(lambda: SCATTER, _scatter))      # self_t.scatter(dim, index, src_t)
SCATTER_VALUE = Op("ScatterBackward1", _scatter_value,        # x.scatter(dim, index, value)
                   (lambda g, out, x, dim, index, value: _zero_scattered(g, dim, index),),
                   ("grad.scatter(dim, index, 0)",), saves=True, reads=((),),
                   jvps=(lambda t, out, x, dim, index, value: _value_scattered_tangent(t, x, dim, index),))
SCATTER_ADD = Op("ScatterAddBackward0", _scatter_add,         # x.scatter_add(dim, index, src)
                 (lambda g, out, x, src, dim, index: g, _src_grad("ScatterAddBackward0")),
                 ("grad", "grad.gather(dim, index)"), saves=False,
                 jvps=_scattered_tangent(lambda: SCATTER_ADD, _scatter_add))    # scatter_add(self_t, ..., src_t)
# index_fill's value gradient picks along dim (x.index_select(dim, index))
INDEX_SELECT = Op("IndexSelectBackward0", _index_select, (_index_select_grad,),
                  ("zeros(self.sizes()).index_add(dim, index, grad)",), saves=True, reads=((),),
                  jvps=(lambda t, out, x, dim, index: index_select(t, S.tangent_dim(dim, x, t), index),))
GATHER = Op("GatherBackward0", _gather, (_gather_grad,),
            ("zeros(self.sizes()).scatter_add(dim, index, grad)",), saves=True, reads=((),),
            jvps=(lambda t, out, x, dim, index: _gathered_tangent(t, x, dim, index),))
ZERO = Op("ZeroBackward0", lambda x: zeros(x.shape, dtype=x.dtype), (lambda g, out, x: zeros_like(g),),   # x.zero_()
          ("zeros_like(grad)",), saves=False, jvps=(lambda t, out, x: zeros_like(t),))
FILL = Op("FillBackward2", lambda x, value: full(x.shape, value, dtype=x.dtype),      # x.fill_(number)
          (lambda g, out, x, value: zeros_like(g),), ("zeros_like(grad)",), saves=False,
          jvps=(lambda t, out, x, value: zeros_like(t),))
FILL_TENSOR = Op("FillBackward3", lambda x, value: _copied(x, value),                # x.fill_(0-d tensor)
                 (lambda g, out, x, value: zeros_like(g), lambda g, out, x, value: S.sum_to(g, ())),
                 ("zeros_like(grad)", "grad.sum()"), saves=False,
                 jvps=lambda ts, out, x, value: zeros_like(ts[0]) if ts[1] is None else ts[1],   # self_t.fill_(value_t)
                 broadcasts=True)
AS_STRIDED = Op("AsStridedBackward0", lambda x, positions: getitem(xp.reshape(x, (-1,)), (positions,)),
                (_as_strided_grad,), ("as_strided_backward(grad, self's geometry, size, stride, offset)",),
                saves=False, jvps=(_as_strided_tangent,))



# x[key] = value with a basic key: PyTorch's view.copy_(value), rebased (CopySlices). Its rules
# are CopySlices's; with create_graph they record what PyTorch's CopySlices runs: result =
# empty.copy_(grad) (CopyBackwards), copy_'s backward on result.as_strided(view).clone(), and
# result with the view's part set to copy_'s zero gradient for self (CopySlices).
def _assigned_grad(g, out, x, value, key):
    if type(g) is not Tensor:
        return S.COPY_SLICES.vjps[0](g, out, x, value, key)
    result = apply(COPY_INTO, zeros(g.shape, dtype=g.dtype), g)
    return apply(S.COPY_SLICES, result, zeros((), dtype=g.dtype), key=key)


def _assigned_value_grad(g, out, x, value, key):
    if type(g) is not Tensor:
        return S.COPY_SLICES.vjps[1](g, out, x, value, key)
    result = apply(COPY_INTO, zeros(g.shape, dtype=g.dtype), g)
    where = getitem(xp.reshape(arange(result.data.size), result.shape), key)
    part = apply(S.CLONE, apply(AS_STRIDED, result, positions=where), memory_format="contiguous")
    return S.sum_to(part, value.shape)


ASSIGN = Op("CopySlices", S.COPY_SLICES.forward, (_assigned_grad, _assigned_value_grad), S.COPY_SLICES.says,
            saves=True, reads=((), ()), jvps=S.COPY_SLICES.jvps)

# The in-place view ops: x takes the output's shape and history (torchapi/in_place.py).
UNSQUEEZE_INPLACE = Op("UnsqueezeBackward1", lambda x, dim: xp.expand_dims(x, axis=dim),
                       (lambda g, out, x, dim: S.squeeze(g, dim),), ("grad.squeeze(dim)",), saves=False,
                       jvps=(S.as_out,))
SQUEEZE_ALL_INPLACE = Op("SqueezeBackward3", lambda x: _squeeze_dims(x, range(x.ndim)),
                         (lambda g, out, x: _unsqueeze_back(g, x, range(len(x.shape))),),
                         ("unsqueeze_to(grad, self.sizes())",), saves=False,
                         jvps=(S.as_out,))
SQUEEZE_DIMS = Op("SqueezeBackward2", _squeeze_dims,           # x.squeeze((0, 1)): a view
                  (lambda g, out, x, dims: _unsqueeze_back(g, x, dims),), ("unsqueeze_to(grad, dim, self.sizes())",),
                  saves=False, view=True, jvps=(S.as_out,))
SQUEEZE_DIMS_INPLACE = Op("SqueezeBackward5", _squeeze_dims,   # x.squeeze_((0, 1))
                          (lambda g, out, x, dims: _unsqueeze_back(g, x, dims),),
                          ("unsqueeze_to(grad, dims, self.sizes())",),
                          saves=False, jvps=(S.as_out,))
T_INPLACE = Op("TBackward1", S.T_2D.forward, (lambda g, out, x: S.t(g),), ("grad.t()",), saves=False,
               jvps=S.T_2D.jvps)
TRANSPOSE_INPLACE = Op("TransposeBackward1", S.TRANSPOSE.forward,
                       (lambda g, out, x, dim0, dim1: S.transpose(g, dim0, dim1),), ("grad.transpose(dim0, dim1)",),
                       saves=False, jvps=S.TRANSPOSE.jvps)



# ------------------------------------------------------------- primitives
def index_select(x, dim, index):
    return apply(INDEX_SELECT, x, dim=dim, index=index) if type(x) is Tensor else _index_select(x, dim, index)


def gather(x, dim, index):
    return apply(GATHER, x, dim=dim, index=index) if type(x) is Tensor else _gather(x, dim, index)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import UNBATCHED, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), UNBATCHED)  # in-place writes and random draws: a sweep runs them line by line
