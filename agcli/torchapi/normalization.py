"""torch.nn.functional's layer_norm (NativeLayerNormBackward0) and batch_norm
(NativeBatchNormBackward0: the batch's statistics when training, which also move the running ones
given, in place; the running ones otherwise), checked in ATen's order and words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine import backend_batch_norm as BN
from ..engine.ops import normalization as NM
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from ..state import state
from ..engine.ops import shapes as S
from .arithmetic import add, mul, pow, rsqrt
from .checks import fail, is_int, numel, requires_grad, shape_of, tensors_only
from .memory_formats import channels_last_kernel
from .functions import select
from .reductions import mean
from .shaping import clone, contiguous, repeat, view


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _kernel_dtype(x, kernel):
    name = B.dtype_name(data(x).dtype)
    if B.kind(data(x).dtype) != "f":
        fail(f'"{kernel}" not implemented for \'{torch_type_name(name)}\'', "not_implemented")
    return name


def _mixed(input, *params):
    """ATen's check_mixed_data_type, when a parameter's dtype is not the input's."""
    have = B.dtype_name(data(input).dtype)
    kinds = [B.dtype_name(data(p).dtype) for p in params if p is not None]
    if all(k == have for k in kinds):
        return
    if have not in ("float32", "float16", "bfloat16"):
        fail("mixed dtype (CPU): all inputs must share same datatype.")
    if any(k != "float32" for k in kinds):
        fail("mixed dtype (CPU): expect parameter to have scalar type of Float")
    fail("agcli's normalisations take parameters of their input's dtype: a half input with float32 parameters "
         "is not provided", "not_implemented")


def _number(v, function, name, position):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        fail(f"{function}(): argument '{name}' (position {position}) must be float, not {python_type_name(v)}",
             "type")
    return float(v)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """F.layer_norm (torch.layer_norm, which also takes cudnn_enable)."""
    tensors_only("layer_norm", input=input)
    if is_int(normalized_shape) or not isinstance(normalized_shape, (tuple, list)) or \
            not all(is_int(n) for n in normalized_shape):
        fail(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
             f"{python_type_name(normalized_shape)}", "type")
    eps = _number(eps, "layer_norm", "eps", 5)
    shape = tuple(int(n) for n in normalized_shape)
    if not shape:
        fail("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but "
             "got normalized_shape = []")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and shape_of(v) != shape:
            fail(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                 f"{_sizes(shape_of(v))} and normalized_shape = {_sizes(shape)}")
    xs = shape_of(input)
    if len(xs) < len(shape) or xs[len(xs) - len(shape):] != shape:
        fail(f"Given normalized_shape={_sizes(shape)}, expected input with shape [*, "
             f"{', '.join(map(str, shape))}], but got input of size{_sizes(xs)}")
    _mixed(input, weight, bias)
    _kernel_dtype(input, "LayerNormKernelImpl")
    axes = tuple(range(len(xs) - len(shape), len(xs)))
    return apply(NM.LAYER_NORM, input, weight, bias, layout="layer", axes=axes, eps=eps, running=None)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """F.batch_norm: its checks (a batch of one value per channel, eps), then torch.batch_norm."""
    tensors_only("batch_norm", input=input)
    xs = shape_of(input)
    if training:
        count = 1
        for i, n in enumerate(xs):
            count *= n if i != 1 else 1
        if count == 1:
            fail(f"Expected more than 1 value per channel when training, got input size torch.Size("
                 f"{_sizes(xs)})", "value")
    if isinstance(eps, (int, float)) and not isinstance(eps, bool):
        if training and eps <= 0.0:
            fail(f"batch_norm eps must be positive during training, but got {eps}", "value")
        if eps < 0.0:
            fail(f"batch_norm eps must be non-negative, but got {eps}", "value")
    return torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, False)


def torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """torch.batch_norm (its own order of arguments, all of them required)."""
    tensors_only("batch_norm", input=input)
    momentum, eps = _number(momentum, "batch_norm", "momentum", 7), _number(eps, "batch_norm", "eps", 8)
    xs = shape_of(input)
    channels = xs[1] if len(xs) > 1 else 0
    if training and (running_mean is None) != (running_var is None):
        fail("running_mean and running_var must either both be None or neither be None", "value")
    _no_grad_statistics(running_mean, running_var)
    if numel(xs) == 0:          # (ATen: a copy, scaled and shifted by the first weight and bias: no statistics)
        out = clone(input)
        out = out if weight is None else mul(out, select(weight, 0, 0))
        return out if bias is None else add(out, select(bias, 0, 0))
    for name, v in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if v is not None and (type(v) is not Tensor or data(v).size != channels):
            fail(f"{name} should contain {channels} elements not {data(v).size}")
    if not training and (running_mean is None or running_var is None):
        fail(f"{'running_mean' if running_mean is None else 'running_var'} must be defined in evaluation mode")
    _kernel_dtype(input, "batch_norm")         # (ATen dispatches on the dtype first, then checks the mix)
    _mixed(input, weight, bias, running_mean, running_var)
    axes = (0,) + tuple(range(2, len(xs)))
    layout = (1, channels) + (1,) * (len(xs) - 2)
    running = None
    if not training:
        mean = B.xp.reshape(data(running_mean), layout)
        rstd = 1.0 / B.xp.sqrt(B.xp.reshape(data(running_var), layout) + eps)
        running = (mean, rstd)
    channels_last_kernel("batch_norm", (input,), values_differ=training)
    out = apply(NM.BATCH_NORM, input, weight, bias, layout="batch", axes=axes, eps=eps, running=running)
    if training and running_mean is not None:
        _update_running(data(input), running_mean, running_var, axes, momentum)
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """F.instance_norm, as ATen writes it: batch_norm over the input viewed as one sample of N*C
    channels (its weight, bias and running statistics repeated N times), the running statistics
    averaged back over the samples, the result viewed in the input's shape."""
    tensors_only("instance_norm", input=input)
    shape = shape_of(input)
    if use_input_stats:
        if numel(shape[2:]) == 1:
            fail(f"Expected more than 1 spatial element when training, got input size torch.Size({list(shape)})",
                 "value")
    elif running_mean is None or running_var is None:
        fail("Expected running_mean and running_var to be defined when use_input_stats is false")
    _no_grad_statistics(running_mean, running_var)
    n, c = shape[0], shape[1]
    stats = [None if t is None else Tensor(B.xp.tile(data(t), (n,)), device=t.device) for t in (running_mean,
                                                                                          running_var)]
    out = torch_batch_norm(view(contiguous(input), (1, n * c) + tuple(shape[2:])),
                           None if weight is None else repeat(weight, n), None if bias is None else repeat(bias, n),
                           stats[0], stats[1], use_input_stats, momentum, eps, False)
    for kept, repeated in zip((running_mean, running_var), stats):
        if kept is not None:
            B.setitem(data(kept), (...,), B.xp.mean(B.xp.reshape(data(repeated), (n, c)), axis=0))
    return view(out, tuple(shape))


