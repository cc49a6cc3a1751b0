"""torch.nn.MaxUnpool1d/2d/3d as torch/nn/modules/pooling.py writes them: kernel_size, stride (the
kernel's by default) and padding made tuples by _single, _pair, _triple, printed by _MaxUnpoolNd's
extra_repr, forward through F.max_unpoolNd with output_size."""
from __future__ import annotations

from .layers import functional, init_with
from .module import Module
from .native import native_class, program


def _tuple(v, d):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * d


class _MaxUnpoolNd(Module):
    layer_base = True
    pytorch_owners = {"extra_repr": "_MaxUnpoolNd"}
    dims = 0

    @program("__init__")
    def init(self, kernel_size, stride=None, padding=0):
        d = self.dims
        init_with(self, kernel_size=_tuple(kernel_size, d),
                  stride=_tuple(stride if stride is not None else kernel_size, d), padding=_tuple(padding, d))

    @program("forward")
    def forward(self, input, indices, output_size=None):
        own = self.__dict__
        return functional(f"max_unpool{self.dims}d")(input, indices, own["kernel_size"], own["stride"],
                                                     own["padding"], output_size)

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"kernel_size={own['kernel_size']}, stride={own['stride']}, padding={own['padding']}"


MaxUnpool1d, MaxUnpool2d, MaxUnpool3d = (type(f"MaxUnpool{d}d", (_MaxUnpoolNd,), {"dims": d}) for d in (1, 2, 3))
for _cls in (MaxUnpool1d, MaxUnpool2d, MaxUnpool3d):
    native_class(_cls, "torch.nn.modules.pooling")

UNPOOLS = {"MaxUnpool1d": MaxUnpool1d, "MaxUnpool2d": MaxUnpool2d, "MaxUnpool3d": MaxUnpool3d}
