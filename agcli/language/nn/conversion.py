"""Module.double(), float(), half(), to(...), cpu(), cuda(): each floating parameter, its gradient and
buffer converted, as Module._apply does it: a parameter keeps its identity (its data is
replaced, as `param.data = ...`), a buffer is replaced.
"""
from __future__ import annotations

from ...engine.backend import dtype_name, kind
from ...engine.tensor import Tensor, set_grad_enabled
from ...torchapi import devices
from ...torchapi.dtypes import DType
from ...torchapi.memory_formats import to as to_format
from ..program_exceptions import raise_python
from .native import program


def _floating(t) -> bool:
    return kind(t.data.dtype) in ("f", "c")


def _apply(module, fn):
    own = module.__dict__
    for child in own["_modules"].values():
        if child is not None:
            _apply(child, fn)
    for param in own["_parameters"].values():
        if param is None:
            continue
        with set_grad_enabled(False):
            applied = fn(param)
            grad = param.grad
            param.data, param.device = applied.data, applied.device
            if grad is not None:
                applied = fn(grad)
                grad.data, grad.device = applied.data, applied.device
    buffers = own["_buffers"]
    for key, buf in buffers.items():
        if buf is not None:
            buffers[key] = fn(buf)
    return module


def _cast(dtype):
    return lambda t: devices.to(t, dtype=DType(dtype)) if _floating(t) else t


class Conversions:
    """Module's conversion methods (a mixin of module.Module)."""

    @program("double")
    def double(self):
        return _apply(self, _cast("float64"))

    @program("float")
    def float(self):
        return _apply(self, _cast("float32"))

    @program("half")
    def half(self):
        return _apply(self, _cast("float16"))

    @program("cpu")
    def cpu(self):
        return _apply(self, lambda t: devices.to(t, "cpu"))

    @program("cuda")
    def cuda(self, device=None):
        return _apply(self, lambda t: devices.cuda(t, device))

    @program("to")
    def to(self, *args, dtype=None, device=None, non_blocking=False, memory_format=None):
        for a in args:
            if type(a) is Tensor:
                device, dtype = a.device, DType(dtype_name(a.data.dtype))
            elif isinstance(a, DType):
                dtype = a
            else:
                device = a
        if dtype is not None and not dtype.name.startswith(("float", "complex", "bfloat")):
            raise_python(TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                   f"dtype={dtype!r}"))

        def convert(t):
            if dtype is not None and _floating(t):
                t = devices.to(t, device, dtype=dtype) if device is not None else devices.to(t, dtype=dtype)
            elif device is not None:
                t = devices.to(t, device)
            if memory_format is not None and t.data.ndim in (4, 5):      # (a 4-d or 5-d one only, as PyTorch's)
                t = to_format(devices.to)(t, memory_format=memory_format)
            return t
        return _apply(self, convert)
