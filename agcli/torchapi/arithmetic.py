"""PyTorch's elementwise functions: checks, type promotion, and the op each records."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.ops import bounds as picks
from ..engine.ops import elementary as E
from ..engine.ops import pointwise as P
from ..engine.ops import reductions as R
from ..engine.ops import rounding as RD
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .checks import CPP_TYPE_NAMES, broadcast_shapes, fail, refuse_huge, shape_of, size_of, tensors_only
from .dtypes import dtype_name, floating, mixed, result_type
from .indexing import nonzero
from .operands import (PYTHON_OPERATORS, int_power, integer_division, kind_of, number_cast, python_numbers,
                       scalar_of_another_dtype, stored, sub_check, wrapped)


def _as_operand(v):
    """Python numbers stay numbers (weakly typed, as in PyTorch); lists are refused."""
    if isinstance(v, (list, tuple)):
        fail(f"unsupported operand type: {type(v).__name__} (write tensor({list(v)!r}) for a tensor)",
             "type")
    return v


def _alpha(alpha, name, x, y):
    """add/sub's `alpha` as a parameter only when it is not 1 (the common case stays lean), checked
    as PyTorch checks it against the result's dtype (alpha_check)."""
    if type(alpha) is int and alpha == 1:
        return {}
    if not isinstance(alpha, (int, float)):
        fail(f"{name}(): argument 'alpha' must be Number, not {type(alpha).__name__}", "type")
    result = kind(result_type(x, y))
    if type(alpha) is bool and result != "b":
        fail("Boolean alpha only supported for Boolean results.")
    if type(alpha) is float and result in "biu":
        fail("For integral input tensors, argument alpha must not be a floating point number.")
    return {"alpha": alpha}


_INT_LOW, _INT_HIGH = -(1 << 63), 1 << 64      # the Python ints PyTorch takes as a tensor's operand


def _elementwise(op, x, y, *, true_division=False, **params):
    """`op` of two operands, broadcast and promoted as PyTorch does: the op
    computes in the promoted dtype (apply's cast), so the graph records what ran."""
    # Two tensors of one dtype and modest size (the common case): nothing to refuse, nothing to promote.
    if type(x) is Tensor and type(y) is Tensor and x.data.dtype is y.data.dtype \
            and x.data.size * y.data.size <= state.unchecked_up_to \
            and not (true_division and kind(x.data.dtype) != "f"):
        cast = None
    # A float tensor and a Python number: the tensor's dtype wins (`/` computes in it, as result_type says).
    elif type(y) in _NUMBERS and type(x) is Tensor and kind(x.data.dtype) == "f" \
            and x.data.size <= state.unchecked_up_to:
        cast = x.data.dtype if true_division else None
        if type(y) is int and not _INT_LOW <= y < _INT_HIGH:
            fail("int too big to convert", "overflow")
    elif type(x) in _NUMBERS and type(y) is Tensor and kind(y.data.dtype) == "f" \
            and y.data.size <= state.unchecked_up_to:
        cast = y.data.dtype if true_division else None
        if type(x) is int and not _INT_LOW <= x < _INT_HIGH:
            fail("int too big to convert", "overflow")
    else:
        if type(x) in _SCALARS and type(y) in _SCALARS and not params and op in PYTHON_OPERATORS:
            return python_numbers(op, x, y)        # two Python numbers: Python's arithmetic (True + True is 2)
        _refuse_non_numbers(op, x, y)
        refuse_huge(lambda: broadcast_shapes(shape_of(x), shape_of(y)), size_of(x) * size_of(y))
        if type(x) is bool or type(y) is bool:
            x, y = _counted(x, y), _counted(y, x)
        if not true_division:       # (true division computes in the default float: 256 stays 256)
            x, y = wrapped(x, y), wrapped(y, x)
        cast = None
        if type(x) is Tensor or type(y) is Tensor:
            if mixed(x, y) or true_division:
                cast = result_type(x, y)
                if true_division and kind(cast) != "f":       # int / int divides as the default float
                    cast = B.dtype(state.default_float)
                y = scalar_of_another_dtype(op, x, y, cast)
    try:
        # (without params, a plain call: ** makes a call that builds a dict and is not inlined)
        return apply(op, x, y, cast=cast, **params) if params else apply(op, x, y, cast=cast)
    except ValueError:
        broadcast_shapes(shape_of(x), shape_of(y))
        raise


