"""torch.nn's padding layers, as torch/nn/modules/padding.py writes them: ConstantPad1d/2d/3d,
ZeroPad1d/2d/3d, ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d and CircularPad1d/2d/3d (the padding as a tuple, an
int repeated), printing, forward through F.pad."""
from __future__ import annotations

from ...torchapi.checks import shape_of
from ..program_exceptions import raise_python
from ..program_iteration import iterate
from .layers import functional
from .module import Module
from .native import native_class, program


def _tuple(padding, n):
    """torch's _ntuple: an iterable as a tuple, anything else repeated n times."""
    if isinstance(padding, (int, float)) and not isinstance(padding, bool) or isinstance(padding, bool):
        return (padding,) * n
    return tuple(iterate(padding))


class _ConstantPadNd(Module):
    layer_base = True
    pytorch_owners = {"forward": "_ConstantPadNd", "extra_repr": "_ConstantPadNd"}
    count = 0

    @program("__init__")
    def init(self, padding, value):
        Module.init(self)
        Module.program_setattr(self, "value", value)
        Module.program_setattr(self, "padding", _tuple(padding, self.count))

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("pad")(input, own["padding"], "constant", own["value"])

    @program("extra_repr")
    def extra_repr(self):
        return f"padding={self.__dict__['padding']}, value={self.__dict__['value']}"


class ConstantPad1d(_ConstantPadNd):
    count = 2


class ConstantPad2d(_ConstantPadNd):
    count = 4


class ConstantPad3d(_ConstantPadNd):
    count = 6


def _zero(base):
    def init(self, padding):
        base.init(self, padding, 0.0)

    def extra_repr(self):
        return f"{self.__dict__['padding']}"
    return type(base.__name__.replace("Constant", "Zero"), (base,),
                {"init": program("__init__")(init), "extra_repr": program("extra_repr")(extra_repr)})


ZeroPad1d, ZeroPad2d, ZeroPad3d = (_zero(c) for c in (ConstantPad1d, ConstantPad2d, ConstantPad3d))


class _ModePadNd(Module):
    layer_base = True
    count = 0
    mode = ""

    @program("__init__")
    def init(self, padding):
        Module.init(self)
        Module.program_setattr(self, "padding", _tuple(padding, self.count))

    @program("forward")
    def forward(self, input):
        return functional("pad")(input, self.__dict__["padding"], self.mode)

    @program("extra_repr")
    def extra_repr(self):
        return f"{self.__dict__['padding']}"


class _ReflectionPadNd(_ModePadNd):
    layer_base = True
    mode = "reflect"
    pytorch_owners = {"forward": "_ReflectionPadNd", "extra_repr": "_ReflectionPadNd"}


class _ReplicationPadNd(_ModePadNd):
    layer_base = True
    mode = "replicate"
    pytorch_owners = {"forward": "_ReplicationPadNd", "extra_repr": "_ReplicationPadNd"}


class _CircularPadNd(_ModePadNd):
    """CircularPad1d/2d/3d: F.pad's circular mode, after _check_input_dim's ValueError."""
    layer_base = True
    mode = "circular"
    pytorch_owners = {"forward": "_CircularPadNd", "extra_repr": "_CircularPadNd"}

    @program("forward")
    def forward(self, input):
        d = self.count // 2
        ndim = len(shape_of(input))
        if ndim not in (d + 1, d + 2):
            raise_python(ValueError(f"expected {d + 1}D or {d + 2}D input (got {ndim}D input)"))
        return functional("pad")(input, self.__dict__["padding"], "circular")


CircularPad1d, CircularPad2d, CircularPad3d = (type(f"CircularPad{d}d", (_CircularPadNd,), {"count": 2 * d})
                                               for d in (1, 2, 3))
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (type(f"ReflectionPad{d}d", (_ReflectionPadNd,), {"count": 2 * d})
                                                     for d in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (
    type(f"ReplicationPad{d}d", (_ReplicationPadNd,), {"count": 2 * d}) for d in (1, 2, 3))

PADDINGS = {}
for _cls in (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d, ReflectionPad1d,
             ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d,
             CircularPad2d, CircularPad3d):
    native_class(_cls, "torch.nn.modules.padding")
    PADDINGS[_cls.__name__] = _cls
