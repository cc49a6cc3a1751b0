"""Operators in programs: plain Python values follow Python, tensors follow torch.

In an expression every operand is a tensor, but a program also computes
with plain numbers and other values: 3 == 3 is True (not tensor(True)),
7 % 3 is 1, 1 / 0 raises ZeroDivisionError, x.dtype == torch.float32 works.
"""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import in_place
from ..torchapi import functions
from .lower import BINOPS, COMPARES, as_operand, tensor_comparison
from . import program_numpy
from .program_numpy import VALUES

# x += y on a tensor is in place, as in PyTorch (x @= y is not: PyTorch has no in-place matmul).
IN_PLACE = {"+": in_place.add_, "-": in_place.sub_, "*": in_place.mul_, "/": in_place.div_, "**": in_place.pow_,
            "%": in_place.remainder_}
PY_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
                 "/": lambda a, b: a / b, "**": lambda a, b: a ** b, "%": lambda a, b: a % b,
                 "//": lambda a, b: a // b,
                 "@": lambda a, b: functions.matmul(a, b)}
_PY_COMPARES = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
                ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}

_PLAIN = (int, float, bool)


def binary_operator(op):
    """What `a OP b` calls with the two values, in a program."""
    return comparison(op) if op in COMPARES else arithmetic(op)


def arithmetic(op):
    on_tensors = BINOPS[op]
    on_numbers = PY_ARITHMETIC[op]

    def arithmetic(a, b):
        if type(a) in _PLAIN and type(b) in _PLAIN and op != "@":
            try:
                return on_numbers(a, b)
            except ZeroDivisionError as e:
                raise AgcliError(str(e), kind="zero") from None
            except OverflowError as e:
                raise AgcliError(str(e.args[-1] if e.args else e), kind="value") from None
        if isinstance(a, VALUES) or isinstance(b, VALUES):
            return program_numpy.arithmetic(op, a, b, on_tensors)
        return on_tensors(as_operand(a), as_operand(b))
    return arithmetic


def comparison(op):
    if op == "is":
        return lambda a, b: a is b
    if op == "is not":
        return lambda a, b: a is not b
    if op in ("in", "not in"):
        def contains(a, b):
            if type(b) is Tensor:
                found = bool(functions.xp.any(functions.data(b) == functions.data(a)))
            elif isinstance(b, VALUES):
                found = program_numpy.contains(b, a)
            else:
                found = any(x is a or (type(x) is not Tensor and x == a) for x in b)
            return found if op == "in" else not found
        return contains
    on_tensors = tensor_comparison(COMPARES[op])
    on_values = _PY_COMPARES[op]

    def compare(a, b):
        # Plain values compare as Python does (3 == 3 is True, not tensor(True);
        # x.dtype == torch.float32 works); a tensor on either side gives a tensor.
        if a is None or b is None:      # x.grad == y with no .grad yet: Python's answer, False
            return on_values(a, b) if op in ("==", "!=") else on_tensors(a, b)
        if isinstance(a, VALUES) or isinstance(b, VALUES):
            return program_numpy.compare(op, a, b, on_tensors)
        if type(a) is Tensor or type(b) is Tensor:
            return on_tensors(as_operand(a), as_operand(b))
        try:
            return on_values(a, b)
        except TypeError as e:
            raise AgcliError(str(e), kind="type") from None
    return compare
