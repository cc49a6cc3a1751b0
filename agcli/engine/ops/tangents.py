"""Forward-mode helpers of the reductions and scans (engine/ops/reductions.py,
scans.py): their rules (`jvps`) call these on a tangent of shape
(*batch, *input.shape), reduce the input's dims and keep the batch dims in
front. derivatives.yaml's formulas, named as FunctionsManual.cpp names them.

Raw tangents compute directly; a tensor tangent (one with a graph: reverse
over forward mode) is reduced with shapes' recorded sum_to, so this module
needs no op of the reductions (which import it).
"""
from __future__ import annotations

from ..backend import arange, astype, getitem, reduce_sum, xp
from ..backend import diagonal as diagonal_view
from ..tensor import Tensor, apply, data
from .pointwise import ABS, div, exp, masked_fill, mul, pow, sgn, sub, where
from .shapes import diagonal, expand, index, reshape, sum_to, transpose, unsqueeze


def lead(t, x) -> int:
    """How many batch dims the tangent t of input x carries."""
    return len(t.shape) - len(getattr(x, "shape", ()))


def reduced(dim, x, empty_is_all=True) -> tuple:
    """The input dims a reduction reduces, non-negative and sorted (None: all)."""
    n = len(x.shape)
    if dim is None or (empty_is_all and dim == ()):
        return tuple(range(n))
    dims = (dim,) if type(dim) is int else tuple(dim)
    return tuple(sorted(d % n for d in dims)) if n else ()


def summed(t, x, dims, keepdim=False):
    """t summed over input dims `dims`, the batch dims kept."""
    nb = lead(t, x)
    axes = tuple(d + nb for d in dims)
    if not axes:
        return t
    if type(t) is not Tensor:
        return reduce_sum(t, axis=axes, keepdims=keepdim)
    kept = tuple(1 if i in axes else n for i, n in enumerate(t.shape))
    s = sum_to(t, kept)
    return s if keepdim else reshape(s, tuple(n for i, n in enumerate(t.shape) if i not in axes))


def kept(a, x, dims, keepdim):
    """A reduction's result with its reduced dims back as size 1 (restore_reduced_dims)."""
    if keepdim:
        return a
    shape = tuple(1 if i in dims else n for i, n in enumerate(x.shape))
    return reshape(a, shape) if type(a) is Tensor else xp.reshape(a, shape)


def evenly_read(t, out, x):
    """max()/min() (evenly_read_jvp): sum(mask * (t / count)), mask where self == result."""
    hit = data(x) == data(out)
    share = div(t, int(xp.count_nonzero(hit)))
    return summed(mul(_as(hit, share), share), x, reduced(None, x))


def amaxamin(t, out, x, dim, keepdim):
    """amaxamin_jvp: where(self == result, t, 0).sum(dim) / (self == result).sum(dim)."""
    dims = reduced(dim, x)
    hit = data(x) == data(kept(out, x, dims, keepdim))
    count = reduce_sum(astype(hit, data(out).dtype), axis=dims, keepdims=keepdim)
    return div(summed(where(hit, t, 0.0), x, dims, keepdim), count)


def gathered(t, x, order, dim, keepdim=True):
    """gather_with_keepdimed_indices: t at `order` along dim (order has x's dims; its
    size along dim may be 1: an argmax kept)."""
    nb = lead(t, x)
    axis = dim % max(len(x.shape), 1) + nb
    shape = tuple(t.shape)
    order = xp.broadcast_to(xp.reshape(order, (1,) * nb + tuple(order.shape)),
                            shape[:axis] + (order.shape[axis - nb],) + shape[axis + 1:])
    if type(t) is not Tensor:
        picked = xp.take_along_axis(t, order, axis=axis)
    else:       # the same places as an advanced index (IndexBackward0)
        key = tuple(order if i == axis else xp.reshape(arange(n), tuple(n if j == i else 1 for j in range(len(shape))))
                    for i, n in enumerate(shape))
        picked = index(t, key)
    if keepdim:
        return picked
    return reshape(picked, tuple(n for i, n in enumerate(picked.shape) if i != axis))


def vector_norm(t, out, x, ord, dim, keepdim):
    """norm_jvp, by the order's case as PyTorch's (a zero norm: a zero tangent)."""
    dims = reduced(dim, x)
    if ord == 0:
        return summed(mul(t, 0.0), x, dims, keepdim)
    if ord == 1:
        return summed(mul(sgn(x), t), x, dims, keepdim)
    norm_zero = data(out) == 0
    if ord == 2:
        return masked_fill(div(summed(mul(x, t), x, dims, keepdim), out), norm_zero, 0)
    if ord == float("inf"):
        a, norm = data(x), data(kept(out, x, dims, keepdim))
        top = astype((xp.abs(a) == norm) | (xp.isnan(a) & xp.isnan(norm)), a.dtype)
        count = xp.sum(top != 0, axis=dims, keepdims=True)
        return summed(div(mul(mul(sgn(x), t), top), count), x, dims, keepdim)
    if ord < 1:
        powed = masked_fill(pow(_abs(x), ord - 1), data(x) == 0, 0)
        return mul(summed(mul(powed, mul(sgn(x), t)), x, dims, keepdim), pow(out, 1 - ord))
    if ord < 2:
        sumpow = summed(mul(pow(_abs(x), ord - 1), mul(sgn(x), t)), x, dims, keepdim)
    else:
        sumpow = summed(mul(pow(_abs(x), ord - 2), mul(x, t)), x, dims, keepdim)
    return masked_fill(div(sumpow, pow(out, ord - 1)), norm_zero, 0)


