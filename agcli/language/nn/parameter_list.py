"""nn.ParameterList, as torch/nn/modules/container.py writes it: its values registered under
"0", "1", ... (a tensor becomes a Parameter), indexing, len, iteration, append, extend, and
its printing ("(0): Parameter containing: [torch.float32 of size 2x3]").
"""
from __future__ import annotations

from ...engine.backend import dtype_name
from ...engine.tensor import Tensor
from ..program_classes import instantiate
from ..program_exceptions import raise_python
from ..program_iteration import iterate
from ..program_values import type_name
from .containers import as_index
from .module import Module
from .native import native_class, program
from .parameter import is_parameter, parameter


def _key(plist, idx):
    """ParameterList._get_abs_string_index."""
    idx, size = as_index(idx), plist.__dict__["_size"]
    if not -size <= idx < size:
        raise_python(IndexError(f"index {idx} is out of range"))
    return str(idx + size if idx < 0 else idx)


def _value(plist, key):
    own = plist.__dict__
    return own["_parameters"].get(key, own["_buffers"].get(key, own["_modules"].get(key, own.get(key))))


class ParameterList(Module):
    @program("__init__")
    def init(self, values=None):
        Module.init(self)
        Module.program_setattr(self, "_size", 0)
        if values is not None:
            ParameterList.extend(self, values)

    @program("__getitem__")
    def getitem(self, idx):
        if type(idx) is slice:
            out = instantiate(type(self), (), {})
            for i in range(*idx.indices(self.__dict__["_size"])):
                ParameterList.append(out, ParameterList.getitem(self, i))
            return out
        return _value(self, _key(self, idx))

    @program("__setitem__")
    def setitem(self, idx, param):
        if type(param) is Tensor and not is_parameter(param):
            param = parameter(param)
        Module.program_setattr(self, _key(self, idx), param)

    @program("__len__")
    def len(self):
        return self.__dict__["_size"]

    @program("__iter__")
    def iter(self):
        return iter([ParameterList.getitem(self, i) for i in range(self.__dict__["_size"])])

    @program("__iadd__")
    def iadd(self, values):
        return ParameterList.extend(self, values)

    @program("__call__")
    def call(self, *args, **kwargs):
        raise_python(RuntimeError("ParameterList should not be called."))

    @program("append")
    def append(self, value):
        index = self.__dict__["_size"]
        self.__dict__["_size"] = index + 1
        ParameterList.setitem(self, index, value)
        return self

    @program("extend")
    def extend(self, values):
        if type(values) is Tensor:
            raise_python(TypeError("ParameterList.extend should be called with an iterable, but got Tensor"))
        for value in list(iterate(values)):
            ParameterList.append(self, value)
        return self

    @program("extra_repr")
    def extra_repr(self):
        lines = []
        for k in range(self.__dict__["_size"]):
            p = ParameterList.getitem(self, k)
            if type(p) is Tensor:
                size = "x".join(str(s) for s in p.shape)
                device = f" ({p.device})" if p.device != "cpu" else ""
                kind = "Parameter" if is_parameter(p) else "Tensor"
                lines.append(f"  ({k}): {kind} containing: [{_dtype(p)} of size {size}{device}]")
            else:
                lines.append(f"  ({k}): Object of type: {type_name(p)}")
        return "\n".join(lines)


def _dtype(t):
    return f"torch.{dtype_name(t.data.dtype)}"


native_class(ParameterList, "torch.nn.modules.container")
