"""Operators in programs: Python's values follow Python, tensors follow PyTorch.

In an expression every operand is a tensor, but a program computes with
Python's values too: 3 == 3 is True (not tensor(True)), 7 % 3 is 1, 1 / 0
raises ZeroDivisionError, [1] + [2] is [1, 2] and [1, 2] * 2 is [1, 2, 1, 2],
x.dtype == torch.float32 works; a list meets a tensor only where PyTorch
takes one (it does not in arithmetic: PyTorch's TypeError). A program's
object answers by its special methods (__add__, __radd__, __eq__, __lt__, ...).
"""
from __future__ import annotations

from collections import deque

import math
import operator

from ..engine.backend import item, kind
from ..engine.tensor import Tensor
from ..torchapi import autograd
from ..torchapi import in_place
from ..torchapi import functions
from ..torchapi.namespace import Size
from .lower import BINOPS, COMPARES, tensor_comparison
from . import program_numpy
from .program_exceptions import ProgramException, python_errors, raise_python
from .program_format import percent
from .program_iteration import iterate
from .program_numpy import VALUES
from .program_objects import MISSING, ProgramObject, call_special, class_lookup
from .program_runtime import MAX_ITEMS, LimitError, too_many_items
from .program_values import type_name, value_repr

# x += y on a tensor is in place, as in PyTorch (x @= y is not: PyTorch has no in-place matmul).
IN_PLACE = {"+": in_place.add_, "-": in_place.sub_, "*": in_place.mul_, "/": in_place.div_, "**": in_place.pow_,
            "%": in_place.remainder_, "//": in_place.floor_divide_, "&": in_place.bitwise_and_,
            "|": in_place.bitwise_or_, "^": in_place.bitwise_xor_, "<<": in_place.bitwise_left_shift_,
            ">>": in_place.bitwise_right_shift_}
_PY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
       "**": lambda a, b: a ** b, "%": lambda a, b: a % b, "//": lambda a, b: a // b, "@": lambda a, b: a @ b,
       "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
       "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "&": lambda a, b: a & b, "|": lambda a, b: a | b,
       "^": lambda a, b: a ^ b, "<<": lambda a, b: a << b, ">>": lambda a, b: a >> b}
# `a OP= b` of Python's values: Python's own (xs += ys extends xs itself, s |= t too; its errors say "+=")
_PY_IN_PLACE = {"+": operator.iadd, "-": operator.isub, "*": operator.imul, "/": operator.itruediv,
                "//": operator.ifloordiv, "%": operator.imod, "**": operator.ipow, "@": operator.imatmul,
                "&": operator.iand, "|": operator.ior, "^": operator.ixor, "<<": operator.ilshift, ">>": operator.irshift}
_DUNDERS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "**": "pow",
            "@": "matmul", "&": "and", "|": "or", "^": "xor", "<<": "lshift", ">>": "rshift"}
_REFLECTED = {"<": "__gt__", "<=": "__ge__", ">": "__lt__", ">=": "__le__", "==": "__eq__", "!=": "__ne__"}
_COMPARE_DUNDERS = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "==": "__eq__", "!=": "__ne__"}

_NUMBERS = (int, float, bool)
# Python's own values: Python's operators (and words) apply to them as they are.
NATIVE = (int, float, bool, complex, str, list, tuple, dict, set, frozenset, type(None), range, slice,
          type({}.keys()), type({}.values()), type({}.items()), deque)
truth = autograd.truth


def _shown(op, in_place_):
    return f"{op}=" if in_place_ else "** or pow()" if op == "**" else op


def _unsupported(op, a, b, in_place_=False):
    raise_python(TypeError(f"unsupported operand type(s) for {_shown(op, in_place_)}: "
                           f"'{type_name(a)}' and '{type_name(b)}'"))


def _checked_size(op, a, b):
    """Refuse a Python value that would not fit in memory (or take hours): [0] * 10**12, 9 ** 10**9."""
    if op == "*" and isinstance(a, (str, list, tuple)) and type(b) is int or \
            op == "*" and isinstance(b, (str, list, tuple)) and type(a) is int:
        sequence, n = (a, b) if type(b) is int else (b, a)
        if len(sequence) * n > MAX_ITEMS:
            raise too_many_items(len(sequence) * n)
    elif op == "**" and type(a) is int and type(b) is int and b > 64 and abs(a) > 1 and \
            b * math.log2(abs(a)) > 10**7:
        raise LimitError("the result would have more than 10,000,000 bits", kind="limit")


