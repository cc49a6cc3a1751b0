"""What a program's values look like: repr(), str() and their type's name.

print(), the REPL's echo, f-strings, str(), `%` and `.format` all go through
here, so a value reads the same wherever a program shows it, and the way
Python with PyTorch shows it: a list of tensors prints each tensor as PyTorch
does (Python's own repr of a list would call each element's repr).
"""
from __future__ import annotations

from collections import Counter, defaultdict, deque
from enum import Enum

from ..engine.tensor import Tensor
from ..torchapi import autograd, functions
from ..torchapi import namespace
from ..torchapi.devices import Device
from ..torchapi.dtypes import DType
from ..torchapi.modes import GradModeContext
from ..torchapi.ndarrays import VALUES, host, type_name as numpy_type_name
from ..torchapi.nodes import GradFn
from ..torchapi.printing import tensor_repr
from .program_objects import SHOW, ProgramObject

_NUMPY_SHOWN = (host.ndarray, host.generic, host.dtype)     # print() shows str(): [1. 2.], float32
_PLAIN = (str, int, float, bool, type(None), complex)
_DICT_VIEWS = {type({}.keys()): "dict_keys", type({}.values()): "dict_values", type({}.items()): "dict_items"}
# Python's and PyTorch's names of the types of PyTorch's objects, as Python's messages name them (their C
# types' names: 'torch.Size' object is not callable)
_TORCH_TYPE_NAMES = {Tensor: "Tensor", namespace.Size: "torch.Size", DType: "torch.dtype", Device: "torch.device"}


def type_name(v) -> str:
    """The name of v's type as Python says it: 'int', 'list', 'Tensor', 'function', 'A'."""
    t = type(v)
    if t is Tensor and getattr(v, "parameter", False):
        return "UninitializedParameter" if v.parameter == "uninitialized" else "Parameter"
    name = _TORCH_TYPE_NAMES.get(t) or getattr(t, "type_name", None)
    if name is not None:
        return name
    if t is GradFn:
        return v.name
    if isinstance(v, functions.ValuesIndices):
        return type(v).__name__     # ('torch.return_types.max', as Python's messages name it)
    if isinstance(v, GradModeContext):
        return v.class_name()
    if isinstance(v, VALUES):
        return numpy_type_name(v)
    return t.__name__


def value_repr(v, _inside=None) -> str:
    t = type(v)
    if t in _PLAIN:
        return repr(v)
    if t is Tensor:
        return tensor_repr(v)
    if isinstance(v, functions.ValuesIndices):
        fields = ",\n".join(f"{name}={value_repr(x)}" for name, x in zip(v.fields, v))
        return f"torch.return_types.{v.function}(\n{fields})"
    if t in (list, tuple, dict, set, frozenset) or t in _DICT_VIEWS:
        inside = set() if _inside is None else _inside
        if id(v) in inside:            # a list that holds itself: Python's [...]
            return "[...]" if t is list else "{...}" if t is dict else "(...)"
        inside.add(id(v))
        try:
            return _container_repr(v, t, inside)
        finally:
            inside.discard(id(v))
    if isinstance(v, BaseException) and not isinstance(v, ProgramObject):
        return f"{t.__name__}({', '.join(value_repr(a, _inside) for a in v.args)})"
    if isinstance(v, defaultdict):      # (optimizer.state)
        return f"defaultdict({value_repr(v.default_factory)}, {value_repr(dict(v), _inside)})"
    if t is deque:
        inner = ", ".join(value_repr(x, _inside) for x in v)
        return f"deque([{inner}]" + (")" if v.maxlen is None else f", maxlen={v.maxlen})")
    if getattr(t, "_made_by_program", False):     # a program's namedtuple (program_namedtuple.py)
        return f"{t.__name__}(" + ", ".join(f"{n}={value_repr(x, _inside)}" for n, x in zip(t._fields, v)) + ")"
    if t is Counter:        # (Python's: most common first)
        return f"Counter({value_repr(dict(v.most_common()), _inside)})" if v else "Counter()"
    return repr(v)     # numbers, torch.Size, dtypes, grad_fns, NumPy values, the program's own


def _container_repr(v, t, inside) -> str:
    if t is list:
        return "[" + ", ".join(value_repr(x, inside) for x in v) + "]"
    if t is tuple:
        inner = ", ".join(value_repr(x, inside) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if t is dict:
        return "{" + ", ".join(f"{value_repr(k, inside)}: {value_repr(x, inside)}" for k, x in v.items()) + "}"
    if t in _DICT_VIEWS:
        items = [value_repr(x, inside) for x in v] if t is not type({}.items()) else \
            [f"({value_repr(k, inside)}, {value_repr(x, inside)})" for k, x in v]
        return f"{_DICT_VIEWS[t]}([{', '.join(items)}])"
    inner = ", ".join(value_repr(x, inside) for x in v)
    if t is set:
        return "{" + inner + "}" if v else "set()"
    return f"frozenset({{{inner}}})" if v else "frozenset()"


def value_str(v) -> str:
    t = type(v)
    if t is str:
        return v
    if t is Tensor:
        return tensor_repr(v)
    if isinstance(v, OSError) and v.errno is not None:
        return str(v)       # ([Errno 2] No such file or directory: 'x.pth', as Python's own)
    if isinstance(v, BaseException) and not isinstance(v, ProgramObject):
        args = v.args
        if len(args) == 1:
            return value_repr(args[0]) if isinstance(v, KeyError) else value_str(args[0])    # (KeyError's own)
        return "" if not args else value_repr(args)
    if isinstance(v, (ProgramObject, Device, *_NUMPY_SHOWN, Enum)) or getattr(t, "program_str", False):
        return str(v)       # print(obj), print(t.device), print(a), print(datetime.now())
    return value_repr(v)


SHOW.update(str=value_str, repr=value_repr, truth=autograd.truth)
