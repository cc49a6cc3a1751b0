"""Elementwise ops: arithmetic, functions of one value, clamp, where, maximum
and minimum, comparisons. Each entry: grad_fn name, kernel, one rule per
input, the rules in words; then the primitives rules are written with."""
from __future__ import annotations

import math

from ..backend import asarray, astype, float_errors_ignored, kind, ones, xp, zeros
from ..op import Op, no_derivative
from ..tensor import Tensor, apply, data


# ---------------------------------------------------------------- kernels
def _add(x, y, alpha=1):
    return xp.add(x, y if alpha == 1 else y * alpha)


def _sub(x, y, alpha=1):
    return xp.subtract(x, y if alpha == 1 else y * alpha)


def _sigmoid(x):
    """1 / (1 + e^-x), as PyTorch computes it: in float32, e^100 is inf and
    sigmoid(-100) is 0 (not float32's tiniest numbers); that overflow is no
    trouble of the result's, so it raises no warning."""
    with float_errors_ignored():
        return 1 / (1 + xp.exp(-x))


# ------------------------------------------------------------- arithmetic
ADD = Op("AddBackward0", _add,
         (lambda g, out, x, y, alpha=1: g,
          lambda g, out, x, y, alpha=1: g if alpha == 1 else mul_scalar(g, alpha)),
         ("grad", "grad * alpha"), saves=False)
SUB = Op("SubBackward0", _sub,
         (lambda g, out, x, y, alpha=1: g,
          lambda g, out, x, y, alpha=1: -g if alpha == 1 else mul_scalar(-g, alpha)),
         ("grad", "-grad * alpha"), saves=False)
RSUB = Op("RsubBackward1", lambda x, s, alpha=1: s - (x if alpha == 1 else x * alpha),   # number - tensor
          (lambda g, out, x, s, alpha=1: -g if alpha == 1 else mul_scalar(-g, alpha), None),
          ("-grad * alpha",), saves=False)
MUL = Op("MulBackward0", xp.multiply,
         (lambda g, out, x, y: g * y,
          lambda g, out, x, y: g * x),
         ("grad * other", "grad * self"), reads=((1,), (0,)))
DIV = Op("DivBackward0", xp.divide,
         (lambda g, out, x, y: g / y,
          lambda g, out, x, y: -g * ((x / y) / y)),
         ("grad / other", "-grad * ((self / other) / other)"), reads=((1,), (0, 1)))
DIV_SCALAR = Op("DivBackward1", xp.divide,                # tensor / number inside a composite op
                (lambda g, out, x, s: div_scalar(g, s), None),
                ("grad / other",), saves=False)
# tensor * number and tensor + number inside PyTorch's own formulas (its Scalar overloads)
MUL_SCALAR = Op("MulBackward1", lambda x, s: x * s, (lambda g, out, x, s: mul_scalar(g, s), None),
                ("grad * other",), saves=False)
ADD_SCALAR = Op("AddBackward1", lambda x, s: x + s, (lambda g, out, x, s: g, None), ("grad",), saves=False)
SUB_SCALAR = Op("SubBackward1", lambda x, s: x - s, (lambda g, out, x, s: g, None), ("grad",), saves=False)
def _remainder(x, y):
    """PyTorch's remainder: the sign of the divisor, as Python's %; but a zero keeps the
    dividend's sign, as C's fmod gives it (-1.25 % 0.125 is -0.0)."""
    r = xp.remainder(x, y)
    if getattr(r, "dtype", None) is None or kind(r.dtype) != "f":
        return r
    sign = x if getattr(x, "dtype", None) == r.dtype else astype(asarray(x), r.dtype)
    return xp.where(r == 0, xp.copysign(r, sign), r)


REMAINDER = Op("RemainderBackward0", _remainder,          # Python's %: the sign of the divisor; tensor % number
               (lambda g, out, x, y: g, None), ("grad",), saves=False)
RREMAINDER = Op("NotImplemented", _remainder,             # number % tensor: PyTorch cannot differentiate it
                (None, no_derivative("remainder")), saves=False)
REMAINDER_T = Op("RemainderBackward1", _remainder,        # tensor % tensor
                 (lambda g, out, x, y: g,
                  lambda g, out, x, y: -g * div_floor(x, y)),
                 ("grad", "-grad * self.div(other, rounding_mode='floor')"))
