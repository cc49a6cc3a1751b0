"""torch.nn.LPPool1d/2d/3d as torch/nn/modules/pooling.py writes them: norm_type, kernel_size, stride
and ceil_mode kept as given, printed by _LPPoolNd's extra_repr, forward through F.lp_poolNd with
float(norm_type)."""
from __future__ import annotations

from .layers import functional, init_with
from .module import Module
from .native import native_class, program


class _LPPoolNd(Module):
    layer_base = True
    pytorch_owners = {"__init__": "_LPPoolNd", "extra_repr": "_LPPoolNd"}
    dims = 0

    @program("__init__")
    def init(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        init_with(self, norm_type=norm_type, kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional(f"lp_pool{self.dims}d")(input, float(own["norm_type"]), own["kernel_size"], own["stride"],
                                                  own["ceil_mode"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"norm_type={own['norm_type']}, kernel_size={own['kernel_size']}, stride={own['stride']}, " \
               f"ceil_mode={own['ceil_mode']}"


LPPool1d, LPPool2d, LPPool3d = (type(f"LPPool{d}d", (_LPPoolNd,), {"dims": d}) for d in (1, 2, 3))
for _cls in (LPPool1d, LPPool2d, LPPool3d):
    native_class(_cls, "torch.nn.modules.pooling")

LP_POOLS = {"LPPool1d": LPPool1d, "LPPool2d": LPPool2d, "LPPool3d": LPPool3d}
