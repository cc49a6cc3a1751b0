"""Python's builtins as a program sees them: print, len, range, enumerate, zip,
map, filter, sum, min, max, abs, round, sorted, reversed, any, all,
isinstance, getattr, ..., Python's types and exception classes, and the
modules a program may use without importing them (torch, F, nn: agcli's
convenience, and the REPL's).

Each takes the program's values as Python with PyTorch does (sum of tensors
adds them, zip and enumerate walk a tensor's rows); what would reach outside
the program (input, eval, exec, __import__, ...) is refused; open() opens text files inside the
current directory only (program_files.py).
"""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..engine.ops.shapes import flip
from .program_attribute_writes import delete_attribute, set_attribute
from .program_attributes import get_attribute, refuse_internals
from .program_calls import invoke
from .program_classes import decorate
from .program_conversions import OTHER_CLASSES, is_instance, is_subclass
from .program_dir import dir_of
from .program_exceptions import EXCEPTION_CLASSES, ProgramException, python_errors, raise_python
from .program_format import conversion, format_field
from .program_iteration import iterate, iterator_of, next_of
from .program_modules import BuiltinClass, modules
from .program_numpy import VALUES
from .program_objects import MISSING, Builtin, ProgramObject, Property, call_special, class_lookup
from .program_operators import NATIVE, absolute, arithmetic, truth
from .program_ordering import extreme, sorted_values, total
from .program_runtime import counted, current
from .program_sys import exit_program, write_to
from .program_values import type_name, value_repr, value_str
from .subscripts import tensor_index


def _print(*values, sep=" ", end="\n", file=None, flush=False):
    for what, v in (("sep", sep), ("end", end)):
        if v is not None and type(v) is not str:
            raise_python(TypeError(f"{what} must be None or a string, not {type_name(v)}"))
    text = (" " if sep is None else sep).join(value_str(v) for v in values) + ("\n" if end is None else end)
    if file is None:
        current().write(text)
    else:       # (sys.stdout or sys.stderr)
        write_to(file, text)


_native_len = python_errors(len)


def _len(x):
    t = type(x)
    if t is Tensor:
        if x.data.ndim == 0:
            raise_python(TypeError("len() of a 0-d tensor"))
        return x.data.shape[0]
    if isinstance(x, (ProgramObject, *NATIVE, *VALUES)) or getattr(x, "native_iterator", False):
        return _native_len(x)
    if isinstance(x, type) and getattr(x, "_members", None) is not None:     # an Enum's members
        return len(x._members)
    raise_python(TypeError(f"object of type '{type_name(x)}' has no len()"))


def _round(number, ndigits=None):
    if type(number) is Tensor:
        raise_python(TypeError("type Tensor doesn't define __round__ method"))
    if isinstance(number, ProgramObject) and not getattr(type(number), "native_operators", False):
        r = call_special(number, "__round__", *(() if ndigits is None else (ndigits,)))
        if r is MISSING:
            raise_python(TypeError(f"type {type(number).__name__} doesn't define __round__ method"))
        return r
    if not isinstance(number, NATIVE) and not isinstance(number, VALUES):
        raise_python(TypeError(f"type {type_name(number)} doesn't define __round__ method"))
    return python_errors(round)(number, ndigits)


def _enumerate(iterable, start=0):
    return python_errors(enumerate)(iterate(iterable), start)


def _zip(*iterables, strict=False):
    return zip(*[iterate(i) for i in iterables], strict=strict)


def _map(function, *iterables):
    if not iterables:
        raise_python(TypeError("map() must have at least two arguments."))
    return map(lambda *args: invoke(function, args, {}), *[iterate(i) for i in iterables])


def _filter(function, iterable):
    if function is None:
        return filter(truth, iterate(iterable))
    return filter(lambda x: truth(invoke(function, (x,), {})), iterate(iterable))


def _reversed(seq):
    if type(seq) is Tensor:         # Tensor.__reversed__: the tensor flipped along dim 0
        return flip(seq, (0,)) if seq.data.ndim else seq
    if isinstance(seq, ProgramObject):
        r = call_special(seq, "__reversed__")
        if r is not MISSING:
            return r
        if class_lookup(type(seq), "__len__") is MISSING or class_lookup(type(seq), "__getitem__") is MISSING:
            raise_python(TypeError(f"'{type(seq).__name__}' object is not reversible"))
        return _backwards(seq, len(seq))       # (Python's: by __len__ and __getitem__, last first)
    if isinstance(seq, NATIVE):
        return python_errors(reversed)(seq)
    raise_python(TypeError(f"'{type_name(seq)}' object is not reversible"))


def _backwards(seq, n):
    for i in range(n - 1, -1, -1):
        yield call_special(seq, "__getitem__", i)


def _sorted(iterable, *, key=None, reverse=False):
    return sorted_values(iterable, None if key is None else (lambda v: invoke(key, (v,), {})), reverse)


def _extreme(which):
    pick = extreme(which)

    def call(*args, key=None, default=MISSING):
        return pick(*args, key=None if key is None else (lambda v: invoke(key, (v,), {})), default=default)
    return call


def _any(iterable):
    return any(truth(v) for v in counted(iterate(iterable)))


def _all(iterable):
    return all(truth(v) for v in counted(iterate(iterable)))


def _callable(x):
    if isinstance(x, ProgramObject):
        return class_lookup(type(x), "__call__") is not MISSING
    return callable(x) and type(x) is not Tensor


