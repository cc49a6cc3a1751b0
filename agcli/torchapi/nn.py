"""PyTorch's neural-network functions: softmax, log_softmax, softplus and the losses."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import getitem, item, kind, xp
from ..engine.ops import nn as N
from ..engine.ops import pointwise as P
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .arithmetic import mul, neg
from .checks import broadcast_shapes, dim_index, fail, ndim_of, numel, requires_grad, shape_of
from .dtypes import dtype_of, result_type
from .reductions import sum


def _converted(x, dtype):
    """softmax's `dtype=`: the input converted first (ToCopyBackward0), as PyTorch does."""
    name = dtype_of(dtype)
    return x if name is None or type(x) is not Tensor else S.to_dtype(x, B.dtype(name))



def softmax(x, dim=None, dtype=None):
    dim = _implicit_dim(x, dim)
    if dtype is None:
        _floating(x, _softmax_kernel("softmax", x, dim))
    return apply(N.SOFTMAX, _converted(x, dtype), dim=dim)


def log_softmax(x, dim=None, dtype=None):
    dim = _implicit_dim(x, dim)
    if dtype is None:
        _floating(x, _softmax_kernel("log_softmax", x, dim))
    return apply(N.LOG_SOFTMAX, _converted(x, dtype), dim=dim)


def _softmax_kernel(name, x, dim):
    """The CPU kernel PyTorch's dispatch error names: one for the last dim, one for the others."""
    return f"{name}_lastdim_kernel_impl" if dim == max(ndim_of(x) - 1, 0) else f"{name}_kernel_impl"


def _implicit_dim(x, dim):
    if dim is None:   # PyTorch's legacy rule for a missing dim
        n = ndim_of(x)
        return 0 if n in (0, 1, 3) else 1
    return dim_index(dim, ndim_of(x))


_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction):
    if reduction not in _REDUCTIONS:
        fail(f"{reduction} is not a valid value for reduction", "value")
    return reduction


def _legacy_reduction(size_average, reduce):
    """The deprecated size_average= / reduce= as PyTorch maps them, with its warning."""
    reduction = "mean" if size_average in (None, True) and reduce in (None, True) else \
        "sum" if reduce in (None, True) else "none"
    state.warn(f"UserWarning: size_average and reduce args will be deprecated, please use reduction='{reduction}' "
               f"instead.")
    return reduction


def _number(value, function, name):
    """A Scalar argument (softplus's beta): a number, or a one-element tensor's value."""
    if type(value) is bool:
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if type(value) is Tensor and value.data.ndim == 0:
        return item(value.data)
    fail(f"{function}(): argument '{name}' must be Number, not {type(value).__name__}", "type")


def _floating(x, kernel):
    """PyTorch's dispatch error for a kernel that has no integer version."""
    dtype = getattr(data(x), "dtype", None)
    if dtype is not None and kind(dtype) != "f":
        fail(f'"{kernel}" not implemented for \'{torch_type_name(dtype)}\'', "not_implemented")


def softplus(input, beta=1, threshold=20):
    beta, threshold = _number(beta, "softplus", "beta"), _number(threshold, "softplus", "threshold")
    _floating(input, "softplus_cpu")
    return apply(N.SOFTPLUS, input, beta=beta, threshold=threshold)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    reduction = _reduction(reduction)
    for v in (target, input, weight):
        if v is not None and type(v) is not Tensor:      # PyTorch reads target.size() first
            fail(f"'{type(v).__name__}' object has no attribute 'size'", "attribute")
    if shape_of(target) != shape_of(input):
        fail(f"Using a target size ({_size_text(shape_of(target))}) that is different to the input size "
             f"({_size_text(shape_of(input))}) is deprecated. Please ensure they have the same size.", "value")
    if weight is not None:
        shape = _broadcast_sizes(shape_of(target), shape_of(weight))
        if state.grad_enabled and requires_grad(weight):
            fail("The function 'binary_cross_entropy' is not differentiable with respect to argument 'weight'. "
                 "This input cannot have requires_grad True.")
    x, t = data(input), data(target)
    if x.dtype != t.dtype:
        fail(f"Found dtype {torch_type_name(t.dtype)} but expected {torch_type_name(x.dtype)}")
    _floating(input, "binary_cross_entropy")
    if weight is not None:
        if shape != shape_of(input):
            fail(f"output with shape [{', '.join(map(str, shape_of(input)))}] doesn't match the broadcast shape "
                 f"[{', '.join(map(str, shape))}]")
        if kind(weight.data.dtype) != "f":      # loss.mul_(weight) keeps the loss's dtype
            weight = Tensor(B.astype(weight.data, x.dtype), device=weight.device)
    return apply(N.BINARY_CROSS_ENTROPY, input, target, weight, reduction=reduction)


