"""Ops that move values without computing new ones: views, reshapes,
transposes, expand and its inverse, cat/stack, indexing and the scatters
that are indexing's gradients, copies. Then the primitives rules use."""
from __future__ import annotations

from ..backend import add_at, asarray, astype, clone, copy, empty, getitem, setitem, strides, swapaxes, xp, zeros
from ..backend import diagonal as diagonal_view, expanded
from ..op import Op
from ..tensor import Tensor, apply
from .pointwise import where


# ---------------------------------------------------------------- kernels
# Up to this many elements, filling a new array beats broadcast_to's set-up.
_SMALL = 4096


def _expand(x, shape):
    if x.shape == shape:
        return x
    if x.ndim == 0 and x.size <= 1 and _numel(shape) <= _SMALL:   # the gradient of a sum
        out = empty(shape, dtype=x.dtype)
        out[...] = x
        return out
    return xp.broadcast_to(x, shape)


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def sum_to_array(g, shape):
    """Sum a broadcast array back to `shape`."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    return xp.reshape(g, shape)


def select_key(dim, index):
    return (slice(None),) * dim + (index, ...)      # `...`: a 0-d view too, not a copied number


def slice_key(dim, start, stop, step):
    return (slice(None),) * dim + (slice(start, stop, step),)


def _embed(g, shape, key):
    out = zeros(shape, dtype=g.dtype)
    setitem(out, key, g)
    return out


def _embed_diagonal(g, shape, offset, dim1, dim2):
    out = zeros(shape, dtype=g.dtype)
    setitem(diagonal_view(out, offset, dim1, dim2), ..., g)
    return out


def _embed_add(g, shape, key):
    out = zeros(shape, dtype=g.dtype)
    add_at(out, key, g)
    return out


def _copy_slices(x, value, key):
    out = asarray(x, copy=True)
    setitem(out, key, value)
    return out


def inverse_permutation(dims):
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return tuple(inv)


def _narrow_piece(g, xs, i, dim):
    """cat's gradient for input i: its own stretch of g along dim."""
    start = 0
    for x in xs[:i]:
        start += x.shape[dim]
    return slice_(g, dim, start, start + xs[i].shape[dim], 1)


def _back_to(g, out, x, **params):
    return reshape(g, x.shape)


def _unsqueeze_to(g, out, x, dim=None):
    """squeeze's gradient: PyTorch's unsqueeze_to puts each squeezed dim back (a reshape on raw arrays)."""
    if type(g) is not Tensor:
        return reshape(g, x.shape)
    for d in [d for d, n in enumerate(x.shape) if n == 1] if dim is None else [dim] if x.shape[dim:dim + 1] == (1,) \
            else []:
        g = unsqueeze(g, d)
    return g


# ------------------------------------------------------------------ views
COPY = Op("CopyBackwards", lambda x: asarray(x, copy=True), (lambda g, out, x: g,), ("grad",),
          saves=False)   # the first gradient accumulated with create_graph=True: PyTorch 2.13 names it so
TO_COPY = Op("ToCopyBackward0", lambda x, dtype: astype(x, dtype),      # .to(dtype), .double(), ...
             (lambda g, out, x, dtype: to_dtype(g, x.dtype),), ("grad.to(self.dtype)",), saves=False)
MOVE = Op("ToCopyBackward0", lambda x: copy(x), (lambda g, out, x: g,), ("grad.to(self.device)",),
          saves=False)      # .to(device), .cuda(), .cpu(): a copy with another device label
CLONE = Op("CloneBackward0",                              # x.clone() keeps the layout; .contiguous() not
           lambda x, memory_format="preserve": clone(x, memory_format == "contiguous"),
           (lambda g, out, x, memory_format="preserve": g,), ("grad",), saves=False)
ALIAS = Op("AliasBackward0", lambda x: getitem(x, (...,)), (lambda g, out, x: g,), ("grad",),   # x[...]
           saves=False, view=True)
VIEW = Op("ViewBackward0", lambda x, shape: xp.reshape(x, shape), (_back_to,), ("grad.reshape(self.sizes())",),
          saves=False, view=True)
RESHAPE_ALIAS = Op("ReshapeAliasBackward0", lambda x, shape: xp.reshape(x, shape), (_back_to,),   # strided
                   ("grad.reshape(self.sizes())",), saves=False, view=True)