FLOOR_DIVIDE = Op("NotImplemented", xp.floor_divide,       # PyTorch's grad_fn name, as printed
                  (no_derivative("floor_divide"), no_derivative("floor_divide")), saves=False)
# div(rounding_mode='floor') inside remainder's rule: its own gradient is zero, as PyTorch's
DIV_FLOOR = Op("DivBackward2", xp.floor_divide,
               (lambda g, out, x, y: zeros_like(g), lambda g, out, x, y: zeros_like(g)), ("0", "0"), saves=False)
RECIPROCAL = Op("ReciprocalBackward0", xp.reciprocal,
                (lambda g, out, x: -g * (out * out),),
                ("-grad * (result * result)",), saves_out=True, reads=((),))
NEG = Op("NegBackward0", xp.negative, (lambda g, out, x: -g,), ("-grad",), saves=False)


def _pow_scalar_grad(g, x, p):
    """pow_backward: grad * (exponent * self ** (exponent - 1)); zeros for exponent 0."""
    if p == 0:
        return zeros_like(g)
    return g * mul_scalar(pow(x, p - 1), p)


def _number_log(s):
    """The log of a Python number, as PyTorch takes a Scalar's (nan below 0, no error)."""
    return math.log(s) if s > 0 else -math.inf if s == 0 else math.nan


def _masked_log_grad(g, out, base, y):
    """pow_backward_exponent: grad * where(base == 0 & exponent >= 0, 0, result * log(base))."""
    if type(base) in (int, float):      # number ** tensor: result * log(number), a Scalar product
        if base == 0:
            return g * where(data(y) >= 0, 0.0, mul_scalar(out, -math.inf))
        return g * mul_scalar(out, _number_log(base))
    zero = (data(base) == 0) & (data(y) >= 0)
    if not xp.any(zero):
        return g * (where(zero, 0.0, out * log(base)) if type(g) is Tensor else out * log(base))
    return g * where(zero, 0.0, out * log(where(zero, 1.0, base)))


POW = Op("PowBackward0", xp.pow,                           # tensor ** number
         (lambda g, out, x, p: _pow_scalar_grad(g, x, p), None),
         ("grad * (exponent * self ** (exponent - 1))",))
def _pow(x, y):
    """xp.pow; but integers to negative integer powers as PyTorch gives them (1, -1 or 0),
    where NumPy refuses them."""
    if kind(x.dtype) in "iu" and kind(y.dtype) in "iu" and bool(xp.any(y < 0)):
        sign = 1 - 2 * astype(xp.remainder(y, 2) != 0, x.dtype)        # (-1) ** y
        tiny = xp.where(x == 1, 1, xp.where(x == -1, sign, 0))
        return xp.where(y < 0, astype(tiny, x.dtype), xp.pow(x, xp.where(y < 0, 0, y)))
    return xp.pow(x, y)


POW_T = Op("PowBackward1", _pow,                           # tensor ** tensor
           (lambda g, out, x, y: where(data(y) == 0, 0.0, g * (y * pow(x, sub_scalar(y, 1)))),   # y == 0 masked
            lambda g, out, x, y: _masked_log_grad(g, out, x, y)),
           ("where(exponent == 0, 0, grad * (exponent * self ** (exponent - 1)))",
            "grad * where(self == 0 & exponent >= 0, 0, result * log(self))"), saves_out=True)
RPOW = Op("PowBackward2", xp.pow,                          # number ** tensor
          (None, lambda g, out, s, y: _masked_log_grad(g, out, s, y)),
          (None, "grad * (result * log(self))"), saves_out=True)

# ------------------------------------------------- functions of one value
EXP = Op("ExpBackward0", xp.exp, (lambda g, out, x: g * out,), ("grad * result",), saves_out=True, reads=((),))
LOG = Op("LogBackward0", xp.log, (lambda g, out, x: g / x,), ("grad / self",))
LOG1P = Op("Log1PBackward0", xp.log1p, (lambda g, out, x: g / (x + 1),), ("grad / (self + 1)",))
SQRT = Op("SqrtBackward0", xp.sqrt, (lambda g, out, x: g / mul_scalar(out, 2),), ("grad / (2 * result)",),
          saves_out=True, reads=((),))
