"""PyTorch's elementwise functions: checks, type promotion, and the op each records."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.ops import pointwise as P
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .checks import CHECKED_ABOVE, broadcast_shapes, fail, refuse_huge, shape_of, size_of
from .dtypes import dtype_name, floating, mixed, result_type


def _as_operand(v):
    """Python numbers stay numbers (weakly typed, as in PyTorch); lists are refused."""
    if isinstance(v, (list, tuple)):
        fail(f"unsupported operand type: {type(v).__name__} (write tensor({list(v)!r}) for a tensor)",
             "type")
    return v


def _alpha(alpha):
    """add/sub's `alpha` as a parameter only when it is not 1 (the common case stays lean)."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        fail(f"alpha must be a number, got {alpha!r}", "type")
    return {} if alpha == 1 else {"alpha": alpha}


def _elementwise(op, x, y, *, true_division=False, **params):
    """`op` of two operands, broadcast and promoted as PyTorch does: the op
    computes in the promoted dtype (apply's cast), so the graph records what ran."""
    # Two tensors of one dtype and modest size (the common case): nothing to refuse, nothing to promote.
    if type(x) is Tensor and type(y) is Tensor and x.data.dtype is y.data.dtype \
            and x.data.size * y.data.size <= CHECKED_ABOVE and not (true_division and kind(x.data.dtype) != "f"):
        cast = None
    else:
        refuse_huge(lambda: broadcast_shapes(shape_of(x), shape_of(y)), size_of(x) * size_of(y))
        if type(x) is bool or type(y) is bool:
            x, y = _counted(x, y), _counted(y, x)
        cast = None
        if type(x) is Tensor or type(y) is Tensor:
            if mixed(x, y) or true_division:
                cast = result_type(x, y)
                if true_division and kind(cast) != "f":       # int / int divides as the default float
                    cast = B.dtype(state.default_float)
    try:
        return apply(op, x, y, cast=cast, **params)
    except ValueError:
        broadcast_shapes(shape_of(x), shape_of(y))
        raise


def _counted(v, other):
    """A Python bool meeting a tensor of numbers counts as 0 or 1 (True * x is x, as in
    PyTorch; the array API promotes Python bools with bool arrays only)."""
    if type(v) is bool and type(other) is Tensor and kind(other.data.dtype) != "b":
        return int(v)
    return v


def add(x, y, alpha=1):
    return _elementwise(P.ADD, _as_operand(x), _as_operand(y), **_alpha(alpha))


def sub(x, y, alpha=1):
    if type(y) is Tensor and type(x) is not Tensor and not hasattr(x, "shape"):
        return apply(P.RSUB, y, _counted(_as_operand(x), y), **_alpha(alpha))      # 2 - a is RsubBackward1
    return _elementwise(P.SUB, _as_operand(x), _as_operand(y), **_alpha(alpha))


def mul(x, y):
    return _elementwise(P.MUL, _as_operand(x), _as_operand(y))


def div(x, y):
    x, y = _as_operand(x), _as_operand(y)
    if type(y) is Tensor and type(x) is not Tensor and not hasattr(x, "shape"):
        return mul(reciprocal(y), x)                      # 2 / a: reciprocal, then mul
    return _elementwise(P.DIV, x, y, true_division=True)


def remainder(x, y):
    x, y = _as_operand(x), _as_operand(y)
    if type(x) is not Tensor and type(y) is not Tensor:
        return apply(P.REMAINDER, x, y)          # numbers: NumPy's remainder, a number out
    return _elementwise(P.REMAINDER, x, y)


def floor_divide(x, y):
    """x // y, rounded down. PyTorch records a node for it whose backward fails."""
    x, y = _as_operand(x), _as_operand(y)
    if type(x) is not Tensor and type(y) is not Tensor:
        return x // y if type(x) in (int, float) and type(y) in (int, float) else apply(P.FLOOR_DIVIDE, x, y)
    return _elementwise(P.FLOOR_DIVIDE, x, y)


def reciprocal(x):
    return apply(P.RECIPROCAL, floating(x))


def neg(x):
    return apply(P.NEG, x)


