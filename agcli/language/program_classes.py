"""A program's `class` statements: the class (a Python class made at run
time, program_objects.py says why), its instances (__init__ run by the
program's rules), and super().

A class derives from object, from the program's own classes, from Python's
exception classes (`class MyError(ValueError)`: Python's hierarchy then
catches it), and from agcli's own bases (any ProgramObject subclass).
"""
from __future__ import annotations

from .program_exceptions import is_exception_class, python_errors, raise_python
from .program_functions import UserFunction
from .program_objects import (MISSING, Builtin, ClassMethod, ProgramObject, Property, StaticMethod, bind,
                              class_lookup)
from .program_namedtuple import TYPED_NAMEDTUPLE, namedtuple_class
from .program_typing import is_base_that_adds_nothing
from .program_values import type_name

_make_type = python_errors(type)
# PyTorch's classes a program derives from whose value is agcli's BuiltinClass, by (module, name): the
# native class a program's subclass takes as its base (program_optimizer.py: torch.optim.Optimizer)
NATIVE_BASES: dict = {}


def make_class(name: str, qualname: str, bases: tuple, namespace: dict, annotated: tuple = ()):
    """The class `name` of a class statement whose body made `namespace` and annotated the names
    `annotated` (in order: @dataclass's fields, a NamedTuple's)."""
    if any(base is TYPED_NAMEDTUPLE for base in bases):
        return namedtuple_class(name, namespace, annotated)
    python_bases = []
    if any(getattr(b, "__module__", None) == "enum" for b in bases):    # (class Color(str, Enum): program_enum.py)
        from .program_enum import mixed_bases
        bases = mixed_bases(bases)
    for base in bases:
        if base is object or is_base_that_adds_nothing(base):
            continue
        base = NATIVE_BASES.get((getattr(base, "module", None), getattr(base, "name", None)), base)
        if not isinstance(base, type):
            raise_python(TypeError(f"a class derives from classes, not from a '{type_name(base)}' value"))
        if not (issubclass(base, ProgramObject) or is_exception_class(base)):
            raise_python(TypeError(f"agcli's programs derive classes from object, their own classes and "
                                   f"exception classes, not from '{base.__name__}'"))
        python_bases.append(base)
    if not any(issubclass(b, ProgramObject) for b in python_bases):
        python_bases.insert(0, ProgramObject)
    cls = _make_type(name, tuple(python_bases), {"__module__": "__main__", "__qualname__": qualname,
                                                 "_ns": namespace})
    for value in namespace.values():      # what super() inside its methods starts after
        for fn in (value, getattr(value, "function", None), getattr(value, "fget", None),
                   getattr(value, "fset", None)):
            if type(fn) is UserFunction and fn.owner is None:
                fn.owner = cls
    cls._annotated = annotated
    if any(getattr(b, "__module__", None) == "enum" for b in cls.__mro__):    # (enum.Enum's: program_enum.py)
        from .program_enum import make_members
        make_members(cls)
    if any(getattr(b, "__module__", None) == "abc" for b in cls.__mro__):      # (abc.ABC's: program_abc.py)
        from .program_abc import abstract_methods
        cls._abstract = bool(abstract_methods(cls))
    return cls


def instantiate(cls, args, kwargs):
    """cls(*args, **kwargs) of a program's class: a new object, then its __init__."""
    if getattr(cls, "_members", None) is not None:        # Color(1): a member (program_enum.py)
        from .program_enum import member_of_value
        return member_of_value(cls, *args, **kwargs)
    if getattr(cls, "_abstract", None):
        from .program_abc import refuse_abstract
        refuse_abstract(cls)
    exception = issubclass(cls, BaseException)
    obj = BaseException.__new__(cls, *args) if exception else object.__new__(cls)
    init = class_lookup(cls, "__init__")
    if init is MISSING:
        if kwargs:
            raise_python(TypeError(f"{cls.__name__}() takes no keyword arguments"))
        if args and not exception:
            raise_python(TypeError(f"{cls.__name__}() takes no arguments"))
        return obj
    result = bind(init, obj, cls)(*args, **kwargs)
    if result is not None:
        raise_python(TypeError(f"__init__() should return None, not '{type_name(result)}'"))
    return obj


class Super:
    """super(): the attributes of the classes after `owner` in the object's MRO."""

    __slots__ = ("owner", "obj")
    type_name = "super"

    def __init__(self, owner, obj):
        self.owner, self.obj = owner, obj

    def attribute(self, name):
        obj = self.obj
        cls = obj if isinstance(obj, type) else type(obj)
        instance = None if isinstance(obj, type) else obj
        mro = cls.__mro__
        for c in mro[mro.index(self.owner) + 1:]:
            ns = c.__dict__.get("_ns")
            if ns is not None:
                if name in ns:
                    return bind(ns[name], instance, cls)
                continue
            if c is object and name in ("__str__", "__repr__"):
                return Builtin(name, lambda: f"<__main__.{type(obj).__qualname__} object at {id(obj):#x}>")
            if name in c.__dict__ and name in ("__init__", "__str__", "__repr__"):     # Python's own class
                method = python_errors(getattr(c, name))
                return Builtin(name, lambda *args, **kwargs: method(obj, *args, **kwargs))
        raise_python(AttributeError(f"'super' object has no attribute '{name}'"))

    def __repr__(self):
        return f"<super: <class '{self.owner.__name__}'>, <{type(self.obj).__name__} object>>"


def make_super(function, first, *explicit):
    """super() inside `function` (whose first argument is `first`), or super(cls, obj)."""
    if explicit:
        if len(explicit) != 2:
            raise_python(TypeError("super() takes a class and an object (or no arguments) in agcli's programs"))
        owner, obj = explicit
    else:
        owner = getattr(function, "owner", None)
        if owner is None:
            raise_python(RuntimeError("super(): __class__ cell not found"))
        if first is MISSING:
            raise_python(RuntimeError("super(): no arguments"))
        obj = first
    if not isinstance(owner, type) or not (isinstance(obj, owner) or isinstance(obj, type) and issubclass(obj, owner)):
        raise_python(TypeError("super(type, obj): obj must be an instance or subtype of type"))
    return Super(owner, obj)


def decorate(kind, function):
    """@staticmethod, @classmethod, @property."""
    return {"staticmethod": StaticMethod, "classmethod": ClassMethod, "property": Property}[kind](function)
