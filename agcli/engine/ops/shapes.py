"""Ops that move values without computing new ones: views, reshapes,
transposes, expand and its inverse, cat/stack, indexing and the scatters
that are indexing's gradients, copies. Then the primitives rules use."""
from __future__ import annotations

from ..backend import asarray, astype, copy, getitem, setitem, swapaxes, xp, zeros
from ..backend import diagonal as diagonal_view, expanded
from ..layouts import cloned, copied_as, laid_out, preserved
from ..op import Op
from ..tensor import Tensor, apply
from .layout import (_copy_slices, _embed, _embed_add, _embed_diagonal, _expand, indexed, inverse_permutation,
                     is_contiguous, joined, nothing_like, select_key, skipped, slice_key, stacked, sum_to_array,
                     t_kernel, unsqueeze_kernel, viewable)
from .pointwise import where, zeros_like


# ---------------------------------------------------------------- kernels
def _narrow_piece(g, xs, i, dim):
    """cat's gradient for input i: its own stretch of g along dim (an empty vector left out: empty)."""
    start = sum(x.shape[dim] for x in xs[:i] if not skipped(x))
    return nothing_like(g) if skipped(xs[i]) else slice_(g, dim, start, start + xs[i].shape[dim], 1)


def _back_to(g, out, x, **params):
    return reshape(g, x.shape)


# ------------------------------------------------------ forward-mode rules
# A tangent is (*batch, *input.shape): an input's dim d is the tangent's d + len(batch).
def _batch(t, x) -> tuple:
    """The tangent's batch dims: its leading ones beyond its input's."""
    return tuple(t.shape[:len(t.shape) - len(x.shape)])


def tangent_dim(d, x, t) -> int:
    """Input dim d (negative too) as the tangent's dim."""
    return d % max(len(x.shape), 1) + len(t.shape) - len(x.shape)


def _same(t, out, x, **params):
    return t


def as_out(t, out, x, **params):
    """The tangent of an op that only reshapes (views, squeeze, unsqueeze): the output's shape."""
    return reshape(t, _batch(t, x) + tuple(out.shape))


def lined_up(t, in_ndim: int, out_ndim: int):
    """t of shape (*batch, *input) with size-1 dims after the batch dims, up to out_ndim
    dims after them: it broadcasts as its input does."""
    shape = tuple(t.shape)
    nb = len(shape) - in_ndim
    return t if in_ndim >= out_ndim else reshape(t, shape[:nb] + (1,) * (out_ndim - in_ndim) + shape[nb:])


def _sum_to_tangent(t, out, x, shape):
    """sum_to's tangent: the same sums, the batch dims kept."""
    batch, shape = _batch(t, x), tuple(shape)
    return reshape(sum_to(t, batch + (1,) * (len(x.shape) - len(shape)) + shape), batch + shape)


def _embedded(t, shape, dim, at):
    """t put into zeros of `shape` along dim: at an index (stack) or a (start, stop) stretch (cat)."""
    if type(at) is int:
        if type(t) is Tensor:
            return apply(SELECT_BACKWARD, t, shape=shape, dim=dim, index=at)
        return _embed(t, shape, select_key(dim, at))
    if type(t) is Tensor:
        return apply(SLICE_BACKWARD, t, shape=shape, dim=dim, start=at[0], stop=at[1], step=1)
    return _embed(t, shape, slice_key(dim, at[0], at[1], 1))


def _joined(op, join):
    """cat_jvp / stack_jvp: the inputs' tangents (a list, as a variadic op's rule gets them)
    joined as the inputs are, zeros for an input without one."""
    def rule(ts, out, *xs, dim):
        k, first = next((k, t) for k, t in enumerate(ts) if t is not None)
        batch = _batch(first, xs[k])
        dtype = first.data.dtype if type(first) is Tensor else first.dtype
        parts = [t if t is not None else zeros(batch + tuple(x.shape), dtype=dtype) for t, x in zip(ts, xs)]
        d = dim % len(out.shape) + len(batch)
        if any(type(p) is Tensor for p in parts):
            return apply(op(), *parts, dim=d)
        return join(parts, axis=d)
    return rule


