"""torch.nn.functional's adaptive average pools: adaptive_avg_pool1d/2d/3d
(AdaptiveAvgPool2D/3DBackward0; an output of size 1 everywhere is the mean, MeanBackward1, and a
1-d pool the 2-d one over an unsqueezed dim, as ATen writes them), checked in ATen's words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import adaptive as AD
from ..engine.ops.shapes import squeeze, unsqueeze
from ..engine.tensor import apply, data
from ..errors import python_type_name, torch_type_name
from .checks import fail, is_int, ndim_of, shape_of, tensors_only
from .reductions import mean


def _output_size(output_size, name, d, sizes):
    """An int or d of them (None: the input's size there)."""
    values = (output_size,) * d if is_int(output_size) or output_size is None else output_size
    if not isinstance(values, (tuple, list)) or not all(v is None or is_int(v) for v in values):
        fail(f"{name}(): argument 'output_size' (position 2) must be tuple of ints, not "
             f"{python_type_name(output_size)}", "type")
    if len(values) != d:
        fail(f"{name}: output_size must be {d}")
    values = tuple(n if v is None else int(v) for v, n in zip(values, sizes))
    if any(v < 0 for v in values):
        fail(f"{name}: elements of output_size must be greater than or equal to 0 but received "
             f"{{{', '.join(map(str, values))}}}")
    return values


def _pool(d, input, output_size):
    name = f"adaptive_avg_pool{d}d"
    tensors_only(name, input=input)
    shape = shape_of(input)
    if len(shape) not in (d + 1, d + 2):
        fail(f"{name}(): Expected {d + 1}D or {d + 2}D tensor, but got [{', '.join(map(str, shape))}]")
    first = len(shape) - d - 1          # (the non-batch dims: the channels' on)
    empty = [i for i in range(first, len(shape)) if shape[i] == 0]
    if empty:
        fail(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "
             f"{list(shape)} with dimension {empty[0]} being empty")
    size = _output_size(output_size, name, d, shape[-d:])
    if all(n == 1 for n in size):                   # (ATen: input.mean(dims, keepdim=True))
        return mean(input, tuple(range(-d, 0)), keepdim=True)
    if B.kind(data(input).dtype) not in "fc":
        fail(f'"adaptive_avg_pool{d}d" not implemented for \'{torch_type_name(B.dtype_name(data(input).dtype))}\'',
             "not_implemented")
    return apply(AD.AVERAGES[d], input, output_size=size)


def adaptive_avg_pool1d(input, output_size):
    tensors_only("adaptive_avg_pool1d", input=input)
    if ndim_of(input) not in (2, 3):
        fail(f"Expected 2 to 3 dimensions, but got {ndim_of(input)}-dimensional tensor for argument #1 'self' "
             "(while checking arguments for adaptive_avg_pool1d)")
    size = output_size if is_int(output_size) else tuple(output_size)
    if not is_int(size) and len(size) != 1:
        fail(f"adaptive_avg_pool1d() argument 'output_size' should contain one int (got {len(size)})")
    return squeeze(_pool(2, unsqueeze(input, -2), (1, size if is_int(size) else size[0])), -2)


def adaptive_avg_pool2d(input, output_size):
    return _pool(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    return _pool(3, input, output_size)


# For the namespace (torchapi/namespace.py): recorded ops of their inputs, which a batch may replay.
RECORDED = {"adaptive_avg_pool1d": adaptive_avg_pool1d, "adaptive_avg_pool2d": adaptive_avg_pool2d,
            "adaptive_avg_pool3d": adaptive_avg_pool3d}
