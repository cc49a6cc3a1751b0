"""Functions that give two tensors: std_mean and var_mean (a plain tuple), aminmax
(min, max), cummax/cummin, kthvalue and mode (values, indices), with PyTorch's checks."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import asarray, kind
from ..engine.ops import ranks as RK
from ..engine.ops import running as RU
from ..engine.ops import twofold as TF
from ..engine.tensor import Tensor, apply, data
from .checks import dim_index, fail, is_int, ndim_of, numel, shape_of
from .reductions import _UNSET, ValuesIndices, moment_params


def std_mean(input, dim=_UNSET, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim, both recorded as StdMeanBackward0."""
    params = moment_params("std_mean", input, dim, unbiased, keepdim, correction)
    return apply(TF.STD_MEAN_STD, input, **params), _mean(TF.STD_MEAN_MEAN, input, params)


def var_mean(input, dim=_UNSET, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim, both recorded as VarMeanBackward0."""
    params = moment_params("var_mean", input, dim, unbiased, keepdim, correction)
    return apply(TF.VAR_MEAN_VAR, input, **params), _mean(TF.VAR_MEAN_MEAN, input, params)


def _mean(op, input, params):
    return apply(op, input, dim=params["dim"], keepdim=params["keepdim"])


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) over dim (None: every element), both recorded as AminmaxBackward0."""
    if dim is not None and not is_int(dim):
        fail(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}", "type")
    if dim is None:
        if numel(shape_of(input)) == 0:
            fail("aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.")
        dims = ()
    else:
        d = dim_index(dim, ndim_of(input))
        if ndim_of(input) and shape_of(input)[d] == 0:
            fail(f"aminmax: Expected reduction dim {d} to have non-zero size.", "index")
        dims = (d,) if ndim_of(input) else ()
    keep = bool(keepdim) if dims or dim is None else True
    a = data(input)
    if kind(a.dtype) == "b":        # (bools: all and any, without a gradient)
        picked = [asarray(f(a, axis=dims or None, keepdims=keep)) for f in (B.xp.all, B.xp.any)]  # (arrays)
        return ValuesIndices(tuple(Tensor(p, device=input.device) for p in picked), "aminmax", ("min", "max"))
    low = apply(TF.AMINMAX_MIN, input, dim=dims, keepdim=keep)
    return ValuesIndices((low, apply(TF.AMINMAX_MAX, input, dim=dims, keepdim=keep)), "aminmax", ("min", "max"))


def cummax(input, dim):
    return _running(RU.CUMMAX, "cummax", True, input, dim)


def cummin(input, dim):
    return _running(RU.CUMMIN, "cummin", False, input, dim)


def _running(op, name, greater, input, dim):
    """(values, indices): the running extreme along dim and where it was taken."""
    if not is_int(dim):
        fail(f"{name}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}", "type")
    d = dim_index(dim, ndim_of(input))
    values = apply(op, input, dim=d)
    order = RU.running_order(asarray(data(input)), d, greater)
    return ValuesIndices((values, _indices(order, input)), name)


def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices): the k-th smallest along dim (KthvalueBackward0), ties picked as
    PyTorch's quickselect picks them."""
    if not is_int(k):
        fail(f"kthvalue(): argument 'k' (position 2) must be int, not {type(k).__name__}", "type")
    if not is_int(dim):
        fail(f"kthvalue(): argument 'dim' (position 3) must be int, not {type(dim).__name__}", "type")
    d = dim_index(dim, ndim_of(input))
    size = shape_of(input)[d] if ndim_of(input) else 1
    if size == 0:
        fail(f"kthvalue(): Expected reduction dim {d} to have non-zero size.", "index")
    if not 1 <= k <= size:
        fail(f"kthvalue(): selected number k out of range for dimension {d}")
    if kind(asarray(data(input)).dtype) == "b":
        fail('"kthvalue_cpu" not implemented for \'Bool\'', "not_implemented")
    values = apply(RK.KTHVALUE, input, k=int(k), dim=d, keepdim=bool(keepdim))
    order = RK.kth_order(asarray(data(input)), int(k), d)
    if not keepdim and ndim_of(input):
        order = B.xp.squeeze(order, axis=d)
    return ValuesIndices((values, _indices(order, input)), "kthvalue")


def _indices(order, input):
    return Tensor(asarray(order, dtype="int64"), device=getattr(input, "device", "cpu"))


def mode(input, dim=-1, keepdim=False):
    """(values, indices): the most frequent value along dim (the smallest among equally frequent
    ones) and where PyTorch's kernel finds it (ModeBackward0)."""
    if not is_int(dim):
        fail(f"mode(): argument 'dim' (position 2) must be int, not {type(dim).__name__}", "type")
    d = dim_index(dim, ndim_of(input))
    if ndim_of(input) and shape_of(input)[d] == 0:
        fail(f"mode(): Expected reduction dim {d} to have non-zero size.", "index")
    values = apply(RK.MODE, input, dim=d, keepdim=bool(keepdim))
    order = RK.mode_order(asarray(data(input)), d)
    if not keepdim and ndim_of(input):
        order = B.xp.squeeze(order, axis=d)
    return ValuesIndices((values, _indices(order, input)), "mode")