def _name(name, what):
    if type(name) is not str:
        raise_python(TypeError(f"{what}(): attribute name must be string, not '{type_name(name)}'"))
    if name.startswith("__") and name.endswith("__"):
        refuse_internals(name)
    return name


def _getattr(obj, name, default=MISSING):
    try:
        return get_attribute(obj, _name(name, "getattr"))
    except AgcliError as e:     # (PyTorch's AttributeErrors, as grad_fn._saved_<name>, are agcli's kind)
        caught = isinstance(e.value, AttributeError) if isinstance(e, ProgramException) else e.kind == "attribute"
        if default is MISSING or not caught:
            raise
        return default


def _hasattr(obj, name):
    name = _name(name, "hasattr")
    if type(obj) is Tensor and name in _SPARSE_METHODS:     # (agcli's x.values is a hint about max(x, dim))
        return True
    return _getattr(obj, name, _ABSENT) is not _ABSENT


# A PyTorch tensor's methods for its sparse layouts, which a dense one has too (they fail when called)
_SPARSE_METHODS = frozenset(("values", "indices"))


_ABSENT = object()
_power = arithmetic("**")


def _pow(base, exp, mod=None):
    return _power(base, exp) if mod is None else python_errors(pow)(base, exp, mod)


def _format(value, spec=""):
    return format_field(value, spec)


def _vars(*obj):
    """vars(obj) of a program's plain object: its attributes' own dict, live (a module's and the
    namespaces' stay out of reach)."""
    if len(obj) == 1 and isinstance(obj[0], ProgramObject) and not isinstance(obj[0], BaseException) \
            and getattr(type(obj[0]), "program_setattr", None) is None:
        return obj[0].__dict__
    _refused("vars", "do not reach their namespaces").fn()


def _open(*args, **kwargs):
    from .program_files import open_file        # (made when a program opens a file)
    return open_file(*args, **kwargs)


def _refused(name, why):
    def refuse(*args, **kwargs):
        raise AgcliError(f"agcli's programs {why}", kind="name", hint=f"'{name}' is outside what agcli runs")
    return Builtin(name, refuse)


def _of_index(name):
    """bin(), hex(), oct(): of a tensor, its __index__ (an integer tensor of one element)."""
    import builtins
    native = python_errors(getattr(builtins, name))
    return lambda v: native(tensor_index(v) if type(v) is Tensor else v)


_python_hash = python_errors(hash)


def _hash(value):
    """hash(): a tensor's is its id(), as PyTorch's Tensor.__hash__ gives (the engine's Tensor keeps
    object's hash, a C call: the graph's sets and dicts ask it on every line)."""
    return id(value) if isinstance(value, Tensor) else _python_hash(value)


def _natives(*names):
    import builtins
    return {name: Builtin(name, python_errors(getattr(builtins, name))) for name in names}


def _make():
    torch = modules()["torch"]
    table = {
        "print": _print, "len": _len, "repr": value_repr, "enumerate": _enumerate, "zip": _zip, "map": _map,
        "filter": _filter, "reversed": _reversed, "sorted": _sorted, "sum": total, "min": _extreme("min"),
        "max": _extreme("max"), "abs": absolute, "round": _round, "any": _any, "all": _all,
        "isinstance": is_instance, "issubclass": is_subclass, "callable": _callable, "getattr": _getattr,
        "hasattr": _hasattr, "setattr": lambda obj, name, value: set_attribute(obj, _name(name, "setattr"), value),
        "delattr": lambda obj, name: delete_attribute(obj, _name(name, "delattr")), "iter": iterator_of,
        "next": next_of, "pow": _pow, "format": _format, "ascii": lambda v: conversion(v, "a"), "exit": exit_program,
        "quit": exit_program, "staticmethod": lambda f: decorate("staticmethod", f),
        "classmethod": lambda f: decorate("classmethod", f), "vars": _vars, "dir": dir_of, "hash": _hash,
    }
    names = {name: Builtin(name, fn) for name, fn in table.items()}
    names.update(_natives("divmod", "id", "ord", "chr"))
    names.update({name: Builtin(name, _of_index(name)) for name in ("bin", "hex", "oct")})
    # property: a class (isinstance(C.p, property)), the same one type(C.p) gives
    names["property"] = OTHER_CLASSES["property"] = BuiltinClass(
        "property", "builtins", Property, lambda fget=None, fset=None, fdel=None, doc=None:
        decorate("property", fget).setter(fset).deleter(fdel))
    for kind in (int, float, bool, str, list, tuple, dict, set, frozenset, range, object, type, slice):
        names[kind.__name__] = kind
    names.update(EXCEPTION_CLASSES)
    names.update({"NotImplemented": NotImplemented, "Ellipsis": Ellipsis, "__name__": "__main__",
                  "torch": torch, "F": modules()["torch.nn.functional"], "nn": modules()["torch.nn"]})
    names["open"] = Builtin("open", _open)
    for name, why in (("input", "read no input"), ("eval", "run no eval"),
                      ("exec", "run no exec"), ("compile", "compile no code"), ("__import__", "import by statement"),
                      ("globals", "do not reach their namespaces"), ("locals", "do not reach their namespaces"),
                      ("breakpoint", "run no debugger"), ("help", "print no help")):
        names[name] = _refused(name, why)
    return names


_BUILTINS = {}


def builtins() -> dict:
    """The names every program sees unless it binds its own."""
    if not _BUILTINS:
        _BUILTINS.update(_make())
    return _BUILTINS
