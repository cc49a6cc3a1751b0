"""Ops that arrange their input's values anew: linalg.cross (the cross product along a dim of size 3),
diag_embed (vectors laid on the diagonals of new matrices) and rot90 (a quarter turn in a plane).
Each entry: grad_fn name, kernel, one rule per input, the rules in words (derivatives.yaml).
Their dims reach the kernels counted from the end (negative), so a batch of tangents in front
of them changes nothing."""
from __future__ import annotations

from ..backend import arange, clone, getitem, kind, xp, zeros
from ..fma import fma
from ..op import Op
from ..tensor import Tensor, apply
from .shapes import diagonal


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
           jvps=(lambda t, out, a, b, dim: cross(t, b, dim), lambda t, out, a, b, dim: cross(a, t, dim)))


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


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line
