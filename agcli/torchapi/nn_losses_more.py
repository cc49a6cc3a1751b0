"""torch.nn.functional's pairwise_distance and the losses PyTorch composes from smaller ops:
margin_ranking_loss, hinge_embedding_loss, multilabel_soft_margin_loss, cosine_embedding_loss,
triplet_margin_loss, triplet_margin_with_distance_loss, poisson_nll_loss and gaussian_nll_loss, each composed as ATen (or F's
Python) composes it, so that the graph's nodes are PyTorch's (a C++ `number - tensor` is a
SubBackward0 of a filled tensor, an in-place clamp_min_ a ClampMinBackward0), with F's checks and
words."""
from __future__ import annotations

import builtins
import math

from ..engine import backend as B
from ..engine.ops import margins as MG, vector_norms as VN
from ..engine.ops.pointwise import add_scalar, sub_scalar
from ..engine.tensor import Tensor, apply, bump_version, data
from ..errors import python_type_name, torch_type_name
from ..state import state
from . import creation as C
from .arithmetic import add, divide, eq, exp, le, log, masked_fill, minimum, mul, ne, neg, pow, sqrt, subtract, where
from .checks import fail, ndim_of, numel, shape_of, tensors_only
from .clamping import clamp_min
from .nn import _legacy_reduction, _reduction, logsigmoid
from .reductions import mean, sum
from .shaping import clone, unsqueeze


def _size(v) -> str:
    return "torch.Size([" + ", ".join(map(str, shape_of(v))) + "])"


