"""torch.nn.init: PyTorch's weight initialisers, as torch/nn/init.py computes them.

The bounds and standard deviations are the same Python-float arithmetic as
PyTorch's (so the same doubles reach the kernel), and the values are drawn under
no_grad by the in-place draws (torchapi/sampling.py), from agcli's copy of
PyTorch's CPU generator: after torch.manual_seed they are PyTorch's bit for bit.
"""
from __future__ import annotations

import math

from ..engine import backend as B
from ..engine.tensor import Tensor, set_grad_enabled
from ..state import state
from . import creation as C
from . import in_place, sampling
from .checks import fail

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity, param=None):
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            negative_slope = param
        else:
            fail(f"negative_slope {param} not a valid number", "value")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    fail(f"Unsupported nonlinearity {nonlinearity}", "value")


def _calculate_fan_in_and_fan_out(tensor):
    shape = _tensor(tensor).shape
    if len(shape) < 2:
        fail("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", "value")
    receptive_field_size = 1
    for s in shape[2:]:
        receptive_field_size *= s
    return shape[1] * receptive_field_size, shape[0] * receptive_field_size


def _calculate_correct_fan(tensor, mode):
    if not isinstance(mode, str):
        fail(f"'{type(mode).__name__}' object has no attribute 'lower'", "attribute")
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        fail(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']", "value")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _tensor(tensor):
    """PyTorch calls the tensor's methods: anything else has none."""
    if type(tensor) is not Tensor:
        fail(f"'{type(tensor).__name__}' object has no attribute 'dim'", "attribute")
    return tensor


def _no_grad(fill, tensor, *args, **kwargs):
    with set_grad_enabled(False):
        return fill(_tensor(tensor), *args, **kwargs)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    return _no_grad(sampling.uniform_, tensor, a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    return _no_grad(sampling.normal_, tensor, mean, std, generator=generator)


def constant_(tensor, val):
    return _no_grad(in_place.fill_, tensor, val)


def ones_(tensor):
    return _no_grad(in_place.fill_, tensor, 1.0)


def zeros_(tensor):
    return _no_grad(in_place.zero_, tensor)


def eye_(tensor):
    """torch.eye(*tensor.shape, out=tensor) under no_grad."""
    if len(_tensor(tensor).shape) != 2:
        fail("Only tensors with 2 dimensions are supported", "value")
    rows, cols = tensor.shape
    return _no_grad(in_place.copy_, tensor, C.eye(rows, cols, dtype=B.dtype_name(tensor.data.dtype), device=tensor.device))


def orthogonal_(tensor, gain=1, generator=None):
    """torch/nn/init.py: a normal draw of (rows, numel // rows), transposed when wide, its QR's Q times the
    signs of R's diagonal, copied in and scaled by gain under no_grad."""
    if len(_tensor(tensor).shape) < 2:
        fail("Only tensors with 2 or more dimensions are supported", "value")
    if tensor.data.size == 0:
        return tensor
    from . import decompositions, functions as F
    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    with set_grad_enabled(False):
        flattened = C.new_empty(tensor, rows, cols)
        sampling.normal_(flattened, 0, 1, generator=generator)
        if rows < cols:
            flattened = F.t(flattened)
        q, r = decompositions.qr(flattened)
        q = F.mul(q, F.sign(F.diagonal(r)))
        if rows < cols:
            q = F.t(q)
        in_place.copy_(tensor, F.reshape(q, tuple(tensor.shape)))
        in_place.mul_(tensor, gain)
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    """gain / sqrt(fan), or None for a tensor with no elements (PyTorch warns and leaves it)."""
    if 0 in _tensor(tensor).shape:
        state.warn("UserWarning: Initializing zero-element tensors is a no-op")
        return None
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0, std, generator)


FUNCTIONS = {name: globals()[name] for name in (
    "calculate_gain", "_calculate_fan_in_and_fan_out", "uniform_", "normal_", "constant_", "ones_", "zeros_",
    "eye_", "xavier_uniform_", "xavier_normal_", "orthogonal_", "kaiming_uniform_", "kaiming_normal_")}