# Python numbers a reflected operator puts second. Only `2 + a` and `2 * a` reach add and mul with
# a number first (torch.add(2, a) and torch.mul(2, a) go to add_function and multiply), so the swap
# lives here, with no call of its own on the operators' path.
_SCALARS = (int, float, bool)
_NUMBERS = (int, float)         # (not bool: True + x counts it as 1, _counted)


# Python's words for an operand no tensor operator takes (PyTorch's Tensor declines it).
_SYMBOLS = {"AddBackward0": "+", "SubBackward0": "-", "MulBackward0": "*", "DivBackward0": "/",
            "PowBackward0": "** or pow()", "RemainderBackward0": "%"}


def _type_name(v) -> str:
    return "Tensor" if type(v) is Tensor else type(v).__name__


def _counted(v, other):
    """A Python bool meeting a tensor of numbers counts as 0 or 1 (True * x is x, as in
    PyTorch; the array API promotes Python bools with bool arrays only)."""
    if type(v) is bool and type(other) is Tensor and kind(other.data.dtype) != "b":
        return int(v)
    return v


def _refuse_non_numbers(op, x, y):
    if x is None or y is None or isinstance(x, (str, dict)) or isinstance(y, (str, dict)):
        fail(f"unsupported operand type(s) for {_SYMBOLS.get(op.name, op.name)}: "
             f"'{_type_name(x)}' and '{_type_name(y)}'", "type")


_BOOL = B.dtype("bool")

# Operands _as_operand passes as they are: the common cases go straight to _elementwise.
_OPERANDS = (Tensor, int, float)


def add(input, other, alpha=1):
    if type(other) is Tensor and type(input) in _SCALARS and type(alpha) is int and alpha == 1:
        input, other = other, input     # 2 + a is a.__radd__(2): add(a, 2), the tensor first in the graph
    if type(input) in _OPERANDS and type(other) in _OPERANDS and type(alpha) is int and alpha == 1:
        return _elementwise(P.ADD, input, other)        # (the common case: nothing to convert)
    input, other = _as_operand(input), _as_operand(other)
    return _elementwise(P.ADD, input, other, **_alpha(alpha, "add", input, other))


def sub(input, other, alpha=1):
    if type(input) is Tensor and type(alpha) is int and alpha == 1 and input.data.dtype != _BOOL and (
            type(other) in _NUMBERS or type(other) is Tensor and other.data.dtype != _BOOL):
        return _elementwise(P.SUB, input, other)        # (the common case: no bool to refuse)
    if type(input) in _SCALARS and type(other) in _SCALARS and type(alpha) is int and alpha == 1:
        return python_numbers(P.SUB, input, other)             # (True - False is 1, as in Python)
    _refuse_non_numbers(P.SUB, input, other)
    sub_check(input, other)
    if type(other) is Tensor and type(input) is not Tensor and not hasattr(input, "shape"):
        number = wrapped(_counted(_as_operand(input), other), other)   # 2 - a is RsubBackward1 (-1 - uint8 wraps)
        return apply(P.RSUB, other, number, cast=number_cast(other, number), **_alpha(alpha, "sub", input, other))
    input, other = _as_operand(input), _as_operand(other)
    return _elementwise(P.SUB, input, other, **_alpha(alpha, "sub", input, other))


def rsub(input, other, alpha=1):
    """torch.rsub: other - alpha * input (RsubBackward0 of two tensors, RsubBackward1 of a number)."""
    if type(input) is not Tensor or type(other) not in (Tensor, int, float, bool):
        fail(f"rsub() received an invalid combination of arguments - got ({type(input).__name__}, "
             f"{type(other).__name__}), but expected one of:\n * (Tensor input, Tensor other, *, Number alpha = 1)\n"
             " * (Tensor input, Number other, Number alpha = 1)\n", "type")
    if type(other) is not Tensor:
        return sub(other, input, alpha)
    _refuse_non_numbers(P.RSUB_TENSORS, input, other)
    sub_check(other, input)
    return _elementwise(P.RSUB_TENSORS, input, other, **_alpha(alpha, "rsub", input, other))


