"""PyTorch's functional losses (torch.nn.functional), each as PyTorch 2.13 computes it:
the ops it records (a loss PyTorch composes from smaller ops, such as l1_loss's
MeanBackward0 over AbsBackward0 over SubBackward0, is composed from the same ops
here, so the graph is PyTorch's), reduction='mean'|'sum'|'none', the legacy
size_average/reduce, and PyTorch's checks in its words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import getitem, item, kind, xp
from ..engine.ops import losses as L
from ..engine.ops import nn as N
from ..engine.ops import pointwise as P
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .arithmetic import abs, add, divide, eq, masked_fill, mul, neg, pow, subtract
from .checks import broadcast_shapes, fail, ndim_of, numel, requires_grad, shape_of
from .dtypes import result_type
from .nn import _floating, _legacy_reduction, _reduction, _size_text, log_softmax
from .reductions import mean, sum
from .shaping import expand, view


def _size_warning(input, target):
    """F's UserWarning when the target's size differs from the input's (they broadcast)."""
    if shape_of(target) != shape_of(input):
        state.warn(f"UserWarning: Using a target size ({_size_text(shape_of(target))}) that is different to the "
                   f"input size ({_size_text(shape_of(input))}). This will likely lead to incorrect results due to "
                   f"broadcasting. Please ensure they have the same size.")


def _argument(value, function, name, position, want):
    """PyTorch's argument parser: a Tensor (None allowed), float or int argument of the C++ function."""
    if want == "Tensor":
        fits = value is None or type(value) is Tensor
    elif want == "float":
        fits = isinstance(value, (int, float)) and not isinstance(value, bool) or \
            type(value) is Tensor and value.data.ndim == 0
    else:
        fits = isinstance(value, int) and not isinstance(value, bool)
    if not fits:
        fail(f"{function}(): argument '{name}' (position {position}) must be {want}, not {type(value).__name__}",
             "type")
    return float(item(value.data)) if type(value) is Tensor and want == "float" else value


def _has_size(weight):
    """F reads weight.size(): anything but a tensor has none."""
    if type(weight) is not Tensor:
        fail(f"'{type(weight).__name__}' object has no attribute 'size'", "attribute")


def _broadcast(input, target):
    """torch.broadcast_tensors(input, target): an ExpandBackward0 only where a shape changes."""
    shape = broadcast_shapes(shape_of(input), shape_of(target))
    return tuple(x if shape_of(x) == shape else expand(x, shape) for x in (input, target))


def _promoted(x, y):
    """The kernel's operands in their promoted dtype: an integer one converted (no node: it has no
    gradient), as TensorIterator computes a float loss of an integer target."""
    common = result_type(x, y)
    return tuple(Tensor(B.astype(data(v), common), device=v.device)
                 if kind(data(v).dtype) != "f" and kind(common) == "f" else v for v in (x, y))


