"""torch.nn.Parameter: a leaf tensor a Module registers as its parameter.

A Parameter is an engine Tensor with its `parameter` slot set (unset on every other tensor,
so `type(x) is Tensor` fast paths and ordinary tensors pay nothing): PyTorch's ops on it
give plain tensors (agcli's ops make new Tensors), `p.data` and `p.detach()` are plain,
and in-place changes keep the same object, still a Parameter. printing.py prefixes its repr
with "Parameter containing:".
"""
from __future__ import annotations

from ...engine.backend import kind
from ...engine.tensor import Tensor
from ...errors import AgcliError
from ...torchapi import autograd
from ...torchapi import creation as C
from ..program_exceptions import raise_python
from ..program_values import type_name


def is_parameter(value) -> bool:
    return type(value) is Tensor and getattr(value, "parameter", False)


def parameter(data=None, requires_grad=True):
    """nn.Parameter(data, requires_grad): data's storage as a new leaf, as Tensor._make_subclass makes it."""
    if data is None:
        data = C.zeros(0)
    if type(data) is not Tensor:
        raise_python(AttributeError(f"'{type_name(data)}' object has no attribute 'detach'"))
    p = data.detach()
    if requires_grad:
        if kind(p.data.dtype) not in ("f", "c"):
            raise AgcliError("Only Tensors of floating point and complex dtype can require gradients")
        autograd.set_requires_grad(p, True, spelling="method")
    p.parameter = True
    return p


def uninitialized_parameter(requires_grad=True, device=None, dtype=None):
    """nn.UninitializedParameter(): an empty Parameter marked so (language/nn/lazy.py gives it its shape)."""
    p = parameter(C.empty(0, device=device, dtype=dtype), requires_grad=requires_grad)
    p.parameter = "uninitialized"
    return p


class MarkedTensorClass:
    """A class of torch.nn.parameter whose objects are tensors marked as such (Parameter, Buffer), as a
    program's class: calling it makes one (`make`), isinstance() knows one (`is_instance`)."""

    __slots__ = ()
    type_name = "type"
    name, module_name = "", "torch.nn.parameter"
    program_attributes = {"__name__": "name", "__qualname__": "name", "__module__": "module_name"}

    def make(self, *args, **kwargs):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        try:
            return self.make(*args, **kwargs)
        except TypeError as e:          # a call that does not fit: Python's words, for NAME.__new__
            raise_python(TypeError(str(e).replace(f"{self.name.lower()}()", f"{self.name}.__new__()")))

    def __repr__(self):
        return f"<class '{self.module_name}.{self.name}'>"


class ParameterClass(MarkedTensorClass):
    """nn.Parameter: type() knows one too (language/program_conversions.py)."""

    __slots__ = ()
    name = "Parameter"

    def is_instance(self, value) -> bool:
        return bool(is_parameter(value))

    def make(self, *args, **kwargs):
        return parameter(*args, **kwargs)


PARAMETER = ParameterClass()


class UninitializedParameterClass(ParameterClass):
    """nn.parameter.UninitializedParameter: type() of a lazy module's parameter before its first call."""

    __slots__ = ()
    name = "UninitializedParameter"

    def is_instance(self, value) -> bool:
        return bool(is_parameter(value)) and value.parameter == "uninitialized"

    def make(self, requires_grad=True, device=None, dtype=None):
        return uninitialized_parameter(requires_grad, device, dtype)


UNINITIALIZED_PARAMETER = UninitializedParameterClass()