def _index_tangent(t, out, x, key):
    """t[key] with the batch dims kept in front (NumPy puts the dims of advanced
    indices that a slice parts ahead of the batch dims the key skips)."""
    batch = _batch(t, x)
    r = index(t, (slice(None),) * len(batch) + (key if isinstance(key, tuple) else (key,)))
    shape, nb = tuple(out.shape), len(batch)
    if not nb or tuple(r.shape) == batch + shape:
        return r
    k = next(k for k in range(1, len(shape) + 1) if tuple(r.shape) == shape[:k] + batch + shape[k:])
    return permute(r, tuple(range(k, k + nb)) + tuple(range(k)) + tuple(range(k + nb, len(r.shape))))


def _embed_slices(t, shape, dim, start, stop, step):
    if type(t) is Tensor:
        return apply(SLICE_BACKWARD, t, shape=shape, dim=dim, start=start, stop=stop, step=step)
    return _embed(t, shape, slice_key(dim, start, stop, step))


def _put_tangent(ts, x, value, key):
    """x[key] = value's tangent: value's tangent written into x's at key (broadcast there; zeros
    where one is missing)."""
    tx, t = ts
    given = tx if tx is not None else t
    batch = _batch(given, x if tx is not None else value)
    key = key if isinstance(key, tuple) else (key,)
    base = tx if tx is not None else zeros(batch + tuple(x.shape), dtype=given.dtype)
    if t is None:
        t = 0.0
    else:
        region = getitem(x.data if type(x) is Tensor else x, key)
        t = lined_up(t, len(value.shape), len(region.shape))
    key = (slice(None),) * len(batch) + key
    if type(t) is Tensor or type(base) is Tensor:
        return apply(COPY_SLICES, base, t, key=key)
    return _copy_slices(base, t, key)


def _put_add_tangent(t, out, zeros_, g, key):
    """index_put(accumulate=True)'s tangent for the values: added into zeros at key."""
    batch = _batch(t, g)
    shape, key = batch + tuple(zeros_.shape), (slice(None),) * len(batch) + (key if isinstance(key, tuple) else (key,))
    if type(t) is Tensor:
        return apply(INDEX_BACKWARD, zeros(shape, dtype=t.dtype), t, key=key)
    return _embed_add(t, shape, key)


def _diagonal_put_tangent(t, out, g, shape, offset, dim1, dim2):
    batch, n = _batch(t, g), len(shape)
    shape, dim1, dim2 = batch + tuple(shape), dim1 % n + len(batch), dim2 % n + len(batch)
    if type(t) is Tensor:
        return apply(DIAGONAL_BACKWARD, t, shape=shape, offset=offset, dim1=dim1, dim2=dim2)
    return _embed_diagonal(t, shape, offset, dim1, dim2)


def _unsqueeze_to(g, out, x, dim=None):
    """squeeze's gradient: PyTorch's unsqueeze_to puts each squeezed dim back (a reshape on raw arrays)."""
    if type(g) is not Tensor:
        return reshape(g, x.shape)
    for d in [d for d, n in enumerate(x.shape) if n == 1] if dim is None else [dim] if x.shape[dim:dim + 1] == (1,) \
            else []:
        g = unsqueeze(g, d)
    return g


# ------------------------------------------------------------------ views
# (auto_linear in derivatives.yaml: the tangent goes through the op itself, batch dims in front)
COPY = Op("CopyBackwards", lambda x: asarray(x, copy=True), (lambda g, out, x: g,), ("grad",),
          saves=False, jvps=(_same,))   # the first gradient accumulated with create_graph=True: PyTorch names it so
TO_COPY = Op("ToCopyBackward0", lambda x, dtype: laid_out(preserved, astype(x, dtype), (x,)),   # .to(dtype), ...
             (lambda g, out, x, dtype: to_dtype(g, x.dtype),), ("grad.to(self.dtype)",), saves=False,
             jvps=(lambda t, out, x, dtype: to_dtype(t, dtype),))
MOVE = Op("ToCopyBackward0", lambda x: copy(x), (lambda g, out, x: g,), ("grad.to(self.device)",),
          saves=False, jvps=(_same,))      # .to(device), .cuda(), .cpu(): a copy with another device label
