"""`obj[key]`, `obj[key] = v` and `del obj[key]` in a program, for each kind
of value: Python's containers index as Python's (a list stays a list: only
an expression's `agcli grad` reads a list literal as a tensor), a tensor or a
NumPy array as PyTorch and NumPy do, a program's object by its __getitem__.
"""
from __future__ import annotations

from collections import deque

from ..engine.tensor import Tensor
from ..torchapi import functions
from ..torchapi import namespace
from . import program_numpy
from .program_exceptions import python_errors, raise_python
from .program_numpy import VALUES
from .program_objects import MISSING, ProgramObject, call_special
from .program_typing import TypingForm
from .program_values import type_name
from .subscripts import getitem as tensor_getitem, index_int, index_value, tensor_index

_SEQUENCES = (list, tuple, str, range, dict, bytes, deque)


def _index(v):
    """A key of a Python container: an integer tensor of one element is its int (Tensor.__index__)."""
    if type(v) is Tensor:
        return tensor_index(v)
    if isinstance(v, ProgramObject):        # (a program's object with __index__, as Python reads it)
        r = call_special(v, "__index__")
        if r is not MISSING:
            if type(r) is not int:
                raise_python(TypeError(f"__index__ returned non-int (type {type(r).__name__})"))
            return r
    return v


def _python_key(key, obj):
    if type(key) is Tensor:
        return key if isinstance(obj, dict) else _index(key)      # (a dict's key is the tensor itself: by identity)
    if type(key) is slice and type(obj) is not dict:
        return slice(_index(key.start), _index(key.stop), _index(key.step))
    if isinstance(key, ProgramObject) and type(obj) is not dict:
        return _index(key)
    return key


def _tensor_key(key, obj):
    """A tensor's (or NumPy array's) key, each part as an expression's are (language/lower.py)."""
    if type(obj) is Tensor and not obj.data.ndim and _holds_0d_integer(key):
        # (an integer 0-d tensor indexes as its int, except that PyTorch counts it as an index here)
        functions.fail("too many indices for tensor of dimension 0", "index")
    if type(key) is tuple:
        return tuple(_tensor_part(k) for k in key)
    return _tensor_part(key)


def _holds_0d_integer(key):
    return any(type(k) is Tensor and not k.data.ndim and functions.kind(k.data.dtype) == "i"
               for k in (key if type(key) is tuple else (key,)))


def _tensor_part(k):
    if type(k) is slice:
        return slice(index_int(k.start), index_int(k.stop), index_int(k.step))
    if k is Ellipsis or k is None:
        return k
    return index_value(k)


_native_getitem = python_errors(lambda obj, key: obj[key])


def getitem(obj, key):
    if type(obj) is Tensor or isinstance(obj, VALUES):
        return tensor_getitem(obj, _tensor_key(key, obj))
    if isinstance(obj, _SEQUENCES):
        value = _native_getitem(obj, _python_key(key, obj))
        if type(obj) is namespace.Size and type(key) is slice:      # x.shape[1:] is a torch.Size
            return namespace.Size(value)
        return value
    if type(obj) is TypingForm:       # (an alias: Tuple[torch.Tensor, int])
        return obj[key]
    if isinstance(obj, type) and getattr(obj, "_members", None) is not None:     # Color['RED']
        from .program_enum import member_named
        return member_named(obj, key)
    if isinstance(obj, ProgramObject):
        r = call_special(obj, "__getitem__", key)
        if r is MISSING:
            raise_python(TypeError(f"'{type(obj).__name__}' object is not subscriptable"))
        return r
    raise_python(TypeError(f"'{type_name(obj)}' object is not subscriptable"))


def _native_setitem(obj, key, value):
    obj[key] = value


_set_native = python_errors(_native_setitem)


def setitem(obj, key, value):
    if type(obj) is Tensor or isinstance(obj, VALUES):
        return program_numpy.setitem(obj, _tensor_key(key, obj), value)
    if type(obj) in (list, dict) or isinstance(obj, dict):        # (a state_dict's OrderedDict too)
        return _set_native(obj, _python_key(key, obj), value)
    if isinstance(obj, ProgramObject):
        if call_special(obj, "__setitem__", key, value) is not MISSING:
            return None
    raise_python(TypeError(f"'{type_name(obj)}' object does not support item assignment"))


def _native_delitem(obj, key):
    del obj[key]


_del_native = python_errors(_native_delitem)


def delitem(obj, key):
    if type(obj) in (list, dict) or isinstance(obj, dict):
        return _del_native(obj, _python_key(key, obj))
    if isinstance(obj, ProgramObject):
        if call_special(obj, "__delitem__", key) is not MISSING:
            return None
    raise_python(TypeError(f"'{type_name(obj)}' object doesn't support item deletion"))
