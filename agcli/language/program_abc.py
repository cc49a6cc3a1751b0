"""Python's `abc` in programs: ABC as a base and @abstractmethod, so that a class whose abstract methods
are not all defined cannot be made (Python's TypeError, worded as Python 3.11's)."""
from __future__ import annotations

from .program_exceptions import raise_python
from .program_functions import UserFunction
from .program_objects import Builtin, ProgramObject


class ABC(ProgramObject):
    """abc.ABC: a base whose subclasses are checked for abstract methods when made."""

    __slots__ = ()


ABC.__module__ = "abc"
ABC._ns = {}


def _marked(value) -> bool:
    for fn in (value, getattr(value, "function", None), getattr(value, "fget", None)):
        if type(fn) is UserFunction and (fn.attrs or {}).get("__isabstractmethod__"):
            return True
    return False


def abstractmethod(function):
    if type(function) is UserFunction:
        function.attrs = {**(function.attrs or {}), "__isabstractmethod__": True}
    return function


def abstract_methods(cls) -> list:
    """The names of cls's abstract methods that nothing after them in its MRO defines (none unless ABC's)."""
    if not issubclass(cls, ABC):
        return []
    names = {name for c in cls.__mro__ for name in c.__dict__.get("_ns", ())}
    found = []
    for name in names:
        for c in cls.__mro__:
            ns = c.__dict__.get("_ns")
            if ns is not None and name in ns:
                if _marked(ns[name]):
                    found.append(name)
                break
    return sorted(found)


def refuse_abstract(cls):
    missing = abstract_methods(cls)
    if missing:
        raise_python(TypeError(f"Can't instantiate abstract class {cls.__name__} with abstract method"
                               f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}"))


def entries(builtin_class) -> dict:
    return {"ABC": ABC, "abstractmethod": Builtin("abstractmethod", abstractmethod)}
