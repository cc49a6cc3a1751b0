"""Spectral normalisation of a module's parameter, both of PyTorch's ways (torch/nn/utils/spectral_norm.py
and parametrizations.py), computed with PyTorch's ops in its order:

- nn.utils.spectral_norm (the old one): NAME_orig (the parameter), NAME_u and NAME_v (buffers, from
  normal_ draws normalised); a forward pre-hook (SpectralNorm) runs n_power_iterations of the power method
  in training (v = normalize(W^T u), u = normalize(W v), written into the buffers) and sets
  NAME = W / dot(u, W v); remove_spectral_norm puts a Parameter back.
- nn.utils.parametrizations.spectral_norm: _SpectralNorm under parametrizations.NAME (its buffers _u and
  _v, 15 iterations when made), NAME = W / vdot(u, W v), the power method at each read in training.
W is the weight as a matrix: its dim first (1 for a transposed convolution), the rest flattened."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.tensor import Tensor, bump_version, set_grad_enabled
from ...torchapi import functions as T
from ...torchapi import linalg as LA
from ...torchapi import nn as F
from ...torchapi import sampling as RS
from ...torchapi import creation as C
from ...torchapi.dtypes import DType
from ..program_classes import instantiate
from ..program_exceptions import raise_python
from ..program_values import value_str
from .conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .lazy import is_uninitialized
from .module import Module
from .native import member, native_class, program
from .weight_norm import register_parametrization, remove_norm_hook

_TRANSPOSED = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)


def _dtype(t):
    return DType(B.dtype_name(t.data.dtype))


def _matrix(weight, dim):
    """The weight as a matrix: dim first, the other dims flattened."""
    if dim != 0:
        weight = T.permute(weight, (dim,) + tuple(d for d in range(weight.data.ndim) if d != dim))
    return T.flatten(weight, 1)


def _normalized_into(buffer, x, eps):
    """F.normalize(x, dim=0, eps=eps, out=buffer): the buffer's values replaced, its version bumped."""
    B.setitem(buffer.data, ..., F.normalize(x, dim=0, eps=eps).data)
    bump_version(buffer)
    return buffer


def _drawn_unit(like, n, eps):
    """normalize(weight.new_empty(n).normal_(0, 1), dim=0, eps): a random unit vector."""
    drawn = RS.normal_(C.empty(n, dtype=_dtype(like), device=like.device), 0, 1)
    return F.normalize(drawn, dim=0, eps=eps)


