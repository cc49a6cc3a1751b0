"""torch.nn.functional's convolutions and pools: conv1d/2d/3d (ConvolutionBackward0; padding
'same' pads an uneven side first, as ATen's _convolution_mode), max_pool1d/2d/3d (with
return_indices), avg_pool1d/2d/3d. Unbatched inputs go through unsqueeze and squeeze, and
1-d pools through 2-d ones, as ATen writes them, so the node lists are PyTorch's.
Arguments are checked in ATen's order, failing with its words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import convolution as CV
from ..engine.ops import pieces as PC
from ..engine.ops import pooling as PL
from ..engine.ops.shapes import squeeze, unsqueeze
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from ..state import state
from .checks import fail, is_int, ndim_of, shape_of, tensors_only
from .memory_formats import as_channels_last, channels_last_kernel, row_major_copy, suggests_channels_last

_SIZES = {1: "single", 2: "two", 3: "three"}


_POSITIONS = {"kernel_size": 2, "stride": 3, "padding": 4, "dilation": 5,    # (a pool's; a convolution's +1)
              "output_padding": 5}


def _listed(value, function, name, count):
    """An int[count] argument as PyTorch's parser takes it: a number repeated, a sequence kept."""
    if is_int(value):
        return (int(value),) * count
    if isinstance(value, (tuple, list)) and all(is_int(v) for v in value):
        return tuple(int(v) for v in value)
    position = _POSITIONS[name] + function.startswith("conv")
    fail(f"{function}(): argument '{name}' (position {position}) must be tuple of ints, not "
         f"{python_type_name(value)}", "type")


def _expanded(values, name, dims):
    """ATen's expand_param_if_needed: one value for every spatial dim."""
    if len(values) == 1:
        return values * dims
    if len(values) != dims:
        fail(f"expected {name} to be a single integer value or a list of {dims} values to match the convolution "
             f"dimensions, but got {name}={list(values)}")
    return values


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def batched(name, d, input, weight, bias):
    """A convolution's (or a transposed one's) tensors checked, and its input with a batch dim
    (an unbatched one unsqueezed, as ATen's batchify): (input, its dims, the weight's spatial dims)."""
    tensors_only(name, input=input, weight=weight)
    if bias is not None and type(bias) is not Tensor:
        fail(f"{name}(): argument 'bias' (position 3) must be Tensor, not {python_type_name(bias)}", "type")
    n = ndim_of(input)
    if n not in (d + 1, d + 2):
        fail(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {name}, but got input of size: "
             f"{_sizes(shape_of(input))}")
    k = ndim_of(weight) - 2
    if k <= 0:
        fail("weight should have at least three dimensions")
    return (input if n == d + 2 else unsqueeze(input, 0)), n, k


def _conv(d, input, weight, bias, stride, padding, dilation, groups):
    name = f"conv{d}d"
    x, n, k = batched(name, d, input, weight, bias)
    if not is_int(groups):
        fail(f"{name}(): argument 'groups' (position 7) must be int, not {python_type_name(groups)}", "type")
    if groups <= 0:
        fail("non-positive groups is not supported")
    stride = _expanded(_listed(stride, name, "stride", d), "stride", k)
    dilation = _listed(dilation, name, "dilation", d)
    if isinstance(padding, str):
        dilation = _expanded(dilation, "dilation", k)
        x, padding = _padded_mode(x, weight, padding, stride, dilation, k)
    else:
        padding = _expanded(_listed(padding, name, "padding", d), "padding", k)
        dilation = _expanded(dilation, "dilation", k)
    _check_shapes(x, weight, bias, stride, padding, dilation, groups, k)
    channels_last = channels_last_kernel(name, (x, weight))     # (its values are the row-major kernel's)
    if channels_last:
        x, weight = row_major_copy(x), row_major_copy(weight)
    out = apply(CV.CONVOLUTION, x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=int(groups))
    if channels_last:
        out = as_channels_last(out)
    return out if n == d + 2 else squeeze(out, 0)


