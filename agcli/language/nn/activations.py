"""torch.nn's activation modules, as torch/nn/modules/activation.py writes them: their
arguments kept as attributes (printed by extra_repr), forward PyTorch's function by name.
"""
from __future__ import annotations

from ...torchapi import in_place, nn as nn_functions
from ...torchapi.in_place_more import ACTIVATIONS_IN_PLACE
from ..program_exceptions import raise_python
from ..program_torch_calls import TorchFunction
from .layers import FUNCTIONAL_OVERRIDES, functional, init_with, method
from .module import Module
from .native import native_class, program


# (F.softmax, not torch.softmax: a module without dim warns, as F's Python function does)
_F_SOFTMAX = TorchFunction("softmax", nn_functions.functional_softmax, "torch.nn.functional")
_F_LOG_SOFTMAX = TorchFunction("log_softmax", nn_functions.functional_log_softmax, "torch.nn.functional")


def functional_relu(input, inplace=False):
    """F.relu(input, inplace=False): torch.relu, or input.relu_() (torch.relu itself takes no inplace)."""
    return method(input, "relu_") if inplace else functional("relu")(input)


def functional_leaky_relu(input, negative_slope=0.01, inplace=False):
    """F.leaky_relu: out of place, or F.leaky_relu_ (LeakyReluBackward1)."""
    if inplace:
        return _F_LEAKY_RELU_(input, negative_slope)
    return functional("leaky_relu")(input, negative_slope)


_F_LEAKY_RELU_ = TorchFunction("leaky_relu_", in_place.leaky_relu_, "torch.nn.functional")


def _hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """F.hardtanh: out of place, or F.hardtanh_ (the same node, HardtanhBackward0, as in PyTorch)."""
    return (ACTIVATIONS_IN_PLACE["hardtanh_"] if inplace else nn_functions.hardtanh)(input, min_val, max_val)


def _relu6(input, inplace=False):
    return _hardtanh(input, 0.0, 6.0, inplace)


def _with_inplace(name):
    """F.name(input, inplace=False), whose inplace=True records the same node, in place."""
    def function(input, inplace=False):
        return (ACTIVATIONS_IN_PLACE[f"{name}_"] if inplace else getattr(nn_functions, name))(input)
    function.__name__ = function.__qualname__ = name
    return function


def _elu(input, alpha=1.0, inplace=False):
    return ACTIVATIONS_IN_PLACE["elu_"](input, alpha) if inplace else nn_functions.elu(input, alpha)


def _celu(input, alpha=1.0, inplace=False):
    return ACTIVATIONS_IN_PLACE["celu_"](input, alpha) if inplace else nn_functions.celu(input, alpha)


def _selu(input, inplace=False):
    return ACTIVATIONS_IN_PLACE["selu_"](input) if inplace else nn_functions.selu(input)


def _threshold(input, threshold, value, inplace=False):
    return (ACTIVATIONS_IN_PLACE["threshold_"] if inplace else nn_functions.threshold)(input, threshold, value)


FUNCTIONAL_OVERRIDES.update({name: TorchFunction(name, fn, "torch.nn.functional") for name, fn in (
    ("hardtanh", _hardtanh), ("relu6", _relu6), *((n, _with_inplace(n)) for n in ("silu", "hardswish", "hardsigmoid",
                                                                                   "mish")),
    ("elu", _elu), ("celu", _celu), ("selu", _selu), ("threshold", _threshold),
    *((n, ACTIVATIONS_IN_PLACE[n]) for n in ("hardtanh_", "elu_", "celu_", "selu_", "threshold_")))})


class ReLU(Module):
    @program("__init__")
    def init(self, inplace=False):
        init_with(self, inplace=inplace)

    @program("forward")
    def forward(self, input):
        return method(input, "relu_") if self.__dict__["inplace"] else functional("relu")(input)

    @program("extra_repr")
    def extra_repr(self):
        return "inplace=True" if self.__dict__["inplace"] else ""