def _no_grad_statistics(running_mean, running_var):
    """Running statistics are no inputs of the graph: PyTorch refuses ones that require grad."""
    for name, v in (("running_mean", running_mean), ("running_var", running_var)):
        if v is not None and requires_grad(v) and state.grad_enabled:
            fail(f"The function 'native_batch_norm' is not differentiable with respect to argument '{name}'. This "
                 "input cannot have requires_grad True.")


def _update_running(x, running_mean, running_var, axes, momentum):
    """The running statistics moved toward the batch's: the mean, and the unbiased variance."""
    if BN.follows_aten(x) and data(running_mean).dtype == x.dtype == data(running_var).dtype:
        count = x.size // x.shape[1]
        for stat, value in zip((running_mean, running_var), BN.moved(
                data(running_mean), data(running_var), *BN.statistics(x), count, momentum)):
            B.setitem(data(stat), (...,), value)
        return
    wide = B.astype(x, B.xp.float64)
    mean = B.xp.mean(wide, axis=axes)
    count = 1
    for a in axes:
        count *= x.shape[a]
    unbiased = B.xp.sum((wide - B.xp.reshape(mean, (1, -1) + (1,) * (x.ndim - 2))) ** 2, axis=axes) / (count - 1)
    for stat, batch in ((running_mean, mean), (running_var, unbiased)):
        kept = data(stat)
        moved = B.astype(momentum * batch + (1 - momentum) * B.astype(kept, B.xp.float64), kept.dtype)
        B.setitem(kept, (...,), moved)


_OPMATH = {"float16": "float32", "bfloat16": "float32"}
_EPSILON = {"float32": 1.1920928955078125e-07, "float64": 2.220446049250313e-16}     # (numeric_limits' epsilon)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """F.rms_norm as ATen composes it on the CPU (layer_norm.cpp, rms_norm_symint): in the input's opmath
    dtype (float for half), x * rsqrt(mean(x**2 over the normalized dims, keepdim) + eps), back to the
    input's dtype, times the weight; eps None: that dtype's machine epsilon."""
    tensors_only("rms_norm", input=input)
    if is_int(normalized_shape) or not isinstance(normalized_shape, (tuple, list)) or not all(is_int(n) for n in normalized_shape):
        fail(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
             f"{python_type_name(normalized_shape)}", "type")
    if eps is not None:
        eps = _number(eps, "rms_norm", "eps", 4)
    shape = tuple(int(n) for n in normalized_shape)
    if not shape:
        fail("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but "
             "got normalized_shape = []")
    if weight is not None and shape_of(weight) != shape:
        fail(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
             f"{_sizes(shape_of(weight))} and normalized_shape = {_sizes(shape)}")
    xs = shape_of(input)
    if len(xs) < len(shape):
        fail(f"Input tensor must have at least {len(shape)} dimensions, but got {len(xs)}", "value")
    if xs[len(xs) - len(shape):] != shape:
        fail(f"Given normalized_shape={_sizes(shape)}, expected input with shape [*{', '.join(map(str, shape))}], "
             f"but got input of size{_sizes(xs)}")
    name = _kernel_dtype(input, "rms_norm")
    opmath = _OPMATH.get(name, name)
    x = S.to_dtype(input, B.dtype(opmath))
    dims = [len(xs) - i - 1 for i in range(len(shape))]
    mean_square = mean(pow(x, 2), dims, keepdim=True)
    result = S.to_dtype(mul(x, rsqrt(add(mean_square, _EPSILON[opmath] if eps is None else eps))), data(input).dtype)
    return result if weight is None else mul(result, weight)


# For the namespace (torchapi/namespace.py): layer_norm and rms_norm are recorded ops of their inputs, which
# a batch may replay; batch_norm and instance_norm move running statistics, which no op records.
RECORDED = {"layer_norm": layer_norm, "rms_norm": rms_norm}
VALUED = {"batch_norm": batch_norm, "instance_norm": instance_norm}
# torch's own, where its arguments differ from torch.nn.functional's (language/program_modules.py)
TORCH_ONLY = {"batch_norm": torch_batch_norm}
