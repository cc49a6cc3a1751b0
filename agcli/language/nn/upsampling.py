"""torch.nn's upsampling layers: Upsample, UpsamplingNearest2d and UpsamplingBilinear2d, as
torch/nn/modules/upsampling.py writes them (attributes, printing), forward through F.interpolate."""
from __future__ import annotations

from ..program_exceptions import raise_python
from ..program_values import type_name
from .layers import functional
from .module import Module
from .native import native_class, program


def _factor(v):
    """float(v), as Python refuses what is not a number."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise_python(TypeError(f"float() argument must be a string or a real number, not '{type_name(v)}'"))
    return float(v)


class Upsample(Module):
    @program("__init__")
    def init(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        Module.init(self)
        Module.program_setattr(self, "name", type(self).__name__)
        Module.program_setattr(self, "size", size)
        factor = tuple(_factor(f) for f in scale_factor) if isinstance(scale_factor, tuple) else \
            _factor(scale_factor) if scale_factor else None
        Module.program_setattr(self, "scale_factor", factor)
        for name, value in (("mode", mode), ("align_corners", align_corners),
                            ("recompute_scale_factor", recompute_scale_factor)):
            Module.program_setattr(self, name, value)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("interpolate")(input, own["size"], own["scale_factor"], own["mode"], own["align_corners"],
                                         recompute_scale_factor=own["recompute_scale_factor"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        info = f"scale_factor={own['scale_factor']!r}" if own["scale_factor"] is not None else f"size={own['size']!r}"
        return f"{info}, mode={own['mode']!r}"


class UpsamplingNearest2d(Upsample):
    @program("__init__")
    def init(self, size=None, scale_factor=None):
        Upsample.init(self, size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    @program("__init__")
    def init(self, size=None, scale_factor=None):
        Upsample.init(self, size, scale_factor, mode="bilinear", align_corners=True)


UPSAMPLING = {}
for _cls in (Upsample, UpsamplingNearest2d, UpsamplingBilinear2d):
    native_class(_cls, "torch.nn.modules.upsampling")
    UPSAMPLING[_cls.__name__] = _cls
