"""Iteration in programs: what `for`, comprehensions, unpacking and the
builtins (list, zip, enumerate, sum, ...) walk for each kind of value — a
tensor's rows as PyTorch's iteration gives them, Python's containers, a
generator, a program's object by its __iter__ (or __getitem__) — and
unpacking (`a, *rest = ...`) by Python's rules and words.
"""
from __future__ import annotations

from collections import Counter, deque

from ..engine.tensor import Tensor
from ..torchapi import functions
from ..torchapi import ndarrays
from .program_exceptions import ProgramException, raise_python
from .program_functions import ProgramGenerator
from .program_objects import MISSING, ProgramObject, call_special, class_lookup
from .program_values import type_name

_CONTAINERS = (list, tuple, str, range, dict, set, frozenset, type({}.keys()), type({}.values()),
               type({}.items()), deque)


def iterate(value):
    """A Python iterable over what `for x in value` gives."""
    t = type(value)
    if t is Tensor:
        if value.data.ndim == 0:
            raise_python(TypeError("iteration over a 0-d tensor"))
        return functions.unbind(value, 0)       # its rows, as PyTorch's Tensor.__iter__ gives them
    if t in _CHANGING:
        return _watched(value)
    if isinstance(value, _CONTAINERS) or t is ProgramGenerator:
        return value
    if (t.__module__ in ("builtins", "itertools") or getattr(t, "native_iterator", False)) and hasattr(t, "__next__"):
        return value            # zip, enumerate, map, iter(xs), iter(loader), Counter.elements(), ...
    if isinstance(value, ndarrays.host.ndarray):       # NumPy's rows, or its scalars
        if value.ndim == 0:
            raise_python(TypeError("iteration over a 0-d array"))
        return list(value)
    if isinstance(value, ProgramObject):
        return _own_iteration(value)
    if isinstance(value, type) and getattr(value, "_members", None) is not None:     # an Enum's members
        return list(value._members.values())
    raise_python(TypeError(f"'{type_name(value)}' object is not iterable"))


# Containers whose iteration fails when they change size on the way (Python's RuntimeError).
_CHANGING = frozenset((dict, set, type({}.keys()), type({}.values()), type({}.items()), Counter, deque))


def _watched(container):
    """The container's iteration, its RuntimeError (changed size during iteration) the program's."""
    iterator = iter(container)
    while True:
        try:
            value = next(iterator)
        except StopIteration:
            return
        except RuntimeError as e:
            raise_python(RuntimeError(str(e)))
        yield value


def _own_iteration(obj):
    iterator = call_special(obj, "__iter__")
    if iterator is MISSING:
        if class_lookup(type(obj), "__getitem__") is not MISSING:
            return _by_index(obj)
        raise_python(TypeError(f"'{type(obj).__name__}' object is not iterable"))
    if type(iterator) is ProgramGenerator or isinstance(iterator, _CONTAINERS):
        return iterator
    if isinstance(iterator, ProgramObject) and class_lookup(type(iterator), "__next__") is not MISSING:
        return _by_next(iterator)
    if (type(iterator).__module__ == "builtins" or getattr(type(iterator), "native_iterator", False)) \
            and hasattr(type(iterator), "__next__"):
        return iterator
    raise_python(TypeError(f"iter() returned non-iterator of type '{type_name(iterator)}'"))


def _by_next(iterator):
    while True:
        try:
            yield call_special(iterator, "__next__")
        except ProgramException as e:
            if isinstance(e.value, StopIteration):
                return
            raise


def _by_index(obj):
    i = 0
    while True:
        try:
            yield call_special(obj, "__getitem__", i)
        except ProgramException as e:
            if isinstance(e.value, (IndexError, StopIteration)):
                return
            raise
        i += 1


def iterator_of(value):
    """iter(value): a Python iterator."""
    return iter(iterate(value))


def next_of(iterator, default=MISSING):
    """next(iterator[, default])."""
    if isinstance(iterator, ProgramObject):
        r = call_special(iterator, "__next__")
        if r is MISSING:
            raise_python(TypeError(f"'{type(iterator).__name__}' object is not an iterator"))
        return r
    if not hasattr(type(iterator), "__next__") or isinstance(iterator, _CONTAINERS):
        raise_python(TypeError(f"'{type_name(iterator)}' object is not an iterator"))
    try:
        return next(iterator)
    except StopIteration as e:
        if default is not MISSING:
            return default
        raise_python(StopIteration(*e.args))        # (a generator's return value: e.value)


def unpack(value, count: int, star: int | None = None) -> list:
    """`a, b = value` (count names; star: the index of a *name, which takes the rest)."""
    if type(value) in (list, tuple):
        items = value
    else:
        try:
            items = list(iterate(value))
        except ProgramException as e:
            if isinstance(e.value, TypeError) and "is not iterable" in str(e.value):
                raise_python(TypeError(f"cannot unpack non-iterable {type_name(value)} object"))
            raise
    n = len(items)
    if star is None:
        if n != count:
            if n > count:
                raise_python(ValueError(f"too many values to unpack (expected {count})"))
            raise_python(ValueError(f"not enough values to unpack (expected {count}, got {n})"))
        return list(items)
    if n < count - 1:
        raise_python(ValueError(f"not enough values to unpack (expected at least {count - 1}, got {n})"))
    after = count - 1 - star
    return [*items[:star], list(items[star:n - after]), *items[n - after:]]
