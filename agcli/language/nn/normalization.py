"""torch.nn's normalisation layers: LayerNorm and BatchNorm1d/2d/3d (their running statistics as
buffers, moved in training mode), as torch/nn/modules/normalization.py and batchnorm.py write
them: attributes, checks, initialisation, printing, and forward through F."""
from __future__ import annotations

from ...errors import AgcliError
from ...state import state
from ...torchapi import creation as C
from ...torchapi import nn_init
from ..program_exceptions import raise_python
from .layers import functional, init_with, method
from .module import Module
from .native import call, native_class, program
from .parameter import parameter


def _affine_parameters(module, shape, affine, bias, device, dtype):
    """LayerNorm's and GroupNorm's weight and bias (uninitialised: reset_parameters sets them), or None."""
    weight = parameter(C.empty(shape, device=device, dtype=dtype)) if affine else None
    bias = parameter(C.empty(shape, device=device, dtype=dtype)) if affine and bias else None
    for name, value in (("weight", weight), ("bias", bias)):
        if value is None:
            Module.register_parameter(module, name, None)
        else:
            Module.program_setattr(module, name, value)


def _reset_affine(module, affine):
    """A weight of ones and a bias of zeros."""
    params = module.__dict__["_parameters"]
    if affine:
        nn_init.ones_(params["weight"])
        if params["bias"] is not None:
            nn_init.zeros_(params["bias"])