def arithmetic(op, in_place_=False):
    """What `a OP b` (or `a OP= b`: in_place_) calls with the two values."""
    on_tensors = BINOPS[op]
    on_numbers = _PY[op]
    number_op = python_errors(on_numbers)
    dunder, reflected = f"__{_DUNDERS[op]}__", f"__r{_DUNDERS[op]}__"
    own_in_place = f"__i{_DUNDERS[op]}__"
    native_in_place = python_errors(_PY_IN_PLACE[op])

    power, matmul = op == "**", op == "@"

    def compute(a, b):
        ta, tb = type(a), type(b)
        if ta in _NUMBERS and tb in _NUMBERS and not matmul:
            if power:
                _checked_size(op, a, b)
            try:
                return on_numbers(a, b)
            except (ArithmeticError, TypeError, ValueError) as e:      # 1 / 0, 2.0 ** 5000: Python's error
                raise ProgramException(e) from None
        if ta is str and op == "%":         # "%.4f" % x: formatting, each value shown as the program shows it
            return percent(a, b)
        if ta is Tensor or tb is Tensor:
            return _tensor_arithmetic(op, *_enum_numbers(a, b), on_tensors, in_place_)
        if isinstance(a, VALUES) or isinstance(b, VALUES):
            return program_numpy.arithmetic(op, a, b, on_tensors, in_place=in_place_)
        if isinstance(a, ProgramObject) or isinstance(b, ProgramObject):
            return _user_arithmetic(op, a, b, dunder, reflected, own_in_place if in_place_ else None)
        if isinstance(a, NATIVE) and isinstance(b, NATIVE):
            _checked_size(op, a, b)
            if (ta is Size or tb is Size) and op in ("+", "*"):      # torch.Size's own + and *: a Size
                if ta is Size and op == "+" and not isinstance(b, tuple):
                    raise_python(TypeError(f"can only concatenate tuple (not {type_name(b)}) to torch.Size"))
                return Size(number_op(a, b))
            return native_in_place(a, b) if in_place_ else number_op(a, b)
        if _native_operators(ta, tb):      # (a Path's /, a datetime's - and +: Python's own, on Python's values)
            return native_in_place(a, b) if in_place_ else number_op(a, b)
        _unsupported(op, a, b, in_place_)
    return compute


def _enum_numbers(a, b):
    """An IntEnum's member beside a tensor: its int (as PyTorch reads an int's subclass)."""
    return [int(v) if isinstance(v, int) and getattr(type(v), "native_operators", False) else v for v in (a, b)]


def _native_operators(ta, tb) -> bool:
    """Is one side a value of Python's standard library (pathlib.Path, datetime.timedelta) whose own
    operators take the other side as Python takes it?"""
    return getattr(ta, "native_operators", False) or getattr(tb, "native_operators", False)


def _tensor_arithmetic(op, a, b, on_tensors, in_place_):
    other = b if type(a) is Tensor else a
    if type(other) is Tensor or type(other) in _NUMBERS:
        return on_tensors(a, b)
    if isinstance(other, VALUES):
        return program_numpy.arithmetic(op, a, b, on_tensors, in_place=in_place_)
    if isinstance(other, ProgramObject):
        if in_place_ and other is a:        # acc += loss: the object's own __iadd__ first, as Python
            r = call_special(a, f"__i{_DUNDERS[op]}__", b)
            if r is not MISSING and r is not NotImplemented:
                return r
        name = f"__r{_DUNDERS[op]}__" if type(a) is Tensor else f"__{_DUNDERS[op]}__"
        r = call_special(other, name, a if other is b else b)
        if r is not MISSING and r is not NotImplemented:
            return r
    if op == "*" and isinstance(other, (list, tuple, str)):     # list * tensor: the tensor as a count
        count = b if other is a else a
        if count.data.size == 1 and kind(count.data.dtype) in "iu":     # (its __index__: an integer tensor of one)
            return other * int(item(count.data))
        raise_python(TypeError("only integer tensors of a single element can be converted to an index"))
    if op == "+" and other is a and type(a) in (list, tuple, str):     # the sequence's own __add__ refuses it
        raise_python(TypeError(f'can only concatenate {type(a).__name__} (not "Tensor") to {type(a).__name__}'))
    _unsupported(op, a, b, in_place_)


