"""Python's types as a program calls them to convert a value — int(), float(),
bool(), str(), list(), tuple(), dict(), set(), range() — and asks about a
value's type: type(x), isinstance(x, C).

The types are Python's own (isinstance(3, int) and type(x).__name__ work as
in Python); calling one goes through here, so that a tensor converts as
PyTorch's does (int(t), float(t): a one-element tensor's item; list(t): its
rows) and a program's object by its special methods.
"""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..torchapi import namespace
from ..torchapi.devices import Device
from ..torchapi.dtypes import DType
from ..torchapi.generator import DEFAULT, Generator
from ..torchapi.memory_formats import MemoryFormat
from .program_exceptions import python_errors, raise_python, tensor_number
from .program_iteration import iterate
from .program_modules import DEVICE, DTYPE, GENERATOR, MEMORY_FORMAT, SIZE, TENSOR, BuiltinClass
from .nn.buffer import BUFFER
from .nn.parameter import PARAMETER, UNINITIALIZED_PARAMETER, MarkedTensorClass
from .program_numpy import VALUES
from .program_objects import MISSING, ProgramObject, call_special
from .program_operators import NATIVE, truth
from .program_runtime import counted
from .program_torch_calls import TorchClass
from .program_values import type_name, value_str
from .subscripts import tensor_index



def _number(kind, words):
    native = python_errors(kind)

    def convert(*args, **kwargs):
        if len(args) == 1 and not kwargs:
            v = args[0]
            if type(v) is Tensor:
                return kind(tensor_number(v, as_float=kind is float))
            if isinstance(v, ProgramObject) and not getattr(type(v), "native_operators", False):
                r = call_special(v, f"__{kind.__name__}__")
                if r is MISSING and kind is int:
                    r = call_special(v, "__index__")
                if r is MISSING:
                    raise_python(TypeError(f"{kind.__name__}() argument must be {words}, not '{type(v).__name__}'"))
                return r
            if not isinstance(v, NATIVE) and not isinstance(v, VALUES):
                raise_python(TypeError(f"{kind.__name__}() argument must be {words}, not '{type_name(v)}'"))
        return native(*args, **kwargs)
    return convert


def _str(*args):
    if len(args) > 1:
        raise_python(TypeError("agcli's programs call str() with one value"))
    return value_str(args[0]) if args else ""


def _listed(kind):
    def convert(iterable=()):
        return python_errors(kind)(counted(iterate(iterable)))
    return convert


def _integer(v):
    """A range() argument: an integer tensor of one element is its int (Tensor.__index__)."""
    return tensor_index(v) if type(v) is Tensor else v


_native_range = python_errors(range)


def _range(*args):
    return _native_range(*[_integer(a) for a in args])


def _dict(*args, **kwargs):
    if args and not isinstance(args[0], (dict, list, tuple)):
        args = (list(counted(iterate(args[0]))),)
    return python_errors(dict)(*args, **kwargs)


def _type(*args):
    if len(args) != 1:
        raise_python(TypeError("agcli's programs call type() with one value: type(x)"))
    return type_of(args[0])


# A type called as a function -> what the call does.
CONSTRUCTORS = {
    int: _number(int, "a string, a bytes-like object or a real number"),
    float: _number(float, "a string or a real number"),
    bool: lambda x=False: truth(x), str: _str, list: _listed(list), tuple: _listed(tuple),
    set: _listed(set), frozenset: _listed(frozenset), dict: _dict, range: _range, type: _type,
    object: python_errors(object), slice: python_errors(slice),
}

_CLASSES = {Tensor: TENSOR, namespace.Size: SIZE, Device: DEVICE, DType: DTYPE, Generator: GENERATOR,
            type(DEFAULT): GENERATOR, MemoryFormat: MEMORY_FORMAT}
OTHER_CLASSES = _OTHER_CLASSES = {}      # (program_builtins.py puts `property` here)


def type_of(v):
    """type(v): Python's type of a Python value or a program's object; PyTorch's class of its objects."""
    t = type(v)
    if isinstance(v, NATIVE) and t.__module__ == "builtins" or isinstance(v, (ProgramObject, BaseException)) \
            or isinstance(v, VALUES) or isinstance(v, type) or getattr(t, "_made_by_program", False):
        return t
    if t is Tensor and getattr(v, "parameter", False):
        return UNINITIALIZED_PARAMETER if v.parameter == "uninitialized" else PARAMETER
    cls = _CLASSES.get(t)
    if cls is None:
        name = type_name(v)
        cls = _OTHER_CLASSES.get(name)
        if cls is None:
            # (a custom Function's node is a class of torch.autograd.function: engine/function_node.py)
            module = getattr(t, "pytorch_module", None) or getattr(getattr(v, "node", None), "module", "builtins.")[:-1]
            cls = _OTHER_CLASSES[name] = BuiltinClass(name.removeprefix(module + "."), module, t)
    return cls


def is_instance(v, classes) -> bool:
    """isinstance(v, classes)."""
    if type(classes) is tuple:
        return any(is_instance(v, c) for c in classes)
    if type(classes) is BuiltinClass or isinstance(classes, MarkedTensorClass) or type(classes) is TorchClass:
        return classes.is_instance(v)
    if not isinstance(classes, type):
        raise_python(TypeError("isinstance() arg 2 must be a type, a tuple of types, or a union"))
    return isinstance(v, classes)


def is_subclass(c, classes) -> bool:
    """issubclass(c, classes)."""
    if not isinstance(c, (type, BuiltinClass, MarkedTensorClass)):
        raise_python(TypeError("issubclass() arg 1 must be a class"))
    if type(classes) is tuple:
        return any(is_subclass(c, k) for k in classes)
    if (c is PARAMETER or c is BUFFER or c is UNINITIALIZED_PARAMETER) and classes is TENSOR or \
            c is UNINITIALIZED_PARAMETER and classes is PARAMETER:
        return True
    if type(classes) is BuiltinClass or isinstance(classes, MarkedTensorClass) or \
            type(c) is BuiltinClass or isinstance(c, MarkedTensorClass):
        return c is classes
    if not isinstance(classes, type):
        raise_python(TypeError("issubclass() arg 2 must be a class, a tuple of classes, or a union"))
    return issubclass(c, classes)
