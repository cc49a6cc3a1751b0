"""Ops that arrange their input's values anew: linalg.cross (the cross product along a dim of size 3),
diag_embed (vectors laid on the diagonals of new matrices), rot90 (a quarter turn in a plane) and
block_diag (matrices on the diagonal of one).
Each entry: grad_fn name, kernel, one rule per input, the rules in words (derivatives.yaml).
Their dims reach the kernels counted from the end (negative), so a batch of tangents in front
of them changes nothing."""
from __future__ import annotations

from ..backend import arange, clone, getitem, kind, setitem, xp, zeros
from ..fma import fma
from ..op import Op
from ..tensor import Tensor, apply
from .shapes import CAT, diagonal, reshape, slice_, squeeze


# ------------------------------------------------------------------ cross
def _component(x, dim, i):
    """x's i-th component along dim (kept, of size 1)."""
    return getitem(x, (Ellipsis, slice(i, i + 1)) + (slice(None),) * (-dim - 1))


def _cross(a, b, dim):
    """a x b along dim (< 0): each component x * y - z * w as PyTorch's kernel computes it for
    floats, fma(x, y, -(z * w)) (measured, 2.13); integers exactly."""
    shape = xp.broadcast_shapes(a.shape, b.shape)
    a0, a1, a2 = (_component(xp.broadcast_to(a, shape), dim, i) for i in range(3))
    b0, b1, b2 = (_component(xp.broadcast_to(b, shape), dim, i) for i in range(3))
    if kind(a.dtype) == "f":
        parts = [fma(a1, b2, -(a2 * b1)), fma(a2, b0, -(a0 * b2)), fma(a0, b1, -(a1 * b0))]
    else:
        parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    return xp.concat(parts, axis=dim)


def cross(a, b, dim):
    return apply(CROSS, a, b, dim=dim) if type(a) is Tensor or type(b) is Tensor else _cross(a, b, dim)


CROSS = Op("LinalgCrossBackward0", _cross,
           (lambda g, out, a, b, dim: cross(b, g, dim), lambda g, out, a, b, dim: cross(g, a, dim)),
           ("at::linalg_cross(other, grad, dim)", "at::linalg_cross(grad, self, dim)"), reads=((1,), (0,)),
           jvps=(lambda t, out, a, b, dim: cross(t, b, dim), lambda t, out, a, b, dim: cross(a, t, dim)), order=(1, 0))


# ------------------------------------------------------------- diag_embed
def _diag_embed(x, offset, dim1, dim2):
    """Each vector of x's last dim on the offset diagonal of a new (n, n) matrix in dims dim1, dim2
    (< 0, of the output), zeros elsewhere; laid out contiguous, as PyTorch's."""
    m = x.shape[-1]
    n = m + abs(offset)
    pad = zeros(x.shape[:-1] + (abs(offset),), dtype=x.dtype)
    padded = xp.concat([x, pad], axis=-1)
    values = padded[..., :, None] if offset >= 0 else padded[..., None, :]      # (row i or column j's value)
    mask = (arange(n)[None, :] - arange(n)[:, None]) == offset
    out = xp.where(mask, values, zeros((), dtype=x.dtype))                        # (..., n, n)
    rank = out.ndim
    d1, d2 = dim1 % rank, dim2 % rank
    rest = iter(range(rank - 2))
    order = [rank - 2 if i == d1 else rank - 1 if i == d2 else next(rest) for i in range(rank)]
    return clone(xp.permute_dims(out, tuple(order)), True)


def diag_embed(x, offset, dim1, dim2):
    if type(x) is Tensor:
        return apply(DIAG_EMBED, x, offset=offset, dim1=dim1, dim2=dim2)
    return _diag_embed(x, offset, dim1, dim2)


DIAG_EMBED = Op("DiagEmbedBackward0", _diag_embed,
                (lambda g, out, x, offset, dim1, dim2: diagonal(g, offset, dim1 % g.ndim, dim2 % g.ndim),),
                ("grad.diagonal(offset, dim1, dim2)",), saves=False,
                jvps=(lambda t, out, x, offset, dim1, dim2: diag_embed(t, offset, dim1, dim2),))


# ------------------------------------------------------------------ rot90
def _rot90(x, k, dims):
    """PyTorch's rot90: a flip (a copy) then a transpose (a view), by k % 4; k % 4 == 0 a copy."""
    d0, d1 = dims
    k %= 4
    if k == 0:
        return clone(x, True)
    if k == 2:
        return clone(xp.flip(x, axis=(d0, d1)), True)
    flipped = clone(xp.flip(x, axis=d1 if k == 1 else d0), True)
    order = list(range(x.ndim))
    order[d0 % x.ndim], order[d1 % x.ndim] = order[d1 % x.ndim], order[d0 % x.ndim]
    return xp.permute_dims(flipped, tuple(order))