def pow(x, y):
    if type(x) is Tensor and type(y) is not Tensor and not hasattr(y, "shape"):
        y = _as_operand(y)
        return apply(P.POW, floating(x) if type(y) is float else x, y)   # PowBackward0
    if type(x) is not Tensor and type(y) is Tensor and not hasattr(x, "shape"):
        return apply(P.RPOW, _as_operand(x), y)          # PowBackward2
    if type(x) is not Tensor and type(y) is not Tensor:
        if type(x) in (int, float) and type(y) in (int, float):
            if type(x) is int and type(y) is int and abs(x) > 1 and y * x.bit_length() > 64:
                fail(f"{x} ** {y} is too large for a 64-bit integer", "value")   # Python would try anyway
            return x ** y       # plain numbers stay weakly typed, as in PyTorch
        return xp.pow(x, y)
    return _elementwise(P.POW_T, x, y)                   # PowBackward1


def _unary(op, to_float=True):
    """An elementwise function of one tensor (integers enter float functions as the default float)."""
    def function(x):
        return apply(op, floating(x) if to_float else x)
    function.__name__ = function.__qualname__ = op.name.replace("Backward0", "").lower()
    return function


exp, log, sqrt = _unary(P.EXP), _unary(P.LOG), _unary(P.SQRT)
sin, cos, tan, tanh = _unary(P.SIN), _unary(P.COS), _unary(P.TAN), _unary(P.TANH)
sigmoid, relu, abs = _unary(P.SIGMOID), _unary(P.RELU, to_float=False), _unary(P.ABS, to_float=False)


def clamp(x, min=None, max=None):
    if min is None and max is None:
        fail("torch.clamp: At least one of 'min' or 'max' must not be None")
    for bound in (min, max):
        if type(bound) is Tensor:
            fail("clamp with tensor bounds is not supported by agcli; use maximum/minimum", "type")
    return apply(P.CLAMP, x, min=min, max=max)


def where(condition, x, y):
    c = data(condition)
    if getattr(c, "dtype", None) is not None and kind(c.dtype) != "b":
        fail(f"where expected condition to be a boolean tensor, but got a tensor with dtype {dtype_name(c.dtype)}",
             "type")
    try:
        return apply(P.WHERE, condition, x, y)
    except ValueError:
        broadcast_shapes(broadcast_shapes(shape_of(c), shape_of(x)), shape_of(y))
        raise


def masked_fill(x, mask, value):
    """x with `value` where mask holds (a number, or a 0-d tensor taken as one)."""
    m = data(mask)
    if getattr(m, "dtype", None) is None or dtype_name(m.dtype) != "bool":
        fail("masked_fill_ only supports boolean masks, but got mask with dtype "
             f"{torch_type_name(m.dtype).lower() if hasattr(m, 'dtype') else type(m).__name__}", "runtime")
    if type(value) is Tensor:
        if value.data.ndim:
            fail(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                 f"{value.data.ndim} dimension(s).")
        value = value.data
    try:
        return apply(P.MASKED_FILL, x, mask, value=value)
    except ValueError:
        broadcast_shapes(shape_of(x), shape_of(mask))
        raise


def maximum(x, y):
    return _elementwise(P.MAXIMUM, x, y)


def isclose(x, y, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|x - y| <= atol + rtol * |y| (an inf is close to itself only), as an array: NumPy's and PyTorch's test."""
    a, b = (B.asarray(v) if kind(B.asarray(v).dtype) == "f" else B.astype(B.asarray(v), "float64")
            for v in (data(x), data(y)))
    close = (xp.abs(a - b) <= atol + rtol * xp.abs(b)) & xp.isfinite(b) | (a == b)
    return close | (xp.isnan(a) & xp.isnan(b)) if equal_nan else close


def minimum(x, y):
    return _elementwise(P.MINIMUM, x, y)


# Comparisons: tensors of bools, no gradient (`x < y` and torch.lt alike).
def _comparison(op):
    def compare(x, y):
        return apply(op, _as_operand(x), _as_operand(y))
    return compare


lt, le, gt, ge, eq, ne = (_comparison(op) for op in (P.LT, P.LE, P.GT, P.GE, P.EQ, P.NE))
