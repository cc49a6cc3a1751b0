"""A program's own objects: the base of its classes, the descriptors its
decorators make (@staticmethod, @classmethod, @property) and bound methods.

A program's `class A: ...` is a Python class made at run time (program_classes.py)
whose attributes live in its `_ns` dict, never in its Python dict: Python
gives no meaning to a program's `__len__` or `__eq__` by itself. ProgramObject's
own special methods look the program's up and call them, so Python's `len()`,
`==`, `sorted()`, dicts and sets work on a program's objects as Python's would,
and Python's messages name the program's class ('A' object is not ...).
"""
from __future__ import annotations

from ..errors import AgcliError

MISSING = object()

# How values read when an object's default repr or an exception's str needs them;
# program_values.py puts its value_str and value_repr here when it is imported.
SHOW = {"str": str, "repr": repr, "truth": bool}


def class_lookup(cls, name):
    """The program's attribute `name` of class `cls` (its own, else its bases' in MRO order), or MISSING."""
    for c in cls.__mro__:
        ns = c.__dict__.get("_ns")
        if ns is not None and name in ns:
            return ns[name]
    return MISSING


def bind(value, instance, owner):
    """A class attribute as `instance.name` (instance None: `owner.name`) gives it."""
    get = getattr(value, "get_for", None)
    return value if get is None else get(instance, owner)


def call_special(obj, name, *args):
    """obj's program-defined special method `name` called on args, or MISSING if it has none."""
    f = class_lookup(type(obj), name)
    if f is MISSING:
        return MISSING
    return bind(f, obj, type(obj))(*args)


def _type_error(message):
    return AgcliError(message, kind="type")


class ProgramObject:
    """The base of every class a program defines."""

    __slots__ = ()
    _ns: dict = {}

    def __repr__(self):
        r = call_special(self, "__repr__")
        if r is MISSING:
            if isinstance(self, BaseException):
                return f"{type(self).__name__}({', '.join(SHOW['repr'](a) for a in self.args)})"
            module = type(self).__module__      # (torch's for a native class, as torch.utils.data.Dataset)
            return f"<{'__main__' if module.startswith('agcli') else module}.{type(self).__qualname__} object at " \
                   f"{id(self):#x}>"
        if not isinstance(r, str):
            raise _type_error(f"__repr__ returned non-string (type {type(r).__name__})")
        return r

    def __str__(self):
        r = call_special(self, "__str__")
        if r is MISSING:
            if isinstance(self, BaseException):
                args = self.args
                return "" if not args else SHOW["str"](args[0]) if len(args) == 1 else SHOW["repr"](args)
            r = call_special(self, "__repr__")      # object.__str__ is the repr, checked as str()'s
            if r is MISSING:
                return repr(self)
        if not isinstance(r, str):
            raise _type_error(f"__str__ returned non-string (type {type(r).__name__})")
        return r

    def __len__(self):
        r = call_special(self, "__len__")
        if r is MISSING:
            raise _type_error(f"object of type '{type(self).__name__}' has no len()")
        if not isinstance(r, int):
            raise _type_error(f"'{type(r).__name__}' object cannot be interpreted as an integer")
        if r < 0:
            raise AgcliError("__len__() should return >= 0", kind="value")
        return r

    def __bool__(self):
        r = call_special(self, "__bool__")
        if r is MISSING:
            if class_lookup(type(self), "__len__") is MISSING:
                return True
            return len(self) != 0
        if not isinstance(r, bool):
            raise _type_error(f"__bool__ should return bool, returned {type(r).__name__}")
        return r

    def __eq__(self, other):
        r = call_special(self, "__eq__", other)
        return NotImplemented if r is MISSING else r

    def __ne__(self, other):
        r = call_special(self, "__ne__", other)
        if r is MISSING:
            r = self.__eq__(other)
            return r if r is NotImplemented else not SHOW["truth"](r)
        return r

    def __lt__(self, other):
        r = call_special(self, "__lt__", other)
        return NotImplemented if r is MISSING else r

    def __le__(self, other):
        r = call_special(self, "__le__", other)
        return NotImplemented if r is MISSING else r

    def __gt__(self, other):
        r = call_special(self, "__gt__", other)
        return NotImplemented if r is MISSING else r

    def __ge__(self, other):
        r = call_special(self, "__ge__", other)
        return NotImplemented if r is MISSING else r

    def __hash__(self):
        f = class_lookup(type(self), "__hash__")
        if f is MISSING:
            if class_lookup(type(self), "__eq__") is not MISSING:     # as Python: __eq__ alone unhashes
                raise _type_error(f"unhashable type: '{type(self).__name__}'")
            return object.__hash__(self)
        if f is None:
            raise _type_error(f"unhashable type: '{type(self).__name__}'")
        r = bind(f, self, type(self))()
        if not isinstance(r, int):
            raise _type_error("__hash__ method should return an integer")
        return r

    def __call__(self, *args, **kwargs):
        f = class_lookup(type(self), "__call__")
        if f is MISSING:
            raise _type_error(f"'{type(self).__name__}' object is not callable")
        return bind(f, self, type(self))(*args, **kwargs)