def _broadcast_sizes(target, weight):
    """torch.broadcast_shapes(target.size(), weight.size()), with its message."""
    common = [1] * max(len(target), len(weight))
    for i, shape in enumerate((target, weight)):
        for d in range(-1, -1 - len(shape), -1):
            if common[d] == 1:
                common[d] = shape[d]
            elif shape[d] != 1 and common[d] != shape[d]:
                fail(f"Attempting to broadcast a dimension of length {shape[d]} at {d}! Mismatching argument at "
                     f"index {i} had {_size_text(shape)}; but expected shape should be broadcastable to {common}")
    return tuple(common)


def _size_text(shape):
    return f"torch.Size([{', '.join(map(str, shape))}])"


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    if weight is not None or pos_weight is not None:
        fail("binary_cross_entropy_with_logits: weight and pos_weight are not supported by agcli", "type")
    if shape_of(input) != shape_of(target):
        fail(f"Target size (torch.Size([{', '.join(map(str, shape_of(target)))}])) must be the same as input "
             f"size (torch.Size([{', '.join(map(str, shape_of(input)))}]))", "value")    # F's ValueError
    _floating(input, "log_sigmoid_cpu")
    t = getattr(data(target), "dtype", None)
    if t is not None and kind(t) != "f":
        fail(f"result type {torch_type_name(data(input).dtype)} can't be cast to the desired output type "
             f"{torch_type_name(t)}")
    return apply(N.BCE_LOGITS, input, target, reduction=_reduction(reduction))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    if not any(kind(getattr(data(v), "dtype", None) or B.dtype("float64")) == "f" for v in (input, target)):
        fail(f'"mse_cpu" not implemented for \'{torch_type_name(result_type(input, target))}\'', "not_implemented")
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
        fail(f"expected target dtype to be Long or Byte, but got {kind}")
    if x.ndim not in (1, 2):
        fail(f"Expected 1 or 2 dimensions for input (got {x.ndim})", "shape")
    n = x.shape[0] if x.ndim == 2 else None
    if x.ndim == 2 and (t_.ndim != 1 or t_.shape[0] != n):
        fail(f"Expected input batch_size ({n}) to match target batch_size ({t_.shape[0] if t_.ndim else 0}).",
             "shape")
    bad = (t_ != ignore_index) & ((t_ < 0) | (t_ >= x.shape[-1]))
    if bool(xp.any(bad)):
        fail(f"Target {item(getitem(t_, bad)[0])} is out of bounds.", "index")       # an IndexError
    _floating(input, "nll_loss_out_frame")
    return apply(N.NLL_LOSS, input, target, reduction=_reduction(reduction), ignore_index=ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    if label_smoothing:
        fail("cross_entropy: label_smoothing is not supported by agcli", "type")
    class_dim = 1 if ndim_of(input) >= 2 else 0
    if shape_of(input) == shape_of(target):   # class probabilities, as PyTorch assumes for equal shapes
        if kind(data(target).dtype) != "f":
            fail(f"Expected floating point type for target with class probabilities, got "
                 f"{torch_type_name(data(target).dtype)}")
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