SIN = Op("SinBackward0", xp.sin, (lambda g, out, x: g * cos(x),), ("grad * cos(self)",))
COS = Op("CosBackward0", xp.cos, (lambda g, out, x: g * -sin(x),), ("grad * -sin(self)",))
TAN = Op("TanBackward0", xp.tan, (lambda g, out, x: g * add_scalar(pow(out, 2), 1),), ("grad * (1 + result²)",),
         saves_out=True, reads=((),))
# tanh, sigmoid and relu call PyTorch's own backward ops (below), so a gradient
# taken with create_graph records TanhBackwardBackward0, ... as PyTorch's does
TANH = Op("TanhBackward0", xp.tanh, (lambda g, out, x: tanh_backward(g, out),), ("grad * (1 - result²)",),
          saves_out=True, reads=((),))
SIGMOID = Op("SigmoidBackward0", _sigmoid, (lambda g, out, x: sigmoid_backward(g, out),),
             ("grad * result * (1 - result)",), saves_out=True, reads=((),))
# relu saves its result, as PyTorch's does; nan passes the gradient (threshold_backward's `<= 0` test)
RELU = Op("ReluBackward0", lambda x: xp.maximum(x, 0),
          (lambda g, out, x: threshold_backward(g, out, 0),), ("where(result <= 0, 0, grad)",),
          saves_out=True, reads=((),))
ABS = Op("AbsBackward0", xp.abs, (lambda g, out, x: g * sgn(x),), ("grad * self.sgn()",))
SGN = Op("SgnBackward0", xp.sign, (lambda g, out, x: zeros_like(g),), ("0 (away from 0; PyTorch masks 0)",),
         saves=False)


# ----------------------------------------- PyTorch's own backward ops
# What the rules above call: on raw arrays they compute directly, on tensors
# they record under PyTorch's names, with their own rules (a third derivative).
def _tanh_backward(g, y):
    return g * (1 - y * y)


def _sigmoid_backward(g, y):
    return g * y * (1 - y)


def _threshold_backward(g, x, threshold):
    return xp.where(x <= threshold, 0.0, g)


TANH_BACKWARD = Op("TanhBackwardBackward0", _tanh_backward,
                   (lambda gg, out, g, y: tanh_backward(gg, y),
                    lambda gg, out, g, y: gg * (mul_scalar(y, -2) * g)),
                   ("tanh_backward(grad, output)", "grad * (-2 * output * grad_output)"))
SIGMOID_BACKWARD = Op("SigmoidBackwardBackward0", _sigmoid_backward,
                      (lambda gg, out, g, y: sigmoid_backward(gg, y),
                       lambda gg, out, g, y: gg * g * add_scalar(mul_scalar(y, -2), 1)),
                      ("sigmoid_backward(grad, output)", "grad * grad_output * (-2 * output + 1)"))
THRESHOLD_BACKWARD = Op("ThresholdBackwardBackward0", _threshold_backward,
                        (lambda gg, out, g, x, threshold: threshold_backward(gg, x, threshold),
                         lambda gg, out, g, x, threshold: zeros_like(gg)),
                        ("threshold_backward(grad, self, threshold)", "zeros_like(grad)"), reads=((1,), ()))


def within(x, lo, hi):
    """Where lo <= x <= hi (either bound may be None): clamp's gradient mask."""
    x = data(x)
    keep = ones(x.shape, dtype="bool")
    if lo is not None:
        keep = keep & (x >= lo)
    if hi is not None:
        keep = keep & (x <= hi)
    return keep


def _clamp(x, min=None, max=None):
    """min(max(x, min), max), as PyTorch computes it: a min above the max gives the max, nan
    stays nan (the array API's clip may refuse a min above the max)."""
    out = x if min is None else xp.maximum(x, min)
    return out if max is None else xp.minimum(out, max)


CLAMP = Op("ClampBackward1", _clamp,
           (lambda g, out, x, min=None, max=None: where(within(x, min, max), g, 0.0),),
           ("where(min <= self <= max, grad, 0)",))
CLAMP_MIN = Op("ClampMinBackward0", lambda x, min: _clamp(x, min),        # x.clamp_min(min)
               (lambda g, out, x, min: where(within(x, min, None), g, 0.0),), ("where(self >= min, grad, 0)",))
CLAMP_MAX = Op("ClampMaxBackward0", lambda x, max: _clamp(x, max=max),        # x.clamp_max(max)
               (lambda g, out, x, max: where(within(x, None, max), g, 0.0),), ("where(self <= max, grad, 0)",))
