"""Cumulative products and sums: cumprod (CumprodBackward0), which prod's gradient is made
of where the input holds zeros (PyTorch's prod_safe_zeros_backward: each element's
product of the others, as exclusive cumulative products from both ends, without
dividing), and cumsum. Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from .. import cpu_kernels as K
from ..backend import arange, copy, ones, xp
from ..layouts import lay_out, row_major
from ..op import Op
from ..tensor import Tensor, apply, data
from . import tangents as T
from .pointwise import div, mul, where
from .shapes import CAT, expand, flip, slice_, squeeze, sum_to, transpose, unsqueeze
from .layout import row_major_result


def _cumprod(x, dim):
    """Products along dim up to each element, accumulated as PyTorch's CPU kernel does."""
    if x.ndim == 0:
        return copy(x)
    return K.accumulating(lambda a: xp.cumulative_prod(a, axis=dim), x)


def _reversed_cumsum(w, dim):
    """w.flip(dim).cumsum(dim).flip(dim), its sums accumulated as PyTorch's cumsum does (from +0: -0. is 0.)."""
    return K.accumulating(lambda a: xp.flip(xp.cumulative_sum(xp.flip(a, axis=dim), axis=dim) + 0, axis=dim), w)


def _cumprod_grad(g, out, x, dim):
    """Sum over j >= i of grad_j times the product of x_0..x_j without x_i: copy i of x has
    x_i set to 1 (a new last axis), and its cumulative products are those; exact with zeros."""
    shape = tuple(data(x).shape)
    if not shape:
        return g
    if not bool(xp.any(data(x) == 0)):        # PyTorch's formula without zeros (recorded so with create_graph)
        if type(g) is not Tensor:
            return _reversed_cumsum(g * out, dim) / x
        return div(flip(cumsum(flip(mul(out, g), (dim,)), dim), (dim,)), x)
    n, last = shape[dim], len(shape)

    def along(axis):
        return xp.reshape(arange(n), tuple(n if i == axis else 1 for i in range(last + 1)))
    copies = where(along(dim) == along(last), 1.0, expand(unsqueeze(x, last), shape + (n,)))
    terms = where(along(dim) >= along(last), mul(unsqueeze(g, last), cumprod(copies, dim)), 0.0)
    summed = sum_to(terms, tuple(1 if i == dim else s for i, s in enumerate(shape + (n,))))
    return squeeze(transpose(summed, dim, last), last)


CUMPROD = Op("CumprodBackward0", _cumprod, (_cumprod_grad,),
             ("sum over j >= i of grad_j * (self_0 * ... * self_j without self_i)",), saves_out=True,
             jvps=(lambda t, out, x, dim: T.cumprod(t, x, out, dim, cumprod),))


def cumprod(x, dim):
    return apply(CUMPROD, x, dim=dim) if type(x) is Tensor else _cumprod(x, dim)


def _concat(first, second, dim):
    if type(first) is Tensor or type(second) is Tensor:
        return apply(CAT, first, second, dim=dim)
    return xp.concat((first, second), axis=dim)


def prod_safe_zeros(g, x, dim):
    """grad * each element's product of the others along dim (PyTorch's prod_safe_zeros_backward):
    cumprod(cat(1, x[:-1])) * cumprod(cat(1, x[1:].flip())).flip(), recorded with create_graph."""
    shape = tuple(data(x).shape)
    n = shape[dim]
    if n == 1:
        return g
    one = ones(tuple(1 if i == dim else s for i, s in enumerate(shape)), dtype=data(x).dtype)
    left = cumprod(_concat(one, slice_(x, dim, 0, n - 1, 1), dim), dim)
    right = flip(cumprod(_concat(one, flip(slice_(x, dim, 1, n, 1), (dim,)), dim), dim), (dim,))
    return mul(g, mul(left, right))


# ------------------------------------------------------------ cumsum
def _cumsum(x, dim):
    if x.ndim == 0:
        return xp.reshape(_cumsum(xp.reshape(x, (1,)), 0), ())
    return K.accumulating(lambda a: xp.cumulative_sum(a, axis=dim) + 0, x)    # (+ 0: PyTorch's sum starts at +0: -0. is 0.)


def _cumsum_grad(g, out, x, dim):
    """cumsum_backward: the sums from the end, grad.flip(dim).cumsum(dim).flip(dim)."""
    shape = data(x).shape
    if not shape or shape[dim] == 1:
        return g
    return flip(cumsum(flip(g, (dim,)), dim), (dim,))


CUMSUM = Op("CumsumBackward0", row_major_result(_cumsum), (_cumsum_grad,),
             ("grad.flip(dim).cumsum(dim).flip(dim)",), saves=False,
             jvps=(lambda t, out, x, dim: cumsum(t, dim % max(x.ndim, 1) + T.lead(t, x)),))


def cumsum(x, dim):
    return apply(CUMSUM, x, dim=dim) if type(x) is Tensor else _cumsum(x, dim)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does


# at::empty of the shape holds these ops' results: row-major (engine/layouts.py).
lay_out(row_major, CUMPROD)
