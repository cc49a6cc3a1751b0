"""torch.nn.functional's conv_transpose1d/2d/3d (ConvolutionBackward0, transposed): arguments as
PyTorch takes them (groups before dilation), unbatched inputs through unsqueeze and squeeze,
checked in ATen's order and words (convolution.py's checks where they are the same)."""
from __future__ import annotations

from ..engine.ops import transposed as TR
from ..engine.ops.shapes import squeeze
from ..engine.tensor import apply, data
from .checks import fail, is_int, ndim_of, shape_of
from .convolution import _expanded, _listed, _scalar, _sizes, batched, check_params
from .memory_formats import channels_last_kernel
from ..engine import backend as B

_NAMES = ("height", "width")


def _conv_transpose(d, input, weight, bias, stride, padding, output_padding, groups, dilation):
    name = f"conv_transpose{d}d"
    x, n, k = batched(name, d, input, weight, bias)
    if not is_int(groups) or groups <= 0:
        fail("non-positive groups is not supported")
    stride = _expanded(_listed(stride, name, "stride", d), "stride", k)
    padding = _expanded(_listed(padding, name, "padding", d), "padding", k)
    output_padding = _expanded(_listed(output_padding, name, "output_padding", d), "output_padding", k)
    dilation = _expanded(_listed(dilation, name, "dilation", d), "dilation", k)
    _check(x, weight, bias, stride, padding, output_padding, dilation, int(groups), k)
    channels_last_kernel(name, (x, weight), values_differ=True)
    out = apply(TR.CONVOLUTION_TRANSPOSED, x, weight, bias, stride=stride, padding=padding, dilation=dilation,
                groups=int(groups), output_padding=output_padding)
    return out if n == d + 2 else squeeze(out, 0)


def _check(x, weight, bias, stride, padding, output_padding, dilation, groups, k):
    ws, xs = shape_of(weight), shape_of(x)
    check_params(xs, ws, stride, padding, dilation, groups, k, output_padding)
    if xs[1] != ws[0]:
        fail(f"Given transposed=1, weight of size {_sizes(ws)}, expected input{_sizes(xs)} to have {ws[0]} channels, "
             f"but got {xs[1]} channels instead")
    if bias is not None and (ndim_of(bias) != 1 or shape_of(bias)[0] != ws[1] * groups):
        fail(f"Given transposed=1, weight of size {_sizes(ws)}, expected bias to be 1-dimensional with "
             f"{ws[1] * groups} elements, but got bias of size {_sizes(shape_of(bias))} instead")
    if any(o >= s and o >= dl for o, s, dl in zip(output_padding, stride, dilation)):
        names = _NAMES if k == 2 else ("depth",) + _NAMES if k == 3 else ("width",)
        parts = [f"output_padding_{n}: {o}" for n, o in zip(names, output_padding)] + \
            [f"stride_{n}: {s}" for n, s in zip(names, stride)] + \
            [f"dilation_{n}: {dl}" for n, dl in zip(names, dilation)]
        fail("output padding must be smaller than either stride or dilation, but got " + " ".join(parts))
    sizes = TR.out_sizes(xs[2:], ws[2:], stride, padding, dilation, output_padding)
    if any(n <= 0 for n in sizes):         # (1-d: as the 2-d one over a dim of 1, as ATen runs it)
        given, out = (((1,) + tuple(xs[2:]), (1,) + sizes) if k == 1 else (tuple(xs[2:]), sizes))
        fail(f"Given input size per channel: ({' x '.join(map(str, given))}). Calculated output size per channel: "
             f"({' x '.join(map(str, out))}). Output size is too small")
    xd, wd = B.dtype_name(data(x).dtype), B.dtype_name(data(weight).dtype)
    if xd != wd:
        fail(f"expected scalar type {_scalar(xd)} but found {_scalar(wd)}")


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


# For the namespace (torchapi/namespace.py): recorded ops of their inputs, which a batch may replay.
RECORDED = {"conv_transpose1d": conv_transpose1d, "conv_transpose2d": conv_transpose2d,
            "conv_transpose3d": conv_transpose3d}