# Tensor bounds (clamp.Tensor, clamp_min.Tensor, clamp_max.Tensor; broadcast, nan propagates):
# a bound's gradient is grad where it is the result; a min above the max has none.
_CLAMP_MIN_RULES = ((lambda g, out, x, lo: where(data(x) >= data(lo), g, 0.0),
                     lambda g, out, x, lo: where(data(x) < data(lo), g, 0.0)),
                    ("where(self >= min, grad, 0)", "where(self < min, grad, 0)"))
_CLAMP_MAX_RULES = ((lambda g, out, x, hi: where(data(x) <= data(hi), g, 0.0),
                     lambda g, out, x, hi: where(data(x) > data(hi), g, 0.0)),
                    ("where(self <= max, grad, 0)", "where(self > max, grad, 0)"))
CLAMP_T_MIN = Op("ClampBackward0", xp.maximum, *_CLAMP_MIN_RULES)                 # clamp(x, min=t)
CLAMP_T_MAX = Op("ClampBackward0", xp.minimum, *_CLAMP_MAX_RULES)                 # clamp(x, max=t)
CLAMP_MIN_T = Op("ClampMinBackward1", xp.maximum, *_CLAMP_MIN_RULES)              # x.clamp_min(t)
CLAMP_MAX_T = Op("ClampMaxBackward1", xp.minimum, *_CLAMP_MAX_RULES)              # x.clamp_max(t)
CLAMP_T = Op("ClampBackward0", lambda x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),  # clamp(x, t, u)
             (lambda g, out, x, lo, hi: where((data(x) >= data(lo)) & (data(x) <= data(hi)), g, 0.0),
              lambda g, out, x, lo, hi: where((data(x) < data(lo)) & (data(lo) < data(hi)), g, 0.0),
              lambda g, out, x, lo, hi: where((data(x) > data(hi)) | (data(hi) < data(lo)), g, 0.0)),
             ("where(min <= self <= max, grad, 0)", "where(self < min and min < max, grad, 0)",
              "where(self > max or max < min, grad, 0)"))
WHERE = Op("WhereBackward0", xp.where,
           (None,
            lambda g, out, c, x, y: where(c, g, 0.0),
            lambda g, out, c, x, y: where(c, 0.0, g)),
           (None, "where(condition, grad, 0)", "where(condition, 0, grad)"))
MASKED_FILL = Op("MaskedFillBackward0", lambda x, m, value: xp.where(m, astype(asarray(value), x.dtype), x),
                 (lambda g, out, x, m, value: masked_fill(g, m, 0), None),
                 ("grad.masked_fill(mask, 0)",), reads=((1,), ()))


def _tie_split(g, x, y, keep):
    """maximum/minimum: the winner takes g, a tie splits it (PyTorch's rule, nan included)."""
    a, b = data(x), data(y)
    loses = (a < b) if keep == "greater" else (a > b)
    return masked_fill(where(a == b, div_scalar(g, 2), g), loses, 0)


MAXIMUM = Op("MaximumBackward0", xp.maximum,
             (lambda g, out, x, y: _tie_split(g, x, y, "greater"),
              lambda g, out, x, y: _tie_split(g, y, x, "greater")),
             ("where(self == other, grad / 2, grad).masked_fill(self < other, 0)",
              "where(self == other, grad / 2, grad).masked_fill(self > other, 0)"))
MINIMUM = Op("MinimumBackward0", xp.minimum,
             (lambda g, out, x, y: _tie_split(g, x, y, "less"),
              lambda g, out, x, y: _tie_split(g, y, x, "less")),
             ("where(self == other, grad / 2, grad).masked_fill(self > other, 0)",
              "where(self == other, grad / 2, grad).masked_fill(self < other, 0)"))

# ------------------------------------------------------ no gradient at all
LT, LE = Op("", xp.less, None), Op("", xp.less_equal, None)
GT, GE = Op("", xp.greater, None), Op("", xp.greater_equal, None)
EQ, NE = Op("", xp.equal, None), Op("", xp.not_equal, None)