def _user_arithmetic(op, a, b, dunder, reflected, own_in_place):
    if own_in_place is not None and isinstance(a, ProgramObject):
        r = call_special(a, own_in_place, b)
        if r is not MISSING and r is not NotImplemented:
            return r
    if isinstance(a, ProgramObject):
        r = call_special(a, dunder, b)
        if r is not MISSING and r is not NotImplemented:
            return r
    if isinstance(b, ProgramObject) and type(b) is not type(a):
        r = call_special(b, reflected, a)
        if r is not MISSING and r is not NotImplemented:
            return r
    if _native_operators(type(a), type(b)):     # (an IntEnum's member: Python's int arithmetic)
        return python_errors(_PY[op])(a, b)
    _unsupported(op, a, b, own_in_place is not None)


def in_place(op, tensors=True):
    """`a OP= b`: a tensor changes in place (x += 1 keeps x a leaf under no_grad), as a list
    does; tensors=False: x[k] += y is x[k] = x[k] + y, which the store writes back through x."""
    tensor_op = IN_PLACE.get(op) if tensors else None
    fallback = arithmetic(op, in_place_=True)

    def augmented(a, b):
        if tensor_op is not None and type(a) is Tensor:
            if type(b) is Tensor or type(b) in _NUMBERS:
                return tensor_op(a, b)
            if isinstance(b, VALUES):
                return program_numpy.arithmetic(op, a, b, tensor_op, in_place=True)
        return fallback(a, b)
    return augmented


# ------------------------------------------------------------ comparisons
def comparison(op):
    """What `a OP b` calls for a comparison (`in`, `is` and their negations too)."""
    if op == "is":
        return lambda a, b: a is b
    if op == "is not":
        return lambda a, b: a is not b
    if op in ("in", "not in"):
        return (lambda a, b: contains(b, a)) if op == "in" else (lambda a, b: not contains(b, a))
    on_tensors = tensor_comparison(COMPARES[op])
    native = python_errors(_PY[op])
    dunder, reflected = _COMPARE_DUNDERS[op], _REFLECTED[op]
    equality = op in ("==", "!=")

    python = _PY[op]

    def compare(a, b):
        ta, tb = type(a), type(b)
        if ta in _NUMBERS and tb in _NUMBERS:
            return python(a, b)
        if ta is Tensor or tb is Tensor:
            a, b = _enum_numbers(a, b)
            other = b if ta is Tensor else a
            if type(other) is Tensor or type(other) in _NUMBERS:
                return on_tensors(a, b)
            if isinstance(other, VALUES):
                return program_numpy.compare(op, a, b, on_tensors)
        elif isinstance(a, VALUES) or isinstance(b, VALUES):
            return program_numpy.compare(op, a, b, on_tensors)
        if isinstance(a, ProgramObject) or isinstance(b, ProgramObject):
            for x, y, name in ((a, b, dunder), (b, a, reflected)):
                if isinstance(x, ProgramObject):
                    r = call_special(x, name, y)
                    if r is MISSING and name == "__ne__":       # (object.__ne__: the inverse of __eq__)
                        r = call_special(x, "__eq__", y)
                        r = r if r is MISSING or r is NotImplemented else not truth(r)
                    if r is not MISSING and r is not NotImplemented:
                        return r
            if _native_operators(ta, tb):     # (an IntEnum's member: Python's int comparisons)
                return native(a, b)
        elif ta in _SEQUENCES and tb is ta and (_holds_tensors(a) or _holds_tensors(b)):
            return sequence_compare(op, a, b)       # (Python's element rule, with tensors' ==)
        elif isinstance(a, NATIVE) and isinstance(b, NATIVE) or equality and ta is not Tensor and tb is not Tensor \
                or _native_operators(ta, tb):
            return native(a, b)
        if equality:
            return (a is b) == (op == "==")
        raise_python(TypeError(f"'{op}' not supported between instances of '{type_name(a)}' and '{type_name(b)}'"))
    return compare


_equal = comparison("==")
_SEQUENCES = (list, tuple, dict)
_DICT_VALUES = type({}.values())


def _holds_tensors(v) -> bool:
    return any(type(x) is Tensor for x in (v.values() if type(v) is dict else v))


def same(x, item) -> bool:
    """Python's test of an element (==, in, count, index, remove): the same object, or equal (a tensor
    of one value by its truth; of more, PyTorch's ambiguity error)."""
    return x is item or truth(_equal(x, item))


