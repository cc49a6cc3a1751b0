"""Operands as PyTorch converts them before an arithmetic op: a Python int beside a narrow
integer tensor wrapped into its dtype, a float number with an integer tensor computed in the
default float, bools refused by subtraction, an int exponent checked against the dtype."""
from __future__ import annotations

import operator

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.ops import pointwise as P
from ..engine.tensor import Tensor, data
from .checks import broadcast_shapes, fail, shape_of
from .dtypes import mixed, result_type

NARROW_INTS = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int"}
_C_TYPES = {**NARROW_INTS, "int64": "int64_t", "float16": "c10::Half"}
_HALF_MAX = 65504.0
_HALF = B.dtype("float16") if B.ON_HOST else None     # (the array API has no float16)


def checked_fill(value, dtype, type_name=None):
    """A Python number stored into a tensor of `dtype` (fill_, masked_fill, where, clamp, full, x[i] = v),
    checked as PyTorch's c10::checked_convert does: a float must lie within the integer dtype's range
    (nan never does) or within float16's (inf may); an int within it too, except that a negative one
    down to -max wraps into an unsigned dtype (-1 is 255 in uint8). The value, as it is."""
    name = B.dtype_name(dtype)
    if name not in _C_TYPES or type(value) not in (int, float):
        return value
    if name == "float16":
        bad = value == value and abs(value) != float("inf") and abs(value) > _HALF_MAX
    else:
        info = xp.iinfo(dtype)
        low = -info.max if info.min == 0 and type(value) is int else info.min
        bad = not (low <= value <= info.max)
    if bad:
        fail(f"value cannot be converted to type {type_name or _C_TYPES[name]} without overflow")
    return value


def stored(value, dtype, type_name=None):
    """checked_fill's number as the tensor holds it: a negative int into an unsigned dtype wrapped (-1: 255).
    type_name: how the message names the dtype (torch.tensor's says uint8, the kernels' uint8_t)."""
    value = checked_fill(value, dtype, type_name)
    if type(value) is int and kind(dtype) in "iu":
        info = xp.iinfo(dtype)
        if not info.min <= value <= info.max:
            value = (value - info.min) % (info.max - info.min + 1) + info.min
    return value


def int_power(x, exponent):
    """PyTorch's checks of an int exponent for an integer tensor (a narrow dtype's bound too)."""
    if exponent < 0:
        fail("Integers to negative integer powers are not allowed.")
    name = B.dtype_name(x.data.dtype)
    if name in NARROW_INTS and exponent > xp.iinfo(x.data.dtype).max:
        fail(f"value cannot be converted to type {NARROW_INTS[name]} without overflow")


def wrapped(n, other):
    """A Python int beside an integer tensor that cannot hold it, wrapped into its dtype as
    PyTorch converts it (uint8 * -1 multiplies by 255); anything else as it is."""
    if type(n) is not int or type(other) is not Tensor or kind(other.data.dtype) not in "iu":
        return n
    info = xp.iinfo(other.data.dtype)
    if info.min <= n <= info.max or n.bit_length() > 64:    # (beyond 64 bits: NumPy's refusal)
        return n
    return (n - info.min) % (info.max - info.min + 1) + info.min


# PyTorch's CPU kernels whose float16 branch reads a one-element second operand at its own precision
_READ_AS_SCALARS = (P.MUL, P.DIV, P.FLOOR_DIVIDE, P.DIV_FLOOR)


def scalar_of_another_dtype(op, x, y, cast):
    """y as the number it holds where PyTorch's mul, div or div_floor of a float16 x reads a one-element y
    of another dtype at its own precision (a float32 0.37, not float16's), so the kernel (cpu_kernels'
    _halves_by_number) computes as PyTorch's does; otherwise y. (Not a y needing its gradient.)"""
    if cast != _HALF or type(y) is not Tensor or type(x) is not Tensor or op not in _READ_AS_SCALARS:
        return y
    if y.data.size != 1 or y.data.dtype == _HALF or y.requires_grad or y.data.ndim > x.data.ndim:
        return y
    return B.item(y.data)


def number_cast(t, number):
    """The dtype a tensor and a Python number compute in where NumPy's promotion differs from
    PyTorch's (an integer tensor and a float: the default float, not float64), else None."""
    return result_type(t, number) if mixed(t, number) else None


def sub_check(a, b):
    """PyTorch's sub_check: a bool tensor (or a Python bool beside a tensor) does not subtract."""
    a_bool = type(a) is bool or getattr(data(a), "dtype", None) == B.dtype("bool")
    b_bool = type(b) is bool or getattr(data(b), "dtype", None) == B.dtype("bool")
    if a_bool and b_bool:
        fail("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
             "`logical_xor()` operator instead.", "runtime")
    if a_bool or b_bool:
        fail("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
             "mask, use the `~` or `logical_not()` operator instead.", "runtime")


def integer_division(input, other, kernel):
    """PyTorch's errors for bools divided by bools (its `kernel` has no bool version), and
    for integers divided by an integer (or bool) zero (NumPy gives 0)."""
    broadcast_shapes(shape_of(input), shape_of(other))     # (PyTorch's words for shapes first)
    dividend, divisor_kind = kind_of(input), kind_of(other)
    if dividend == divisor_kind == "b":
        fail(f'"{kernel}" not implemented for \'Bool\'', "not_implemented")
    if dividend in "iub" and divisor_kind in "iub" and getattr(data(input), "size", 1):    # (nothing to divide: none)
        divisor = B.asarray(data(wrapped(other, input)))      # (256 is 0 beside int8)
        if bool(xp.any(xp.logical_not(divisor) if kind(divisor.dtype) == "b" else divisor == 0)):
            fail("ZeroDivisionError")


def kind_of(v) -> str:
    """A tensor's or a number's kind: b, i, u or f ("" for anything else)."""
    d = getattr(data(v), "dtype", None)
    return kind(d) if d is not None else {bool: "b", int: "i", float: "f"}.get(type(v), "")


PYTHON_OPERATORS = {P.ADD: operator.add, P.SUB: operator.sub, P.MUL: operator.mul, P.DIV: operator.truediv}


def python_numbers(op, x, y):
    """x OP y as Python computes two numbers (an expression's `1 / 0` is Python's ZeroDivisionError)."""
    try:
        return PYTHON_OPERATORS[op](x, y)
    except ZeroDivisionError as e:
        fail(str(e), "zero")
    except OverflowError as e:
        fail(f"OverflowError: {e}", "value")


def bound_type(dtype, bounds, default_float):
    """The dtype a clamp_ bound makes of an x of `dtype` that x cannot hold, or None: a float bound
    of an integer or bool x (the default float), an int one of a bool x (int64)."""
    if kind(dtype) != "f" and any(type(b) is float for b in bounds):
        return default_float
    return "int64" if kind(dtype) == "b" and any(type(b) is int for b in bounds) else None
