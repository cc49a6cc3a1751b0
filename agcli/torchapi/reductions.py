"""PyTorch's reductions: sum, mean, max/min, amax/amin, norm, logsumexp,
with their `dim`, `keepdim` and `dtype` arguments checked as PyTorch does."""
from __future__ import annotations

import operator

from ..engine import backend as B
from ..engine.backend import asarray, itemsize, kind, xp
from ..engine.ops import reductions as R
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .arithmetic import maximum, minimum
from .checks import dim_index, dims_tuple, fail, ndim_of
from .dtypes import dtype_of


def _accumulating(x, dtype):
    """The dtype a reduction computes in when `dtype=` asks for one (None: the input's).

    PyTorch records no conversion node for it: the op itself runs in that
    dtype and the gradient returns in the input's dtype."""
    name = dtype_of(dtype)
    if name is None:
        return None
    if kind(B.dtype(name)) != "f" and state.grad_enabled and type(x) is Tensor and x.requires_grad:
        fail(f"Autograd not support dtype: {torch_type_name(name)}")
    return B.dtype(name)


def _reduce(op_all, op_dim, x, dim, keepdim, cast=None):
    if dim is None:
        return apply(op_all, x, cast=cast)
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        if not keepdim:
            return apply(op_all, x, cast=cast)
        return apply(op_dim, x, dim=tuple(range(ndim_of(x))), keepdim=True, cast=cast)
    return apply(op_dim, x, dim=dims_tuple(dim, ndim_of(x)), keepdim=bool(keepdim), cast=cast)


def sum(x, dim=None, keepdim=False, dtype=None):
    cast = _accumulating(x, dtype)
    if cast is None and type(x) is Tensor and kind(x.data.dtype) == "b":
        cast = B.dtype("int64")                # bools are counted, as integers
    return _reduce(R.SUM, R.SUM_DIM, x, dim, keepdim, cast)


def mean(x, dim=None, keepdim=False, dtype=None):
    cast = _accumulating(x, dtype)
    if cast is not None:
        if kind(cast) != "f":
            fail(f"mean(): could not infer output dtype. Optional dtype must be either a floating point or "
                 f"complex dtype. Got: {torch_type_name(cast)}")
    else:
        have = asarray(data(x)).dtype      # mean(2.) is a number's mean, as sum(2) is its sum
        if kind(have) != "f":
            fail(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                 f"complex dtype. Got: {torch_type_name(have)}")
    return _reduce(R.MEAN, R.MEAN_DIM, x, dim, keepdim, cast)


class ValuesIndices(tuple):
    """What max(dim)/min(dim) return: a (values, indices) pair with names
    (`function`: which, as torch.return_types names it)."""

    values = property(operator.itemgetter(0))
    indices = property(operator.itemgetter(1))

    def __new__(cls, pair, function="max"):
        self = super().__new__(cls, pair)
        self.function = function
        return self


def _extreme(op_all, op_dim, arg, name, x, dim=None, keepdim=False, other=None):
    if type(dim) is Tensor or type(other) is Tensor:
        return (maximum if name == "max" else minimum)(x, dim if type(dim) is Tensor else other)
    if dim is None:
        if data(x).size == 0:
            fail(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                 "Specify the reduction dim with the 'dim' argument.", "shape")
        return apply(op_all, x)
    d = dim_index(dim, ndim_of(x))
    values = apply(op_dim, x, dim=d, keepdim=bool(keepdim))
    idx = arg(data(x), axis=d)
    if keepdim:
        idx = xp.expand_dims(idx, axis=d)
    return ValuesIndices((values, Tensor(asarray(idx, dtype="int64"), device=getattr(x, "device", "cpu"))), name)


def max(x, dim=None, keepdim=False, other=None):
    return _extreme(R.AMAX_ALL, R.MAX_DIM, xp.argmax, "max", x, dim, keepdim, other)


def min(x, dim=None, keepdim=False, other=None):
    return _extreme(R.AMIN_ALL, R.MIN_DIM, xp.argmin, "min", x, dim, keepdim, other)


def _arg(arg, x, dim, keepdim):
    """argmax/argmin: the index, over all (flattened) or along dim; no gradient."""
    a = data(x)
    if dim is None:
        return Tensor(asarray(arg(xp.reshape(a, (-1,))), dtype="int64"), device=getattr(x, "device", "cpu"))
    d = dim_index(dim, ndim_of(x))
    idx = arg(a, axis=d)
    if keepdim:
        idx = xp.expand_dims(idx, axis=d)
    return Tensor(asarray(idx, dtype="int64"), device=getattr(x, "device", "cpu"))


def argmax(x, dim=None, keepdim=False):
    return _arg(xp.argmax, x, dim, keepdim)


def argmin(x, dim=None, keepdim=False):
    return _arg(xp.argmin, x, dim, keepdim)


def _amax_amin(op, x, dim, keepdim):
    dims = tuple(range(ndim_of(x))) if isinstance(dim, (tuple, list)) and len(dim) == 0 \
        else dims_tuple(dim, ndim_of(x))
    return apply(op, x, dim=dims, keepdim=bool(keepdim))


def amax(x, dim=(), keepdim=False):
    return _amax_amin(R.AMAX, x, dim, keepdim)


def amin(x, dim=(), keepdim=False):
    return _amax_amin(R.AMIN, x, dim, keepdim)


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    ord = 2 if p in ("fro", 2, 2.0, None) else p
    if not isinstance(ord, (int, float)) or isinstance(ord, bool) or ord <= 0:
        fail(f"norm: p={p!r} is not supported by agcli (use 1, 2, a positive number or inf)", "type")
    cast = None
    if dtype is not None:
        cast, have = B.dtype(dtype_of(dtype)), asarray(data(x)).dtype
        if kind(cast) != "f" or kind(have) == "f" and itemsize(cast) < itemsize(have):
            fail(f"linalg.vector_norm: the dtype of the input ({torch_type_name(have)}) should be convertible "
                 f"without narrowing to the specified dtype ({torch_type_name(cast)})")
    dims = None if dim is None else dims_tuple(dim, ndim_of(x))
    return apply(R.NORM, x, ord=ord, dim=dims, keepdim=bool(keepdim), cast=cast)


def logsumexp(x, dim, keepdim=False):
    return apply(R.LOGSUMEXP, x, dim=dims_tuple(dim, ndim_of(x)), keepdim=bool(keepdim))