def _padded_mode(x, weight, mode, stride, dilation, k):
    """padding='valid' or 'same' (ATen's _convolution_mode): 'same' pads each side by half the
    kernel's reach, the odd one on the right side by F.pad's ConstantPadNdBackward0 first."""
    if mode == "valid":
        return x, (0,) * k
    if mode != "same":
        fail(f"Invalid padding string: '{mode}'")
    if any(s != 1 for s in stride):
        fail("padding='same' is not supported for strided convolutions")
    totals = [dl * (n - 1) for dl, n in zip(dilation, shape_of(weight)[2:])]
    left = tuple(t // 2 for t in totals)
    if all(t % 2 == 0 for t in totals):
        return x, left
    state.warn("UserWarning: Using padding='same' with even kernel lengths and odd dilation may require a "
               "zero-padded copy of the input be created")
    pad = [0] * (2 * k)
    for i, t in enumerate(totals):
        pad[2 * (k - 1 - i) + 1] = t - 2 * (t // 2)
    return apply(PC.CONSTANT_PAD, x, pad=tuple(pad), value=0), left


def check_params(xs, ws, stride, padding, dilation, groups, k, output_padding=()):
    """The first part of ATen's check_shape_forward, a transposed convolution's too: the numbers,
    the input's dims for the weight's, the groups for the weight's first dim."""
    if any(p < 0 for p in padding):
        fail("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        fail("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        fail("non-positive stride is not supported")
    if any(dl <= 0 for dl in dilation):
        fail(f"dilation should be greater than zero, but got {list(dilation)}")
    if len(xs) != k + 2:
        fail(f"Expected {k + 2}-dimensional input for {k + 2}-dimensional weight {_sizes(ws)}, but got {len(xs)}-"
             f"dimensional input of size {_sizes(xs)} instead")
    if ws[0] < groups:
        fail(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got weight of size "
             f"{_sizes(ws)} instead")
    if ws[0] % groups:
        fail(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of "
             f"size [{_sizes(ws)}] instead")


def _check_shapes(x, weight, bias, stride, padding, dilation, groups, k):
    """ATen's check_shape_forward, and the dtypes' agreement."""
    ws, xs = shape_of(weight), shape_of(x)
    check_params(xs, ws, stride, padding, dilation, groups, k)
    if xs[1] != ws[1] * groups:
        fail(f"Given groups={groups}, weight of size {_sizes(ws)}, expected input{_sizes(xs)} to have "
             f"{ws[1] * groups} channels, but got {xs[1]} channels instead")
    if bias is not None and (ndim_of(bias) != 1 or shape_of(bias)[0] != ws[0]):
        fail(f"Given weight of size {_sizes(ws)}, expected bias to be 1-dimensional with {ws[0]} elements, but got "
             f"bias of size {_sizes(shape_of(bias))} instead")
    padded = [n + 2 * p for n, p in zip(xs[2:], padding)]
    reach = [dl * (n - 1) + 1 for dl, n in zip(dilation, ws[2:])]
    if any(a < b for a, b in zip(padded, reach)):
        fail(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
             f"({' x '.join(map(str, reach))}). Kernel size can't be greater than actual input size")
    kernel = ws[2:]
    if any(n <= 0 for n in kernel):
        if k == 3:
            fail(f"kernel size should be greater than zero, but got: {' x '.join(map(str, kernel))} (TxHxW)")
        height, width = (1,) + kernel if k == 1 else kernel
        fail(f"kernel size should be greater than zero, but got kernel_height: {height} kernel_width: {width}")
    xd, wd = B.dtype_name(data(x).dtype), B.dtype_name(data(weight).dtype)
    if xd == "bool":
        fail(f'"slow_conv{3 if k == 3 else 2}d_cpu" not implemented for \'Bool\'', "not_implemented")
    if bias is not None and B.dtype_name(data(bias).dtype) != xd:
        fail(f"Input type ({_c_type(xd)}) and bias type ({_c_type(B.dtype_name(data(bias).dtype))}) should be the "
             "same")
    if xd != wd:
        fail(f"expected scalar type {_scalar(xd)} but found {_scalar(wd)}")


_C_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}
_SCALARS = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _c_type(name):
    return _C_TYPES.get(name, name)


def _scalar(name):
    return _SCALARS.get(name, name)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)


# ---------------------------------------------------------------- pools
def _pool_param(value, name, what, d):
    """A pool's int[d] argument: one number for every dim, or d of them (ATen's messages);
    None for a stride left out (an empty one too)."""
    if what == "stride" and (value is None or isinstance(value, (tuple, list)) and not value):
        return None
    values = _listed(value, name, what, d)
    if d == 1 and len(values) != 1:
        if name == "avg_pool1d":
            fail(f"avg_pool1d() argument '{what}' should contain one int (got {len(values)})")
        sizes = {"kernel_size": "an int, list of ints or tuple of ints", "stride": "None, an int, list of ints, or "
                 "tuple of ints", "padding": "an int, list of ints, or tuple of ints",
                 "dilation": "an int, list of ints or tuple of ints"}[what]
        fail(f"max_pool1d() {what} must be {sizes} of size 1 but got size {len(values)}")
    if len(values) not in (1, d):
        count = _SIZES[d]
        if what == "stride":
            fail(f"{name}: stride must either be omitted, a single int, or a tuple of {count} ints")
        verb = "be either" if what == "dilation" else "either be"
        fail(f"{name}: {what} must {verb} a single int, or a tuple of {count} ints")
    return values * d if len(values) == 1 else values


def _pool_shapes(name, x, kernel, stride, padding, dilation, ceil_mode):
    """ATen's pooling_output_shape for each dim, then pool2d_shape_check's (pool3d's) checks."""
    d = len(kernel)
    sizes = shape_of(x)[-d:]
    for k, s, p, dl in zip(kernel, stride, padding, dilation):
        if s == 0:
            fail("stride should not be zero")
        if p < 0:
            fail(f"pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * dl + 1) // 2:
            fail(f"pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} and "
                 f"dilation={dl}")
    out = PL.pool_sizes(sizes, kernel, stride, padding, dilation, ceil_mode)
    if any(k <= 0 for k in kernel):
        fail("kernel size should be greater than zero, but got " + _named("k", kernel))
    if any(s <= 0 for s in stride):
        fail("stride should be greater than zero, but got " + _named("d", stride))
    if any(dl <= 0 for dl in dilation):
        fail("dilation should be greater than zero, but got " + _named("dilation", dilation))
    shape = shape_of(x)
    if 0 in shape[1:] or len(shape) == d + 1 and 0 in shape:
        fail(f"Expected {d + 1}D or {d + 2}D (batch mode) tensor with optional 0 dim batch size for input, but "
             f"got:{_sizes(shape)}")
    if any(o < 1 for o in out):
        planes = shape[-d - 1]
        fail(f"Given input size: ({'x'.join(map(str, (planes,) + tuple(sizes)))}). Calculated output size: "
             f"({'x'.join(map(str, (planes,) + tuple(out)))}). Output size is too small")


def _named(prefix, values):
    names = ("T", "H", "W")[-len(values):]
    return " ".join(f"{prefix}{n}: {v}" for n, v in zip(names, values))


def _not_bool(input, name):
    if B.dtype_name(data(input).dtype) == "bool":
        fail(f'"{name}" not implemented for \'Bool\'', "not_implemented")


def _max_pool(d, name, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    tensors_only(name, input=input)
    if ndim_of(input) not in (d + 1, d + 2):
        fail(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for input")
    _not_bool(input, name)
    kernel = _pool_param(kernel_size, name, "kernel_size", d)
    stride = _pool_param(stride, name, "stride", d) or kernel
    padding = _pool_param(padding, name, "padding", d)
    dilation = _pool_param(dilation, name, "dilation", d)
    _pool_shapes(name, input, kernel, stride, padding, dilation, bool(ceil_mode))
    params = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=bool(ceil_mode))
    out = apply(PL.MAX_POOLS[d], input, **params)
    if not return_indices:
        return out
    _, index = PL.max_choice(data(input), **params)
    index = Tensor(index, device=getattr(input, "device", "cpu"))
    return out, as_channels_last(index) if suggests_channels_last(input) else index


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """max_pool2d over input.unsqueeze(-2), squeezed after (ATen's max_pool1d_with_indices),
    after check_max_pool1d's checks."""
    tensors_only("max_pool1d", input=input)
    if return_indices:          # (F.max_pool1d_with_indices: max_pool2d's checks only)
        out = _max_pool(2, "max_pool2d", unsqueeze(input, -2), *_as_2d(kernel_size, stride, padding, dilation),
                        ceil_mode, True)
        return squeeze(out[0], -2), Tensor(B.xp.squeeze(out[1].data, axis=-2), device=out[1].device)
    shape = shape_of(input)
    if not (len(shape) == 2 and 0 not in shape or len(shape) == 3 and 0 not in shape[1:]):
        fail(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but "
             f"got:{_sizes(shape)}")
    (k,) = _pool_param(kernel_size, "max_pool1d", "kernel_size", 1)
    (s,) = _pool_param(stride, "max_pool1d", "stride", 1) or (k,)
    (p,) = _pool_param(padding, "max_pool1d", "padding", 1)
    (dl,) = _pool_param(dilation, "max_pool1d", "dilation", 1)
    for ok, text in ((k > 0, f"kernel_size must be greater than zero, but got {k}"),
                     (s > 0, f"stride must be greater than zero, but got {s}"),
                     (p >= 0, f"padding must be non-negative, but got {p}"),
                     (p <= k // 2, f"padding should be at most half of kernel size, but got padding={p} and "
                                   f"kernel_size={k}"),
                     (dl > 0, f"dilation must be greater than zero, but got {dl}")):
        if not ok:
            fail(f"max_pool1d() {text}")
    (size,) = PL.pool_sizes(shape[-1:], (k,), (s,), (p,), (dl,), bool(ceil_mode))
    if size <= 0:
        fail(f"max_pool1d() Invalid computed output size: {size}")
    if B.kind(data(input).dtype) != "f" and not getattr(input, "requires_grad", False):
        fail(f'"max_pool1d_impl" not implemented for \'{torch_type_name(B.dtype_name(data(input).dtype))}\'',
             "not_implemented")
    return squeeze(_max_pool(2, "max_pool2d", unsqueeze(input, -2), (1, k), (1, s), (0, p), (1, dl), ceil_mode,
                             False), -2)


def _as_2d(kernel_size, stride, padding, dilation):
    """A 1-d pool's arguments as the 2-d pool's over an unsqueezed dim (ATen's max_pool1d_with_indices)."""
    (k,) = _pool_param(kernel_size, "max_pool1d", "kernel_size", 1)
    (s,) = _pool_param(stride, "max_pool1d", "stride", 1) or (k,)
    return (1, k), (1, s), (0, _pool_param(padding, "max_pool1d", "padding", 1)[0]), \
        (1, _pool_param(dilation, "max_pool1d", "dilation", 1)[0])


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool(d, name, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    tensors_only(name, input=input)
    if d == 2 and ndim_of(input) < d + 1:      # (avg_pool2d reads input.size(-3) first)
        n = max(ndim_of(input), 1)
        fail(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {-d - 1})", "index")
    if ndim_of(input) not in (d + 1, d + 2):
        if d == 2:
            fail(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                 f"got:{_sizes(shape_of(input))}")
        fail(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for input")
    _not_bool(input, name)
    kernel = _pool_param(kernel_size, name, "kernel_size", d)
    stride = _pool_param(stride, name, "stride", d) or kernel
    padding = _pool_param(padding, name, "padding", d)
    if divisor_override is not None and divisor_override == 0:
        fail("divisor must be not zero")
    sizes = shape_of(input)[-d:]
    if d == 3 and any(n < k for n, k in zip(sizes, kernel)):      # (pool3d_shape_check's, for averages only)
        fail(f"input image (T: {sizes[0]} H: {sizes[1]} W: {sizes[2]}) smaller than kernel size (kT: {kernel[0]} "
             f"kH: {kernel[1]} kW: {kernel[2]})")
    _pool_shapes(name, input, kernel, stride, padding, (1,) * d, bool(ceil_mode))
    return apply(PL.AVERAGES[d], input, kernel=kernel, stride=stride, padding=padding, ceil_mode=bool(ceil_mode),
                 count_include_pad=bool(count_include_pad), divisor_override=divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """avg_pool2d over input.unsqueeze(-2), squeezed after (ATen's avg_pool1d)."""
    tensors_only("avg_pool1d", input=input)
    if ndim_of(input) not in (2, 3):
        fail(f"Expected 2 to 3 dimensions, but got {ndim_of(input)}-dimensional tensor for argument #1 'self' (while "
             "checking arguments for avg_pool1d)")
    kernel = _pool_param(kernel_size, "avg_pool1d", "kernel_size", 1)
    stride = _pool_param(stride, "avg_pool1d", "stride", 1) or kernel
    padding = _pool_param(padding, "avg_pool1d", "padding", 1)
    out = _avg_pool(2, "avg_pool2d", unsqueeze(input, -2), (1,) + kernel, (1,) + stride, (0,) + padding, ceil_mode,
                    count_include_pad, None)
    return squeeze(out, -2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(3, "avg_pool3d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# For the namespace (torchapi/namespace.py): convolutions and averages are recorded ops of their
# inputs, which a batch may replay; a max pool's indices are values no op records.
RECORDED = {"conv1d": conv1d, "conv2d": conv2d, "conv3d": conv3d, "avg_pool1d": avg_pool1d, "avg_pool2d": avg_pool2d,
            "avg_pool3d": avg_pool3d}
VALUED = {"max_pool1d": max_pool1d, "max_pool2d": max_pool2d, "max_pool3d": max_pool3d}