UNSAFE_VIEW = Op("UnsafeViewBackward0", lambda x, shape: xp.reshape(x, shape), (_back_to,),
                 ("grad.reshape(self.sizes())",), saves=False)
T_2D = Op("TBackward0", lambda x: xp.permute_dims(x, tuple(range(x.ndim))[::-1]),      # x.t()
          (lambda g, out, x: t(g),), ("grad.t()",), saves=False, view=True)
PERMUTE = Op("PermuteBackward0", lambda x, dims: xp.permute_dims(x, dims),
             (lambda g, out, x, dims: permute(g, inverse_permutation(dims)),),
             ("grad.permute(inverse of dims)",), saves=False, view=True)
TRANSPOSE = Op("TransposeBackward0", lambda x, dim0, dim1: swapaxes(x, dim0, dim1),
               (lambda g, out, x, dim0, dim1: transpose(g, dim0, dim1),), ("grad.transpose(dim0, dim1)",),
               saves=False, view=True)
SQUEEZE = Op("SqueezeBackward0", lambda x: xp.reshape(x, tuple(n for n in x.shape if n != 1)), (_unsqueeze_to,),
             ("unsqueeze_to(grad, self.sizes())",), saves=False, view=True)
SQUEEZE_DIM = Op("SqueezeBackward1", lambda x, dim: xp.squeeze(x, axis=dim) if x.shape[dim:dim + 1] == (1,) else x,
                 (_unsqueeze_to,), ("unsqueeze_to(grad, dim, self.sizes())",), saves=False, view=True)
SQUEEZE_INPLACE = Op("SqueezeBackward4", lambda x, dim: xp.squeeze(x, axis=dim) if x.shape[dim] == 1 else x,
                     (_unsqueeze_to,), ("unsqueeze_to(grad, dim, self.sizes())",), saves=False)   # x.squeeze_(dim)
UNSQUEEZE = Op("UnsqueezeBackward0", lambda x, dim: xp.expand_dims(x, axis=dim),
               (lambda g, out, x, dim: squeeze(g, dim),), ("grad.squeeze(dim)",), saves=False, view=True)
EXPAND = Op("ExpandBackward0", lambda x, shape: expanded(x, shape),
            (lambda g, out, x, shape: sum_to(g, x.shape),), ("grad.sum_to_size(self.sizes())",), saves=False, view=True)
SUM_TO = Op("SumBackward1", lambda x, shape: sum_to_array(x, shape),
            (lambda g, out, x, shape: expand(g, x.shape),), ("grad.expand(self.sizes())",), saves=False)
SUM_ALL_TO = Op("SumBackward0", lambda x, shape: sum_to_array(x, shape),     # sum_to a 0-d shape: sum()
                (lambda g, out, x, shape: expand(g, x.shape),), ("grad.expand(self.sizes())",), saves=False)
CAT = Op("CatBackward0", lambda *xs, dim: xp.concat(xs, axis=dim),
         (lambda g, out, *xs, i, dim: _narrow_piece(g, xs, i, dim),), ("grad.narrow(dim, offset, size)",),
         saves=False, variadic=True)
STACK = Op("StackBackward0", lambda *xs, dim: xp.stack(xs, axis=dim),
           (lambda g, out, *xs, i, dim: select(g, dim, i),), ("grad.select(dim, i)",), saves=False, variadic=True)
FLIP = Op("FlipBackward0", lambda x, dims: xp.flip(x, axis=dims),       # (cumsum's gradient flips)
          (lambda g, out, x, dims: flip(g, dims),), ("grad.flip(dims)",), saves=False)
DIAGONAL = Op("DiagonalBackward0", lambda x, offset, dim1, dim2: diagonal_view(x, offset, dim1, dim2),
              (lambda g, out, x, offset, dim1, dim2:
               apply(DIAGONAL_BACKWARD, g, shape=x.shape, offset=offset, dim1=dim1, dim2=dim2)
               if type(g) is Tensor else _embed_diagonal(g, x.shape, offset, dim1, dim2),),
              ("diagonal_backward(grad, self.sizes(), offset, dim1, dim2)",), saves=False, view=True)

