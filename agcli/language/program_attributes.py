"""`obj.name`, `obj.name = v` and `del obj.name` in a program, for each kind
of value, looked up when the line runs: a tensor's (agcli's tables of
PyTorch's), a module's, a program's object's and class's (Python's lookup
order), and Python's own methods on its values (the ones declared here).

Python's internals stay out of reach: a name like `__dict__` is refused, but a
program's own special methods (`__init__`, `__repr__`, ...) are its attributes,
and `x.__class__` is type(x) (`m.__class__.__name__`, as models' init functions read it).
"""
from __future__ import annotations

import functools
from collections import Counter, OrderedDict, defaultdict, deque

from ..engine.tensor import Tensor
from ..errors import AgcliError, did_you_mean
from ..torchapi import namespace
from ..torchapi.nodes import GradFn
from ..torchapi.reductions import ValuesIndices
from .nn.buffer import buffer_persistence
from . import suggestions
from .program_exceptions import ProgramException, python_errors, raise_python
from .program_format import str_format
from .program_classes import Super
from .program_conversions import type_of
from .program_items import getitem
from .nn.lazy import REFUSED as LAZY_REFUSED, is_uninitialized, refuse as refuse_uninitialized
from .program_modules import BuiltinClass, ModuleValue
from .program_namedtuple import attribute as namedtuple_attribute, is_namedtuple_class
from .program_names import receiver_tables
from .program_numpy import VALUES, _missing as numpy_missing
from .program_objects import MISSING, Builtin, ProgramObject, Property, bind, class_lookup
from .program_operators import ELEMENT_METHODS
from .program_ordering import sort_list
from .program_runtime import MAX_ITEMS, too_many_items
from .program_torch_calls import TensorMethod
from .program_values import type_name
from .unknown_names import not_provided, pytorch_has

# Python's methods on its values that a program may call.
_STR = ("capitalize", "casefold", "center", "count", "endswith", "expandtabs", "find", "format", "format_map", "index",
        "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
        "isprintable", "isspace", "istitle", "isupper", "join",
        "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
        "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
        "title", "upper", "zfill")
_LIST = ("append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort")
_DICT = ("clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values")
_SET = ("add", "clear", "copy", "difference", "difference_update", "discard", "intersection",
        "intersection_update", "isdisjoint", "issubset", "issuperset", "pop", "remove", "symmetric_difference",
        "symmetric_difference_update", "union", "update")
_NUMBER = ("conjugate", "as_integer_ratio", "bit_length", "bit_count", "is_integer", "hex")
PYTHON_METHODS = {str: frozenset(_STR), list: frozenset(_LIST), tuple: frozenset(("count", "index")),
                  dict: frozenset(_DICT), defaultdict: frozenset(_DICT),
                  OrderedDict: frozenset((*_DICT, "move_to_end")),
                  Counter: frozenset((*_DICT, "most_common", "elements", "subtract", "total")),
                  deque: frozenset(("append", "appendleft", "clear", "copy", "count", "extend", "extendleft", "index",
                                    "insert", "pop", "popleft", "remove", "reverse", "rotate")),
                  set: frozenset(_SET), frozenset: frozenset(_SET) - {"add", "clear"},
                  int: frozenset(_NUMBER), float: frozenset(_NUMBER), bool: frozenset(_NUMBER),
                  range: frozenset(("count", "index"))}
PYTHON_DATA = {int: ("real", "imag", "numerator", "denominator"), bool: ("real", "imag"), deque: ("maxlen",),
                float: ("real", "imag"), range: ("start", "stop", "step"), complex: ("real", "imag")}
# Python's own names a program may read on its classes and functions.
_DUNDERS = {"__name__", "__qualname__", "__module__", "__doc__"}


def _format_method(text):
    return lambda *args, **kwargs: str_format(text, args, kwargs, get_attribute, getitem)


_WIDTHS = frozenset(("center", "ljust", "rjust", "zfill", "expandtabs"))