def mul(input, other):
    if type(other) is Tensor and type(input) in _SCALARS:
        input, other = other, input     # 2 * a is a.__rmul__(2): mul(a, 2), the tensor first in the graph
    if type(input) in _OPERANDS and type(other) in _OPERANDS:
        return _elementwise(P.MUL, input, other)
    return _elementwise(P.MUL, _as_operand(input), _as_operand(other))


def add_function(input, other, alpha=1):
    """torch.add as a function: a number first stays first in the graph (the operator `2 + a` puts a first)."""
    if type(other) is Tensor and type(input) in _SCALARS:
        return _elementwise(P.ADD, input, other, **_alpha(alpha, "add", input, other))
    return add(input, other, alpha)


def multiply(input, other):
    """torch.mul as a function: a number first stays first in the graph (the operator `2 * a` puts a first)."""
    if type(other) is Tensor and type(input) in _SCALARS:
        return _elementwise(P.MUL, input, other)
    return mul(input, other)


def div(input, other, *, rounding_mode=None):
    if rounding_mode is not None:
        return _rounded_division(input, other, rounding_mode)
    if type(input) is Tensor and type(other) in (Tensor, int, float):
        return _elementwise(P.DIV, input, other, true_division=True)
    _refuse_non_numbers(P.DIV, input, other)
    input, other = _as_operand(input), _as_operand(other)
    if type(other) is Tensor and type(input) is not Tensor and not hasattr(input, "shape"):
        return mul(reciprocal(other), input)                      # 2 / a: reciprocal, then mul
    return _elementwise(P.DIV, input, other, true_division=True)


def subtract(input, other, alpha=1):
    """torch.sub as a function: a number first is an operand like a tensor (SubBackward0;
    the operator `2 - a` is RsubBackward1)."""
    if type(other) is Tensor and type(input) in (int, float):
        sub_check(input, other)
        return _elementwise(P.SUB, input, other, **_alpha(alpha, "sub", input, other))
    return sub(input, other, alpha)


def divide(input, other, *, rounding_mode=None):
    """torch.div as a function: a number first is an operand like a tensor (DivBackward0;
    the operator `2 / a` is a reciprocal times 2, MulBackward0)."""
    if type(other) is Tensor and type(input) in (int, float) and rounding_mode is None:
        return _elementwise(P.DIV, input, other, true_division=True)
    return div(input, other, rounding_mode=rounding_mode)