class BoundMethod:
    """`obj.method`: the function with obj as its first argument."""

    __slots__ = ("function", "receiver")
    type_name = "method"
    program_attributes = {"__name__": "name", "__qualname__": "qualname", "__func__": "function",
                          "__self__": "receiver", "__doc__": "doc"}

    def __init__(self, function, receiver):
        self.function, self.receiver = function, receiver

    @property
    def name(self):         # (its function's: a program's, or agcli's own callable)
        return getattr(self.function, "name", None) or getattr(self.function, "__name__", "?")

    @property
    def qualname(self):
        return getattr(self.function, "qualname", None) or self.name

    @property
    def doc(self):
        return getattr(self.function, "doc", None)

    def __call__(self, *args, **kwargs):
        return self.function(self.receiver, *args, **kwargs)

    def __eq__(self, other):
        return type(other) is BoundMethod and other.function is self.function and other.receiver is self.receiver

    def __hash__(self):
        return hash((id(self.function), id(self.receiver)))

    def __repr__(self):
        name = getattr(self.function, "qualname", getattr(self.function, "name", "?"))
        return f"<bound method {name} of {SHOW['repr'](self.receiver)}>"


class StaticMethod:
    """@staticmethod: the function, whether asked of the class or of an instance."""

    __slots__ = ("function",)
    type_name = "staticmethod"

    def __init__(self, function):
        self.function = function

    def get_for(self, instance, owner):
        return self.function

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __repr__(self):
        return f"<staticmethod({SHOW['repr'](self.function)})>"


class ClassMethod:
    """@classmethod: the function with the class as its first argument."""

    __slots__ = ("function",)
    type_name = "classmethod"

    def __init__(self, function):
        self.function = function

    def get_for(self, instance, owner):
        return BoundMethod(self.function, owner if instance is None or owner is not None else type(instance))

    def __repr__(self):
        return f"<classmethod({SHOW['repr'](self.function)})>"


class Property:
    """@property (and @name.setter, @name.deleter): an attribute computed by methods."""

    __slots__ = ("fget", "fset", "fdel")
    type_name = "property"
    program_methods = frozenset(("getter", "setter", "deleter"))

    def __init__(self, fget=None, fset=None, fdel=None, doc=None):
        self.fget, self.fset, self.fdel = fget, fset, fdel

    def get_for(self, instance, owner):
        if instance is None:
            return self
        if self.fget is None:
            raise AgcliError(self._missing(instance, "getter"), kind="attribute")
        return self.fget(instance)

    def set_on(self, instance, value):
        if self.fset is None:
            raise AgcliError(self._missing(instance, "setter"), kind="attribute")
        self.fset(instance, value)

    def delete_on(self, instance):
        if self.fdel is None:
            raise AgcliError(self._missing(instance, "deleter"), kind="attribute")
        self.fdel(instance)

    def _missing(self, instance, what):
        """Python's words: the property named by the class attribute that holds it."""
        for c in type(instance).__mro__:
            for name, value in c.__dict__.get("_ns", {}).items():
                if value is self:
                    return f"property '{name}' of '{type(instance).__name__}' object has no {what}"
        return f"property of '{type(instance).__name__}' object has no {what}"

    def getter(self, fget):
        return Property(fget, self.fset, self.fdel)

    def setter(self, fset):
        return Property(self.fget, fset, self.fdel)

    def deleter(self, fdel):
        return Property(self.fget, self.fset, fdel)

    def __repr__(self):
        return f"<property object at {id(self):#x}>"


class Builtin:
    """One of Python's functions a program calls (len, print, math.sqrt, ...)."""

    __slots__ = ("name", "fn")
    type_name = "builtin_function_or_method"
    program_attributes = {"__name__": "name", "__qualname__": "name"}

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __call__(self, *args, **kwargs):
        try:
            return self.fn(*args, **kwargs)
        except TypeError as e:      # arguments that do not fit: Python's TypeError, under the builtin's name
            raise misfit(self.name, self.fn, e, args, kwargs) from None

    def __repr__(self):
        return f"<built-in function {self.name}>"


def misfit(name, fn, error, args, kwargs):
    """The program's TypeError when the arguments do not fit `fn` (a builtin's, or a type's
    constructor: its message under the builtin's name), else the error as it is (agcli's bug)."""
    import inspect
    try:
        inspect.signature(fn).bind(*args, **kwargs)
        return error
    except (TypeError, ValueError):
        text = str(error)
        return _type_error(f"{name}(){text.partition('()')[2]}" if "()" in text else text)
