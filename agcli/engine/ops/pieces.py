"""Pieces and tiles: split/chunk's pieces (views along a dim; unsafe_split's: not views), repeat's tiles,
constant padding. Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from ..backend import full, getitem, setitem, xp, zeros
from ..layouts import follows_channels_last, lay_out, row_major
from ..op import Op
from ..tensor import Tensor, apply, data
from .layout import _embed, row_major_result, slice_key
from .reductions import sum
from .shapes import CAT, INDEX_BACKWARD, expand, index, reshape, slice_, tangent_dim


# ------------------------------------------------------------ split, chunk
def _start(sizes, index) -> int:
    start = 0
    for s in sizes[:index]:
        start += s
    return start


def _piece(x, dim, sizes, index):
    start = _start(sizes, index)
    return getitem(x, slice_key(dim, start, start + sizes[index], 1))


def _piece_grad(g, out, x, dim, sizes, index):
    """split_backward: the pieces' gradients joined along dim, zeros for the others (one piece
    per node here; with create_graph, PyTorch's cat of them: CatBackward0)."""
    start = _start(sizes, index)
    if type(g) is not Tensor:
        return _embed(g, x.shape, slice_key(dim, start, start + sizes[index], 1))
    shape = list(x.shape)
    parts = []
    for i, n in enumerate(sizes):
        shape[dim] = n
        parts.append(g if i == index else Tensor(zeros(tuple(shape), dtype=g.data.dtype), device=g.device))
    return apply(CAT, *parts, dim=dim)


def _piece_tangent(t, out, x, dim, sizes, index):
    start = _start(sizes, index)
    return slice_(t, tangent_dim(dim, x, t), start, start + sizes[index], 1)


SPLIT = Op("SplitBackward0", _piece, (_piece_grad,), ("split_backward(grads, split_size, dim, self.sizes())",),
           saves=False, view=True, jvps=(_piece_tangent,))
SPLIT_WITH_SIZES = Op("SplitWithSizesBackward0", _piece, (_piece_grad,),
                      ("split_with_sizes_backward(grads, split_sizes, dim, self.sizes())",), saves=False, view=True,
                      jvps=(_piece_tangent,))
# unsafe_split / unsafe_chunk (the LSTM and GRU cells' gates): the same pieces, sharing x's memory, but not
# views to autograd (PyTorch gives each its own version counter): an in-place op on one records as on any tensor
UNSAFE_SPLIT = Op("UnsafeSplitBackward0", _piece, (_piece_grad,), SPLIT.says, saves=False, jvps=(_piece_tangent,))
UNSAFE_SPLIT_WITH_SIZES = Op("UnsafeSplitWithSizesBackward0", _piece, (_piece_grad,), SPLIT_WITH_SIZES.says,
                             saves=False, jvps=(_piece_tangent,))


# ------------------------------------------------------------------ repeat
def _repeat(x, repeats):
    """x tiled: its shape padded with leading ones to len(repeats), each dim times its repeat."""
    return xp.tile(xp.reshape(x, (1,) * (len(repeats) - x.ndim) + tuple(x.shape)), repeats)


def _repeat_grad(g, out, x, repeats):
    """repeat_backward: the leading new dims summed one by one, then one reshape to
    (repeat, size) pairs and one sum over the repeats."""
    shape = tuple(data(x).shape)
    if 0 in repeats:        # (nothing was repeated: zeros, without a graph)
        z = zeros(shape, dtype=data(g).dtype)
        return Tensor(z, device=g.device) if type(g) is Tensor else z
    for _ in range(len(repeats) - len(shape)):
        g = sum(g, (0,))
    pairs, summed = [], []
    for r, n in zip(repeats[len(repeats) - len(shape):], shape):
        if r != 1:
            summed.append(len(pairs))
            pairs.append(r)
        pairs.append(n)
    return sum(reshape(g, pairs), tuple(summed)) if summed else g


def _repeat_tangent(t, out, x, repeats):
    nb = len(t.shape) - len(x.shape)
    lead = (1,) * (len(repeats) - len(x.shape))
    t = reshape(t, tuple(t.shape[:nb]) + lead + tuple(x.shape))
    return apply(REPEAT, t, repeats=(1,) * nb + tuple(repeats)) if type(t) is Tensor else \
        _repeat(t, (1,) * nb + tuple(repeats))