class LayerNorm(Module):
    @program("__init__")
    def init(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        init_with(self, normalized_shape=shape, eps=eps, elementwise_affine=elementwise_affine)
        _affine_parameters(self, shape, elementwise_affine, bias, device, dtype)
        call(self, "reset_parameters")

    @program("reset_parameters")
    def reset_parameters(self):
        _reset_affine(self, self.__dict__["elementwise_affine"])

    @program("forward")
    def forward(self, input):
        own, params = self.__dict__, self.__dict__["_parameters"]
        return functional("layer_norm")(input, own["normalized_shape"], params["weight"], params["bias"], own["eps"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"{own['normalized_shape']}, eps={own['eps']}, elementwise_affine={own['elementwise_affine']}, " \
               f"bias={own['_parameters']['bias'] is not None}"


class RMSNorm(Module):
    @program("__init__")
    def init(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        init_with(self, normalized_shape=shape, eps=eps, elementwise_affine=elementwise_affine)
        if elementwise_affine:
            Module.program_setattr(self, "weight", parameter(C.empty(shape, device=device, dtype=dtype)))
        else:
            Module.register_parameter(self, "weight", None)
        call(self, "reset_parameters")

    @program("reset_parameters")
    def reset_parameters(self):
        if self.__dict__["elementwise_affine"]:
            nn_init.ones_(self.__dict__["_parameters"]["weight"])

    @program("forward")
    def forward(self, x):
        own = self.__dict__
        return functional("rms_norm")(x, own["normalized_shape"], own["_parameters"]["weight"], own["eps"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"{own['normalized_shape']}, eps={own['eps']}, elementwise_affine={own['elementwise_affine']}"


class _BatchNorm(Module):
    layer_base = True
    pytorch_owners = {"__init__": "_BatchNorm", "forward": "_BatchNorm", "reset_running_stats": "_NormBase",
                      "reset_parameters": "_NormBase", "extra_repr": "_NormBase"}
    dims = ()           # the input dims a layer takes

    @program("__init__")
    def init(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
             dtype=None, *, bias=True):
        init_with(self, num_features=num_features, eps=eps, momentum=momentum, affine=affine,
                  track_running_stats=track_running_stats)
        if affine:
            Module.program_setattr(self, "weight", parameter(C.empty(num_features, device=device, dtype=dtype)))
            if bias:
                Module.program_setattr(self, "bias", parameter(C.empty(num_features, device=device, dtype=dtype)))
            else:
                Module.register_parameter(self, "bias", None)
        else:
            Module.register_parameter(self, "weight", None)
            Module.register_parameter(self, "bias", None)
        if track_running_stats:
            Module.register_buffer(self, "running_mean", C.zeros(num_features, device=device, dtype=dtype))
            Module.register_buffer(self, "running_var", C.ones(num_features, device=device, dtype=dtype))
            Module.register_buffer(self, "num_batches_tracked", C.tensor(0, dtype="int64", device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                Module.register_buffer(self, name, None)
        call(self, "reset_parameters")

    @program("reset_running_stats")
    def reset_running_stats(self):
        buffers = self.__dict__["_buffers"]
        if self.__dict__["track_running_stats"]:
            method(buffers["running_mean"], "zero_")
            method(buffers["running_var"], "fill_", 1)
            method(buffers["num_batches_tracked"], "zero_")

    @program("reset_parameters")
    def reset_parameters(self):
        call(self, "reset_running_stats")
        params = self.__dict__["_parameters"]
        if self.__dict__["affine"]:
            nn_init.ones_(params["weight"])
            if params["bias"] is not None:
                nn_init.zeros_(params["bias"])

    @program("forward")
    def forward(self, input):
        own, params, buffers = self.__dict__, self.__dict__["_parameters"], self.__dict__["_buffers"]
        n = len(getattr(input, "shape", ()))
        if n not in self.dims:
            wanted = " or ".join(f"{d}D" for d in self.dims)
            raise AgcliError(f"expected {wanted} input (got {n}D input)", kind="value")
        factor = 0.0 if own["momentum"] is None else own["momentum"]
        if own["training"] and own["track_running_stats"] and buffers["num_batches_tracked"] is not None:
            method(buffers["num_batches_tracked"], "add_", 1)
            factor = 1.0 / float(buffers["num_batches_tracked"].data) if own["momentum"] is None else own["momentum"]
        training = own["training"] or (buffers["running_mean"] is None and buffers["running_var"] is None)
        tracked = not own["training"] or own["track_running_stats"]
        return functional("batch_norm")(input, buffers["running_mean"] if tracked else None,
                                        buffers["running_var"] if tracked else None, params["weight"], params["bias"],
                                        training, factor, own["eps"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"{own['num_features']}, eps={own['eps']}, momentum={own['momentum']}, affine={own['affine']}, " \
               f"bias={own['_parameters']['bias'] is not None}, track_running_stats={own['track_running_stats']}"


class BatchNorm1d(_BatchNorm):
    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    dims = (4,)


class BatchNorm3d(_BatchNorm):
    dims = (5,)


class _InstanceNorm(_BatchNorm):
    layer_base = True
    pytorch_owners = {"__init__": "_InstanceNorm", "forward": "_InstanceNorm", "reset_running_stats": "_NormBase",
                      "reset_parameters": "_NormBase", "extra_repr": "_NormBase"}

    @program("__init__")
    def init(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
             dtype=None, *, bias=True):
        _BatchNorm.init(self, num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    @program("forward")
    def forward(self, input):
        own, params, buffers = self.__dict__, self.__dict__["_parameters"], self.__dict__["_buffers"]
        n, unbatched = len(getattr(input, "shape", ())), self.dims[0]
        if n not in self.dims:
            raise AgcliError(f"expected {self.dims[0]}D or {self.dims[1]}D input (got {n}D input)", kind="value")
        feature_dim = n - unbatched
        if input.shape[feature_dim] != own["num_features"]:
            if own["affine"]:
                raise AgcliError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({own['num_features']}), but got: {input.shape[feature_dim]}.", kind="value")
            state.warn(f"UserWarning: input's size at dim={feature_dim} does not match num_features. You can silence "
                       "this warning by not passing in num_features, which is not used because affine=False")
        x = method(input, "unsqueeze", 0) if n == unbatched else input
        out = functional("instance_norm")(x, buffers["running_mean"], buffers["running_var"], params["weight"],
                                          params["bias"], own["training"] or not own["track_running_stats"],
                                          own["momentum"] if own["momentum"] is not None else 0.0, own["eps"])
        return method(out, "squeeze", 0) if n == unbatched else out


class InstanceNorm1d(_InstanceNorm):
    dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    dims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    dims = (4, 5)


class GroupNorm(Module):
    @program("__init__")
    def init(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        Module.init(self)
        if num_channels % num_groups != 0:
            raise_python(ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"))
        for name, value in (("num_groups", num_groups), ("num_channels", num_channels), ("eps", eps),
                            ("affine", affine)):
            Module.program_setattr(self, name, value)
        _affine_parameters(self, num_channels, affine, bias, device, dtype)
        call(self, "reset_parameters")

    @program("reset_parameters")
    def reset_parameters(self):
        _reset_affine(self, self.__dict__["affine"])

    @program("forward")
    def forward(self, input):
        own, params = self.__dict__, self.__dict__["_parameters"]
        return functional("group_norm")(input, own["num_groups"], params["weight"], params["bias"], own["eps"])

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"{own['num_groups']}, {own['num_channels']}, eps={own['eps']}, affine={own['affine']}, " \
               f"bias={own['_parameters']['bias'] is not None}"


for _cls in (LayerNorm, GroupNorm, RMSNorm):
    native_class(_cls, "torch.nn.modules.normalization")
for _cls in (BatchNorm1d, BatchNorm2d, BatchNorm3d):
    native_class(_cls, "torch.nn.modules.batchnorm")
for _cls in (InstanceNorm1d, InstanceNorm2d, InstanceNorm3d):
    native_class(_cls, "torch.nn.modules.instancenorm")

NORMALIZATIONS = {cls.__name__: cls for cls in (LayerNorm, GroupNorm, RMSNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d,
                                                InstanceNorm1d, InstanceNorm2d, InstanceNorm3d)}