def _widened(text, name):
    """"x".rjust(n) and its like, refused for a width no program needs ("x".ljust(10**10))."""
    native = python_errors(getattr(text, name))

    def method(*args, **kwargs):
        width = args[0] if args else kwargs.get("width", kwargs.get("tabsize", 0))
        if type(width) is int and width > MAX_ITEMS:
            raise too_many_items(width)
        return native(*args, **kwargs)
    return method


_OVERRIDES = {(str, "format"): _format_method, (list, "sort"): lambda xs: functools.partial(sort_list, xs),
              **ELEMENT_METHODS}


def refuse_internals(name):
    raise AgcliError(f"agcli's programs do not reach Python's internals ('{name}')", kind="attribute",
                     hint="a program's own special methods (__init__, __repr__, ...) are its attributes")


# An exception's attributes a program reads (raise ... from ...: the cause; raised while handling: the context).
_EXCEPTION_ATTRIBUTES = ("args", "__cause__", "__context__", "__suppress_context__")


def _no_attribute(v, name, candidates=(), qualified=None, dir_of=None):
    """Python's AttributeError, with its suggestion (from dir() of the value, or of PyTorch's `dir_of`)."""
    qualified = qualified or type_name(v)
    python = suggestions.for_value_attribute(v, dir_of or qualified, name)
    error = ProgramException(AttributeError(f"'{qualified}' object has no attribute '{name}'"),
                             hint=None if python is not None else did_you_mean(name, candidates))
    error.suggestion = python
    raise error


# ------------------------------------------------------------ reading
def get_attribute(v, name):
    t = type(v)
    if name == "__class__":
        return type_of(v)
    if t is Tensor:
        return tensor_attribute(v, name)
    if v is None:       # (x.grad before backward: Python's AttributeError, which getattr/hasattr catch)
        _no_attribute(v, name)
    if isinstance(v, ProgramObject):
        return instance_attribute(v, name)
    if t is ModuleValue:
        if name.startswith("__") and name != "__version__":
            refuse_internals(name)
        return v.attribute(name)
    if t is Super:
        return v.attribute(name)
    if t is GradFn:
        if getattr(v.node, "context", None) is not None:
            return _function_node_attribute(v, name)
        return _grad_fn_attribute(v, name)
    if is_namedtuple_class(t) or is_namedtuple_class(v):
        return namedtuple_attribute(v, name, _no_attribute, class_attribute)
    if isinstance(v, type):
        return class_attribute(v, name)
    if getattr(t, "takes_attributes", False) and v.attrs and name in v.attrs:
        return v.attrs[name]
    methods = PYTHON_METHODS.get(t)
    if methods is not None or t in PYTHON_DATA:
        return python_attribute(v, name, methods or ())
    if t is namespace.Size or isinstance(v, ValuesIndices):
        return _torch_tuple_attribute(v, name)
    own = getattr(t, "program_attributes", None)
    if own is not None and name in own:
        return getattr(v, own[name])
    if name in getattr(t, "program_methods", ()):
        return getattr(v, name)
    if t is BuiltinClass:
        return tensor_class_attribute(v, name)
    if isinstance(v, BaseException):
        if name in _EXCEPTION_ATTRIBUTES or (name == "value" and isinstance(v, StopIteration)) or \
                (name == "code" and isinstance(v, SystemExit)) or \
                (name in ("errno", "strerror", "filename") and isinstance(v, OSError)) or \
                (name in ("msg", "doc", "pos", "lineno", "colno") and t.__module__ == "json.decoder"):
            return getattr(v, name)
        _no_attribute(v, name, ["args"])
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    if own is not None or methods is not None or not _torch_object(v):
        _no_attribute(v, name, own or ())
    return tensor_attribute(v, name)


