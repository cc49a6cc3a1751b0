"""torch.nn.functional's adaptive max pools: adaptive_max_pool2d (AdaptiveMaxPool2DBackward0),
adaptive_max_pool3d (AdaptiveMaxPool3DBackward0) and adaptive_max_pool1d (the 2-d one over an
unsqueezed dim, as ATen writes it), with return_indices and the _with_indices names, checked in
F's and ATen's order and words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import adaptive_max as AM
from ..engine.ops.shapes import squeeze, unsqueeze
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .checks import fail, is_int, ndim_of, shape_of, tensors_only


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _with_indices(input, output_size, d=2):
    """torch's adaptive_max_pool2d / adaptive_max_pool3d: (values, indices)."""
    name = f"adaptive_max_pool{d}d"
    tensors_only(name, input=input)
    shape = shape_of(input)
    if len(shape) not in (d + 1, d + 2):
        fail(f"{name}(): Expected {d + 1}D or {d + 2}D tensor, but got: {_sizes(shape)}")
    for i in range(1, len(shape)):
        if shape[i] == 0:
            fail(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                 f"has sizes {_sizes(shape)} with dimension {i} being empty")
    size = (output_size,) * d if is_int(output_size) else output_size
    if not isinstance(size, (tuple, list)) or not all(is_int(v) for v in size):
        fail(f"{name}(): argument 'output_size' (position 2) must be tuple of ints, not "
             f"{python_type_name(output_size)}", "type")
    if len(size) != d:
        fail(f"{name}(): internal error: output_size.size() must be {d}")
    size = tuple(int(v) for v in size)
    if any(v < 0 for v in size):
        fail(f"Trying to create tensor with negative dimension {min(size)}: {_sizes(shape[:-d] + size)}")
    if B.kind(data(input).dtype) != "f":
        fail(f'"{name}{"_cpu" if d == 3 else ""}" not implemented for '
             f'\'{torch_type_name(B.dtype_name(data(input).dtype))}\'', "not_implemented")
    out = apply(AM.ADAPTIVE_MAX_POOL_2D if d == 2 else AM.ADAPTIVE_MAX_POOL_3D, input, output_size=size)
    return out, Tensor(AM.choose(data(input), size)[1], device=input.device)


def _defaults(output_size, input):
    """F's _list_with_default(output_size, input.size()): None takes the input's size there."""
    if type(input) is not Tensor:
        fail(f"'{python_type_name(input)}' object has no attribute 'size'", "attribute")
    if is_int(output_size) or not isinstance(output_size, (tuple, list)):
        if not is_int(output_size) and not hasattr(output_size, "__len__"):
            fail(f"object of type '{python_type_name(output_size)}' has no len()", "type")
        return output_size
    sizes = shape_of(input)
    if len(sizes) <= len(output_size):
        fail(f"Input dimension should be at least {len(output_size) + 1}", "value")
    return [sizes[len(sizes) - len(output_size) + i] if v is None else v for i, v in enumerate(output_size)]


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _with_indices(input, _defaults(output_size, input))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    out, index = _with_indices(input, _defaults(output_size, input))
    return (out, index) if return_indices else out


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """torch.adaptive_max_pool1d: the 2-d pool over input.unsqueeze(-2), squeezed after."""
    tensors_only("adaptive_max_pool1d", input=input)
    if ndim_of(input) not in (2, 3):
        fail(f"Expected 2 to 3 dimensions, but got {ndim_of(input)}-dimensional tensor for argument #1 'self' "
             "(while checking arguments for adaptive_max_pool1d)")
    size = output_size if is_int(output_size) else tuple(output_size)
    if not is_int(size) and len(size) != 1:
        fail(f"adaptive_max_pool1d() argument 'output_size' should contain one int (got {len(size)})")
    out, index = _with_indices(unsqueeze(input, -2), (1, size if is_int(size) else size[0]))
    return squeeze(out, -2), Tensor(B.xp.squeeze(data(index), -2), device=input.device)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    out, index = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, index) if return_indices else out


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _with_indices(input, _defaults(output_size, input), 3)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    out, index = _with_indices(input, _defaults(output_size, input), 3)
    return (out, index) if return_indices else out


# For the namespace (torchapi/namespace.py): their values are recorded ops, their indices read with them
VALUED = {"adaptive_max_pool1d": adaptive_max_pool1d, "adaptive_max_pool2d": adaptive_max_pool2d,
          "adaptive_max_pool1d_with_indices": adaptive_max_pool1d_with_indices,
          "adaptive_max_pool2d_with_indices": adaptive_max_pool2d_with_indices,
          "adaptive_max_pool3d": adaptive_max_pool3d,
          "adaptive_max_pool3d_with_indices": adaptive_max_pool3d_with_indices}
