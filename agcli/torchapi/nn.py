"""PyTorch's neural-network functions: softmax, log_softmax, softplus, binary_cross_entropy and the
activations (the other losses: torchapi/nn_losses.py)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import item, kind
from ..engine.ops import activations as A
from ..engine.ops import lookups as LK
from ..engine.ops import nn as N
from ..engine.ops import piecewise as PW
from ..engine.ops import pieces as PC
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, bump_version, data
from ..errors import python_type_name as type_name, torch_type_name
from ..state import state
from .arithmetic import abs, add, div, mul, neg, sub, tanh
from .clamping import clamp_min
from .checks import broadcast_shapes, dim_index, fail, is_int, ndim_of, requires_grad, shape_of
from .dtypes import dtype_of
from .reductions import norm, sum
from .shaping import clone, expand


def _converted(x, dtype):
    """softmax's `dtype=`: the input converted first (ToCopyBackward0), as PyTorch does."""
    name = dtype_of(dtype)
    return x if name is None or type(x) is not Tensor else S.to_dtype(x, B.dtype(name))


def softmax(x, dim=None, dtype=None):
    dim = _implicit_dim(x, dim, "softmax")
    if dtype is None:
        _floating(x, _softmax_kernel("softmax", x, dim))
    return apply(N.SOFTMAX, _converted(x, dtype), dim=dim)


def log_softmax(x, dim=None, dtype=None):
    dim = _implicit_dim(x, dim, "log_softmax")
    if dtype is None:
        _floating(x, _softmax_kernel("log_softmax", x, dim))
    return apply(N.LOG_SOFTMAX, _converted(x, dtype), dim=dim)


def _softmax_kernel(name, x, dim):
    """The CPU kernel PyTorch's dispatch error names: one for the last dim, one for the others."""
    return f"{name}_lastdim_kernel_impl" if dim == max(ndim_of(x) - 1, 0) else f"{name}_kernel_impl"


def _implicit_dim(x, dim, name):
    if dim is None:   # PyTorch's legacy rule for a missing dim
        state.warn(f"UserWarning: Implicit dimension choice for {name} has been deprecated. Change the call to "
                   "include dim=X as an argument.")
        n = ndim_of(x)
        return 0 if n in (0, 1, 3) else 1
    if not is_int(dim):     # (F.softmax(x, d) is x.softmax(d), F.softmin (-x).softmax(d): the method parser's words)
        fail(f"{name.replace('min', 'max')}(): argument 'dim' (position 1) must be int, not {type_name(dim)}", "type")
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


def _number(value, function, name, position=None):
    """A Scalar argument (softplus's beta): a number, or a one-element tensor's value (`position`:
    where F's Python passes it on positionally, as PyTorch's message then says)."""
    if type(value) is bool:
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if type(value) is Tensor and value.data.ndim == 0:
        return item(value.data)
    where = f" (position {position})" if position else ""
    fail(f"{function}(): argument '{name}'{where} must be Number, not {type(value).__name__}", "type")


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




# ------------------------------------------------------------ activations
def _not_in_place(inplace, name):
    if inplace:
        fail(f"F.{name}(..., inplace=True) is not supported by agcli; use inplace=False", "type")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _not_in_place(inplace, "leaky_relu")    # (a program's F.leaky_relu takes inplace=True: in_place.leaky_relu_)
    negative_slope = _number(negative_slope, "leaky_relu", "negative_slope", 2)
    _floating(input, "leaky_relu_cpu")
    return apply(A.LEAKY_RELU, input, negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    _not_in_place(inplace, "elu")
    return _elu(input, _number(alpha, "elu", "alpha", 2), 1, 1)


def celu(input, alpha=1.0, inplace=False):
    _not_in_place(inplace, "celu")
    alpha = _number(alpha, "celu", "alpha", 2)
    if alpha == 0:
        fail("ZeroDivisionError: alpha cannot be 0 for CELU")
    _floating(input, "elu_cpu")
    return apply(A.CELU, input, alpha=alpha)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input, inplace=False):
    _not_in_place(inplace, "selu")
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1)


def _elu(input, alpha, scale, input_scale):
    _floating(input, "elu_cpu")
    return apply(A.ELU, input, alpha=alpha, scale=scale, input_scale=input_scale)


def logsigmoid(input):
    _floating(input, "log_sigmoid_cpu")
    return apply(A.LOG_SIGMOID, input)