class LeakyReLU(Module):
    @program("__init__")
    def init(self, negative_slope=0.01, inplace=False):
        init_with(self, negative_slope=negative_slope, inplace=inplace)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional_leaky_relu(input, own["negative_slope"], own["inplace"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"negative_slope={own['negative_slope']}{', inplace=True' if own['inplace'] else ''}"


class Sigmoid(Module):
    @program("forward")
    def forward(self, input):
        return functional("sigmoid")(input)


class Tanh(Module):
    @program("forward")
    def forward(self, input):
        return functional("tanh")(input)


class Softmax(Module):
    @program("__init__")
    def init(self, dim=None):
        init_with(self, dim=dim)

    @program("forward")
    def forward(self, input):
        return _F_SOFTMAX(input, self.__dict__["dim"])

    @program("extra_repr")
    def extra_repr(self):
        return f"dim={self.__dict__['dim']}"


class LogSoftmax(Module):
    @program("__init__")
    def init(self, dim=None):
        init_with(self, dim=dim)

    @program("forward")
    def forward(self, input):
        return _F_LOG_SOFTMAX(input, self.__dict__["dim"])

    @program("extra_repr")
    def extra_repr(self):
        return f"dim={self.__dict__['dim']}"


def _inplace_flag():
    """__init__ and extra_repr of the activations whose only argument is inplace= (each class its own)."""
    def init(self, inplace=False):
        init_with(self, inplace=inplace)

    def extra_repr(self):
        return "inplace=True" if self.__dict__["inplace"] else ""
    return program("__init__")(init), program("extra_repr")(extra_repr)


class SiLU(Module):
    init, extra_repr = _inplace_flag()

    @program("forward")
    def forward(self, input):
        return functional("silu")(input, inplace=self.__dict__["inplace"])


class SELU(Module):
    init, extra_repr = _inplace_flag()

    @program("forward")
    def forward(self, input):
        return functional("selu")(input, self.__dict__["inplace"])


class _Alpha:
    """ELU's and CELU's alpha= and inplace= (a mixin: its methods join each class's own)."""

    @program("__init__")
    def init(self, alpha=1.0, inplace=False):
        init_with(self, alpha=alpha, inplace=inplace)

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"alpha={own['alpha']}{', inplace=True' if own['inplace'] else ''}"


class ELU(_Alpha, Module):
    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("elu")(input, own["alpha"], own["inplace"])


class CELU(_Alpha, Module):
    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("celu")(input, own["alpha"], own["inplace"])


class GELU(Module):
    @program("__init__")
    def init(self, approximate="none"):
        init_with(self, approximate=approximate)

    @program("forward")
    def forward(self, input):
        return functional("gelu")(input, approximate=self.__dict__["approximate"])

    @program("extra_repr")
    def extra_repr(self):
        return f"approximate={self.__dict__['approximate']!r}"


class LogSigmoid(Module):
    @program("forward")
    def forward(self, input):
        return functional("logsigmoid")(input)


class Softmin(Module):
    @program("__init__")
    def init(self, dim=None):
        init_with(self, dim=dim)

    @program("forward")
    def forward(self, input):
        return functional("softmin")(input, self.__dict__["dim"])

    @program("extra_repr")
    def extra_repr(self):
        return f"dim={self.__dict__['dim']}"


class Softplus(Module):
    @program("__init__")
    def init(self, beta=1.0, threshold=20.0):
        init_with(self, beta=beta, threshold=threshold)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("softplus")(input, own["beta"], own["threshold"])

    @program("extra_repr")
    def extra_repr(self):
        return f"beta={self.__dict__['beta']}, threshold={self.__dict__['threshold']}"


class Hardtanh(Module):
    @program("__init__")
    def init(self, min_val=-1.0, max_val=1.0, inplace=False):
        if max_val <= min_val:
            raise_python(AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})"))
        init_with(self, min_val=min_val, max_val=max_val, inplace=inplace)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("hardtanh")(input, own["min_val"], own["max_val"], own["inplace"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"min_val={own['min_val']!r}, max_val={own['max_val']!r}{', inplace=True' if own['inplace'] else ''}"


class ReLU6(Hardtanh):
    @program("__init__")
    def init(self, inplace=False):
        init_with(self, min_val=0.0, max_val=6.0, inplace=inplace)

    @program("extra_repr")
    def extra_repr(self):
        return "inplace=True" if self.__dict__["inplace"] else ""


def _by_name(name):
    """A module that calls F.name on its input, with only inplace= (Hardsigmoid, Hardswish, Mish) or no
    argument (Softsign, Tanhshrink), and no extra_repr."""
    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional(name)(input, own["inplace"]) if "inplace" in own else functional(name)(input)
    return forward


class Hardsigmoid(Module):
    init, forward = _inplace_flag()[0], _by_name("hardsigmoid")


class Hardswish(Module):
    init, forward = _inplace_flag()[0], _by_name("hardswish")


class Mish(Module):
    (init, extra_repr), forward = _inplace_flag(), _by_name("mish")


class Softsign(Module):
    forward = _by_name("softsign")


class Tanhshrink(Module):
    forward = _by_name("tanhshrink")


class Threshold(Module):
    @program("__init__")
    def init(self, threshold, value, inplace=False):
        init_with(self, threshold=threshold, value=value, inplace=inplace)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("threshold")(input, own["threshold"], own["value"], own["inplace"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"threshold={own['threshold']!r}, value={own['value']!r}{', inplace=True' if own['inplace'] else ''}"


def _shrink(name):
    """Softshrink's and Hardshrink's lambd=, printed bare."""
    def init(self, lambd=0.5):
        init_with(self, lambd=lambd)

    def forward(self, input):
        return functional(name)(input, self.__dict__["lambd"])

    def extra_repr(self):
        return str(self.__dict__["lambd"])
    return program("__init__")(init), program("forward")(forward), program("extra_repr")(extra_repr)


class Softshrink(Module):
    init, forward, extra_repr = _shrink("softshrink")


class Hardshrink(Module):
    init, forward, extra_repr = _shrink("hardshrink")


ACTIVATIONS = {}
for _cls in (ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax, SiLU, SELU, ELU, CELU, GELU, LogSigmoid, Softmin,
             Softplus, Hardtanh, ReLU6, Hardsigmoid, Hardswish, Mish, Softsign, Tanhshrink, Threshold, Softshrink,
             Hardshrink):
    native_class(_cls, "torch.nn.modules.activation")
    ACTIVATIONS[_cls.__name__] = _cls