# --------------------------------------------------------------- indexing
SELECT = Op("SelectBackward0", lambda x, dim, index: getitem(x, select_key(dim, index)),     # a view, as in torch
            (lambda g, out, x, dim, index: apply(SELECT_BACKWARD, g, shape=x.shape, dim=dim, index=index)
             if type(g) is Tensor else _embed(g, x.shape, select_key(dim, index)),),
            ("select_backward(grad, self.sizes(), dim, index)",), saves=False, view=True)
SLICE = Op("SliceBackward0", lambda x, dim, start, stop, step: getitem(x, slice_key(dim, start, stop, step)),
           (lambda g, out, x, dim, start, stop, step:
            apply(SLICE_BACKWARD, g, shape=x.shape, dim=dim, start=start, stop=stop, step=step)
            if type(g) is Tensor else _embed(g, x.shape, slice_key(dim, start, stop, step)),),
           ("slice_backward(grad, self.sizes(), dim, start, end, step)",), saves=False, view=True)
INDEX = Op("IndexBackward0", lambda x, key: getitem(x, key),
           (lambda g, out, x, key: apply(INDEX_BACKWARD, zeros(x.shape, dtype=g.dtype), g, key=key)
            if type(g) is Tensor else _embed_add(g, x.shape, key),),
           ("index_put(zeros(self.sizes()), indices, grad, accumulate=True)",), saves=False)
# The gradients of select/slice/index put g into zeros; they are ops too, so
# create_graph can differentiate them (their own gradient selects again).
SELECT_BACKWARD = Op("SelectBackwardBackward0",
                     lambda g, shape, dim, index: _embed(g, shape, select_key(dim, index)),
                     (lambda gg, out, g, shape, dim, index: select(gg, dim, index),), ("grad.select(dim, index)",),
                     saves=False)
SLICE_BACKWARD = Op("SliceBackwardBackward0",
                    lambda g, shape, dim, start, stop, step: _embed(g, shape, slice_key(dim, start, stop, step)),
                    (lambda gg, out, g, shape, dim, start, stop, step: slice_(gg, dim, start, stop, step),),
                    ("grad.slice(dim, start, end, step)",), saves=False)
# index's gradient in PyTorch: zeros.index_put_(indices, grad, accumulate=True), an in-place op on zeros
INDEX_BACKWARD = Op("IndexPutImplBackward0", lambda zeros_, g, key: _embed_add(g, zeros_.shape, key),
                    (lambda gg, out, zeros_, g, key: gg, lambda gg, out, zeros_, g, key: index(gg, key)),
                    ("grad", "grad[indices]"), saves=False)
DIAGONAL_BACKWARD = Op("DiagonalBackwardBackward0",
                       lambda g, shape, offset, dim1, dim2: _embed_diagonal(g, shape, offset, dim1, dim2),
                       (lambda gg, out, g, shape, offset, dim1, dim2: diagonal(gg, offset, dim1, dim2),),
                       ("grad.diagonal(offset, dim1, dim2)",), saves=False)


def _copy_slices_mask(shape, key):
    m = zeros(shape, dtype="bool")
    setitem(m, key, True)
    return m


COPY_SLICES = Op("CopySlices", _copy_slices,                 # x[key] = value, recorded in place
                 (lambda g, out, x, value, key: where_mask(_copy_slices_mask(x.shape, key), g),
                  lambda g, out, x, value, key: sum_to(index(g, key), value.shape)),
                 ("grad with self[indices] zeroed", "grad[indices].sum_to_size(value.sizes())"),
                 saves=True, reads=((), ()))      # saves no tensor, yet backward frees it: a second one fails
# x[mask] = value, x[[0, 2]] = value: PyTorch's index_put_, with the same rules
INDEX_PUT = Op("IndexPutBackward0", _copy_slices, COPY_SLICES.vjps, COPY_SLICES.says, saves=True, reads=((), ()))


# ------------------------------------------------------------- primitives
def to_dtype(x, dtype):
    if type(x) is Tensor:
        return x if x.data.dtype == dtype else apply(TO_COPY, x, dtype=dtype)
    return astype(x, dtype)


def reshape(x, shape):
    """A view when the strides allow one (ViewBackward0 when contiguous, else
    ReshapeAliasBackward0), else a contiguous copy viewed: PyTorch's reshape."""
    shape = tuple(shape)
    if type(x) is not Tensor:
        return x if x.shape == shape else xp.reshape(x, shape)
    if is_contiguous(x.data):
        return apply(VIEW, x, shape=shape)
    if viewable(x.data, shape):
        return apply(RESHAPE_ALIAS, x, shape=shape)
    return apply(UNSAFE_VIEW, apply(CLONE, x, memory_format="contiguous"), shape=shape)