def _plain(op, name, kernel):
    """An activation of the input alone (inplace= refused here), for floating-point tensors only."""
    def function(input, inplace=False):
        _not_in_place(inplace, name)
        _floating(input, kernel)
        return apply(op, input)
    function.__name__ = function.__qualname__ = name
    return function


silu = _plain(A.SILU, "silu", "silu_cpu")


def gelu(input, *, approximate="none"):
    if approximate not in ("none", "tanh"):
        fail("approximate argument must be either none or tanh.")
    _floating(input, "GeluKernelImpl")
    return apply(A.GELU, input, approximate=approximate)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _not_in_place(inplace, "hardtanh")
    min_val = _number(min_val, "hardtanh", "min_val", 2)
    max_val = _number(max_val, "hardtanh", "max_val", 3)
    if min_val > max_val:
        fail("min_val cannot be greater than max_val", "value")
    if kind(data(input).dtype) == "b":
        fail("Bool inputs not supported for hardtanh")
    return apply(PW.HARDTANH, input, min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    """hardtanh(input, 0, 6), as PyTorch records it (HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


hardsigmoid = _plain(PW.HARDSIGMOID, "hardsigmoid", "hardsigmoid_cpu")
hardswish = _plain(PW.HARDSWISH, "hardswish", "hardswish_cpu")
mish = _plain(PW.MISH, "mish", "mish_cpu")


def threshold(input, threshold, value, inplace=False):
    _not_in_place(inplace, "threshold")
    threshold = _number(threshold, "threshold", "threshold", 2)
    if kind(data(input).dtype) == "b":
        fail('"threshold_cpu" not implemented for \'Bool\'', "not_implemented")
    return apply(PW.THRESHOLD, input, threshold=threshold, value=_number(value, "threshold", "value", 3))


def softshrink(input, lambd=0.5):
    lambd = _number(lambd, "softshrink", "lambd", 2)
    _floating(input, "softshrink_check")
    if lambd < 0:
        dtype = data(input).dtype
        top = {"float32": "3.40282e+38", "float16": "65504"}.get(B.dtype_name(dtype), "1.79769e+308")
        fail(f"lambda must be in range [0, {top}] for input dtype {torch_type_name(dtype)}, but found {lambd:g}")
    return apply(PW.SOFTSHRINK, input, lambd=lambd)


def hardshrink(input, lambd=0.5):
    lambd = _number(lambd, "hardshrink", "lambd", 2)
    _floating(input, "hardshrink_cpu")
    return apply(PW.HARDSHRINK, input, lambd=lambd)


def softsign(input):
    """input / (input.abs() + 1), as F composes it."""
    return div(input, add(abs(input), 1))


def tanhshrink(input):
    """input - input.tanh(), as F composes it."""
    return sub(input, tanh(input))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """(-input).softmax(dim)."""
    return softmax(neg(input), _implicit_dim(input, dim, "softmin"), dtype)


def functional_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """F.softmax (and nn.Softmax): without dim, PyTorch's legacy choice and its warning (_implicit_dim)."""
    return softmax(input, dim, dtype)


def functional_log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return log_softmax(input, dim, dtype)


def dim_required(name):
    """torch.softmax / torch.log_softmax: C++ functions whose dim has no default."""
    fn = softmax if name == "softmax" else log_softmax

    def call(input, dim=None, dtype=None):
        if dim is None:
            fail(f'{name}() missing 1 required positional arguments: "dim"', "type")
        return fn(input, dim, dtype)
    return call


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input), as F composes it."""
    if out is not None:
        fail("F.normalize(..., out=) is not supported by agcli", "type")
    denom = clamp_min(norm(input, p, dim, keepdim=True), eps)
    return div(input, expand(denom, shape_of(input)))


def one_hot(tensor, num_classes=-1):
    """F.one_hot: an int64 tensor of shape tensor.shape + (num_classes,), one 1 a row (no gradient);
    num_classes -1: the largest class plus one."""
    if type(tensor) is not Tensor or B.dtype_name(tensor.data.dtype) != "int64":
        fail("one_hot is only applicable to index tensor of type LongTensor.")
    classes = tensor.data
    if classes.size and int(item(B.xp.min(classes))) < 0:
        fail("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(item(B.xp.max(classes))) + 1 if classes.size else 0
    elif classes.size and int(item(B.xp.max(classes))) >= num_classes:
        fail("Class values must be smaller than num_classes.")
    picked = B.arange(num_classes, dtype=classes.dtype) == B.xp.expand_dims(classes, axis=-1)
    return Tensor(B.astype(picked, "int64"), device=tensor.device)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """((x1 / |x1|) * (x2 / |x2|)).sum(dim), each norm over dim kept, cloned and clamped to eps in place
    without recording (PyTorch's composition: SumBackward1 over DivBackward0 of CloneBackward0)."""
    for position, (name, x) in enumerate((("x1", x1), ("x2", x2)), 1):
        if type(x) is not Tensor:
            fail(f"cosine_similarity(): argument '{name}' (position {position}) must be Tensor, not "
                 f"{type(x).__name__}", "type")
    shape = broadcast_shapes(shape_of(x1), shape_of(x2))
    x1, x2 = (x if shape_of(x) == shape else expand(x, shape) for x in (x1, x2))
    d = dim_index(dim, len(shape))
    norms = []
    for x in (x1, x2):
        n = clone(norm(x, 2, d, keepdim=True))
        n.data = B.xp.maximum(n.data, B.asarray(eps, dtype=n.data.dtype))      # (clamp_min_(eps) under no_grad)
        bump_version(n)
        norms.append(n)
    return sum(mul(div(x1, norms[0]), div(x2, norms[1])), d)


def pad(input, pad, mode="constant", value=None):
    """F.pad with a constant (ConstantPadNdBackward0): (before, after) counts for the last dims, the last
    dim first; a negative count cuts. PyTorch's other modes (reflect, replicate, circular) are refused."""
    if mode != "constant":
        fail(f"agcli's F.pad pads with a constant only; mode={mode!r} is not provided", "not_implemented")
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        fail("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim_of(input):
        fail(f"Padding length should be less than or equal to two times the input dimension but got padding "
             f"length {len(pad)} and input of dimension {ndim_of(input)}")
    shape = shape_of(input)
    for k in range(len(pad) // 2):
        if shape[-1 - k] + pad[2 * k] + pad[2 * k + 1] < 0 or shape[-1 - k] + min(pad[2 * k], 0) < 0:
            fail("narrow(): length must be non-negative.")
    value = 0 if value is None else value
    return apply(PC.CONSTANT_PAD, input, pad=tuple(pad), value=int(value) if kind(data(input).dtype) in "biu"
                 else value)



def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """F.embedding: weight's rows at the indices `input` (EmbeddingBackward0; the padding index's
    row gets no gradient)."""
    if type(input) is not Tensor or type(weight) is not Tensor:
        fail("embedding(): argument 'indices' and 'weight' must be tensors", "type")
    if scale_grad_by_freq or sparse:
        fail("agcli's embedding takes no scale_grad_by_freq nor sparse", "not_implemented")
    if padding_idx is not None:
        rows = shape_of(weight)[0] if ndim_of(weight) else 0
        if padding_idx > 0 and padding_idx >= rows:
            fail("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -rows:
                fail("Padding_idx must be within num_embeddings")
            padding_idx = rows + padding_idx
    have = B.dtype_name(input.data.dtype)
    if have not in ("int64", "int32"):
        fail(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but "
             f"got torch.{'FloatTensor' if have == 'float32' else torch_type_name(have) + 'Tensor'} instead (while "
             "checking arguments for embedding)")
    if ndim_of(weight) != 2:
        fail("'weight' must be 2-D")
    indices = input.data
    if indices.size and (int(item(B.xp.min(indices))) < 0 or int(item(B.xp.max(indices))) >= shape_of(weight)[0]):
        fail("index out of range in self", "index")
    if max_norm is not None:
        _embedding_renorm(weight, indices, max_norm, norm_type)
    return apply(LK.EMBEDDING, weight, indices=indices, padding_idx=padding_idx)


def _embedding_renorm(weight, indices, max_norm, norm_type):
    """torch.embedding_renorm_, as F.embedding runs it on weight.detach() before the look-up: each row
    the indices name whose norm passes max_norm scaled in place by max_norm / (norm + 1e-7), in the
    weight's dtype (ATen's CPU loop, rows in sorted order); an in-place op: the version moves."""
    for i in sorted(set(B.to_host(indices).reshape(-1).tolist())):
        row = B.getitem(weight.data, (i,))
        size = float(item(norm(Tensor(row), norm_type).data))
        if size > max_norm:
            B.setitem(weight.data, (i,), row * B.asarray(max_norm / (size + 1e-7), dtype=row.dtype))
    bump_version(weight)
