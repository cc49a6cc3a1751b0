"""`obj.name = value` and `del obj.name` in a program, for each kind of value
(reading them: program_attributes.py)."""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import namespace
from .module_value import ModuleValue
from .program_attributes import PYTHON_DATA, PYTHON_METHODS, refuse_internals
from .program_exceptions import raise_python
from .program_namedtuple import is_namedtuple_class
from .program_names import SETTERS
from .program_objects import ProgramObject, Property, class_lookup
from .program_values import type_name

# A module's flags a program may set (torch.backends.cudnn.deterministic = True: nothing changes on the CPU).
_SETTABLE = {"torch.backends.cudnn": ("enabled", "deterministic", "benchmark")}


def set_attribute(obj, name, value):
    if name.startswith("__") and name.endswith("__") and not (name not in _TYPE_DATA and isinstance(obj, type)
                                                             and issubclass(obj, ProgramObject)):
        refuse_internals(name)      # (cls.__repr__ = f: a special method, as its body's def would be)
    if isinstance(obj, ProgramObject):
        hook = getattr(type(obj), "program_setattr", None)      # nn.Module's registration (language/nn)
        if hook is not None:
            return hook(obj, name, value)
        prop = class_lookup(type(obj), name)
        if type(prop) is Property:
            return prop.set_on(obj, value)
        obj.__dict__[name] = value
        return None
    if isinstance(obj, type) and issubclass(obj, ProgramObject):
        obj._ns[name] = value
        return None
    if type(obj) is ModuleValue and name in _SETTABLE.get(obj.name, ()):
        obj.entries[name] = value
        return None
    if type(obj) is Tensor or obj is None or isinstance(obj, namespace.Size):
        setter = SETTERS.get(name)
        if setter is not None and obj is not None:
            return setter(obj, value)
        if type(obj) is Tensor and (name in namespace.ATTRIBUTES or name in _READ_ONLY):
            raise_python(AttributeError(f"attribute '{name}' of 'torch._C.TensorBase' objects is not writable"))
        if obj is not None:
            raise AgcliError(f"agcli's tensors take no attributes of a program's own ('.{name}')",
                             kind="attribute", hint="assignable attributes: " +
                             ", ".join(f".{n}" for n in SETTERS))
    if name in getattr(type(obj), "program_writable", ()):     # (an object's attributes Python lets a program set)
        setattr(obj, name, value)
        return None
    if getattr(type(obj), "takes_attributes", False):
        obj.attrs = {**(obj.attrs or {}), name: value}
        return None
    if type(obj) in PYTHON_METHODS or type(obj) in PYTHON_DATA:       # (Python's words for its own attributes)
        if name in PYTHON_METHODS.get(type(obj), ()):
            raise_python(AttributeError(f"'{type_name(obj)}' object attribute '{name}' is read-only"))
        if name in PYTHON_DATA.get(type(obj), ()):
            raise_python(AttributeError("readonly attribute" if type(obj) is range else
                                        f"attribute '{name}' of '{type_name(obj)}' objects is not writable"))
    if name in getattr(type(obj), "_fields", ()) and is_namedtuple_class(type(obj)):
        raise_python(AttributeError("can't set attribute"))
    raise_python(AttributeError(f"'{type_name(obj)}' object has no attribute '{name}'"))


# A class's own data, which Python keeps outside its attributes' dict.
_TYPE_DATA = frozenset(("__name__", "__qualname__", "__module__", "__doc__", "__dict__", "__class__", "__bases__",
                        "__mro__", "__slots__", "__annotations__", "__weakref__"))
_READ_ONLY = frozenset(("is_leaf", "shape", "dtype", "_version", "ndim", "device", "is_cuda", "layout", "output_nr",
                        "itemsize", "nbytes", "grad_fn", "T", "mT", "H", "mH"))


def delete_attribute(obj, name):
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    if isinstance(obj, ProgramObject):
        hook = getattr(type(obj), "program_delattr", None)      # nn.Module's members (language/nn)
        if hook is not None:
            return hook(obj, name)
        prop = class_lookup(type(obj), name)
        if type(prop) is Property:
            return prop.delete_on(obj)
        if name in obj.__dict__:
            del obj.__dict__[name]
            return None
        raise_python(AttributeError(f"'{type(obj).__name__}' object has no attribute '{name}'"))
    if isinstance(obj, type) and issubclass(obj, ProgramObject) and name in obj._ns:
        del obj._ns[name]
        return None
    if type(obj) is Tensor and name == "grad":      # PyTorch's `del x.grad`: x.grad = None
        return SETTERS["grad"](obj, None)
    raise_python(AttributeError(f"'{type_name(obj)}' object has no attribute '{name}'"))