# ------------------------------------------------------------- primitives
# Unchecked, as rules need them: raw arrays go straight to the kernel (no
# graph is wanted), tensors are recorded (create_graph wants one).
def mask(m, like):
    """A 0/1 array (no gradient) in the dtype of `like` when that is a float."""
    m = data(m)
    dtype = getattr(data(like), "dtype", None)
    return astype(m, dtype) if dtype is not None and kind(dtype) == "f" else m


def _binary(op, kernel):
    def primitive(x, y):
        if type(x) is Tensor or type(y) is Tensor:
            return apply(op, x, y)
        return kernel(x, y)
    return primitive


def _unary(op):
    kernel = op.forward

    def primitive(x):
        return apply(op, x) if type(x) is Tensor else kernel(x)
    return primitive


add, mul = _binary(ADD, xp.add), _binary(MUL, xp.multiply)
neg, exp, log, sin, cos, sigmoid = _unary(NEG), _unary(EXP), _unary(LOG), _unary(SIN), _unary(COS), \
    _unary(SIGMOID)


def sub(x, y):
    if type(y) is Tensor and type(x) is not Tensor:
        return apply(RSUB, y, x)                     # 1 - t records RsubBackward1, as PyTorch
    return apply(SUB, x, y) if type(x) is Tensor else xp.subtract(x, y)


def div(x, y):
    if type(y) is Tensor:
        if type(x) is not Tensor:                    # 2 / t: reciprocal, then mul, as PyTorch
            return apply(MUL, apply(RECIPROCAL, y), x)
        return apply(DIV, x, y)
    return apply(DIV, x, y) if type(x) is Tensor else xp.divide(x, y)


def pow(x, y):
    if type(x) is Tensor:
        return apply(POW_T if type(y) is Tensor else POW, x, y)
    if type(y) is Tensor:
        return apply(RPOW, x, y)
    return xp.pow(x, y)


def where(c, x, y):
    if type(x) is Tensor or type(y) is Tensor:
        return apply(WHERE, c, x, y)
    return xp.where(data(c), x, y)


def masked_fill(x, m, value):
    return apply(MASKED_FILL, x, m, value=value) if type(x) is Tensor else xp.where(data(m), value, x)


def _scalar(op):
    """tensor <op> number as PyTorch's formulas write it (its Scalar overload: MulBackward1, ...)."""
    kernel = op.forward

    def primitive(x, s):
        return apply(op, x, s) if type(x) is Tensor else kernel(x, s)
    return primitive


mul_scalar, add_scalar, sub_scalar = _scalar(MUL_SCALAR), _scalar(ADD_SCALAR), _scalar(SUB_SCALAR)
div_scalar, div_floor, sgn = _scalar(DIV_SCALAR), _binary(DIV_FLOOR, xp.floor_divide), _unary(SGN)


def zeros_like(g):
    """A zero gradient (no graph): PyTorch's zeros_like(grad) in a rule; a tensor
    among tensors (create_graph), so it adds to the others' gradients."""
    z = zeros(data(g).shape, dtype=data(g).dtype)
    return Tensor(z, device=g.device) if type(g) is Tensor else z


def tanh_backward(g, y):
    return apply(TANH_BACKWARD, g, y) if type(g) is Tensor or type(y) is Tensor else _tanh_backward(g, y)


def sigmoid_backward(g, y):
    return apply(SIGMOID_BACKWARD, g, y) if type(g) is Tensor or type(y) is Tensor else _sigmoid_backward(g, y)


def threshold_backward(g, x, threshold):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(THRESHOLD_BACKWARD, g, x, threshold=threshold)
    return _threshold_backward(g, x, threshold)


def _reflected(fn):
    return lambda x, y: fn(y, x)


# Python's operators on tensors are the primitives, so rules read as math
# (`g * y`). The language never reaches them: it calls the PyTorch functions,
# which check their arguments and promote dtypes first.
Tensor.__add__, Tensor.__radd__ = add, _reflected(add)
Tensor.__sub__, Tensor.__rsub__ = sub, _reflected(sub)
Tensor.__mul__, Tensor.__rmul__ = mul, _reflected(mul)
Tensor.__truediv__, Tensor.__rtruediv__ = div, _reflected(div)
Tensor.__pow__, Tensor.__rpow__ = pow, _reflected(pow)
Tensor.__neg__ = neg
for _name, _op in (("lt", LT), ("le", LE), ("gt", GT), ("ge", GE)):
    setattr(Tensor, f"__{_name}__", _binary(_op, _op.forward))
