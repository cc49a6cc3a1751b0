"""sorted(), list.sort(), min(), max() and sum() as Python runs them, on a
program's values: elements compare (and add) by the program's operators, so
tensors compare as PyTorch's do (a one-element comparison is its truth) and a
program's objects by their __lt__, __gt__ and __add__.
"""
from __future__ import annotations

from .program_exceptions import python_errors, raise_python
from .program_iteration import iterate
from .program_objects import MISSING
from .program_operators import arithmetic, comparison, truth
from .program_runtime import counted
from .program_values import type_name

_PLAIN = (int, float, bool, str)
_less, _greater = comparison("<"), comparison(">")
_add = arithmetic("+")


class _Ordered:
    """An element sorted by the program's `<` (its truth), not Python's."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return truth(_less(self.value, other.value))


def _keys(values, key):
    if key is not None and not callable(key):
        raise_python(TypeError(f"'{type_name(key)}' object is not callable"))
    return values if key is None else [key(v) for v in values]


_native_sorted = python_errors(sorted)


def sorted_values(iterable, key=None, reverse=False) -> list:
    """sorted(iterable, key=..., reverse=...)."""
    if type(reverse) not in (bool, int):
        raise_python(TypeError(f"'{type_name(reverse)}' object cannot be interpreted as an integer"))
    values = list(counted(iterate(iterable)))
    keys = _keys(values, key)
    if all(type(k) in _PLAIN for k in keys):
        order = _native_sorted(range(len(values)), key=keys.__getitem__, reverse=bool(reverse))
    else:
        wrapped = [_Ordered(k) for k in keys]
        order = sorted(range(len(values)), key=wrapped.__getitem__, reverse=bool(reverse))
    return [values[i] for i in order]


def sort_list(xs: list, key=None, reverse=False):
    """xs.sort(key=..., reverse=...): in place, stable, as Python's."""
    xs[:] = sorted_values(xs, key, reverse)


def extreme(which: str):
    """min() or max(): of one iterable, or of several arguments; key=, default=."""
    better = _less if which == "min" else _greater

    def pick(*args, key=None, default=MISSING):
        if not args:
            raise_python(TypeError(f"{which} expected at least 1 argument, got 0"))
        if len(args) == 1:
            values = iterate(args[0])
        else:
            if default is not MISSING:
                raise_python(TypeError(f"Cannot specify a default for {which}() with multiple positional arguments"))
            values = args
        best = best_key = MISSING
        for v in counted(values):
            k = v if key is None else key(v)
            if best is MISSING or truth(better(k, best_key)):
                best, best_key = v, k
        if best is MISSING:
            if default is not MISSING:
                return default
            raise_python(ValueError(f"{which}() arg is an empty sequence"))
        return best
    return pick


def total(iterable, start=0):
    """sum(iterable, start=0): start + each, by the program's `+`."""
    if isinstance(start, str):
        raise_python(TypeError("sum() can't sum strings [use ''.join(seq) instead]"))
    values = counted(iterate(iterable))
    if type(values) in (list, tuple, range) and all(type(v) in (int, float) for v in values) and \
            type(start) in (int, float):
        return sum(values, start)       # Python's own sum: the same float rounding as Python's
    result = start
    for v in values:
        result = _add(result, v)
    return result