def _torch_tuple_attribute(v, name):
    """x.shape's and x.max(dim)'s attributes: a tuple's count and index, and their own."""
    if name in ("count", "index"):
        return python_attribute(tuple(v), name, PYTHON_METHODS[tuple])
    if type(v) is namespace.Size and name == "numel":
        return tensor_attribute(v, name)
    if isinstance(v, ValuesIndices) and name in v.fields:
        return v[v.fields.index(name)]
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    _no_attribute(v, name, qualified="torch.Size" if type(v) is namespace.Size else f"torch.return_types.{v.function}")


def _function_node_attribute(fn, name):
    """A custom Function's grad_fn: a node's attributes, then its ctx's (in PyTorch the ctx is the node:
    y.grad_fn.saved_tensors, y.grad_fn.needs_input_grad, what the program set on ctx)."""
    methods, attributes = receiver_tables()
    if name in attributes or name in methods:
        return tensor_attribute(fn, name)
    return instance_attribute(fn.node.context, name)


# What a node has in PyTorch (dir(y.grad_fn)): not a tensor's attributes, though agcli's tables hold both
_GRAD_FN_NAMES = frozenset(("next_functions", "name", "register_hook", "register_prehook", "variable", "metadata"))


def _grad_fn_attribute(fn, name):
    if name == "variable" and not hasattr(fn.node, "variable"):      # (an AccumulateGrad's only: hasattr asks)
        raise_python(AttributeError(f"'{fn.name}' object has no attribute 'variable'"))
    if name in _GRAD_FN_NAMES or name.startswith("_saved_"):
        return tensor_attribute(fn, name)
    if name == "requires_grad":
        return True
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    _no_attribute(fn, name, qualified=fn.name, dir_of="grad_fn")


def _torch_object(v) -> bool:
    """Is v one of PyTorch's objects (or None, or NumPy's) that agcli's tables answer for?"""
    return v is None or isinstance(v, VALUES) or type(v).__module__.startswith("agcli.torchapi") or \
        type(v).__module__.startswith("agcli.engine")


def tensor_attribute(v, name):
    """x.NAME of a tensor, None, a NumPy value or one of PyTorch's objects: agcli's tables."""
    methods, attributes = receiver_tables()
    if name in LAZY_REFUSED and is_uninitialized(v):
        refuse_uninitialized(v, name)           # (a LazyLinear's parameter before its first call)
    getter = attributes.get(name)
    if getter is not None and not (type(v) is Tensor and name in methods):     # (x.size: the method)
        return getter(v)
    fn = methods.get(name)
    if fn is not None:
        return TensorMethod(v, name, fn, method_fits(name))
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    if v is None:
        _no_attribute(v, name)
    if isinstance(v, VALUES):
        raise numpy_missing(v, name)        # agcli's limit where NumPy has the name, else Python's words
    persistent = buffer_persistence(v) if name in ("persistent", "_is_buffer") else None
    if persistent is not None:              # (an nn.Buffer's marks)
        return persistent if name == "persistent" else True
    pytorch = type(v) is Tensor and pytorch_has(name, method=True)
    python = suggestions.for_tensor_attribute(name) if type(v) is Tensor and not pytorch else None
    error = ProgramException(AttributeError(f"'{type_name(v)}' object has no attribute '{name}'"),
                             hint=not_provided(f"Tensor.{name}") if pytorch else None if python is not None else
                             did_you_mean(name, [*attributes, *methods]) if type(v) is Tensor else None)
    error.suggestion = python       # (the line says Python's suggestion: the hint only when there is none)
    raise error


_FITS = {}


def method_fits(name) -> dict:
    """What the calls of the method `name` have found about their shapes (program_torch_calls)."""
    fits = _FITS.get(name)
    if fits is None:
        fits = _FITS[name] = {}
    return fits


def tensor_class_attribute(cls, name):
    """torch.Tensor.NAME: the method, taking its tensor first; torch.Size.__name__."""
    own = BuiltinClass.program_attributes.get(name)
    if own is not None:
        return getattr(cls, own)
    if cls.methods and name in cls.methods:
        return cls.methods[name]
    if name.startswith("__"):
        refuse_internals(name)
    raise_python(AttributeError(f"type object '{cls.module}.{cls.name}' has no attribute '{name}'"))


