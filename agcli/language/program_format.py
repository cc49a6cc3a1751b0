"""Formatting in programs: f-string fields and format(), `"%.4f" % x` and
`"{:.2f}".format(x)`, by Python's rules, on a program's values.

Python's own formatting would show a tensor by its Python repr; here a value
reads as program_values shows it, a 0-d tensor formats as its number (as
Tensor.__format__ does) and a one-element tensor converts for `%d`/`%f`
(Tensor.__int__/__float__). The field syntax is parsed by Python's own
parser of format strings (string.Formatter.parse), which runs no code.
"""
from __future__ import annotations

import re
import string

from ..engine.tensor import Tensor
from ..torchapi import autograd
from .program_exceptions import ProgramException, python_errors, raise_python, tensor_number
from .program_objects import ProgramObject
from .program_values import type_name, value_repr, value_str

_NATIVE = (int, float, bool, str, complex, type(None))
_CONVERSION = re.compile(r"%(\([^)]*\))?([-#0 +]*)(\*|\d+)?(\.(?:\*|\d+))?[hlL]?(.)", re.S)


def format_field(v, spec: str) -> str:
    """format(v, spec): an f-string field, format(), a .format field."""
    if type(v) is Tensor:
        parameter = getattr(v, "parameter", False)     # (Tensor.__format__ gives a Parameter object's format)
        if v.data.ndim == 0 and not parameter:
            v = autograd.item(v)
        elif spec:
            raise_python(TypeError(f"unsupported format string passed to {type_name(v)}.__format__"))
    if not spec:
        return value_str(v)
    if isinstance(v, _NATIVE) or type(v).__module__ == "numpy" or getattr(type(v), "native_operators", False):
        return _native_format(v, spec)      # (a datetime's f"{t:%H:%M}", a Path's: Python's own)
    raise_python(TypeError(f"unsupported format string passed to {type_name(v)}.__format__"))


_native_format = python_errors(format)


def conversion(v, kind: str | None) -> object:
    """A field's !r / !s / !a."""
    if kind is None:
        return v
    if kind == "r":
        return value_repr(v)
    if kind == "a":
        return value_repr(v).encode("ascii", "backslashreplace").decode("ascii")
    if kind == "s":
        return value_str(v)
    raise_python(ValueError(f"Unknown conversion specifier {kind}"))


# ------------------------------------------------------------ "%.4f" % x
def _number(v, code):
    """A `%d`/`%f` argument as Python's number protocol reads it (a one-element tensor as its item)."""
    if type(v) is Tensor:
        return tensor_number(v, as_float=code in "eEfFgG")
    if isinstance(v, int) and getattr(type(v), "native_operators", False):     # (an IntEnum's member)
        return v
    if isinstance(v, ProgramObject) or not isinstance(v, _NATIVE) and type(v).__module__ != "numpy":
        what = "a real number" if code not in "xXoc" else "an integer"
        raise_python(TypeError(f"%{code} format: {what} is required, not {type_name(v)}"))
    return v


def percent(text: str, args) -> str:
    """text % args: each %s / %r field shown as the program's value, each number field as Python's."""
    codes = [(m.group(1), m.group(5)) for m in _CONVERSION.finditer(text) if m.group(5) != "%"]
    if codes and codes[0][0] is not None:       # %(name)s: a mapping
        if not isinstance(args, dict):
            raise_python(TypeError("format requires a mapping"))
        converted = dict(args)
        for key, code in codes:
            name = key[1:-1]
            if name in args:
                converted[name] = _converted(args[name], code)
        return _native_percent(_as_s(text), converted)
    values = list(args) if type(args) is tuple else [args]
    converted, i = [], 0
    for m in _CONVERSION.finditer(text):
        if m.group(5) == "%":
            continue
        i += (m.group(3) == "*") + (m.group(4) == ".*")     # widths taken from the arguments, as they are
        converted += values[len(converted):min(i, len(values))]
        if i < len(values):
            converted.append(_converted(values[i], m.group(5)))
            i += 1
    converted += values[len(converted):]
    return _native_percent(_as_s(text), tuple(converted) if type(args) is tuple else converted[0])


def _converted(v, code):
    if code == "s":
        return value_str(v)
    if code in "ra":
        return conversion(v, code)
    return _number(v, code)


def _as_s(text):
    """%r fields are shown by value_repr before Python formats them: they format as %s."""
    return _CONVERSION.sub(lambda m: m.group(0)[:-1] + "s" if m.group(5) in "ra" else m.group(0), text)


_native_percent = python_errors(lambda text, args: text % args)


# ------------------------------------------------------------ "{}".format(...)
def str_format(text: str, args, kwargs, get_attribute, get_item) -> str:
    """text.format(*args, **kwargs); fields reach attributes and items as the program's `.` and `[]` do."""
    counter = [0, None]         # the next automatic field number; whether fields are numbered by hand
    return _format(text, args, kwargs, get_attribute, get_item, counter, depth=2)


def _format(text, args, kwargs, get_attribute, get_item, counter, depth):
    if depth < 0:
        raise_python(ValueError("Max string recursion exceeded"))
    out = []
    for literal, field, spec, conv in _parse(text):
        out.append(literal)
        if field is None:
            continue
        value = _field_value(field, args, kwargs, get_attribute, get_item, counter)
        if spec and "{" in spec:
            spec = _format(spec, args, kwargs, get_attribute, get_item, counter, depth - 1)
        out.append(format_field(conversion(value, conv), spec or ""))
    return "".join(out)


_parse = python_errors(lambda text: list(string.Formatter().parse(text)))
_FIELD = re.compile(r"(\.[^.\[]*|\[[^\]]*\])")


def _field_value(field, args, kwargs, get_attribute, get_item, counter):
    first, *rest = _FIELD.split(field)
    if first == "":
        if counter[1] is True:
            raise_python(ValueError("cannot switch from manual field specification to automatic field numbering"))
        counter[1] = False
        first = str(counter[0])
        counter[0] += 1
    elif first.isdigit():
        if counter[1] is False:
            raise_python(ValueError("cannot switch from automatic field numbering to manual field specification"))
        counter[1] = True
    if first.isdigit():
        index = int(first)
        if index >= len(args):
            raise_python(IndexError(f"Replacement index {index} out of range for positional args tuple"))
        value = args[index]
    elif first in kwargs:
        value = kwargs[first]
    else:
        raise ProgramException(KeyError(first))
    for part in rest:
        if not part:
            continue
        if part[0] == ".":
            value = get_attribute(value, part[1:])
        else:
            key = part[1:-1]
            value = get_item(value, int(key) if key.isdigit() else key)
    return value