CLONE = Op("CloneBackward0",                              # x.clone() keeps the layout; .contiguous() not
           lambda x, memory_format="preserve": cloned(x, memory_format),
           (lambda g, out, x, memory_format="preserve": g,), ("grad",), saves=False, jvps=(_same,))
ALIAS = Op("AliasBackward0", lambda x: getitem(x, (...,)), (lambda g, out, x: g,), ("grad",),   # x[...]
           saves=False, view=True, jvps=(_same,))
PRIMAL = Op("Identity", lambda x: getitem(x, (...,)), (lambda g, out, x: g,), ("grad",),   # unpack_dual's primal
            saves=False, view=True, jvps=(_same,))      # (a view without the tangent: made with the level off)
VIEW = Op("ViewBackward0", lambda x, shape: xp.reshape(x, shape), (_back_to,), ("grad.reshape(self.sizes())",),
          saves=False, view=True, jvps=(as_out,))
RESHAPE_ALIAS = Op("ReshapeAliasBackward0", lambda x, shape: xp.reshape(x, shape), (_back_to,),   # strided
                   ("grad.reshape(self.sizes())",), saves=False, view=True, jvps=(as_out,))
UNSAFE_VIEW = Op("UnsafeViewBackward0", lambda x, shape: xp.reshape(x, shape), (_back_to,),
                 ("grad.reshape(self.sizes())",), saves=False, jvps=(as_out,))
T_2D = Op("TBackward0", t_kernel,      # x.t()
          (lambda g, out, x: t(g),), ("grad.t()",), saves=False, view=True,
          jvps=(lambda tt, out, x: transpose(tt, -1, -2) if len(x.shape) == 2 else tt,))
PERMUTE = Op("PermuteBackward0", lambda x, dims: xp.permute_dims(x, dims),
             (lambda g, out, x, dims: permute(g, inverse_permutation(dims)),),
             ("grad.permute(inverse of dims)",), saves=False, view=True,
             jvps=(lambda t, out, x, dims: permute(t, tuple(range(len(_batch(t, x)))) +
                                                 tuple(tangent_dim(d, x, t) for d in dims)),))
TRANSPOSE = Op("TransposeBackward0", lambda x, dim0, dim1: swapaxes(x, dim0, dim1) if x.ndim else xp.reshape(x, ()),
               (lambda g, out, x, dim0, dim1: transpose(g, dim0, dim1),), ("grad.transpose(dim0, dim1)",),
               saves=False, view=True,
               jvps=(lambda t, out, x, dim0, dim1: transpose(t, tangent_dim(dim0, x, t), tangent_dim(dim1, x, t)),))
SQUEEZE = Op("SqueezeBackward0", lambda x: xp.reshape(x, tuple(n for n in x.shape if n != 1)), (_unsqueeze_to,),
             ("unsqueeze_to(grad, self.sizes())",), saves=False, view=True, jvps=(as_out,))
SQUEEZE_DIM = Op("SqueezeBackward1", lambda x, dim: xp.squeeze(x, axis=dim) if x.shape[dim:dim + 1] == (1,) else x,
                 (_unsqueeze_to,), ("unsqueeze_to(grad, dim, self.sizes())",), saves=False, view=True,
                 jvps=(as_out,))
SQUEEZE_INPLACE = Op("SqueezeBackward4", lambda x, dim: xp.squeeze(x, axis=dim) if x.shape[dim] == 1 else x,
                     (_unsqueeze_to,), ("unsqueeze_to(grad, dim, self.sizes())",), saves=False,   # x.squeeze_(dim)
                     jvps=(as_out,))
UNSQUEEZE = Op("UnsqueezeBackward0", unsqueeze_kernel,
               (lambda g, out, x, dim: squeeze(g, dim),), ("grad.squeeze(dim)",), saves=False, view=True,
               jvps=(as_out,))
EXPAND = Op("ExpandBackward0", lambda x, shape: expanded(x, shape),
            (lambda g, out, x, shape: sum_to(g, x.shape),), ("grad.sum_to_size(self.sizes())",), saves=False, view=True,
            jvps=(lambda t, out, x, shape: expand(t, _batch(t, out) + tuple(out.shape)),), broadcasts=True)
