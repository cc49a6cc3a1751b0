"""torch.nn.functional's layer_norm (NativeLayerNormBackward0) and batch_norm
(NativeBatchNormBackward0: the batch's statistics when training, which also move the running ones
given, in place; the running ones otherwise), checked in ATen's order and words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import normalization as NM
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .checks import fail, is_int, shape_of, tensors_only


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _kernel_dtype(x, kernel):
    name = B.dtype_name(data(x).dtype)
    if B.kind(data(x).dtype) != "f":
        fail(f'"{kernel}" not implemented for \'{torch_type_name(name)}\'', "not_implemented")
    return name


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    tensors_only("layer_norm", input=input)
    if is_int(normalized_shape) or not isinstance(normalized_shape, (tuple, list)) or \
            not all(is_int(n) for n in normalized_shape):
        fail(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
             f"{python_type_name(normalized_shape)}", "type")
    shape = tuple(int(n) for n in normalized_shape)
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and shape_of(v) != shape:
            fail(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                 f"{_sizes(shape_of(v))} and normalized_shape = {_sizes(shape)}")
    xs = shape_of(input)
    if not shape or len(xs) < len(shape) or xs[len(xs) - len(shape):] != shape:
        fail(f"Given normalized_shape={_sizes(shape)}, expected input with shape [*, "
             f"{', '.join(map(str, shape))}], but got input of size{_sizes(xs)}")
    name = _kernel_dtype(input, "LayerNormKernelImpl")
    for v in (weight, bias):
        if v is not None and B.dtype_name(data(v).dtype) != name:
            fail(f"mixed dtype (CPU): expect parameter to have scalar type of {torch_type_name(name)}")
    axes = tuple(range(len(xs) - len(shape), len(xs)))
    return apply(NM.LAYER_NORM, input, weight, bias, layout="layer", axes=axes, eps=float(eps), running=None)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    tensors_only("batch_norm", input=input)
    xs = shape_of(input)
    channels = xs[1] if len(xs) > 1 else 0
    if training:
        count = 1
        for i, n in enumerate(xs):
            count *= n if i != 1 else 1
        if count == 1:
            fail(f"Expected more than 1 value per channel when training, got input size torch.Size("
                 f"{_sizes(xs)})", "value")
    for name, v in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if v is not None and (type(v) is not Tensor or data(v).size != channels):
            fail(f"{name} should contain {channels} elements not {data(v).size}")
    if not training and (running_mean is None or running_var is None):
        fail(f"{'running_mean' if running_mean is None else 'running_var'} must be defined in evaluation mode")
    _kernel_dtype(input, "batch_norm")
    axes = (0,) + tuple(range(2, len(xs)))
    layout = (1, channels) + (1,) * (len(xs) - 2)
    running = None
    if not training:
        mean = B.xp.reshape(data(running_mean), layout)
        rstd = 1.0 / B.xp.sqrt(B.xp.reshape(data(running_var), layout) + eps)
        running = (mean, rstd)
    out = apply(NM.BATCH_NORM, input, weight, bias, layout="batch", axes=axes, eps=float(eps), running=running)
    if training and running_mean is not None:
        _update_running(data(input), running_mean, running_var, axes, momentum)
    return out


def _update_running(x, running_mean, running_var, axes, momentum):
    """The running statistics moved toward the batch's: the mean, and the unbiased variance."""
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


# For the namespace (torchapi/namespace.py): layer_norm is a recorded op of its inputs, which a batch
# may replay; batch_norm moves running statistics, which no op records.
RECORDED = {"layer_norm": layer_norm}
VALUED = {"batch_norm": batch_norm}
