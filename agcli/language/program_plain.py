"""Python's own functions on a program's plain values (numbers, strings, None, and lists, tuples,
dicts and sets of them): a module of Python's standard library whose functions are safe on those
(statistics, textwrap, re, json, os.path) is called natively, and any other value reaching it (a
tensor, a program's object or function) is handled before, or refused in agcli's words: Python's
code would read agcli's objects as its own and answer something PyTorch's Python would not.
"""
from __future__ import annotations

import re

from ..errors import AgcliError
from .program_exceptions import ProgramException, python_errors
from .program_objects import Builtin
from .program_values import type_name

_SCALARS = (str, int, float, bool, complex, type(None), bytes, re.RegexFlag)
_CONTAINERS = (list, tuple, set, frozenset, range, type({}.keys()), type({}.values()), type({}.items()))


def is_plain(v, depth=0) -> bool:
    """Is v made of Python's numbers, strings and None, in lists, tuples, sets and dicts?"""
    t = type(v)
    if t in _SCALARS or getattr(t, "plain_path", False) or t.__module__ == "datetime":
        return True     # (a pathlib.Path, Python's datetime objects: Python's functions take them)
    if depth > 50:
        return False
    if t in _CONTAINERS:
        return all(is_plain(x, depth + 1) for x in v)
    if t is dict:
        return all(is_plain(k, depth + 1) and is_plain(x, depth + 1) for k, x in v.items())
    return False


def first_unplain(values):
    """The first value (or a value inside one) that is not plain, else None."""
    for v in values:
        if not is_plain(v):
            t = type(v)
            inner = list(v.values()) if t is dict else list(v) if t in _CONTAINERS else None
            return first_unplain(inner) if inner is not None and first_unplain(inner) is not None else v
    return None


def refuse_unplain(qualified, value, takes="Python's numbers, strings and lists of them"):
    raise AgcliError(f"agcli's {qualified} takes {takes}, not a '{type_name(value)}'", kind="type",
                     hint=f"{qualified} runs Python's own code, which does not read agcli's values: "
                          "convert a tensor with .item() or .tolist() first")


def _program_key(qualified, fn):
    from .program_calls import invoke

    def key(value):
        result = invoke(fn, (value,), {})
        if not is_plain(result):
            refuse_unplain(f"{qualified}'s key", result)
        return result
    return key


def plain_function(module, name, fn, takes=None):
    """A Builtin calling Python's fn when its arguments are plain, else agcli's refusal."""
    wrapped = python_errors(fn)

    def call(*args, **kwargs):
        if kwargs.get("key") is not None:       # (sorting by the program's key function: its results plain)
            kwargs["key"] = _program_key(f"{module}.{name}", kwargs["key"])
        odd = first_unplain((*args, *(v for k, v in kwargs.items() if k != "key")))
        if odd is not None:
            refuse_unplain(f"{module}.{name}", odd, *(() if takes is None else (takes,)))
        try:
            return wrapped(*args, **kwargs)
        except (OSError, re.error) as e:        # (a file's FileNotFoundError, ..., a pattern's re.error)
            raise ProgramException(e) from None
    call.__name__ = name
    return Builtin(name, call)


def plain_module_entries(module, names, real=None):
    """{name: plain_function} for Python's functions `names` of `module` (real: the module itself)."""
    if real is None:
        import importlib
        real = importlib.import_module(module)
    return {name: plain_function(module, name, getattr(real, name)) for name in names}


def native_class(name, module, methods=(), attributes=(), wrap=None, shown_by_str=False, operators=False):
    """A class showing a program Python's object of one kind (re.Match, datetime.datetime): its `methods`
    called natively on plain arguments (or on others of these, as their objects), its `attributes` read,
    and what they give wrapped by `wrap`; operators: Python's own operators of its objects (a datetime's -)."""
    wrap = wrap or (lambda v: v)

    def method(method_name):
        def call(self, *args, **kwargs):
            return wrap(plain_function(f"{name}", method_name, getattr(self.obj, method_name)).fn(
                *map(native_object, args), **{k: native_object(v) for k, v in kwargs.items()}))
        call.__name__ = method_name
        return call

    namespace = {"__slots__": ("obj",), "type_name": name, "pytorch_module": module,
                 "program_methods": tuple(methods), "program_str": shown_by_str,
                 "program_attributes": {a: f"_{a}" for a in attributes},
                 "__init__": lambda self, obj: setattr(self, "obj", obj),
                 "__repr__": lambda self: repr(self.obj), "__str__": lambda self: str(self.obj),
                 "__eq__": lambda self, other: type(other) is type(self) and self.obj == other.obj,
                 "__hash__": lambda self: hash(self.obj), "__bool__": lambda self: True}
    namespace.update({m: method(m) for m in methods})
    if operators:
        namespace.update(_operators(wrap))
    namespace.update({f"_{a}": property(lambda self, a=a: wrap(getattr(self.obj, a))) for a in attributes})
    return type(name, (), namespace)


def native_object(v):
    """Python's object inside one of native_class's values (any other value as it is)."""
    return v.obj if getattr(type(v), "native_object", False) else v


_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "divmod", "lt", "le", "gt", "ge", "eq", "ne")


def _operators(wrap) -> dict:
    """Python's operators of the objects inside, their results wrapped (timedelta's arithmetic, datetime - datetime)."""
    import operator

    def binary(name):
        fn = divmod if name == "divmod" else getattr(operator, name)
        forward = lambda self, other: wrap(fn(self.obj, native_object(other)))
        reflected = lambda self, other: wrap(fn(native_object(other), self.obj))
        return {f"__{name}__": forward, **({f"__r{name}__": reflected} if name in _BINARY[:7] else {})}

    table = {"native_operators": True, "native_object": True, "__hash__": lambda self: hash(self.obj),
             "__bool__": lambda self: bool(self.obj), "__format__": lambda self, spec: format(self.obj, spec),
             "__neg__": lambda self: wrap(-self.obj), "__pos__": lambda self: wrap(+self.obj),
             "__abs__": lambda self: wrap(abs(self.obj))}
    for name in _BINARY:
        table.update(binary(name))
    return table