SUM_TO = Op("SumBackward1", lambda x, shape: sum_to_array(x, shape),
            (lambda g, out, x, shape: expand(g, x.shape),), ("grad.expand(self.sizes())",), saves=False,
            jvps=(_sum_to_tangent,))
SUM_ALL_TO = Op("SumBackward0", lambda x, shape: sum_to_array(x, shape),     # sum_to a 0-d shape: sum()
                (lambda g, out, x, shape: expand(g, x.shape),), ("grad.expand(self.sizes())",), saves=False,
                jvps=(_sum_to_tangent,))
CAT = Op("CatBackward0", joined,
         (lambda g, out, *xs, i, dim: _narrow_piece(g, xs, i, dim),), ("grad.narrow(dim, offset, size)",),
         saves=False, variadic=True, jvps=_joined(lambda: CAT, xp.concat))
STACK = Op("StackBackward0", stacked,
           (lambda g, out, *xs, i, dim: select(g, dim, i),), ("grad.select(dim, i)",), saves=False, variadic=True,
           jvps=_joined(lambda: STACK, xp.stack))
FLIP = Op("FlipBackward0", lambda x, dims: copied_as(xp.flip(x, axis=dims), x),     # (a copy, as PyTorch's)
          (lambda g, out, x, dims: flip(g, dims),), ("grad.flip(dims)",), saves=False,
          jvps=(lambda t, out, x, dims: flip(t, tuple(tangent_dim(d, x, t) for d in dims)),))
DIAGONAL = Op("DiagonalBackward0", lambda x, offset, dim1, dim2: diagonal_view(x, offset, dim1, dim2),
              (lambda g, out, x, offset, dim1, dim2:
               apply(DIAGONAL_BACKWARD, g, shape=x.shape, offset=offset, dim1=dim1, dim2=dim2)
               if type(g) is Tensor else _embed_diagonal(g, x.shape, offset, dim1, dim2),),
              ("diagonal_backward(grad, self.sizes(), offset, dim1, dim2)",), saves=False, view=True,
              jvps=(lambda t, out, x, offset, dim1, dim2: diagonal(t, offset, tangent_dim(dim1, x, t), tangent_dim(dim2, x, t)),))

# --------------------------------------------------------------- indexing
SELECT = Op("SelectBackward0", lambda x, dim, index: getitem(x, select_key(dim, index)),     # a view, as in torch
            (lambda g, out, x, dim, index: apply(SELECT_BACKWARD, g, shape=x.shape, dim=dim, index=index)
             if type(g) is Tensor else _embed(g, x.shape, select_key(dim, index)),),
            ("select_backward(grad, self.sizes(), dim, index)",), saves=False, view=True,
            jvps=(lambda t, out, x, dim, index: select(t, tangent_dim(dim, x, t), index),))
UNBIND = Op("UnbindBackward0", SELECT.forward,     # a row of x.unbind(dim) (a node per row; PyTorch's: one)
            (lambda g, out, x, dim, index: apply(STACK, *[g if i == index else zeros_like(g) for i in range(
                x.shape[dim])], dim=dim) if type(g) is Tensor else _embed(g, x.shape, select_key(dim, index)),),
            ("unbind_backward(grads, dim)",), saves=False, view=True, jvps=SELECT.jvps)
SLICE = Op("SliceBackward0", lambda x, dim, start, stop, step: getitem(x, slice_key(dim, start, stop, step)),
           (lambda g, out, x, dim, start, stop, step:
            apply(SLICE_BACKWARD, g, shape=x.shape, dim=dim, start=start, stop=stop, step=step)
            if type(g) is Tensor else _embed(g, x.shape, slice_key(dim, start, stop, step)),),
           ("slice_backward(grad, self.sizes(), dim, start, end, step)",), saves=False, view=True,
           jvps=(lambda t, out, x, dim, start, stop, step: slice_(t, tangent_dim(dim, x, t), start, stop, step),))
INDEX = Op("IndexBackward0", indexed,
           (lambda g, out, x, key: apply(INDEX_BACKWARD, zeros(x.shape, dtype=g.dtype), g, key=key)
            if type(g) is Tensor else _embed_add(g, x.shape, key),),
           ("index_put(zeros(self.sizes()), indices, grad, accumulate=True)",), saves=True, reads=((),),
           jvps=(_index_tangent,))
