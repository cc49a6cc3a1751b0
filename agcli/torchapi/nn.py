"""PyTorch's neural-network functions: softmax, log_softmax and the losses."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import getitem, item, kind, xp
from ..engine.ops import nn as N
from ..engine.ops import pointwise as P
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from .arithmetic import mul, neg
from .checks import broadcast_shapes, dim_index, fail, ndim_of, numel, shape_of
from .dtypes import dtype_of
from .reductions import sum


def _converted(x, dtype):
    """softmax's `dtype=`: the input converted first (ToCopyBackward0), as PyTorch does."""
    name = dtype_of(dtype)
    return x if name is None or type(x) is not Tensor else S.to_dtype(x, B.dtype(name))



def softmax(x, dim=None, dtype=None):
    return apply(N.SOFTMAX, _converted(x, dtype), dim=_implicit_dim(x, dim))


def log_softmax(x, dim=None, dtype=None):
    return apply(N.LOG_SOFTMAX, _converted(x, dtype), dim=_implicit_dim(x, dim))


def _implicit_dim(x, dim):
    if dim is None:   # PyTorch's legacy rule for a missing dim
        n = ndim_of(x)
        return 0 if n in (0, 1, 3) else 1
    return dim_index(dim, ndim_of(x))


_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction):
    if reduction not in _REDUCTIONS:
        fail(f"{reduction} is not a valid value for reduction", "type")
    return reduction


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    if weight is not None or pos_weight is not None:
        fail("binary_cross_entropy_with_logits: weight and pos_weight are not supported by agcli", "type")
    if shape_of(input) != shape_of(target):
        fail(f"Target size (torch.Size([{', '.join(map(str, shape_of(target)))}])) must be the same as input "
             f"size (torch.Size([{', '.join(map(str, shape_of(input)))}]))", "shape")
    return apply(N.BCE_LOGITS, input, target, reduction=_reduction(reduction))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    try:
        return apply(N.MSE_LOSS, input, target, reduction=_reduction(reduction))
    except ValueError:
        broadcast_shapes(shape_of(input), shape_of(target))
        raise


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    if weight is not None:
        fail("nll_loss: weight is not supported by agcli", "type")
    x, t_ = data(input), data(target)
    if getattr(t_, "dtype", None) is None or B.dtype_name(t_.dtype) not in ("int64", "uint8"):
        kind = torch_type_name(t_.dtype) if hasattr(t_, "dtype") else type(t_).__name__
        fail(f"expected target dtype to be Long or Byte, but got {kind}", "type")
    if x.ndim not in (1, 2):
        fail(f"Expected 1 or 2 dimensions for input (got {x.ndim})", "shape")
    n = x.shape[0] if x.ndim == 2 else None
    if x.ndim == 2 and (t_.ndim != 1 or t_.shape[0] != n):
        fail(f"Expected input batch_size ({n}) to match target batch_size ({t_.shape[0] if t_.ndim else 0}).",
             "shape")
    bad = (t_ != ignore_index) & ((t_ < 0) | (t_ >= x.shape[-1]))
    if bool(xp.any(bad)):
        fail(f"Target {item(getitem(t_, bad)[0])} is out of bounds.", "index")       # an IndexError
    return apply(N.NLL_LOSS, input, target, reduction=_reduction(reduction), ignore_index=ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    if label_smoothing:
        fail("cross_entropy: label_smoothing is not supported by agcli", "type")
    class_dim = 1 if ndim_of(input) >= 2 else 0
    if shape_of(input) == shape_of(target):   # class probabilities, as PyTorch assumes for equal shapes
        if kind(data(target).dtype) != "f":
            fail(f"Expected floating point type for target with class probabilities, got "
                 f"{torch_type_name(data(target).dtype)}",
                 "type")
        if ignore_index >= 0:
            fail("ignore_index is not supported for floating point target", "type")
        reduction = _reduction(reduction)
        nll = neg(sum(mul(log_softmax(input, class_dim), target), class_dim if reduction == "none" else None))
        if reduction == "mean":
            n = numel(shape_of(input)) // shape_of(input)[class_dim]
            return apply(P.DIV_SCALAR, nll, n)
        return nll
    return nll_loss(log_softmax(input, 1 if ndim_of(input) >= 2 else 0), target,
                    ignore_index=ignore_index, reduction=reduction)
