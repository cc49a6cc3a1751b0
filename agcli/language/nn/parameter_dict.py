"""nn.ParameterDict, as torch/nn/modules/container.py writes it: its values set as attributes
under their keys (a tensor becomes a Parameter), the keys in order (a plain dict's sorted, an
OrderedDict's or ParameterDict's as given), the dict's methods, and its printing ("(a): Parameter
containing: [torch.FloatTensor of size 2x3]").
"""
from __future__ import annotations

from collections import OrderedDict

from ...engine.tensor import Tensor
from ..program_classes import instantiate
from ..program_exceptions import raise_python
from ..program_iteration import iterate
from ..program_values import type_name
from .module import Module
from .native import native_class, program, typename
from .parameter import is_parameter, parameter


def _attr(key):
    """ParameterDict._key_to_attr: keys are strings."""
    if not isinstance(key, str):
        raise_python(TypeError("Index given to ParameterDict cannot be used as a key as it is not a string (type is "
                               f"'{type_name(key)}'). Open an issue on github if you need non-string keys."))
    return key


def _keys(pdict) -> dict:
    return pdict.__dict__["_keys"]


class ParameterDict(Module):
    @program("__init__")
    def init(self, parameters=None):
        Module.init(self)
        self.__dict__["_keys"] = {}
        if parameters is not None:
            ParameterDict.update(self, parameters)

    @program("__getitem__")
    def getitem(self, key):
        name, own = _attr(key), self.__dict__
        for members in ("_parameters", "_buffers", "_modules"):
            if name in own[members]:
                return own[members][name]
        if name in own:
            return own[name]
        return Module.getattr(self, name)

    @program("__setitem__")
    def setitem(self, key, value):
        _keys(self)[key] = None         # (before the key's check, as PyTorch's)
        name = _attr(key)
        if type(value) is Tensor and not is_parameter(value):
            value = parameter(value)
        Module.program_setattr(self, name, value)

    @program("__delitem__")
    def delitem(self, key):
        if key not in _keys(self):
            raise_python(KeyError(key))
        del _keys(self)[key]
        Module.program_delattr(self, _attr(key))

    @program("__len__")
    def len(self):
        return len(_keys(self))

    @program("__iter__")
    def iter(self):
        return iter(list(_keys(self)))

    @program("__reversed__")
    def reversed(self):
        return iter(list(_keys(self))[::-1])

    @program("__contains__")
    def contains(self, key):
        return key in _keys(self)

    @program("__call__")
    def call(self, *args, **kwargs):
        raise_python(RuntimeError("ParameterDict should not be called."))

    @program("copy")
    def copy(self):
        out = instantiate(ParameterDict, (), {})
        ParameterDict.update(out, OrderedDict((k, ParameterDict.getitem(self, k)) for k in _keys(self)))
        return out

    @program("setdefault")
    def setdefault(self, key, default=None):
        if key not in _keys(self):
            ParameterDict.setitem(self, key, default)
        return ParameterDict.getitem(self, key)

    @program("clear")
    def clear(self):
        for k in list(_keys(self)):
            ParameterDict.delitem(self, k)

    @program("pop")
    def pop(self, key):
        value = ParameterDict.getitem(self, key)
        ParameterDict.delitem(self, key)
        return value

    @program("popitem")
    def popitem(self):
        if not _keys(self):
            raise_python(KeyError("popitem(): dictionary is empty"))
        key = list(_keys(self))[-1]
        value = ParameterDict.getitem(self, key)
        ParameterDict.delitem(self, key)
        return key, value

    @program("get")
    def get(self, key, default=None):
        return ParameterDict.getitem(self, key) if key in _keys(self) else default

    @program("fromkeys")
    def fromkeys(self, keys, default=None):
        out = instantiate(ParameterDict, (), {})
        ParameterDict.update(out, [(k, default) for k in iterate(keys)])
        return out

    @program("keys")
    def keys(self):
        return _keys(self).keys()

    @program("items")
    def items(self):
        return iter([(k, ParameterDict.getitem(self, k)) for k in _keys(self)])

    @program("values")
    def values(self):
        return iter([ParameterDict.getitem(self, k) for k in _keys(self)])

    @program("update")
    def update(self, parameters):
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items()) if isinstance(parameters, OrderedDict) else \
                [(k, ParameterDict.getitem(parameters, k)) for k in _keys(parameters)]
        elif isinstance(parameters, dict):
            pairs = sorted(parameters.items())
        else:
            try:
                sequence = list(iterate(parameters))
            except Exception:
                raise_python(TypeError("ParametersDict.update should be called with an iterable of key/value "
                                       f"pairs, but got {type_name(parameters)}"))
            pairs = []
            for j, p in enumerate(sequence):
                try:
                    p = list(iterate(p))
                except Exception:
                    raise_python(TypeError(f"ParameterDict update sequence element #{j} should be Iterable; is"
                                           f"{type_name(p)}"))
                if len(p) != 2:
                    raise_python(ValueError(f"ParameterDict update sequence element #{j} has length {len(p)}; 2 is "
                                            "required"))
                pairs.append(p)
        for key, value in pairs:
            ParameterDict.setitem(self, key, value)

    @program("__or__")
    def or_(self, other):
        out = ParameterDict.copy(self)
        ParameterDict.update(out, other)
        return out

    @program("__ror__")
    def ror(self, other):
        out = ParameterDict.copy(other)
        ParameterDict.update(out, self)
        return out

    @program("__ior__")
    def ior(self, other):
        ParameterDict.update(self, other)
        return self

    @program("extra_repr")
    def extra_repr(self):
        lines = []
        for k in _keys(self):
            p = ParameterDict.getitem(self, k)
            if type(p) is Tensor:
                size = "x".join(str(s) for s in p.shape)
                device = f" ({p.device})" if p.device != "cpu" else ""
                kind = "Parameter" if is_parameter(p) else "Tensor"
                lines.append(f"  ({k}): {kind} containing: [{typename(p)} of size {size}{device}]")
            else:
                lines.append(f"  ({k}): Object of type: {type_name(p)}")
        return "\n".join(lines)


native_class(ParameterDict, "torch.nn.modules.container")