def t(x):
    if type(x) is Tensor:
        return apply(T_2D, x)
    return x.T if x.ndim == 2 else x


def permute(x, dims):
    return apply(PERMUTE, x, dims=dims) if type(x) is Tensor else xp.permute_dims(x, dims)


def transpose(x, dim0, dim1):
    if type(x) is Tensor:
        return apply(TRANSPOSE, x, dim0=dim0 % x.ndim, dim1=dim1 % x.ndim)
    return swapaxes(x, dim0, dim1)


def squeeze(x, dim):
    if type(x) is Tensor:
        return apply(SQUEEZE_DIM, x, dim=dim % x.ndim)
    return xp.squeeze(x, axis=dim) if x.shape[dim] == 1 else x


def unsqueeze(x, dim):
    if type(x) is Tensor:
        return apply(UNSQUEEZE, x, dim=dim % (x.ndim + 1))
    return xp.expand_dims(x, axis=dim)


def expand(x, shape):
    shape = tuple(shape)
    if type(x) is Tensor:
        return x if x.shape == shape else apply(EXPAND, x, shape=shape)
    return _expand(asarray(x), shape)


def sum_to(g, shape):
    """Sum a broadcast gradient back to `shape` (the engine's one place for it)."""
    shape = tuple(shape)
    if tuple(getattr(g, "shape", ())) == shape:
        return g
    if type(g) is Tensor:
        return _sum_to_tensor(g, shape)
    return sum_to_array(asarray(g), shape)


def _sum_to_tensor(g, shape):
    """at::sum_to, as PyTorch records it: a sum over the leading and the broadcast dims
    (keepdim, SumBackward1), then a view without the leading ones; sum() for a 0-d shape."""
    if not shape:
        return apply(SUM_ALL_TO, g, shape=shape)
    lead = g.ndim - len(shape)
    kept = tuple(1 if i < lead or (shape[i - lead] == 1 and n != 1) else n for i, n in enumerate(g.shape))
    if lead or kept != g.shape:
        g = apply(SUM_TO, g, shape=kept)
    return apply(VIEW, g, shape=shape) if lead else g


def select(x, dim, index):
    return apply(SELECT, x, dim=dim, index=index) if type(x) is Tensor else getitem(x, select_key(dim, index))


def slice_(x, dim, start, stop, step):
    if type(x) is Tensor:
        return apply(SLICE, x, dim=dim, start=start, stop=stop, step=step)
    return getitem(x, slice_key(dim, start, stop, step))


def flip(x, dims):
    return apply(FLIP, x, dims=dims) if type(x) is Tensor else xp.flip(x, axis=dims)


def diagonal(x, offset, dim1, dim2):
    if type(x) is Tensor:
        return apply(DIAGONAL, x, offset=offset, dim1=dim1, dim2=dim2)
    return diagonal_view(x, offset, dim1, dim2)


def index(x, key):
    return apply(INDEX, x, key=key) if type(x) is Tensor else getitem(x, key)


def where_mask(m, g):
    """g with zeros where m holds (no gradient flows through the mask)."""
    return where(m, 0.0, g)


# ----------------------------------------------------------------- layout
# PyTorch picks ops by strides (view or copy, how matmul folds); NumPy's
# views keep PyTorch's layouts, so its strides answer the same questions.
def is_contiguous(a) -> bool:
    """PyTorch's is_contiguous: row-major strides, dims of size 1 aside."""
    if a.size == 0:
        return True
    expected = 1
    for n, st in zip(reversed(a.shape), reversed(strides(a))):
        if n != 1:
            if st != expected:
                return False
            expected *= n
    return True


def viewable(a, shape) -> bool:
    """Can `a` be seen with `shape` without a copy? (PyTorch's computeStride)"""
    old = a.shape
    if not old or a.size == 0:
        return True
    st = strides(a)
    view_d = len(shape) - 1
    base, tensor_numel, view_numel = st[-1], 1, 1
    for d in range(len(old) - 1, -1, -1):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and st[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if d > 0:
                base, tensor_numel, view_numel = st[d - 1], 1, 1
    return view_d == -1
