"""torch.nn.functional's max_unpool1d/2d/3d as functional.py writes them (_unpool_output_size's
default and checks; 1-d through max_unpool2d of unsqueezed tensors), ATen's checks and words
(MaxUnpooling.cpp) before the op (engine/ops/unpool.py) runs."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import unpool as U
from ..engine.ops.shapes import squeeze, unsqueeze
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .checks import fail, is_int, shape_of
from .size import Size


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _tuple(v, d):
    return (v,) * d if is_int(v) else tuple(v)


def _output_size(input, kernel, stride, padding, output_size):
    """functional.py's _unpool_output_size."""
    if type(input) is not Tensor:
        fail(f"'{python_type_name(input)}' object has no attribute 'size'", "attribute")
    sizes = shape_of(input)
    d = len(kernel)
    default = [(sizes[len(sizes) - d + i] - 1) * stride[i] + kernel[i] - 2 * padding[i] for i in range(d)]
    if output_size is None:
        out = default
    else:
        if len(output_size) == d + 2:
            output_size = Size(output_size[2:]) if isinstance(output_size, Size) else output_size[2:]
        if len(output_size) != d:
            fail(f"output_size should be a sequence containing {d} or {d + 2} elements, but it has a length of "
                 f"'{len(output_size)}'", "value")
        for i in range(d):
            low, high = default[i] - stride[i], default[i] + stride[i]
            if not low < output_size[i] < high:
                fail(f'invalid output_size "{output_size!r}" (dim {i} must be between {low} and {high})', "value")
        out = list(output_size)
    for i in range(d):
        if out[i] < 0:
            fail(f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                 f"output_size[{i}]={out[i]}", "value")
    return tuple(int(v) for v in out)


def _unpool(d, input, indices, output_size, stride=None):
    """torch's max_unpool2d / max_unpool3d (their checks in ATen's order)."""
    name = f"max_unpool{d}d"
    if type(indices) is not Tensor:
        fail(f"{name}(): argument 'indices' (position 2) must be Tensor, not {python_type_name(indices)}", "type")
    if B.dtype_name(data(indices).dtype) != "int64":
        fail("elements in indices should be type int64" +
             (f" but got: {torch_type_name(B.dtype_name(data(indices).dtype))}" if d == 2 else ""))
    si, sx = shape_of(input), shape_of(indices)
    if len(si) not in (d + 1, d + 2):
        fail(f"Input to max_unpooling{d}d should be a {d + 1}d or {d + 2}d Tensor, but got a tensor with {len(si)} "
             "dimensions.")
    if si != sx:
        fail(f"Expected shape of indices to be same as that of the input tensor ({_sizes(si)}) but got indices "
             f"tensor with shape: {_sizes(sx)}")
    for i in range(1, len(si)):
        if si[i] <= 0:
            fail(f"max_unpooling{d}d_forward_out_cpu(): Expected input to have non-zero size for non-batch "
                 f"dimensions, but got {_sizes(si)} with dimension {i} being empty.")
    if stride is not None and not all(s > 0 for s in stride):
        fail(f"strides should be greater than zero, but got stride: {_sizes(stride)}")
    if B.kind(data(input).dtype) != "f":
        fail(f'"{name}" not implemented for \'{torch_type_name(B.dtype_name(data(input).dtype))}\'',
             "not_implemented")
    bad = U.last_invalid(data(indices), output_size) if all(output_size) else None
    if bad is not None:
        fail(f"Found an invalid max index: {bad} (output volumes are of size {'x'.join(map(str, output_size))})")
    return apply(U.MAX_UNPOOL_2D if d == 2 else U.MAX_UNPOOL_3D, input, indices=data(indices),
                 output_size=output_size)


def _args(d, kernel_size, stride, padding):
    kernel = _tuple(kernel_size, d)
    return kernel, (_tuple(stride, d) if stride is not None else kernel), _tuple(padding, d)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel, step, pad = _args(1, kernel_size, stride, padding)
    size = _output_size(input, kernel, step, pad, output_size)
    if type(indices) is not Tensor:
        fail(f"'{python_type_name(indices)}' object has no attribute 'unsqueeze'", "attribute")
    wide = Tensor(B.xp.expand_dims(data(indices), axis=-1), device=indices.device)
    return squeeze(_unpool(2, unsqueeze(input, -1), wide, size + (1,)), -1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel, step, pad = _args(2, kernel_size, stride, padding)
    return _unpool(2, input, indices, _output_size(input, kernel, step, pad, output_size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel, step, pad = _args(3, kernel_size, stride, padding)
    return _unpool(3, input, indices, _output_size(input, kernel, step, pad, output_size), step)


# For the namespace (nn_extras.py): their indices are values read with the call (no replay)
VALUED = {"max_unpool1d": max_unpool1d, "max_unpool2d": max_unpool2d, "max_unpool3d": max_unpool3d}
