"""torch.nn's channel-wise modules: PReLU (its weight a Parameter filled with init), GLU, Softmax2d,
RReLU (activation.py), PixelShuffle / PixelUnshuffle (pixelshuffle.py), ChannelShuffle
(channelshuffle.py), LocalResponseNorm (normalization.py), AlphaDropout and FeatureAlphaDropout
(dropout.py) and Bilinear (linear.py, its init PyTorch's), as PyTorch writes them: arguments kept as
attributes (printed by extra_repr), forward F's function."""
from __future__ import annotations

import math

from ...errors import AgcliError
from ...torchapi import creation as C, nn_channels, nn_init
from .layers import functional, init_with
from .module import Module
from .native import call, native_class, program
from .parameter import parameter


class PReLU(Module):
    @program("__init__")
    def init(self, num_parameters=1, init=0.25, device=None, dtype=None):
        init_with(self, num_parameters=num_parameters)
        Module.program_setattr(self, "init", init)
        Module.program_setattr(self, "weight", parameter(C.empty(num_parameters, device=device, dtype=dtype)))
        call(self, "reset_parameters")

    @program("reset_parameters")
    def reset_parameters(self):
        nn_init.constant_(self.__dict__["_parameters"]["weight"], self.__dict__["init"])

    @program("forward")
    def forward(self, input):
        return functional("prelu")(input, self.__dict__["_parameters"]["weight"])

    @program("extra_repr")
    def extra_repr(self):
        return f"num_parameters={self.__dict__['num_parameters']}"


class GLU(Module):
    @program("__init__")
    def init(self, dim=-1):
        init_with(self, dim=dim)

    @program("forward")
    def forward(self, input):
        return functional("glu")(input, self.__dict__["dim"])

    @program("extra_repr")
    def extra_repr(self):
        return f"dim={self.__dict__['dim']}"


class Softmax2d(Module):
    @program("forward")
    def forward(self, input):
        nn_channels.softmax2d_check(input)
        return functional("softmax")(input, -3)


class RReLU(Module):
    @program("__init__")
    def init(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        init_with(self, lower=lower, upper=upper, inplace=inplace)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("rrelu")(input, own["lower"], own["upper"], own["training"], own["inplace"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"lower={own['lower']}, upper={own['upper']}{', inplace=True' if own['inplace'] else ''}"


class PixelShuffle(Module):
    @program("__init__")
    def init(self, upscale_factor):
        init_with(self, upscale_factor=upscale_factor)

    @program("forward")
    def forward(self, input):
        return functional("pixel_shuffle")(input, self.__dict__["upscale_factor"])

    @program("extra_repr")
    def extra_repr(self):
        return f"upscale_factor={self.__dict__['upscale_factor']}"


class PixelUnshuffle(Module):
    @program("__init__")
    def init(self, downscale_factor):
        init_with(self, downscale_factor=downscale_factor)

    @program("forward")
    def forward(self, input):
        return functional("pixel_unshuffle")(input, self.__dict__["downscale_factor"])

    @program("extra_repr")
    def extra_repr(self):
        return f"downscale_factor={self.__dict__['downscale_factor']}"


class ChannelShuffle(Module):
    @program("__init__")
    def init(self, groups):
        init_with(self, groups=groups)

    @program("forward")
    def forward(self, input):
        return functional("channel_shuffle")(input, self.__dict__["groups"])

    @program("extra_repr")
    def extra_repr(self):
        return f"groups={self.__dict__['groups']}"


class LocalResponseNorm(Module):
    @program("__init__")
    def init(self, size, alpha=1e-4, beta=0.75, k=1.0):
        init_with(self, size=size, alpha=alpha, beta=beta, k=k)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("local_response_norm")(input, own["size"], own["alpha"], own["beta"], own["k"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"{own['size']}, alpha={own['alpha']}, beta={own['beta']}, k={own['k']}"


class AlphaDropout(Module):
    @program("__init__")
    def init(self, p=0.5, inplace=False):
        if not 0 <= p <= 1:
            raise AgcliError(f"dropout probability has to be between 0 and 1, but got {p}", kind="value")
        init_with(self, p=p, inplace=inplace)

    function = "alpha_dropout"

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional(self.function)(input, own["p"], own["training"])

    @program("extra_repr")
    def extra_repr(self):
        return f"p={self.__dict__['p']}, inplace={self.__dict__['inplace']}"


class FeatureAlphaDropout(AlphaDropout):
    function = "feature_alpha_dropout"


class Bilinear(Module):
    @program("__init__")
    def init(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        init_with(self, in1_features=in1_features, in2_features=in2_features, out_features=out_features)
        Module.program_setattr(self, "weight", parameter(C.empty((out_features, in1_features, in2_features),
                                                                 device=device, dtype=dtype)))
        if bias:
            Module.program_setattr(self, "bias", parameter(C.empty(out_features, device=device, dtype=dtype)))
        else:
            Module.register_parameter(self, "bias", None)
        call(self, "reset_parameters")

    @program("reset_parameters")
    def reset_parameters(self):
        params = self.__dict__["_parameters"]
        bound = 1 / math.sqrt(params["weight"].data.shape[1])
        nn_init.uniform_(params["weight"], -bound, bound)
        if params["bias"] is not None:
            nn_init.uniform_(params["bias"], -bound, bound)

    @program("forward")
    def forward(self, input1, input2):
        params = self.__dict__["_parameters"]
        return functional("bilinear")(input1, input2, params["weight"], params["bias"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"in1_features={own['in1_features']}, in2_features={own['in2_features']}, " \
               f"out_features={own['out_features']}, bias={own['_parameters']['bias'] is not None}"


CHANNELS = {}
for _cls, _file in ((PReLU, "activation"), (GLU, "activation"), (Softmax2d, "activation"), (RReLU, "activation"),
                    (PixelShuffle, "pixelshuffle"), (PixelUnshuffle, "pixelshuffle"),
                    (ChannelShuffle, "channelshuffle"), (LocalResponseNorm, "normalization"),
                    (AlphaDropout, "dropout"), (FeatureAlphaDropout, "dropout"),
                    (Bilinear, "linear")):
    native_class(_cls, f"torch.nn.modules.{_file}")
    CHANNELS[_cls.__name__] = _cls
