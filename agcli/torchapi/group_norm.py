"""torch.nn.functional's group_norm and torch.group_norm (NativeGroupNormBackward0, over the input
made contiguous as ATen's composite makes it: a CloneBackward0 for a transposed input), checked in
F's and ATen's order and words."""
from __future__ import annotations

from ..engine.ops import group_norm as GN
from ..engine.tensor import Tensor, apply
from ..errors import python_type_name
from .checks import fail, is_int, ndim_of, shape_of, tensors_only
from .memory_formats import channels_last_kernel
from .normalization import _kernel_dtype, _mixed, _number, _sizes
from .shaping import contiguous


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """F.group_norm: its own checks (the input's dims, more than one value a group), then torch's."""
    if type(input) is not Tensor:           # (F reads input.dim() first)
        fail(f"'{python_type_name(input)}' object has no attribute 'dim'", "attribute")
    if ndim_of(input) < 2:
        fail(f"Expected at least 2 dimensions for input tensor but received {ndim_of(input)}")
    shape = shape_of(input)
    if is_int(num_groups):
        if num_groups == 0:
            fail("integer division or modulo by zero", "zero")
        count = shape[0] * shape[1] // num_groups       # (F's _verify_batch_size skips the groups' dim)
        for n in shape[2:]:
            count *= n
        if count == 1:
            fail(f"Expected more than 1 value per channel when training, got input size "
                 f"{_sizes([shape[0] * shape[1] // num_groups, num_groups] + list(shape[2:]))}", "value")
    return torch_group_norm(input, num_groups, weight, bias, eps)


def torch_group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """torch.group_norm: ATen's checks (groups, channels, the weight's and bias's sizes), then the op."""
    tensors_only("group_norm", input=input)
    if not is_int(num_groups):
        fail(f"group_norm(): argument 'num_groups' (position 2) must be int, not {python_type_name(num_groups)}",
             "type")
    for name, v, position in (("weight", weight, 3), ("bias", bias, 4)):
        if v is not None and type(v) is not Tensor:
            fail(f"group_norm(): argument '{name}' (position {position}) must be Tensor, not "
                 f"{python_type_name(v)}", "type")
    eps = _number(eps, "group_norm", "eps", 5)
    shape = shape_of(input)
    channels = shape[1]
    if num_groups <= 0:
        fail(f"Expected num groups to be greater than 0, got {num_groups}")
    if channels % num_groups:
        fail(f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
             f"{_sizes(shape)} and num_groups={num_groups}")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and shape_of(v) != (channels,):
            # (ATen's message for the bias shows the weight's shape: [0] without one)
            shown = shape_of(v) if name == "weight" else (shape_of(weight) if weight is not None else (0,))
            fail(f"Expected {name} to be a vector of size equal to the number of channels in input, but got "
                 f"{name} of shape {_sizes(shown)} and input of shape {_sizes(shape)}")
    _mixed(input, weight, bias)
    _kernel_dtype(input, "GroupNormKernelImpl")
    channels_last_kernel("group_norm", (input,), values_differ=True)
    return apply(GN.GROUP_NORM, contiguous(input), weight, bias, groups=int(num_groups), eps=eps)


# For the namespace (torchapi/namespace.py): a recorded op of its inputs, which a batch may replay.
RECORDED = {"group_norm": group_norm}
TORCH_ONLY = {"group_norm": torch_group_norm}
