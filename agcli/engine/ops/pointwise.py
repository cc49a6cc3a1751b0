"""Elementwise ops: arithmetic, functions of one value, clamp, where, maximum
and minimum, comparisons. Each entry: grad_fn name, kernel, one rule per
input, the rules in words; then the primitives rules are written with."""
from __future__ import annotations

from ..backend import asarray, astype, float_errors_ignored, kind, ones, xp
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
          lambda g, out, x, y, alpha=1: g if alpha == 1 else g * alpha),
         ("grad", "grad * alpha"), saves=False)
SUB = Op("SubBackward0", _sub,
         (lambda g, out, x, y, alpha=1: g,
          lambda g, out, x, y, alpha=1: -g if alpha == 1 else g * -alpha),
         ("grad", "-grad * alpha"), saves=False)
RSUB = Op("RsubBackward1", lambda x, s, alpha=1: s - (x if alpha == 1 else x * alpha),   # number - tensor
          (lambda g, out, x, s, alpha=1: -g if alpha == 1 else g * -alpha, None),
          ("-grad * alpha",), saves=False)
MUL = Op("MulBackward0", xp.multiply,
         (lambda g, out, x, y: g * y,
          lambda g, out, x, y: g * x),
         ("grad * other", "grad * self"), reads=((1,), (0,)))
DIV = Op("DivBackward0", xp.divide,
         (lambda g, out, x, y: g / y,
          lambda g, out, x, y: -g * x / (y * y)),
         ("grad / other", "-grad * self / (other * other)"), reads=((1,), (0, 1)))
DIV_SCALAR = Op("DivBackward1", xp.divide,                # tensor / number inside a composite op
                (lambda g, out, x, s: g / s, None),
                ("grad / other",), saves=False)
REMAINDER = Op("RemainderBackward0", xp.remainder,        # Python's %: the sign of the divisor
               (lambda g, out, x, y: g,
                lambda g, out, x, y: -g * floor_divide(x, y)),
               ("grad", "-grad * floor(self / other)"))
FLOOR_DIVIDE = Op("NotImplemented", xp.floor_divide,       # PyTorch's grad_fn name, as printed
                  (no_derivative("floor_divide"), no_derivative("floor_divide")), saves=False)
RECIPROCAL = Op("ReciprocalBackward0", xp.reciprocal,
                (lambda g, out, x: -g * out * out,),
                ("-grad * result * result",), saves_out=True, reads=((),))
NEG = Op("NegBackward0", xp.negative, (lambda g, out, x: -g,), ("-grad",), saves=False)


def _pow_scalar_grad(g, x, p):
    if p == 0:
        return g * 0.0
    return g * p * pow(x, p - 1)


def _masked_log_grad(g, out, base, y):
    """d(base**y)/dy = out * log(base), and 0 where base == 0 and y >= 0 (as PyTorch)."""
    if type(base) in (int, float):      # number ** tensor: the number's log in float64, as NumPy takes it
        base = asarray(float(base))
    zero = (data(base) == 0) & (data(y) >= 0)
    if not xp.any(zero):
        return g * out * log(base)
    return where(zero, 0.0, g * out * log(where(zero, 1.0, base)))


POW = Op("PowBackward0", xp.pow,                           # tensor ** number
         (lambda g, out, x, p: _pow_scalar_grad(g, x, p), None),
         ("grad * exponent * self ** (exponent - 1)",))
POW_T = Op("PowBackward1", xp.pow,                         # tensor ** tensor
           (lambda g, out, x, y: where(data(y) == 0, 0.0, g * y * pow(x, y - 1)),   # PyTorch masks y == 0
            lambda g, out, x, y: _masked_log_grad(g, out, x, y)),
           ("grad * exponent * self ** (exponent - 1)", "grad * result * log(self)"), saves_out=True)
RPOW = Op("PowBackward2", xp.pow,                          # number ** tensor
          (None, lambda g, out, s, y: _masked_log_grad(g, out, s, y)),
          (None, "grad * result * log(self)"), saves_out=True)

