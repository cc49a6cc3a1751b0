"""torch.nn's convolution and pooling layers: Conv1d/2d/3d (PyTorch's default initialisation,
as Linear's), MaxPool1d/2d/3d and AvgPool1d/2d/3d, as torch/nn/modules/conv.py and
pooling.py write them: their attributes, checks, printing, and forward through F."""
from __future__ import annotations

import math

from ...errors import AgcliError
from ...torchapi import creation as C
from ...torchapi import nn_init
from .layers import functional, init_with
from .module import Module
from .native import call, native_class, program, registered_or_member
from .parameter import parameter

_PADDING_STRINGS = "{'same', 'valid'}"          # (the sets' texts as PyTorch's messages print them)
_PADDING_MODES = "{'zeros', 'replicate', 'circular', 'reflect'}"


def _n_tuple(value, n):
    """torch.nn.modules.utils' _single/_pair/_triple: a sequence as a tuple, a number repeated."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _pad_arguments(padding, kernel_size, dilation):
    """_ConvNd's _reversed_padding_repeated_twice: F.pad's argument for a padding_mode other than zeros."""
    if not isinstance(padding, str):
        return tuple(p for p in reversed(padding) for _ in range(2))
    pads = [0, 0] * len(kernel_size)
    if padding == "same":
        for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
            total = d * (k - 1)
            pads[2 * i], pads[2 * i + 1] = total // 2, total - total // 2
    return pads


def _set_up(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed, output_padding,
            groups, bias, padding_mode, device, dtype):
    """_ConvNd.__init__: the checks, the attributes, the weight ((out, in/groups, *kernel), transposed
    (in, out/groups, *kernel)) and bias, then reset_parameters."""
    n = self.dims
    kernel_size, stride, dilation = _n_tuple(kernel_size, n), _n_tuple(stride, n), _n_tuple(dilation, n)
    if not isinstance(padding, str):
        padding = _n_tuple(padding, n)
    if groups <= 0:
        raise AgcliError("groups must be a positive integer", kind="value")
    if in_channels % groups != 0:
        raise AgcliError("in_channels must be divisible by groups", kind="value")
    if out_channels % groups != 0:
        raise AgcliError("out_channels must be divisible by groups", kind="value")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise AgcliError(f"Invalid padding string {padding!r}, should be one of {_PADDING_STRINGS}",
                             kind="value")
        if padding == "same" and any(s != 1 for s in stride):
            raise AgcliError("padding='same' is not supported for strided convolutions", kind="value")
    if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
        raise AgcliError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'",
                         kind="value")
    init_with(self, in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size, stride=stride,
              padding=padding, dilation=dilation, transposed=transposed, output_padding=_n_tuple(output_padding, n),
              groups=groups, padding_mode=padding_mode,
              _reversed_padding_repeated_twice=_pad_arguments(padding, kernel_size, dilation))
    shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
    Module.program_setattr(self, "weight", parameter(C.empty(shape + kernel_size, device=device, dtype=dtype)))
    if bias:
        Module.program_setattr(self, "bias", parameter(C.empty(out_channels, device=device, dtype=dtype)))
    else:
        Module.register_parameter(self, "bias", None)
    call(self, "reset_parameters")


class _ConvNd(Module):
    dims = 0
    layer_base = True
    pytorch_owners = {"reset_parameters": "_ConvNd", "extra_repr": "_ConvNd"}

    @program("__init__")
    def init(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
             padding_mode="zeros", device=None, dtype=None):
        _set_up(self, in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias,
                padding_mode, device, dtype)

    @program("reset_parameters")
    def reset_parameters(self):
        params = self.__dict__["_parameters"]
        nn_init.kaiming_uniform_(params["weight"], a=math.sqrt(5))
        if params["bias"] is not None:
            fan_in, _ = nn_init._calculate_fan_in_and_fan_out(params["weight"])
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                nn_init.uniform_(params["bias"], -bound, bound)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        weight, bias = registered_or_member(self, "weight"), registered_or_member(self, "bias")
        conv = functional(f"conv{self.dims}d")
        if own["padding_mode"] != "zeros":       # (F.pad first, then no padding: as PyTorch's _conv_forward)
            padded = functional("pad")(input, own["_reversed_padding_repeated_twice"], mode=own["padding_mode"])
            return conv(padded, weight, bias, own["stride"], (0,) * self.dims, own["dilation"],
                        own["groups"])
        return conv(input, weight, bias, own["stride"], own["padding"], own["dilation"], own["groups"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        text = f"{own['in_channels']}, {own['out_channels']}, kernel_size={own['kernel_size']}, stride={own['stride']}"
        padding = own["padding"]
        if padding != (0,) * len(padding):
            text += f", padding={padding}"
        if own["dilation"] != (1,) * len(own["dilation"]):
            text += f", dilation={own['dilation']}"
        if own["output_padding"] != (0,) * len(own["output_padding"]):
            text += f", output_padding={own['output_padding']}"
        if own["groups"] != 1:
            text += f", groups={own['groups']}"
        if registered_or_member(self, "bias") is None:
            text += ", bias=False"
        if own["padding_mode"] != "zeros":
            text += f", padding_mode={own['padding_mode']}"
        return text


class Conv1d(_ConvNd):
    dims = 1


class Conv2d(_ConvNd):
    dims = 2


class Conv3d(_ConvNd):
    dims = 3


class _ConvTransposeNd(_ConvNd):
    layer_base = True
    pytorch_owners = {"reset_parameters": "_ConvNd", "extra_repr": "_ConvNd"}

    @program("__init__")
    def init(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
             dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise AgcliError(f'Only "zeros" padding mode is supported for {type(self).__name__}', kind="value")
        _set_up(self, in_channels, out_channels, kernel_size, stride, padding, dilation, True, output_padding,
                groups, bias, padding_mode, device, dtype)

    @program("forward")
    def forward(self, input, output_size=None):
        own = self.__dict__
        output_padding = _output_padding(self, input, output_size)
        weight, bias = registered_or_member(self, "weight"), registered_or_member(self, "bias")
        return functional(f"conv_transpose{self.dims}d")(input, weight, bias, own["stride"],
                                                         own["padding"], output_padding, own["groups"],
                                                         own["dilation"])


def _output_padding(self, input, output_size):
    """_ConvTransposeNd._output_padding: the output_padding that gives `output_size` (the layer's own without)."""
    own, n = self.__dict__, self.dims
    if output_size is None:
        return own["output_padding"]
    shape = tuple(getattr(input, "shape", ()))
    batched = len(shape) == n + 2
    leading = 2 if batched else 1
    output_size = list(output_size)
    if len(output_size) == leading + n:
        output_size = output_size[leading:]
    if len(output_size) != n:
        raise AgcliError(f"ConvTranspose{n}D: for {len(shape)}D input, output_size must have {n} or {leading + n} "
                         f"elements (got {len(output_size)})", kind="value")
    low = [(shape[d + leading] - 1) * own["stride"][d] - 2 * own["padding"][d] + own["dilation"][d] *
           (own["kernel_size"][d] - 1) + 1 for d in range(n)]
    high = [m + own["stride"][d] - 1 for d, m in enumerate(low)]
    if any(not lo <= size <= hi for size, lo, hi in zip(output_size, low, high)):
        raise AgcliError(f"requested an output size of {output_size}, but valid sizes range from {low} to {high} "
                         f"(for an input of torch.Size([{', '.join(map(str, shape[leading:]))}]))", kind="value")
    return tuple(size - lo for size, lo in zip(output_size, low))


class ConvTranspose1d(_ConvTransposeNd):
    dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    dims = 3


class _MaxPoolNd(Module):
    dims = 0
    layer_base = True
    pytorch_owners = {"__init__": "_MaxPoolNd", "extra_repr": "_MaxPoolNd"}

    @program("__init__")
    def init(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        init_with(self, kernel_size=kernel_size, stride=stride if stride is not None else kernel_size, padding=padding,
                  dilation=dilation, return_indices=return_indices, ceil_mode=ceil_mode)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional(f"max_pool{self.dims}d")(input, own["kernel_size"], own["stride"], own["padding"],
                                                   own["dilation"], ceil_mode=own["ceil_mode"],
                                                   return_indices=own["return_indices"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"kernel_size={own['kernel_size']}, stride={own['stride']}, padding={own['padding']}, " \
               f"dilation={own['dilation']}, ceil_mode={own['ceil_mode']}"


class MaxPool1d(_MaxPoolNd):
    dims = 1


class MaxPool2d(_MaxPoolNd):
    dims = 2


class MaxPool3d(_MaxPoolNd):
    dims = 3


class _AvgPoolNd(Module):
    dims = 0
    layer_base = True

    @program("__init__")
    def init(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
             divisor_override=None):
        stride = stride if stride is not None else kernel_size
        if self.dims == 1:          # (AvgPool1d keeps 1-tuples, and takes no divisor_override)
            if divisor_override is not None:
                raise AgcliError("AvgPool1d.__init__() got an unexpected keyword argument 'divisor_override'",
                                 kind="type")
            kernel_size, stride, padding = _n_tuple(kernel_size, 1), _n_tuple(stride, 1), _n_tuple(padding, 1)
        init_with(self, kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
                  count_include_pad=count_include_pad)
        if self.dims != 1:
            Module.program_setattr(self, "divisor_override", divisor_override)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        extra = () if self.dims == 1 else (own["divisor_override"],)
        return functional(f"avg_pool{self.dims}d")(input, own["kernel_size"], own["stride"], own["padding"],
                                                   own["ceil_mode"], own["count_include_pad"], *extra)

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"kernel_size={own['kernel_size']}, stride={own['stride']}, padding={own['padding']}"


class AvgPool1d(_AvgPoolNd):
    dims = 1


class AvgPool2d(_AvgPoolNd):
    dims = 2


class AvgPool3d(_AvgPoolNd):
    dims = 3


for _cls in (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d):
    native_class(_cls, "torch.nn.modules.conv")
for _cls in (MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d):
    native_class(_cls, "torch.nn.modules.pooling")

CONVOLUTIONS = {cls.__name__: cls for cls in (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
                                              ConvTranspose3d, MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d,
                                              AvgPool2d, AvgPool3d)}


class _AdaptiveAvgPoolNd(Module):
    dims = 0
    layer_base = True
    pytorch_owners = {"__init__": "_AdaptiveAvgPoolNd", "extra_repr": "_AdaptiveAvgPoolNd"}

    @program("__init__")
    def init(self, output_size):
        init_with(self, output_size=output_size)

    @program("forward")
    def forward(self, input):
        return functional(f"adaptive_avg_pool{self.dims}d")(input, self.__dict__["output_size"])

    @program("extra_repr")
    def extra_repr(self):
        return f"output_size={self.__dict__['output_size']}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    dims = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    dims = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    dims = 3


for _cls in (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d):
    native_class(_cls, "torch.nn.modules.pooling")
CONVOLUTIONS.update({cls.__name__: cls for cls in (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d)})


class _AdaptiveMaxPoolNd(Module):
    dims = 0
    layer_base = True
    pytorch_owners = {"__init__": "_AdaptiveMaxPoolNd", "extra_repr": "_AdaptiveMaxPoolNd"}

    @program("__init__")
    def init(self, output_size, return_indices=False):
        init_with(self, output_size=output_size, return_indices=return_indices)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional(f"adaptive_max_pool{self.dims}d")(input, own["output_size"], own["return_indices"])

    @program("extra_repr")
    def extra_repr(self):
        return f"output_size={self.__dict__['output_size']}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    dims = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    dims = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    dims = 3


for _cls in (AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d):
    native_class(_cls, "torch.nn.modules.pooling")
    CONVOLUTIONS[_cls.__name__] = _cls