def python_attribute(v, name, methods):
    if name in methods:
        override = _OVERRIDES.get((type(v), name))
        if override is None and name in _WIDTHS:
            return Builtin(name, _widened(v, name))
        return Builtin(name, override(v) if override else python_errors(getattr(v, name)))
    if name in PYTHON_DATA.get(type(v), ()):
        return getattr(v, name)
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    if type(v) is str and name == "encode":
        raise AgcliError("agcli's programs hold no bytes (str.encode)", kind="attribute",
                         hint="keep the text as a str; ord(c) gives a character's code")
    _no_attribute(v, name)


def class_attribute(cls, name):
    """A class's attribute: a program's class, or one of Python's (int.__name__, str.upper)."""
    if issubclass(cls, ProgramObject):
        value = class_lookup(cls, name)
        if value is not MISSING:
            return bind(value, None, cls)
    if name in ("__name__", "__qualname__"):
        return getattr(cls, name)
    if name in ("__mro__", "mro", "__bases__") and issubclass(cls, ProgramObject):
        return _class_order(cls, name)
    if name == "__members__" and getattr(cls, "_aliases", None) is not None:     # an Enum's, aliases too
        return dict(cls._aliases)
    if name == "__module__":
        return cls.__module__ if issubclass(cls, ProgramObject) else "builtins"    # ("__main__", or torch.nn's)
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    methods = PYTHON_METHODS.get(cls)
    if methods is not None and name in methods:
        return Builtin(name, python_errors(getattr(cls, name)))
    if getattr(cls, "_members", None) is not None:      # (an Enum's class: Python's EnumType says the name alone)
        raise_python(AttributeError(name))
    raise_python(AttributeError(f"type object '{cls.__name__}' has no attribute '{name}'"))


def _class_order(cls, name):
    """A program's class's __mro__, mro() and __bases__ as Python's (agcli's base left out); refused where
    agcli's own classes (nn.Module's) stand in the order."""
    mro = tuple(c for c in cls.__mro__ if c is not ProgramObject)
    if not all(c.__module__ in ("__main__", "builtins") for c in mro):
        refuse_internals(name)
    if name == "__bases__":
        return tuple(b for b in cls.__bases__ if b is not ProgramObject) or (object,)
    return mro if name == "__mro__" else Builtin("mro", lambda: list(mro))


def instance_attribute(obj, name):
    """obj.NAME of a program's object, in Python's order: a property, the object's own, its class's."""
    cls = type(obj)
    value = class_lookup(cls, name)
    if type(value) is Property:
        return value.get_for(obj, cls)
    own = obj.__dict__
    if name in own:
        return own[name]
    if value is not MISSING:
        return bind(value, obj, cls)
    if isinstance(obj, BaseException) and name in _EXCEPTION_ATTRIBUTES:
        return getattr(obj, name)
    mixin = getattr(cls, "native_operators", False) and next(k for k in (int, str, float) if isinstance(obj, k))
    if mixin and name in PYTHON_METHODS[mixin]:        # (an IntEnum's or a str Enum's member: its value's methods)
        return Builtin(name, python_errors(getattr(mixin, name).__get__(obj)))
    if mixin and name in PYTHON_DATA.get(mixin, ()):       # (its value's .real, .imag, ...)
        return getattr(obj, name)
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    hook = class_lookup(cls, "__getattr__")
    if hook is not MISSING:
        return bind(hook, obj, cls)(name)
    python = suggestions.for_object_attribute(name, [*own, *_class_names(cls)])
    error = ProgramException(AttributeError(f"'{type_name(obj)}' object has no attribute '{name}'"),
                             hint=None if python is not None else did_you_mean(name, [*own, *_class_names(cls)]))
    error.suggestion = python
    raise error


def _class_names(cls):
    return [n for c in cls.__mro__ for n in c.__dict__.get("_ns", ())]