def _weighted(loss, weight, input, reduction):
    """F's weighted l1/mse/huber: the elementwise loss times the weight, reduced as F reduces it."""
    _has_size(weight)
    if shape_of(weight) != shape_of(input):
        fail("Weights and input must have the same size.", "value")
    weighted = mul(loss, weight)
    if reduction not in ("none", "sum", "mean"):
        fail(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.", "value")
    return weighted if reduction == "none" else sum(weighted) if reduction == "sum" else weighted


def _pointwise_loss(input, target, size_average, reduce, reduction, legacy=True):
    for v in (target, input):
        if type(v) is not Tensor:      # F reads target.size() first
            fail(f"'{type(v).__name__}' object has no attribute 'size'", "attribute")
    _size_warning(input, target)
    if legacy and (size_average is not None or reduce is not None):
        reduction = _legacy_reduction(size_average, reduce)
    return reduction


def _reduced(loss, reduction):
    """apply_loss_reduction: mean() or sum() of the elementwise loss."""
    reduction = _reduction(reduction)
    return mean(loss) if reduction == "mean" else sum(loss) if reduction == "sum" else loss


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _pointwise_loss(input, target, size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    loss = abs(subtract(x, y))
    if weight is not None:
        return _weighted_mean(loss, weight, input, reduction)
    if reduction == "mean" and kind(data(loss).dtype) != "f":
        fail(f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
             f"Got: {torch_type_name(data(loss).dtype)}")
    return _reduced(loss, reduction)


def _weighted_mean(loss, weight, input, reduction):
    """l1/mse with weight=: a mean is the weighted sum over the sum of the weights."""
    weighted = _weighted(loss, weight, input, reduction)
    return divide(sum(weighted), sum(weight)) if reduction == "mean" else weighted


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _pointwise_loss(input, target, size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    if weight is not None:
        return _weighted_mean(pow(subtract(x, y), 2), weight, input, reduction)
    if not any(kind(data(v).dtype) == "f" for v in (x, y)):
        fail(f'"mse_cpu" not implemented for \'{torch_type_name(result_type(x, y))}\'', "not_implemented")
    return apply(N.MSE_LOSS, *_promoted(x, y), reduction=_reduction(reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    reduction = _pointwise_loss(input, target, size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    beta = _argument(beta, "smooth_l1_loss", "beta", 4, "float")
    if beta == 0.0:
        return l1_loss(x, y, reduction=reduction)
    reduction = _reduction(reduction)
    if beta < 0:
        fail("smooth_l1_loss does not support negative values for beta.")
    _floating(x, "smooth_l1_cpu")
    return apply(L.SMOOTH_L1_LOSS, *_promoted(x, y), reduction=reduction, beta=float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _pointwise_loss(input, target, None, None, reduction, legacy=False)
    x, y = _broadcast(input, target)
    if weight is None:
        return _huber(x, y, _reduction(reduction), delta)
    _has_size(weight)
    if shape_of(weight) != shape_of(input):
        fail("Weights and input must have the same size.", "value")
    weighted = _weighted(_huber(x, y, "none", delta), weight, input, reduction)
    return mean(weighted) if reduction == "mean" else weighted


def _huber(x, y, reduction, delta):
    delta = _argument(delta, "huber_loss", "delta", 4, "float")
    if delta <= 0:
        fail("huber_loss does not support non-positive values for delta.")
    _floating(x, "huber_cpu")
    return apply(L.HUBER_LOSS, *_promoted(x, y), reduction=reduction, delta=float(delta))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    reduction = _reduction(reduction)
    if shape_of(input) != shape_of(target):
        fail(f"Target size ({_size_text(shape_of(target))}) must be the same as input size "
             f"({_size_text(shape_of(input))})", "value")    # F's ValueError
    _argument(weight, "binary_cross_entropy_with_logits", "weight", 3, "Tensor")
    _argument(pos_weight, "binary_cross_entropy_with_logits", "pos_weight", 4, "Tensor")
    _not_differentiable("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    _floating(input, "log_sigmoid_cpu")
    t = getattr(data(target), "dtype", None)
    if t is not None and kind(t) == "b":        # 1 - target
        fail("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
             "`logical_xor()` operator instead.")
    if t is not None and kind(t) != "f":        # (1 - target).mul_(input)
        fail(f"result type {torch_type_name(data(input).dtype)} can't be cast to the desired output type "
             f"{torch_type_name(t)}")
    if pos_weight is not None:
        broadcast_shapes(shape_of(pos_weight), shape_of(target))      # (pos_weight - 1).mul(target)
    if weight is not None:
        broadcast_shapes(shape_of(input), shape_of(weight))           # loss.mul_(weight)
    return apply(L.BCE_LOGITS, input, target, weight, pos_weight, reduction=reduction)


def _not_differentiable(function, **arguments):
    """autograd's check before the kernel: PyTorch has no derivative for these arguments."""
    if state.grad_enabled:
        for name, value in arguments.items():
            if value is not None and requires_grad(value):
                fail(f"The function '{function}' is not differentiable with respect to argument '{name}'. "
                     f"This input cannot have requires_grad True.")


# ------------------------------------------------------------ nll_loss, cross_entropy
def _target_dtype(target):
    t = data(target)
    if getattr(t, "dtype", None) is None or B.dtype_name(t.dtype) not in ("int64", "uint8"):
        fail(f"expected target dtype to be Long or Byte, but got "
             f"{torch_type_name(t.dtype) if hasattr(t, 'dtype') else type(t).__name__}")


def _shape_text(shape):
    return f"[{', '.join(map(str, shape))}]"


def _check_weight(weight, x, classes):
    if weight is None:
        return None
    if len(shape_of(weight)) != 1 or numel(shape_of(weight)) != classes:
        fail(f"weight tensor should be defined either for all {classes} classes or no classes but got weight "
             f"tensor of shape: {_shape_text(shape_of(weight))}")
    if data(weight).dtype != data(x).dtype:
        fail(f"expected scalar type {torch_type_name(data(x).dtype)} but found {torch_type_name(data(weight).dtype)}")
    return data(weight)


def _in_bounds(t_, ignore_index, classes):
    t_ = B.astype(t_, "int64")         # (a uint8 target compares with -100 too)
    bad = (t_ != ignore_index) & ((t_ < 0) | (t_ >= classes))
    if bool(xp.any(bad)):
        fail(f"Target {item(getitem(t_, bad)[0])} is out of bounds.", "index")       # an IndexError


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    reduction = _reduction(reduction)       # (F computes it before the call parses its arguments)
    for value, name, position, want in ((input, "input", 1, "Tensor"), (target, "target", 2, "Tensor"),
                                        (weight, "weight", 3, "Tensor"), (ignore_index, "ignore_index", 5, "int")):
        _argument(value, "nll_loss_nd", name, position, want)
    x, t_ = data(input), data(target)
    if x.ndim < 1:
        fail(f"Expected 1 or more dimensions (got {x.ndim})", "value")
    if x.ndim != 1 and (t_.ndim == 0 or t_.shape[0] != x.shape[0]):
        fail(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t_.shape[0] if t_.ndim else 0}).",
             "value")
    if x.ndim <= 2:
        if t_.ndim > 1:
            fail("0D or 1D target tensor expected, multi-target not supported")
        _not_differentiable("nll_loss_forward", weight=weight)
        w = _check_weight(weight, input, x.shape[-1])
        _target_dtype(target)
        _in_bounds(t_, ignore_index, x.shape[-1])
        _floating(input, "nll_loss_out_frame")
        return apply(N.NLL_LOSS, input, target, reduction=reduction, ignore_index=ignore_index,
                     **({} if w is None else {"weight": w}))
    if x.ndim == 4:
        return _nll_loss2d(input, target, weight, reduction, ignore_index)
    want = (x.shape[0],) + tuple(x.shape[2:])
    if tuple(t_.shape) != want:
        fail(f"Expected target size {_shape_text(want)}, got {_shape_text(t_.shape)}")
    n, c = x.shape[:2]
    flat = (n, c, 1, -1) if x.size else (n, c, 0, 0)
    out = _nll_loss2d(view(input, flat), view(target, (n, 1, -1) if t_.size else (n, 0, 0)), weight, reduction,
                      ignore_index)
    return view(out, want) if reduction == "none" else out


def _nll_loss2d(input, target, weight, reduction, ignore_index):
    x, t_ = data(input), data(target)
    if t_.ndim != 3:
        fail(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: {t_.ndim}")
    if t_.shape[0] != x.shape[0] or t_.shape[1:] != x.shape[2:]:
        fail(f"size mismatch (got input: {_shape_text(x.shape)} , target: {_shape_text(t_.shape)}")
    _not_differentiable("nll_loss2d_forward", weight=weight)
    w = _check_weight(weight, input, x.shape[1])
    _target_dtype(target)
    _in_bounds(t_, ignore_index, x.shape[1])
    _floating(input, "nll_loss2d_forward_out_frame")
    return apply(L.NLL_LOSS2D, input, target, reduction=reduction, ignore_index=ignore_index,
                 **({} if w is None else {"weight": w}))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    reduction = _reduction(reduction)       # (F computes it before the call parses its arguments)
    for value, name, position, want in ((input, "input", 1, "Tensor"), (target, "target", 2, "Tensor"),
                                        (weight, "weight", 3, "Tensor"), (ignore_index, "ignore_index", 5, "int")):
        _argument(value, "cross_entropy_loss", name, position, want)
    label_smoothing = _argument(label_smoothing, "cross_entropy_loss", "label_smoothing", 6, "float")
    class_dim = 1 if ndim_of(input) >= 2 else 0
    if shape_of(input) == shape_of(target):   # class probabilities, as PyTorch assumes for equal shapes
        if kind(data(target).dtype) != "f":
            fail(f"Expected floating point type for target with class probabilities, got "
                 f"{torch_type_name(data(target).dtype)}")
        if ignore_index >= 0:
            fail("ignore_index is not supported for floating point target")
        return _probabilities(input, target, weight, reduction, label_smoothing, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            fail(f"label_smoothing must be between 0.0 and 1.0. Got: {_g(label_smoothing)}")
        return _smoothed(input, target, weight, reduction, ignore_index, label_smoothing, class_dim)
    return nll_loss(log_softmax(input, class_dim), target, weight, ignore_index=ignore_index, reduction=reduction)


def _g(x) -> str:
    """A double as C++'s ostream prints it (%g)."""
    return f"{x:g}"


def _class_view(weight, ndim, class_dim):
    """weight.view(1, C, 1, ...): broadcast along the class dim."""
    if ndim <= 1:
        return weight
    shape = [1] * ndim
    shape[class_dim] = shape_of(weight)[0]
    return view(weight, tuple(shape))


def _probabilities(input, target, weight, reduction, label_smoothing, class_dim):
    """cross_entropy_loss_prob_target, in PyTorch's ops."""
    classes = shape_of(input)[class_dim]
    if weight is not None and (len(shape_of(weight)) != 1 or numel(shape_of(weight)) != classes):
        fail(f"cross_entropy: weight tensor should be defined either for all {classes} classes or no classes but "
             f"got weight tensor of shape: {_shape_text(shape_of(weight))}")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            fail(f"label_smoothing must be between 0.0 and 1.0. Got: {_g(label_smoothing)}")
        target = _scalar(P.ADD_SCALAR, _scalar(P.MUL_SCALAR, target, 1 - label_smoothing),
                         label_smoothing / classes)
    product = mul(logp, target)
    if weight is not None:
        product = mul(product, _class_view(weight, ndim_of(input), class_dim))
    if reduction == "none":
        return neg(sum(product, class_dim))
    total = neg(sum(product))
    if reduction == "sum":
        return total
    return apply(P.DIV_SCALAR, total, numel(shape_of(input)) // classes)


def _scalar(op, x, s):
    """tensor <op> number as PyTorch's C++ writes it (MulBackward1, AddBackward1)."""
    return apply(op, x, s) if type(x) is Tensor else Tensor(op.forward(data(x), s))


def _smoothed(input, target, weight, reduction, ignore_index, label_smoothing, class_dim):
    """cross_entropy_loss_label_smoothing, in PyTorch's ops: (1 - ε) nll + ε / C * the smooth loss."""
    logp = log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    classes = shape_of(input)[class_dim]
    ignored = eq(Tensor(B.astype(data(target), "int64"), device=target.device), ignore_index)
    if weight is not None:
        smooth = neg(sum(mul(logp, _class_view(weight, ndim_of(input), class_dim)), class_dim))
    else:
        smooth = neg(sum(logp, class_dim))
    smooth = masked_fill(smooth, ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = getitem(data(target), ~data(ignored))
            counted = B.reduce_sum(getitem(data(weight), xp.reshape(kept, (-1,))))
        else:
            counted = xp.sum(B.astype(~data(ignored), "int64"))
        counted = Tensor(B.asarray(counted), device=input.device)
        ret = divide(sum(smooth), counted)
    else:
        ret = sum(smooth) if reduction == "sum" else smooth
    return add(apply(P.MUL_SCALAR, nll, 1 - label_smoothing), apply(P.MUL_SCALAR, ret, label_smoothing / classes))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """F.kl_div: xlogy(target, target) - target * input (log_target: exp(target) * (target - input)),
    reduced; 'batchmean' is the sum over the batch size, and 'mean' warns as PyTorch's does."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        state.warn("UserWarning: reduction: 'mean' divides the total loss by both the batch size and the support "
                   "size.'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                   "'mean' will be changed to behave the same as 'batchmean' in the next major release.")
    if reduction == "batchmean":
        total = kl_div(input, target, reduction="sum", log_target=log_target)
        return divide(total, shape_of(input)[0]) if ndim_of(input) else total
    if log_target:
        from .arithmetic import exp
        loss = mul(exp(target), subtract(target, input))
    else:
        from .special_math import xlogy
        loss = subtract(xlogy(target, target), mul(target, input))
    return _reduced(loss, reduction)