REPEAT = Op("RepeatBackward0", _repeat, (_repeat_grad,), ("repeat_backward(grad, repeats, self.sizes())",),
            saves=False, jvps=(_repeat_tangent,))


# -------------------------------------------------------------------- roll
def _roll(x, shifts, dims, lead=0):
    """x's elements moved `shifts` places along dims (none: along x flattened), from dim `lead` on."""
    if dims:
        return xp.roll(x, shifts, axis=tuple(d + lead for d in dims))
    flat = xp.reshape(x, tuple(x.shape[:lead]) + (-1,))
    return xp.reshape(xp.roll(flat, shifts[0], axis=lead), x.shape)


def roll(x, shifts, dims, lead=0):
    return apply(ROLL, x, shifts=shifts, dims=dims, lead=lead) if type(x) is Tensor else _roll(x, shifts, dims, lead)


ROLL = Op("RollBackward0", row_major_result(_roll),
          (lambda g, out, x, shifts, dims, lead=0: roll(g, tuple(-s for s in shifts), dims, lead),),
          ("grad.roll(fmap(reverse_list(shifts), [](int64_t c){return -c;}), reverse_list(dims))",), saves=False,
          jvps=(lambda t, out, x, shifts, dims, lead=0: roll(t, shifts, dims, len(t.shape) - len(x.shape)),))


# ----------------------------------------------------------- masked_select
# `mask` comes broadcast to the shape x and the mask broadcast to together.
def _masked_select(x, mask):
    """x's elements where mask holds, in row-major order."""
    return getitem(xp.broadcast_to(x, mask.shape), (mask,))


def _masked_select_grad(g, out, x, mask):
    """masked_scatter_backward: g put back at the mask's places in zeros of the mask's shape
    (backward sums it to x's shape); with create_graph an index_put (PyTorch: masked_scatter)."""
    if type(g) is Tensor:
        return apply(INDEX_BACKWARD, zeros(mask.shape, dtype=g.data.dtype), g, key=(mask,))
    base = zeros(mask.shape, dtype=g.dtype)
    setitem(base, (mask,), g)
    return base


def _masked_select_tangent(t, out, x, mask):
    """The tangent's elements at the mask's places, its batch dims kept in front."""
    nb = len(t.shape) - len(x.shape)
    if tuple(t.shape[nb:]) != tuple(mask.shape):
        t = expand(t, tuple(t.shape[:nb]) + tuple(mask.shape))
    return index(t, (slice(None),) * nb + (mask,))


MASKED_SELECT = Op("MaskedSelectBackward0", _masked_select, (_masked_select_grad,),
                   ("masked_scatter_backward(grad, mask, self.sizes())",), saves=True, reads=((0,),),
                   jvps=(_masked_select_tangent,))


# ------------------------------------------------------------ constant padding
def _padded(x, pad, value):
    """x with (before, after) elements added along its last dims (pad: last dim first, as F.pad), a
    negative count cutting elements off; the new ones `value`."""
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    cut = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(widths, x.shape))
    grown = tuple((max(b, 0), max(a, 0)) for b, a in widths)
    kept = getitem(x, cut)
    shape = tuple(n + b + a for n, (b, a) in zip(kept.shape, grown))
    out = full(shape, value, dtype=x.dtype)
    setitem(out, tuple(slice(b, b + n) for n, (b, _) in zip(kept.shape, grown)), kept)
    return out


def constant_pad(x, pad, value=0):
    return apply(CONSTANT_PAD, x, pad=tuple(pad), value=value) if type(x) is Tensor else _padded(x, pad, value)


CONSTANT_PAD = Op("ConstantPadNdBackward0", _padded,
                  (lambda g, out, x, pad, value: constant_pad(g, [-p for p in pad]),),
                  ("constant_pad_nd_backward(grad, pad): grad padded by -pad",), saves=False,
                  jvps=(lambda t, out, x, pad, value: constant_pad(t, pad, 0),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line


# repeat writes a row-major result (engine/layouts.py).
lay_out(row_major, REPEAT)

# a channels_last input (or weight) gives a channels_last result (suggest_memory_format)
lay_out(follows_channels_last, CONSTANT_PAD)
