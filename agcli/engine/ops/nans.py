"""A reduction that skips nans: nansum (NansumBackward0; nanmean is nansum over a count,
torchapi/reductions.py). Its rule is derivatives.yaml's nansum_backward: the gradient spread
back, zero where the input is nan."""
from __future__ import annotations

from ..backend import reduce_sum, xp
from ..layouts import lay_out, row_major
from ..op import Op
from ..tensor import data
from . import tangents as T
from .pointwise import mask, mul
from .reductions import keep_dims
from .shapes import expand


def _nansum(x, dim, keepdim):
    """x summed over dim as sum adds, nans counted as 0."""
    return reduce_sum(xp.where(xp.isnan(x), xp.zeros_like(x), x), axis=dim, keepdims=keepdim)


def _nansum_grad(g, out, x, dim, keepdim):
    """sum_backward(grad, self.sizes(), dim, keepdim) * self.isnan().logical_not()"""
    shape = data(x).shape
    spread = expand(keep_dims(g, dim, keepdim), shape)
    return mul(spread, mask(~xp.isnan(data(x)), spread))


NANSUM = Op("NansumBackward0", _nansum, (_nansum_grad,),
            ("sum_backward(grad, self.sizes(), dim, keepdim) * self.isnan().logical_not()",),
            jvps=(lambda t, out, x, dim, keepdim: T.summed(mul(t, mask(~xp.isnan(data(x)), t)), x, dim, keepdim),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare  # noqa: E402  (after the entries)

declare(LOOP, NANSUM)


# at::empty of the shape holds nansum's result: row-major (engine/layouts.py).
lay_out(row_major, NANSUM)