# ------------------------------------------------- functions of one value
EXP = Op("ExpBackward0", xp.exp, (lambda g, out, x: g * out,), ("grad * result",), saves_out=True, reads=((),))
LOG = Op("LogBackward0", xp.log, (lambda g, out, x: g / x,), ("grad / self",))
SQRT = Op("SqrtBackward0", xp.sqrt, (lambda g, out, x: g / (2 * out),), ("grad / (2 * result)",),
          saves_out=True, reads=((),))
SIN = Op("SinBackward0", xp.sin, (lambda g, out, x: g * cos(x),), ("grad * cos(self)",))
COS = Op("CosBackward0", xp.cos, (lambda g, out, x: g * -sin(x),), ("grad * -sin(self)",))
TAN = Op("TanBackward0", xp.tan, (lambda g, out, x: g * (1 + out * out),), ("grad * (1 + result²)",),
         saves_out=True, reads=((),))
TANH = Op("TanhBackward0", xp.tanh, (lambda g, out, x: g * (1 - out * out),), ("grad * (1 - result²)",),
          saves_out=True, reads=((),))
SIGMOID = Op("SigmoidBackward0", _sigmoid, (lambda g, out, x: g * out * (1 - out),),
             ("grad * result * (1 - result)",), saves_out=True, reads=((),))
# relu: nan passes the gradient, as threshold_backward's `self <= 0` test lets it
RELU = Op("ReluBackward0", lambda x: xp.maximum(x, 0),
          (lambda g, out, x: g * mask(~(data(x) <= 0), out),), ("grad * (self > 0)",))
ABS = Op("AbsBackward0", xp.abs, (lambda g, out, x: g * mask(xp.sign(data(x)), x),), ("grad * sign(self)",))


def within(x, lo, hi):
    """Where lo <= x <= hi (either bound may be None): clamp's gradient mask."""
    x = data(x)
    keep = ones(x.shape, dtype="bool")
    if lo is not None:
        keep = keep & (x >= lo)
    if hi is not None:
        keep = keep & (x <= hi)
    return keep


CLAMP = Op("ClampBackward1", lambda x, min=None, max=None: xp.clip(x, min, max),
           (lambda g, out, x, min=None, max=None: g * mask(within(x, min, max), x),),
           ("grad * (min <= self <= max)",))
WHERE = Op("WhereBackward0", xp.where,
           (None,
            lambda g, out, c, x, y: where(c, g, 0.0),
            lambda g, out, c, x, y: where(c, 0.0, g)),
           (None, "where(condition, grad, 0)", "where(condition, 0, grad)"))
MASKED_FILL = Op("MaskedFillBackward0", lambda x, m, value: xp.where(m, astype(asarray(value), x.dtype), x),
                 (lambda g, out, x, m, value: where(m, 0.0, g), None),
                 ("where(mask, 0, grad)",), reads=((1,), ()))


def _tie_split(g, x, y, keep):
    """maximum/minimum: the winner takes g, a tie splits it (PyTorch's rule)."""
    a, b = data(x), data(y)
    wins = (a > b) if keep == "greater" else (a < b)
    return g * (mask(wins, g) + mask(a == b, g) * 0.5)


MAXIMUM = Op("MaximumBackward0", xp.maximum,
             (lambda g, out, x, y: _tie_split(g, x, y, "greater"),
              lambda g, out, x, y: _tie_split(g, y, x, "greater")),
             ("grad * (self > other) + grad / 2 * (self == other)",
              "grad * (other > self) + grad / 2 * (self == other)"))
MINIMUM = Op("MinimumBackward0", xp.minimum,
             (lambda g, out, x, y: _tie_split(g, x, y, "less"),
              lambda g, out, x, y: _tie_split(g, y, x, "less")),
             ("grad * (self < other) + grad / 2 * (self == other)",
              "grad * (other < self) + grad / 2 * (self == other)"))

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
floor_divide = _binary(FLOOR_DIVIDE, xp.floor_divide)
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