def rot90(x, k, dims):
    return apply(ROT90, x, k=k, dims=dims) if type(x) is Tensor else _rot90(x, k, dims)


ROT90 = Op("Rot90Backward0", _rot90, (lambda g, out, x, k, dims: rot90(g, -k, dims),),
           ("grad.rot90(-k, dims)",), saves=False, jvps=(lambda t, out, x, k, dims: rot90(t, k, dims),))


# -------------------------------------------------------------- block_diag
def _block_shape(shape) -> tuple:
    """An input's block: a number (1, 1), a vector a row (1, n), a matrix itself."""
    return (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else tuple(shape)


def _block_diag(*xs):
    """The inputs as blocks on the diagonal of one matrix, zeros elsewhere; a leading batch of
    dims (tangents) is kept in front: each input's own dims are counted from its shape's end."""
    return _placed(xs, tuple(len(x.shape) for x in xs), xs[0].dtype)


def _placed(xs, ranks, dtype):
    batch = tuple(xs[0].shape[:len(xs[0].shape) - ranks[0]])
    blocks = [_block_shape(tuple(x.shape[len(x.shape) - r:])) for x, r in zip(xs, ranks)]
    out = zeros(batch + (sum(b[0] for b in blocks), sum(b[1] for b in blocks)), dtype=dtype)
    r = c = 0
    for x, (h, w) in zip(xs, blocks):
        setitem(out, (Ellipsis, slice(r, r + h), slice(c, c + w)), xp.reshape(x, batch + (h, w)))
        r, c = r + h, c + w
    return out


def _block_grad(g, out, *xs, i):
    """block_diag_backward: input i's block of grad (two slices), a vector's or a number's with its
    trailing size-1 dims squeezed (a vector's (1, n) block the engine then sums to (n,))."""
    blocks = [_block_shape(tuple(x.shape)) for x in xs]
    r, c = sum(b[0] for b in blocks[:i]), sum(b[1] for b in blocks[:i])
    (h, w), rank = blocks[i], len(xs[i].shape)
    if rank == 1 and xs[i].shape[0] == 0:
        return zeros((0,), dtype=(g.data if type(g) is Tensor else g).dtype)
    piece = slice_(slice_(g, 0, r, r + h, 1), 1, c, c + w, 1)
    for _ in range(2 - rank):
        piece = squeeze(piece, -1)
    return piece


def _block_tangent(ts, out, *xs):
    """block_diag_jvp: the tangents (zeros for an input without one) laid out as the inputs are."""
    given = next(t for t in ts if t is not None)
    nb = len(given.shape) - len(next(x for x, t in zip(xs, ts) if t is not None).shape)
    batch = tuple(given.shape[:nb])
    parts = [t if t is not None else zeros(batch + tuple(x.shape), dtype=out.dtype) for t, x in zip(ts, xs)]
    if any(type(t) is Tensor for t in parts):
        return _joined_blocks(parts, xs, batch, out.dtype)
    return _placed(parts, tuple(len(x.shape) for x in xs), out.dtype)


def _joined_blocks(parts, xs, batch, dtype):
    """Tangents that are tensors laid out as blocks by recorded ops: each a row of zeros, itself and
    zeros (cat), the rows one under the other."""
    blocks = [_block_shape(tuple(x.shape)) for x in xs]
    width, rows, c = sum(b[1] for b in blocks), [], 0
    for t, (h, w) in zip(parts, blocks):
        t = reshape(t if type(t) is Tensor else Tensor(t), batch + (h, w))
        pieces = [Tensor(zeros(batch + (h, n), dtype=dtype)) for n in (c, width - c - w)]
        rows.append(apply(CAT, pieces[0], t, pieces[1], dim=len(batch) + 1))
        c += w
    return apply(CAT, *rows, dim=len(batch))


def block_diag(*xs):
    return apply(BLOCK_DIAG, *xs) if any(type(x) is Tensor for x in xs) else _block_diag(*xs)


BLOCK_DIAG = Op("BlockDiagBackward0", _block_diag, (_block_grad,),
                ("block_diag_backward(grad, to_args_sizes(tensors), to_args_scalartypes(tensors))",), saves=False,
                variadic=True, jvps=_block_tangent)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line