class SpectralNorm:
    """The old spectral_norm's forward pre-hook."""

    __slots__ = ("name", "dim", "eps", "n_power_iterations")
    type_name = "SpectralNorm"
    pytorch_module = "torch.nn.utils.spectral_norm"
    program_attributes = {n: n for n in __slots__}

    def __init__(self, name, n_power_iterations, dim, eps):
        if n_power_iterations <= 0:
            raise_python(ValueError(f"Expected n_power_iterations to be positive, but got "
                                    f"n_power_iterations={n_power_iterations}"))
        self.name, self.dim, self.eps, self.n_power_iterations = name, dim, eps, n_power_iterations

    def compute_weight(self, module, do_power_iteration):
        weight = member(module, self.name + "_orig")
        u, v = member(module, self.name + "_u"), member(module, self.name + "_v")
        matrix = _matrix(weight, self.dim)
        if do_power_iteration:
            with set_grad_enabled(False):
                for _ in range(self.n_power_iterations):
                    v = _normalized_into(v, LA.mv(T.t(matrix), u), self.eps)
                    u = _normalized_into(u, LA.mv(matrix, v), self.eps)
                u, v = T.clone(u), T.clone(v)
        sigma = LA.dot(u, LA.mv(matrix, v))
        return T.div(weight, sigma)

    def __call__(self, module, inputs):
        Module.program_setattr(module, self.name, self.compute_weight(module, module.__dict__["training"]))

    def __repr__(self):
        return f"<torch.nn.utils.spectral_norm.SpectralNorm object at {id(self):#x}>"


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    if dim is None:
        dim = 1 if isinstance(module, _TRANSPOSED) else 0
    for hook in (module.__dict__.get("_forward_pre_hooks") or {}).values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise_python(RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}"))
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module.__dict__["_parameters"].get(name)
    if weight is None:
        raise_python(ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None"))
    if is_uninitialized(weight):
        raise_python(ValueError("The module passed to `SpectralNorm` can't have uninitialized parameters. Make sure "
                                "to run the dummy forward before applying spectral normalization"))
    with set_grad_enabled(False):
        h, w = _matrix(weight, dim).data.shape
        u, v = _drawn_unit(weight, h, eps), _drawn_unit(weight, w, eps)
    own = module.__dict__
    del own["_parameters"][name]
    Module.register_parameter(module, name + "_orig", weight)
    Module.program_setattr(module, name, weight.detach())
    Module.register_buffer(module, name + "_u", u)
    Module.register_buffer(module, name + "_v", v)
    Module.register_forward_pre_hook(module, fn)
    return module


def remove_spectral_norm(module, name="weight"):
    return remove_norm_hook(module, name, SpectralNorm, "spectral_norm",
                            lambda hook: hook.compute_weight(module, False),
                            (("_parameters", name + "_orig"), ("_buffers", name + "_u"), ("_buffers", name + "_v")))


class _SpectralNorm(Module):
    @program("__init__")
    def init(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        Module.init(self)
        ndim = weight.data.ndim
        if dim >= ndim or dim < -ndim:
            raise_python(IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but "
                                    f"got {dim})"))
        if n_power_iterations <= 0:
            raise_python(ValueError(f"Expected n_power_iterations to be positive, but got "
                                    f"n_power_iterations={n_power_iterations}"))
        own = self.__dict__
        own["dim"], own["eps"] = dim if dim >= 0 else dim + ndim, eps
        if ndim > 1:
            own["n_power_iterations"] = n_power_iterations
            with set_grad_enabled(False):
                h, w = _matrix(weight, own["dim"]).data.shape
                u = RS.normal_(C.empty(h, dtype=_dtype(weight), device=weight.device), 0, 1)
                v = RS.normal_(C.empty(w, dtype=_dtype(weight), device=weight.device), 0, 1)     # (u's first)
                Module.register_buffer(self, "_u", F.normalize(u, dim=0, eps=eps))
                Module.register_buffer(self, "_v", F.normalize(v, dim=0, eps=eps))
                self._power_method(_matrix(weight, own["dim"]), 15)

    def _power_method(self, matrix, iterations):
        own = self.__dict__
        with set_grad_enabled(False):
            for _ in range(iterations):
                buffers = own["_buffers"]
                _normalized_into(buffers["_u"], LA.mv(matrix, buffers["_v"]), own["eps"])
                _normalized_into(buffers["_v"], LA.mv(T.t(matrix), buffers["_u"]), own["eps"])

    @program("forward")
    def forward(self, weight):
        own = self.__dict__
        if weight.data.ndim == 1:
            return F.normalize(weight, dim=0, eps=own["eps"])
        matrix = _matrix(weight, own["dim"])
        if own["training"]:
            self._power_method(matrix, own["n_power_iterations"])
        u, v = T.clone(own["_buffers"]["_u"]), T.clone(own["_buffers"]["_v"])
        sigma = LA.vdot(u, LA.mv(matrix, v))
        return T.div(weight, sigma)

    @program("right_inverse")
    def right_inverse(self, value):
        return value


def parametrized_spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """nn.utils.parametrizations.spectral_norm."""
    weight = member(module, name)
    if type(weight) is not Tensor:
        raise_python(ValueError(f"Module '{value_str(module)}' has no parameter or buffer with name '{name}'"))
    if dim is None:
        dim = 1 if isinstance(module, _TRANSPOSED) else 0
    return register_parametrization(module, name, instantiate(_SpectralNorm, (weight, n_power_iterations, dim, eps),
                                                              {}))


native_class(_SpectralNorm, "torch.nn.utils.parametrizations")
UTILS = {"spectral_norm": spectral_norm, "remove_spectral_norm": remove_spectral_norm}
PARAMETRIZATIONS = {"spectral_norm": parametrized_spectral_norm}