def logsumexp(t, x, dim, keepdim):
    """logsumexp_jvp: (exp(self - amax) * t).sum(dim) / exp(self - amax).sum(dim)."""
    dims = reduced(dim, x)
    a = data(x)
    top = xp.max(a, axis=dims, keepdims=True) if a.size else 0.0
    e = exp(sub(x, top))
    return div(summed(mul(e, t), x, dims, keepdim), summed(e, x, dims, keepdim))


def traced(t, x):
    """trace(t) of each tangent: the sum of the diagonal of its last two dims."""
    nb = lead(t, x)
    if type(t) is not Tensor:
        return reduce_sum(diagonal_view(t, 0, nb, nb + 1), axis=-1)
    d = diagonal(t, 0, nb, nb + 1)
    return reshape(sum_to(d, tuple(d.shape[:-1]) + (1,)), tuple(d.shape[:-1]))


def running_sum(v, axis):
    """cumsum along axis (float32 summed in double, as PyTorch's CPU kernel); on a tensor, as
    recorded sums of a masked copy per position (the graph path is rare, its size n² fine)."""
    if type(v) is not Tensor:
        if v.dtype == xp.float32:
            return astype(xp.cumulative_sum(astype(v, "float64"), axis=axis), v.dtype)
        return xp.cumulative_sum(v, axis=axis)
    shape = tuple(v.shape)
    n, last = shape[axis], len(shape)

    def along(a):
        return xp.reshape(arange(n), tuple(n if i == a else 1 for i in range(last + 1)))
    terms = where(along(axis) <= along(last), expand(unsqueeze(v, last), shape + (n,)), 0.0)
    total = sum_to(terms, tuple(1 if i == axis else s for i, s in enumerate(shape + (n,))))
    return reshape(transpose(total, axis, last), shape)


def cumprod(t, x, out, dim, cumprod_):
    """cumprod_jvp: (t / self).cumsum(dim) * result where no element is 0; from the first 0 on,
    where(first zero, t, self).cumprod(dim) (cumprod_: the scans' primitive)."""
    a = data(x)
    nb = lead(t, x)
    if a.ndim == 0:
        return where(a == 0, t, mul(div(t, x), out))
    d = dim % a.ndim
    gradient = mul(running_sum(div(t, x), d + nb), out)
    zeros = a == 0
    if not xp.any(zeros):
        return gradient
    first = zeros & (xp.cumulative_sum(astype(zeros, "int64"), axis=d) == 1)
    after = xp.cumulative_sum(astype(first, "int64"), axis=d) != 0
    return where(after, cumprod_(where(first, t, x), d + nb), gradient)


def _as(mask, like):
    """A boolean mask as 0/1 numbers in like's dtype (a raw array: it needs no gradient)."""
    return astype(mask, data(like).dtype)


def _abs(x):
    return apply(ABS, x) if type(x) is Tensor else xp.abs(x)


# ---------------------------------------------------------------- losses
def loss_reduced(part, x, reduction):
    """apply_loss_reduction of an elementwise tangent: its mean or sum over the input's dims."""
    if reduction == "none":
        return part
    total = summed(part, x, reduced(None, x))
    return div(total, int(data(x).size)) if reduction == "mean" else total


def nll(t, out, x, target, reduction, ignore_index, weight=None):
    """nll_loss_forward(self_t, target, weight, ...): -t [* weight] at each target's class (batch dims in front)."""
    nb, a = lead(t, x), data(x)
    targets = astype(xp.reshape(data(target), (-1,)), "int64")
    keep = targets != ignore_index
    if a.ndim == 1:                     # one sample: (C,) as (1, C)
        t = reshape(t, tuple(t.shape[:nb]) + (1,) + tuple(a.shape))
    rows, cols = arange(targets.shape[0]), xp.where(keep, targets, 0)
    scale = astype(keep, a.dtype) if weight is None else xp.where(keep, getitem(astype(weight, a.dtype), cols), 0)
    picked = mul(index(t, (slice(None),) * nb + (rows, cols)), -scale)
    if reduction == "none":
        return picked if a.ndim == 2 else reshape(picked, tuple(picked.shape[:nb]))
    total = summed(picked, keep, (0,))
    if reduction == "sum":
        return total
    return div(total, astype(xp.sum(astype(keep, "int64")), a.dtype) if weight is None else reduce_sum(scale))
