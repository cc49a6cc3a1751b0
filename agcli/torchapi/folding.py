"""torch.nn.functional's unfold (im2col: Im2ColBackward0) and fold (col2im: Col2ImBackward0), with
Python's _pair of each argument, the arguments' parsing and ATen's checks (im2col_shape_check.h) in
their words, on a batch or one sample (3-D for unfold, 2-D for fold)."""
from __future__ import annotations

from ..engine.backend import kind
from ..engine.ops.folding import COL2IM, IM2COL
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from .checks import fail, is_int, tensors_only


def _pair(name, function, position, value):
    """_pair(value), then the parser's check of a tuple of ints and ATen's of its length."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    for k, v in enumerate(pair):
        if not is_int(v):
            fail(f"{function}(): argument '{name}' (position {position}) must be tuple of ints, but found element "
                 f"of type {type(v).__name__} at pos {k}", "type")
    return tuple(int(v) for v in pair)


def _lengths(pairs):
    for name, pair in pairs.items():
        if len(pair) != 2:
            fail(f"It is expected {name} equals to 2, but got size {len(pair)}")


def _positive(name, pair, rule="greater than zero", words=None):
    low = 0 if name == "padding" else 1
    if pair[0] < low or pair[1] < low:
        first, second = words or (f"{name}_height", f"{name}_width")
        fail(f"{name if name != 'kernel' else 'kernel size'} should be {rule}, but got {first}: {pair[0]} "
             f"{second}: {pair[1]}")


def _checks(order, pairs):
    words = {"kernel": ("kernel_height", "kernel_width"), "padding": ("pad_height", "pad_width")}
    for name in order:
        _positive(name, pairs[name], "non-negative" if name == "padding" else "greater than zero", words.get(name))


def _floating(input, kernel_name):
    if kind(input.data.dtype) not in "fc":
        fail(f'"{kernel_name}" not implemented for \'{torch_type_name(input.data.dtype)}\'', "not_implemented")


def _blocks(sizes, kernel, dilation, padding, stride):
    return tuple((n + 2 * p - (d * (k - 1) + 1)) // s + 1
                 for n, k, d, p, s in zip(sizes, kernel, dilation, padding, stride))


def _shape(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    tensors_only("im2col", input=input)
    kernel, dilation, padding, stride = (_pair(n, "im2col", k, v) for k, (n, v) in enumerate(
        (("kernel_size", kernel_size), ("dilation", dilation), ("padding", padding), ("stride", stride)), 2))
    _lengths({"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride})
    _checks(("kernel", "dilation", "padding", "stride"),
            {"kernel": kernel, "dilation": dilation, "padding": padding, "stride": stride})
    shape, n = tuple(input.shape), input.data.ndim
    if n < 3:
        if n == 0:
            fail("dimension specified as 1 but tensor has no dimensions", "index")
        fail(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {1 if n < 2 else 2})",
             "index")
    if not ((n == 3 and shape[0] and shape[1] and shape[2]) or (n == 4 and shape[1] and shape[2] and shape[3])):
        fail("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for "
             f"input, but got: {_shape(shape)}")
    blocks = _blocks(shape[-2:], kernel, dilation, padding, stride)
    if blocks[0] < 1 or blocks[1] < 1:
        fail(f"Given input with spatial size ({shape[-2]}, {shape[-1]}), kernel_size=({kernel[0]}, {kernel[1]}), "
             f"dilation=({dilation[0]}, {dilation[1]}), padding=({padding[0]}, {padding[1]}), calculated shape of "
             f"the array of sliding blocks as ({blocks[0]}, {blocks[1]}), but its components must be at least one.")
    _floating(input, "im2col_out_cpu")
    return apply(IM2COL, input, kernel=kernel, dilation=dilation, padding=padding, stride=stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    tensors_only("col2im", input=input)
    output_size, kernel, dilation, padding, stride = (_pair(n, "col2im", k, v) for k, (n, v) in enumerate(
        (("output_size", output_size), ("kernel_size", kernel_size), ("dilation", dilation), ("padding", padding),
         ("stride", stride)), 2))
    _lengths({"output_size": output_size, "kernel_size": kernel, "dilation": dilation, "padding": padding,
              "stride": stride})
    _checks(("kernel", "stride", "dilation", "padding"),
            {"kernel": kernel, "dilation": dilation, "padding": padding, "stride": stride})
    shape, n = tuple(input.shape), input.data.ndim
    if not ((n == 2 and shape[0] and shape[1]) or (n == 3 and shape[1] and shape[2])):
        fail("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions "
             f"for input, but got: {_shape(shape)}")
    planes, length = shape[-2], shape[-1]
    if planes % (kernel[0] * kernel[1]):
        fail(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
             f"input.size(1)={planes} and kernel_size=({kernel[0]}, {kernel[1]}).")
    blocks = _blocks(output_size, kernel, dilation, padding, stride)
    given = (f"Given output_size=({output_size[0]}, {output_size[1]}), kernel_size=({kernel[0]}, {kernel[1]}), "
             f"dilation=({dilation[0]}, {dilation[1]}), padding=({padding[0]}, {padding[1]}), "
             f"stride=({stride[0]}, {stride[1]}), ")
    if length != blocks[0] * blocks[1]:
        fail(f"{given}expected size of input's dimension 2 to match the calculated number of sliding blocks "
             f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={length}.")
    if blocks[0] < 1 or blocks[1] < 1:
        fail(f"{given}calculated shape of the array of sliding blocks as ({blocks[0]}, {blocks[1]}), which is too "
             "small (non-positive)")
    if output_size[0] < 1 or output_size[1] < 1:
        fail(f"Expected output spatial size to be positive, but got: output_size=({output_size[0]}, "
             f"{output_size[1]}).")
    _floating(input, "col2im_out_cpu")
    return apply(COL2IM, input, output_size=output_size, kernel=kernel, dilation=dilation, padding=padding,
                 stride=stride)


# For the namespace (torchapi/rarer_names.py): recorded ops of their input
RECORDED = {"unfold": unfold, "fold": fold}