# The gradients of select/slice/index put g into zeros; they are ops too, so
# create_graph can differentiate them (their own gradient selects again).
SELECT_BACKWARD = Op("SelectBackwardBackward0",
                     lambda g, shape, dim, index: _embed(g, shape, select_key(dim, index)),
                     (lambda gg, out, g, shape, dim, index: select(gg, dim, index),), ("grad.select(dim, index)",),
                     saves=False, jvps=(lambda t, out, g, shape, dim, index:
                                        _embedded(t, _batch(t, g) + tuple(shape), dim + len(_batch(t, g)), index),))
SLICE_BACKWARD = Op("SliceBackwardBackward0",
                    lambda g, shape, dim, start, stop, step: _embed(g, shape, slice_key(dim, start, stop, step)),
                    (lambda gg, out, g, shape, dim, start, stop, step: slice_(gg, dim, start, stop, step),),
                    ("grad.slice(dim, start, end, step)",), saves=False,
                    jvps=(lambda t, out, g, shape, dim, start, stop, step:
                          _embed_slices(t, _batch(t, g) + tuple(shape), dim + len(_batch(t, g)), start, stop, step),))
# index's gradient in PyTorch: zeros.index_put_(indices, grad, accumulate=True), an in-place op on zeros
INDEX_BACKWARD = Op("IndexPutImplBackward0", lambda zeros_, g, key: _embed_add(g, zeros_.shape, key),
                    (lambda gg, out, zeros_, g, key: gg, lambda gg, out, zeros_, g, key: index(gg, key)),
                    ("grad", "grad[indices]"), saves=False,
                    jvps=(lambda t, out, zeros_, g, key: t, _put_add_tangent))
DIAGONAL_BACKWARD = Op("DiagonalBackwardBackward0",
                       lambda g, shape, offset, dim1, dim2: _embed_diagonal(g, shape, offset, dim1, dim2),
                       (lambda gg, out, g, shape, offset, dim1, dim2: diagonal(gg, offset, dim1, dim2),),
                       ("grad.diagonal(offset, dim1, dim2)",), saves=False, jvps=(_diagonal_put_tangent,))


def _copy_slices_mask(shape, key):
    m = zeros(shape, dtype="bool")
    setitem(m, key, True)
    return m


COPY_SLICES = Op("CopySlices", _copy_slices,                 # x[key] = value, recorded in place
                 (lambda g, out, x, value, key: where_mask(_copy_slices_mask(x.shape, key), g),
                  lambda g, out, x, value, key: sum_to(index(g, key), value.shape)),
                 ("grad with self[indices] zeroed", "grad[indices].sum_to_size(value.sizes())"),
                 saves=True, reads=((), ()),      # saves no tensor, yet backward frees it: a second one fails
                 jvps=lambda ts, out, x, value, key: _put_tangent(ts, x, value, key))    # self_t.index_put(.., values_t)
# x[mask] = value, x[[0, 2]] = value: PyTorch's index_put_, with the same rules
INDEX_PUT = Op("IndexPutBackward0", _copy_slices,    # (with create_graph: grad.index_put(indices, 0), recorded)
               (lambda g, out, x, value, key: apply(INDEX_PUT, g, zeros((), dtype=g.dtype), key=key)
                if type(g) is Tensor else COPY_SLICES.vjps[0](g, out, x, value, key), COPY_SLICES.vjps[1]),
               ("grad.index_put(indices, zeros_like(values))", COPY_SLICES.says[1]), saves=True, reads=((), ()),
               jvps=COPY_SLICES.jvps)


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
        return apply(TRANSPOSE, x, dim0=dim0 % max(x.ndim, 1), dim1=dim1 % max(x.ndim, 1))
    return swapaxes(x, dim0, dim1) if x.ndim else x


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


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, Mapped, declare, declare_rest  # noqa: E402  (after the entries it declares)
from .layout import batched_select, batched_select_grad, batched_t  # noqa: E402

declare(Mapped("t of each line", batched_t, (lambda g, *_: batched_t((g,), None, None),)), T_2D)
declare(Mapped("select past the batch axis", batched_select, (batched_select_grad,)), SELECT)
declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does
