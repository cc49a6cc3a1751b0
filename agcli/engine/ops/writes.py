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
from ..tensor import Tensor, apply
from . import shapes as S
from .pointwise import zeros_like
from .reductions import sum as reduce_all


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
    if x.ndim == 0 and index.ndim:
        flat = xp.reshape(out, (1,))
        write(flat, along(index, dim))
        return xp.reshape(flat, ())
    write(out, along(index, dim))
    return out


def _scatter(x, src, dim, index):
    return _written(x, dim, index, lambda out, key: setitem(out, key, _part(src, index.shape)))


def _scatter_value(x, dim, index, value):
    return _written(x, dim, index, lambda out, key: setitem(out, key, value))


def _scatter_add(x, src, dim, index):
    return _written(x, dim, index, lambda out, key: add_at(out, key, _part(src, index.shape)))


def _reached(shape, dim, index):
    """True where scatter writes (the gradient does not flow there)."""
    return _written(zeros(shape, dtype="bool"), dim, index, lambda out, key: setitem(out, key, True))


def _gather(x, dim, index):
    if x.ndim == 0 and index.ndim:
        x = xp.reshape(x, (1,))
    return getitem(x, along(index, dim))


def _fill_key(ndim, dim, index):
    return (slice(None),) * dim + (xp.reshape(index, (-1,)),) if ndim else ()


def _index_fill(x, dim, index, value):
    out = copy(x)
    if index.size:
        setitem(out, _fill_key(x.ndim, dim, index), value)
    return out


def _marked(shape, dim, index):
    """True where index_fill writes (the gradient does not flow there)."""
    return _index_fill(zeros(shape, dtype="bool"), dim, index, True)


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


def _gather_grad(g, out, x, dim, index):
    base = zeros(x.shape, dtype=g.dtype)
    return apply(SCATTER_ADD, base, g, dim=dim, index=index) if type(g) is Tensor else _scatter_add(base, g, dim, index)


def _as_strided_grad(g, out, x, positions):
    """Each of the view's gradients back to the base element it covers (repeats add up)."""
    flat = (x.data if type(x) is Tensor else x).size
    if type(g) is Tensor:
        return S.reshape(apply(S.INDEX_BACKWARD, g, shape=(flat,), key=(positions,)), x.shape)
    out = zeros((flat,), dtype=g.dtype)
    add_at(out, (positions,), g)
    return xp.reshape(out, x.shape)


def _squeeze_dims(x, dims):
    return xp.squeeze(x, axis=tuple(d for d in dims if x.shape[d] == 1))


# -------------------------------------------------------------------- ops
COPY_INTO = Op("CopyBackwards", _copied,                      # x.copy_(src)
               (lambda g, out, x, src: zeros_like(g), lambda g, out, x, src: S.to_dtype(g, src.dtype)),
               ("zeros_like(grad)", "grad.to(src.dtype), summed to src's shape"), saves=False)
INDEX_FILL = Op("IndexFillBackward0", _index_fill,            # x.index_fill(dim, index, number)
                (lambda g, out, x, dim, index, value:
                 S.where_mask(_marked(x.shape, dim, index), g),),
                ("grad.index_fill(dim, index, 0)",), saves=False)
INDEX_FILL_TENSOR = Op("IndexFillBackward1",                  # x.index_fill(dim, index, 0-d tensor)
                       lambda x, value, dim, index: _index_fill(x, dim, index, value),
                       (lambda g, out, x, value, dim, index:
                        S.where_mask(_marked(x.shape, dim, index), g),
                        lambda g, out, x, value, dim, index:
                        reduce_all(S.where_mask(~_marked(x.shape, dim, index), g))),
                       ("grad.index_fill(dim, index, 0)", "grad.index_select(dim, unique(index)).sum()"),
                       saves=False)
SCATTER = Op("ScatterBackward0", _scatter,                    # x.scatter(dim, index, src)
             (lambda g, out, x, src, dim, index: S.where_mask(_reached(x.shape, dim, index), g),
              _src_grad("ScatterBackward0")),
             ("grad.scatter(dim, index, 0)", "grad.gather(dim, index)"), saves=False)
SCATTER_VALUE = Op("ScatterBackward1", _scatter_value,        # x.scatter(dim, index, value)
                   (lambda g, out, x, dim, index, value: S.where_mask(_reached(x.shape, dim, index), g),),
                   ("grad.scatter(dim, index, 0)",), saves=False)
SCATTER_ADD = Op("ScatterAddBackward0", _scatter_add,         # x.scatter_add(dim, index, src)
                 (lambda g, out, x, src, dim, index: g, _src_grad("ScatterAddBackward0")),
                 ("grad", "grad.gather(dim, index)"), saves=False)
GATHER = Op("GatherBackward0", _gather, (_gather_grad,),
            ("zeros(self.sizes()).scatter_add(dim, index, grad)",), saves=False)
ZERO = Op("ZeroBackward0", lambda x: zeros(x.shape, dtype=x.dtype), (lambda g, out, x: zeros_like(g),),   # x.zero_()
          ("zeros_like(grad)",), saves=False)
FILL = Op("FillBackward2", lambda x, value: full(x.shape, value, dtype=x.dtype),      # x.fill_(number)
          (lambda g, out, x, value: zeros_like(g),), ("zeros_like(grad)",), saves=False)
FILL_TENSOR = Op("FillBackward3", lambda x, value: _copied(x, value),                # x.fill_(0-d tensor)
                 (lambda g, out, x, value: zeros_like(g), lambda g, out, x, value: reduce_all(g)),
                 ("zeros_like(grad)", "grad.sum()"), saves=False)
AS_STRIDED = Op("AsStridedBackward0", lambda x, positions: getitem(xp.reshape(x, (-1,)), (positions,)),
                (_as_strided_grad,), ("as_strided_backward(grad, self's geometry, size, stride, offset)",),
                saves=False)

# The in-place view ops: x takes the output's shape and history (torchapi/in_place.py).
UNSQUEEZE_INPLACE = Op("UnsqueezeBackward1", lambda x, dim: xp.expand_dims(x, axis=dim),
                       (lambda g, out, x, dim: S.squeeze(g, dim),), ("grad.squeeze(dim)",), saves=False)
SQUEEZE_ALL_INPLACE = Op("SqueezeBackward3", lambda x: _squeeze_dims(x, range(x.ndim)),
                         (lambda g, out, x: S.reshape(g, x.shape),), ("grad.reshape(self.sizes())",), saves=False)
SQUEEZE_DIMS_INPLACE = Op("SqueezeBackward5", _squeeze_dims,   # x.squeeze_((0, 1))
                          (lambda g, out, x, dims: S.reshape(g, x.shape),), ("grad.reshape(self.sizes())",),
                          saves=False)
T_INPLACE = Op("TBackward1", S.T_2D.forward, (lambda g, out, x: S.t(g),), ("grad.t()",), saves=False)
TRANSPOSE_INPLACE = Op("TransposeBackward1", S.TRANSPOSE.forward,
                       (lambda g, out, x, dim0, dim1: S.transpose(g, dim0, dim1),), ("grad.transpose(dim0, dim1)",),
                       saves=False)


# ------------------------------------------------------------- primitives
def gather(x, dim, index):
    return apply(GATHER, x, dim=dim, index=index) if type(x) is Tensor else _gather(x, dim, index)