def sequence_compare(op, a, b):
    """a OP b for two lists (tuples, dicts) holding tensors, as Python compares them: the first
    elements that are not the same decide (their own comparison, a tensor as it is), else the lengths."""
    if type(a) is dict:
        equal = len(a) == len(b) and all(k in b and same(v, b[k]) for k, v in a.items())
        if op in ("==", "!="):
            return equal == (op == "==")
        raise_python(TypeError(f"'{op}' not supported between instances of 'dict' and 'dict'"))
    if op in ("==", "!=") and len(a) != len(b):
        return op == "!="
    for x, y in zip(a, b):
        if not same(x, y):
            return op == "!=" if op in ("==", "!=") else comparison(op)(x, y)
    return _PY[op](len(a), len(b))


def _element_method(name):
    """list.count / index / remove (tuple's count and index) with Python's element test where tensors are
    involved (PyTorch's Tensor.__eq__ then decides, as in Python); the list's own method otherwise."""
    def method_of(xs):
        native = python_errors(getattr(xs, name))

        def method(item, *bounds):
            if type(item) is not Tensor and not any(type(x) is Tensor for x in xs):
                return native(item, *bounds)
            if name == "count":
                return sum(1 for x in xs if same(x, item))
            window = range(len(xs))
            if name == "index" and bounds:      # (index(x, start, stop): Python's slice of positions)
                window = window[slice(bounds[0], bounds[1] if len(bounds) > 1 else None)]
            # (the first that is the same ends the search, as Python's: no element after it is compared)
            found = [next((i for i in window if same(xs[i], item)), None)]
            found = found if found[0] is not None else []
            if not found:
                what = type(xs).__name__
                raise_python(ValueError(f"{value_repr(item)} is not in list" if name == "index" and what == "list"
                                        else f"{what}.{name}(x): x not in {what}"))
            if name == "remove":
                del xs[found[0]]
                return None
            return found[0]
        return method
    return method_of


ELEMENT_METHODS = {(t, name): _element_method(name) for t in (list, tuple) for name in ("count", "index", "remove")
                   if hasattr(t, name)}


def contains(container, item) -> bool:
    """item in container, by Python's rules: an element equal to it or the same object."""
    t = type(container)
    if t is Tensor:
        return bool(functions.xp.any(functions.data(container) == functions.data(item)))
    if isinstance(container, VALUES):
        return program_numpy.contains(container, item)
    if t in (list, tuple, _DICT_VALUES) and (type(item) is Tensor or any(type(x) is Tensor for x in container)):
        return any(same(x, item) for x in container)
    if isinstance(container, NATIVE) and not isinstance(container, ProgramObject):
        return _native_contains(container, item)
    if isinstance(container, ProgramObject):
        r = call_special(container, "__contains__", item)
        if r is not MISSING:
            return truth(r)
        if isinstance(container, NATIVE):       # (a str Enum's member: its str's)
            return _native_contains(container, item)
        if class_lookup(type(container), "__iter__") is MISSING and \
                class_lookup(type(container), "__getitem__") is MISSING:
            raise_python(TypeError(f"argument of type '{type_name(container)}' is not iterable"))
    return any(x is item or truth(_equal(x, item)) for x in iterate(container))


_native_contains = python_errors(lambda container, item: item in container)


def unary(op):
    """-a, +a and ~a."""
    name = {"-": "__neg__", "+": "__pos__", "~": "__invert__"}[op]
    python = {"-": lambda a: -a, "+": lambda a: +a, "~": lambda a: ~a}[op]
    tensor = {"-": functions.neg, "+": lambda a: a, "~": functions.invert}[op]

    def apply(a):
        t = type(a)
        if t in _NUMBERS and not (op == "~" and t is float) or isinstance(a, VALUES):
            return python(a)
        if t is Tensor:
            return tensor(a)
        if isinstance(a, ProgramObject):
            r = call_special(a, name)
            if r is not MISSING:
                return r
        if getattr(t, "native_operators", False):
            return python_errors(python)(a)
        raise_python(TypeError(f"bad operand type for unary {op}: '{type_name(a)}'"))
    return apply


def absolute(a):
    """abs(a)."""
    t = type(a)
    if t is Tensor:
        return functions.abs(a)
    if isinstance(a, ProgramObject):
        r = call_special(a, "__abs__")
        if r is not MISSING:
            return r
    if t in _NUMBERS or isinstance(a, VALUES) or getattr(t, "native_operators", False):
        return python_errors(abs)(a)
    raise_python(TypeError(f"bad operand type for abs(): '{type_name(a)}'"))