def _rounded_division(input, other, rounding_mode):
    """div(rounding_mode='trunc' or 'floor'): DivBackward2, a zero gradient; integers stay integers."""
    if rounding_mode not in ("trunc", "floor"):
        fail(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
    _refuse_non_numbers(P.DIV, input, other)
    input, other = _as_operand(input), _as_operand(other)
    integer_division(input, other, f"div_{rounding_mode}_cpu")
    return _elementwise(P.DIV_FLOOR if rounding_mode == "floor" else RD.DIV_TRUNC, input, other)


def remainder(input, other):
    input, other = _as_operand(input), _as_operand(other)
    if type(input) is not Tensor and type(other) is not Tensor:
        if type(input) in (int, float) and type(other) in (int, float):
            if other == 0:
                fail("integer modulo by zero" if type(input) is int and type(other) is int
                     else "float modulo", "zero")
            return input % other                           # Python's %, as Python numbers have it
        return apply(P.REMAINDER, input, other)
    integer_division(input, other, "remainder_cpu")
    if type(input) is not Tensor:
        return _elementwise(P.RREMAINDER, input, other)  # 2 % a: recorded, not differentiable
    return _elementwise(P.REMAINDER_T if type(other) is Tensor else P.REMAINDER, input, other)


def fmod(input, other):
    """C's remainder (the dividend's sign): FmodBackward0 by a number, FmodBackward1 by a tensor."""
    _refuse_non_numbers(RD.FMOD, input, other)
    input, other = _as_operand(input), _as_operand(other)
    integer_division(input, other, "fmod_cpu")
    return _elementwise(RD.FMOD_T if type(other) is Tensor else RD.FMOD, input, other)


def floor_divide(input, other):
    """input // other, rounded down. PyTorch records a node for it whose backward fails."""
    input, other = _as_operand(input), _as_operand(other)
    if type(input) is not Tensor and type(other) is not Tensor:
        if type(input) in (int, float) and type(other) in (int, float):
            return input // other
        return apply(P.FLOOR_DIVIDE, input, other)
    integer_division(input, other, "div_floor_cpu")
    return _elementwise(P.FLOOR_DIVIDE, input, other)


def reciprocal(x):
    return apply(P.RECIPROCAL, floating(x))


def neg(x):
    _no_bools(x, "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
                 "mask, use the `~` or `logical_not()` operator instead.")
    return apply(P.NEG, x)


def _no_bools(x, message, kind="runtime"):
    """PyTorch's error for a function without a bool version (NumPy's words otherwise, or a result)."""
    if type(x) is Tensor and B.dtype_name(x.data.dtype) == "bool":
        fail(message, kind)


def pow(input, exponent):
    if type(exponent) is int and type(input) is Tensor and kind(input.data.dtype) in "iu":
        int_power(input, exponent)
    if type(input) is Tensor and type(exponent) in (int, float):       # (the common case: x ** 2)
        return apply(P.POW, floating(input) if type(exponent) is float else input, exponent)    # PowBackward0
    _refuse_non_numbers(P.POW, input, exponent)
    if type(input) is Tensor and type(exponent) is not Tensor and not hasattr(exponent, "shape"):
        exponent = _as_operand(exponent)
        return apply(P.POW, floating(input) if type(exponent) is float else input, exponent)    # PowBackward0
    if type(input) is not Tensor and type(exponent) is Tensor and not hasattr(input, "shape"):
        number = _as_operand(input)
        return apply(P.RPOW, number, exponent, cast=number_cast(exponent, number))      # PowBackward2
    if type(input) is not Tensor and type(exponent) is not Tensor:
        if type(input) in (int, float) and type(exponent) in (int, float):
            if type(input) is int and type(exponent) is int and abs(input) > 1 \
                    and exponent * input.bit_length() > 1 << 16:     # Python would try anyway, for long
                fail(f"{'(%d)' % input if input < 0 else input} ** {exponent} is too large to compute", "value")
            return input ** exponent       # plain numbers stay weakly typed, as in PyTorch
        return xp.pow(input, exponent)
    if kind_of(input) == "b" and kind_of(exponent) == "b":
        fail('"pow" not implemented for \'Bool\'', "not_implemented")
    return _elementwise(P.POW_T, input, exponent)                   # PowBackward1


def _unary(op, to_float=True, bools=None):
    """An elementwise function of one tensor (integers enter float functions as the default float;
    bools: (message, kind) of PyTorch's error for a bool tensor, where it refuses one)."""
    def function(input):
        if bools is not None:
            _no_bools(input, *bools)
        if to_float and (type(input) is not Tensor or kind(input.data.dtype) != "f"):
            if type(input) is not Tensor and not isinstance(input, (int, float)) and not hasattr(input, "dtype"):
                fail(f"{function.__name__}(): argument 'input' (position 1) must be Tensor, not "
                     f"{'torch.' if type(input).__module__.startswith('agcli') else ''}"
                     f"{type(input).__name__.replace('DType', 'dtype')}", "type")
            input = floating(input)
        return apply(op, input)
    function.__name__ = function.__qualname__ = op.name.replace("Backward0", "").lower()
    return function


exp, log, log1p, sqrt = _unary(P.EXP), _unary(P.LOG), _unary(P.LOG1P), _unary(P.SQRT)
sin, cos, tan, tanh = _unary(P.SIN), _unary(P.COS), _unary(P.TAN), _unary(P.TANH)
sigmoid = _unary(P.SIGMOID)
log2, log10, exp2, expm1, rsqrt = (_unary(op) for op in (E.LOG2, E.LOG10, E.EXP2, E.EXPM1, E.RSQRT))
sinh, cosh, asin, acos, atan, erf = (_unary(op) for op in (E.SINH, E.COSH, E.ASIN, E.ACOS, E.ATAN, E.ERF))
erfc, asinh, acosh, atanh = (_unary(op) for op in (E.ERFC, E.ASINH, E.ACOSH, E.ATANH))
relu = _unary(P.RELU, to_float=False, bools=("Boolean inputs not supported for relu", "runtime"))
abs = _unary(P.ABS, to_float=False, bools=("\"abs_cpu\" not implemented for 'Bool'", "not_implemented"))


_ALONE = object()       # torch.where(condition), without input and other


def where(condition, input=_ALONE, other=_ALONE):
    if input is _ALONE and other is _ALONE:     # torch.where(condition): nonzero(condition, as_tuple=True)
        return nonzero(condition, as_tuple=True)
    if input is _ALONE or other is _ALONE:
        got = ", ".join(type(v).__name__ for v in (condition, input, other) if v is not _ALONE)
        fail(f"where() received an invalid combination of arguments - got ({got}), but expected one of:\n"
             " * (Tensor condition)\n * (Tensor condition, Tensor input, Tensor other, *, Tensor out = None)\n"
             " * (Tensor condition, Number self, Tensor other)\n * (Tensor condition, Tensor input, Number other)\n"
             " * (Tensor condition, Number self, Number other)\n", "type")
    c = data(condition)
    if getattr(c, "dtype", None) is not None and kind(c.dtype) != "b":
        fail("where expected condition to be a boolean tensor, but got a tensor with dtype "
             f"{torch_type_name(c.dtype)}")
    cast = result_type(input, other)
    if type(input) is not Tensor and type(other) is not Tensor:     # two numbers: NumPy would make float64
        input = B.asarray(input, dtype=cast)
    input, other = (stored(v, cast) if type(v) in (int, float) else v for v in (input, other))
    same = all(getattr(data(v), "dtype", cast) == cast for v in (input, other))
    try:
        return apply(P.WHERE, condition, input, other, cast=None if same else cast)
    except ValueError:
        broadcast_shapes(broadcast_shapes(shape_of(c), shape_of(input)), shape_of(other))
        raise


def masked_fill(input, mask, value):
    """x with `value` where mask holds (a number, or a 0-d tensor taken as one)."""
    m = data(mask)
    if getattr(m, "dtype", None) is None or dtype_name(m.dtype) != "bool":
        fail("masked_fill_ only supports boolean masks, but got mask with dtype "
             f"{CPP_TYPE_NAMES.get(dtype_name(m.dtype)) if hasattr(m, 'dtype') else type(m).__name__}", "runtime")
    if type(value) is Tensor:
        if value.data.ndim:
            fail(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                 f"{value.data.ndim} dimension(s).")
        if type(input) is Tensor:       # masked_fill.Tensor (MaskedFillBackward1): the value has a gradient
            like = input.data.dtype
            return apply(R.MASKED_FILL_T, input, mask, value if value.data.dtype == like else S.to_dtype(value, like))
        value = value.data
    elif type(input) is Tensor:
        value = stored(value, input.data.dtype)
    try:
        return apply(P.MASKED_FILL, input, mask, value=value)
    except ValueError:
        broadcast_shapes(shape_of(mask), shape_of(input))       # (PyTorch expands the mask first)
        raise


def maximum(input, other):
    tensors_only("maximum", input=input, other=other)       # (no Scalar overload: clamp takes numbers)
    return _elementwise(picks.MAXIMUM, input, other)


def minimum(input, other):
    tensors_only("minimum", input=input, other=other)
    return _elementwise(picks.MINIMUM, input, other)


# Comparisons: tensors of bools, no gradient (`x < y` and torch.lt alike).
def _comparison(op):
    def compare(x, y):
        x, y = _as_operand(x), _as_operand(y)
        x, y = wrapped(x, y), wrapped(y, x)
        try:        # (in the promoted dtype, as PyTorch compares: int64 16777217 == float32 16777216.)
            return apply(op, x, y, cast=result_type(x, y) if mixed(x, y) else None)
        except ValueError:          # shapes that do not broadcast: PyTorch's words, not NumPy's
            broadcast_shapes(shape_of(x), shape_of(y))
            raise
    return compare


lt, le, gt, ge, eq, ne = (_comparison(op) for op in (P.LT, P.LE, P.GT, P.GE, P.EQ, P.NE))
