"""torch.nn's Unfold and Fold, as torch/nn/modules/fold.py writes them (attributes kept as given,
printing), forward through F.unfold and F.fold (torchapi/folding.py)."""
from __future__ import annotations

from .layers import functional, init_with
from .module import Module
from .native import native_class, program


class Fold(Module):
    @program("__init__")
    def init(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        init_with(self, output_size=output_size, kernel_size=kernel_size, dilation=dilation, padding=padding,
                  stride=stride)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("fold")(input, own["output_size"], own["kernel_size"], own["dilation"], own["padding"],
                                  own["stride"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return (f"output_size={own['output_size']}, kernel_size={own['kernel_size']}, dilation={own['dilation']}, "
                f"padding={own['padding']}, stride={own['stride']}")


class Unfold(Module):
    @program("__init__")
    def init(self, kernel_size, dilation=1, padding=0, stride=1):
        init_with(self, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("unfold")(input, own["kernel_size"], own["dilation"], own["padding"], own["stride"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return (f"kernel_size={own['kernel_size']}, dilation={own['dilation']}, padding={own['padding']}, "
                f"stride={own['stride']}")


for _cls in (Fold, Unfold):
    native_class(_cls, "torch.nn.modules.fold")

FOLDING = {"Fold": Fold, "Unfold": Unfold}