def _reduction_of(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    return _reduction(reduction)


def _reduced(loss, reduction):
    """apply_loss_reduction."""
    return mean(loss) if reduction == "mean" else sum(loss) if reduction == "sum" else loss


def _minus(number, t):
    """C++'s `number - tensor`: the number filled into a tensor, less t (SubBackward0)."""
    return subtract(C.full_like(t, number), t)


def _plus(t, number):
    """C++'s `tensor + number` (AddBackward1)."""
    return add_scalar(t, number)


def _less(t, number):
    """C++'s `tensor - number` (SubBackward1)."""
    return sub_scalar(t, number)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    """at::norm(x1 - x2 + eps, p, last dim) (NormBackward1)."""
    tensors_only("pairwise_distance", x1=x1, x2=x2)
    dim = max(ndim_of(x1), ndim_of(x2)) - 1
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        fail(f"pairwise_distance(): argument 'p' must be float, not {python_type_name(p)}", "type")
    diff = _plus(subtract(x1, x2), eps)
    return apply(VN.NORM_DIM, diff, ord=float(p), dim=(dim % max(ndim_of(diff), 1),), keepdim=bool(keepdim))


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction_of(size_average, reduce, reduction)
    for v in (input1, input2, target):
        if type(v) is not Tensor:
            fail(f"'{python_type_name(v)}' object has no attribute 'dim'", "attribute")
    if not ndim_of(input1) == ndim_of(input2) == ndim_of(target):
        fail(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: "
             f"{_size(input1)}, input2: {_size(input2)}, target: {_size(target)} ")
    return _reduced(clamp_min(_plus(mul(neg(target), subtract(input1, input2)), margin), 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction_of(size_average, reduce, reduction)
    tensors_only("hinge_embedding_loss", input=input, target=target)
    zeros = C.zeros_like(input)
    margin_clamp = clamp_min(_minus(margin, input), 0)
    output = add(where(ne(target, 1), margin_clamp, zeros), where(ne(target, -1), input, zeros))
    return _reduced(output, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = neg(add(mul(target, logsigmoid(input)), mul(_minus(1, target) if type(target) is Tensor else 1 - target,
                                                       logsigmoid(neg(input)))))
    if weight is not None:
        loss = mul(loss, weight)
    class_dim = ndim_of(input) - 1
    loss = divide(sum(loss, class_dim), shape_of(input)[class_dim])
    if reduction not in ("none", "mean", "sum"):
        fail(f"{reduction} is not valid", "value")
    return _reduced(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction_of(size_average, reduce, reduction)
    tensors_only("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    d = ndim_of(target)
    if d not in (0, 1):
        fail("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if d == 1 else 1
    if ndim_of(input1) != want or ndim_of(input2) != want:
        sizes = ", ".join(map(str, shape_of(input1))), ", ".join(map(str, shape_of(input2)))
        fail(f"{d}D target tensor expects {want}D input tensors, but found inputs with sizes [{sizes[0]}] and "
             f"[{sizes[1]}].")
    prod_sum = sum(mul(input1, input2), d)
    mag_square1 = _plus(sum(mul(input1, input1), d), 1e-12)
    mag_square2 = _plus(sum(mul(input2, input2), d), 1e-12)
    cos = divide(prod_sum, sqrt(mul(mag_square1, mag_square2)))
    zeros = C.zeros_like(cos)
    neg_part = clamp_min(_less(cos, margin), 0)
    output = add(where(eq(target, 1), _minus(1, cos), zeros), where(eq(target, -1), neg_part, zeros))
    return _reduced(output, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    reduction = _reduction_of(size_average, reduce, reduction)
    if margin <= 0:
        fail(f"margin must be greater than 0, got {margin}", "value")
    tensors_only("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    a, q, n = ndim_of(anchor), ndim_of(positive), ndim_of(negative)
    if not a == q == n:
        fail(f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
             f"got: anchor {a}D, positive {q}D, and negative {n}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduced(clamp_min(subtract(_plus(dist_pos, margin), dist_neg), 0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """F's Python: distance_function (default torch.pairwise_distance) of anchor and each of the others."""
    if reduction not in ("mean", "sum", "none"):
        fail(f"{reduction} is not a valid value for reduction", "value")
    if margin <= 0:
        fail(f"margin must be greater than 0, got {margin}", "value")
    a, q, n = ndim_of(anchor), ndim_of(positive), ndim_of(negative)
    if not a == q == n:
        fail(f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
             f"got: anchor {a}D, positive {q}D, and negative {n}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance(positive, negative))
    return _reduced(clamp_min(subtract(add(dist_pos, margin), dist_neg), 0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-08, reduce=None,
                     reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        fail(f"{reduction} is not a valid value for reduction", "value")
    tensors_only("poisson_nll_loss", input=input, target=target)
    if log_input:
        loss = subtract(exp(input), mul(target, input))
    else:
        loss = subtract(input, mul(target, log(_plus(input, eps))))
    if full:
        stirling = add(subtract(mul(target, log(target)), target), mul(log(mul(target, 2 * math.pi)), 0.5))
        stirling = masked_fill(stirling, le(target, 1), 0)
        loss = add(loss, stirling)
    return _reduced(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-06, reduction="mean"):
    if isinstance(var, float):
        if var < 0:
            fail("var has negative entry/entries", "value")
        var = mul(C.ones_like(input), var)
    elif type(var) is Tensor and bool(B.xp.any(data(var) < 0)):
        fail("var has negative entry/entries", "value")
    if type(var) is not Tensor:
        fail(f"'{python_type_name(var)}' object has no attribute 'size'", "attribute")
    if shape_of(var) != shape_of(input):
        if shape_of(input)[:-1] == shape_of(var):
            var = unsqueeze(var, -1)
        elif not (ndim_of(input) == ndim_of(var) and
                  builtins.sum(y for x, y in zip(shape_of(input), shape_of(var)) if x != y) == 1):
            fail("var is of incorrect size", "value")
    if reduction not in ("none", "mean", "sum"):
        fail(f"{reduction} is not valid", "value")
    var = clone(var)
    var.data = B.xp.maximum(var.data, B.asarray(eps, dtype=var.data.dtype))     # (clamp_ under no_grad)
    bump_version(var)
    loss = mul(add(log(var), divide(pow(subtract(input, target), 2), var)), 0.5)
    if full:
        loss = add(loss, 0.5 * math.log(2 * math.pi))
    return _reduced(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """torch._C._nn.soft_margin_loss (SoftMarginLossBackward0): the target takes no gradient."""
    reduction = _reduction_of(size_average, reduce, reduction)
    tensors_only("soft_margin_loss", input=input, target=target)
    if target.requires_grad and state.grad_enabled:
        fail("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. This input "
             "cannot have requires_grad True.")
    return apply(MG.SOFT_MARGIN_LOSS, input, target, reduction=reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """torch._C._nn.multi_margin_loss (MultiMarginLossBackward0), after F's checks."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if p != 1 and p != 2:
        fail("only p == 1 and p == 2 supported", "value")
    if weight is not None and ndim_of(weight) != 1:
        fail("weight must be one-dimensional", "value")
    tensors_only("multi_margin_loss", input=input, target=target)
    if B.dtype_name(data(target).dtype) != "int64":
        fail(f"expected scalar type Long but found {torch_type_name(B.dtype_name(data(target).dtype))}")
    shape = shape_of(input)
    n = len(shape)
    if not (n == 2 and shape[1] != 0 or n == 1 and shape[0] != 0 or n == 0):
        fail(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {_sizes(shape)}")
    frames, dim = (1, shape[0] if n == 1 else 1) if n <= 1 else shape
    if ndim_of(target) > 1 or numel(shape_of(target)) != frames:
        fail(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples (batch "
             f"size). Expected target size [{frames}], but got {_sizes(shape_of(target))}. Input has shape "
             f"{_sizes(shape)}.")
    if weight is not None and numel(shape_of(weight)) != dim:
        fail(f"inconsistent weight size, expected {dim} but got {_sizes(shape_of(weight))}")
    if B.kind(data(input).dtype) != "f":
        fail(f'"multi_margin_loss_cpu_kernel" not implemented for \'{torch_type_name(B.dtype_name(data(input).dtype))}'
             "'", "not_implemented")
    t = data(target)
    if bool(B.xp.any((t < 0) | (t >= dim))):
        fail("target out of range")
    return apply(MG.MULTI_MARGIN_LOSS, input, target=t, weight=None if weight is None else data(weight), p=int(p),
                 margin=float(margin), reduction=reduction)


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


# For the namespace: recorded ops of their inputs, which a batch may replay
RECORDED = {"pairwise_distance": pairwise_distance, "margin_ranking_loss": margin_ranking_loss,
            "hinge_embedding_loss": hinge_embedding_loss, "multilabel_soft_margin_loss": multilabel_soft_margin_loss,
            "cosine_embedding_loss": cosine_embedding_loss, "triplet_margin_loss": triplet_margin_loss,
            "poisson_nll_loss": poisson_nll_loss, "soft_margin_loss": soft_margin_loss}
# their checks read values (var's signs, the target's classes): no replay
VALUED = {"gaussian_nll_loss": gaussian_nll_loss, "multi_margin_loss": multi_margin_loss,
          # (a program's distance function may do anything)
          "triplet_margin_with_distance_loss": triplet_margin_with_distance_loss}
