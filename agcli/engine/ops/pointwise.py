"""Elementwise ops: arithmetic, functions of one value, clamp, where, maximum
and minimum, comparisons. Each entry: grad_fn name, kernel, one rule per
input, the rules in words; then the primitives rules are written with."""
from __future__ import annotations

import math

from .. import cpu_kernels as K
from ..cpu_kernels import ONE, TWO, ZERO
from ..backend import asarray, astype, dtype_name, float_errors_ignored, kind, xp, zeros
from ..fma import fma, times_one_minus_square
from ..layouts import iterated, lay_out
from ..op import Op, no_derivative, no_forward_derivative
from ..tensor import Tensor, apply, data
from .layout import row_major_result


# ---------------------------------------------------------------- kernels
def _add(x, y, alpha=1):
    return xp.add(x, y) if alpha == 1 else _scaled_sum(x, y, alpha)


def _sub(x, y, alpha=1):
    return xp.subtract(x, y) if alpha == 1 else _scaled_sum(x, y, -alpha)


def _scaled_sum(x, y, alpha):
    """x + alpha * y as PyTorch's CPU kernel computes it: one FMA for floating-point operands of one dtype."""
    if hasattr(y, "dtype") and hasattr(x, "dtype") and y.dtype == x.dtype and kind(x.dtype) == "f":
        return fma(y, asarray(alpha, dtype=y.dtype), x)
    return xp.add(x, y * alpha)


def _sigmoid(x):
    """1 / (1 + e^-x), as PyTorch computes it: in float32, e^100 is inf and sigmoid(-100) is 0 (not
    float32's tiniest numbers), an overflow that raises no warning; float32's e^-x is glibc's expf
    (float64's rounded once) in PyTorch's scalar lines, Sleef's in its vectors (backend_vector_loop.py)."""
    one = ONE.get(x.dtype, 1)
    with float_errors_ignored():
        if x.dtype == K.FLOAT32:        # (its vectors' e^-x is Sleef's; imported here: start-up)
            from ..backend_vector_loop import sigmoid
            return sigmoid(x, lambda x: one / (one + K.exp(-x)))
        return one / (one + xp.exp(-x))


# ------------------------------------------------------------- arithmetic
ADD = Op("AddBackward0", _add,
         (lambda g, out, x, y, alpha=1: g,
          lambda g, out, x, y, alpha=1: g if alpha == 1 else mul_scalar(g, alpha)),
         ("grad", "grad * alpha"), saves=False,
         jvps=(lambda t, out, x, y, alpha=1: t,
               lambda t, out, x, y, alpha=1: t if alpha == 1 else mul_scalar(t, alpha)), order=(1, 0))
def _minus_alpha(g, out, x, y, alpha=1):
    """-g * alpha: the gradient (and tangent) of what is subtracted."""
    return -g if alpha == 1 else mul_scalar(-g, alpha)


SUB = Op("SubBackward0", _sub, (lambda g, out, x, y, alpha=1: g, _minus_alpha), ("grad", "-grad * alpha"), saves=False,
         jvps=(lambda t, out, x, y, alpha=1: t, _minus_alpha), order=(1, 0))
RSUB = Op("RsubBackward1", lambda x, s, alpha=1: s - (x if alpha == 1 else x * alpha),   # number - tensor
          (_minus_alpha, None), ("-grad * alpha",), saves=False, jvps=(_minus_alpha, None))
RSUB_TENSORS = Op("RsubBackward0", lambda x, y, alpha=1: _sub(y, x, alpha),      # torch.rsub(x, y): y - alpha * x
                  (_minus_alpha, lambda g, out, x, y, alpha=1: g), ("-grad * alpha", "grad"), saves=False,
                  jvps=(_minus_alpha, lambda t, out, x, y, alpha=1: t), order=(1, 0))
MUL = Op("MulBackward0", K.multiply,
         (lambda g, out, x, y: g * y,
          lambda g, out, x, y: g * x),
         ("grad * other", "grad * self"), reads=((1,), (0,)),
         jvps=(lambda t, out, x, y: t * y,           # other_t * self_p + self_t * other_p
               lambda t, out, x, y: t * x), broadcasts=True, order=(1, 0))
DIV = Op("DivBackward0", K.divide,
         (lambda g, out, x, y: g / y,
          lambda g, out, x, y: -g * ((x / y) / y)),
         ("grad / other", "-grad * ((self / other) / other)"), reads=((1,), (0, 1)),
         jvps=lambda ts, out, x, y: _div_tangent(*ts, out, y), broadcasts=True, order=(1, 0))
DIV_SCALAR = Op("DivBackward1", xp.divide,                # tensor / number inside a composite op
                (lambda g, out, x, s: div_scalar(g, s), None),
                ("grad / other",), saves=False, jvps=(lambda t, out, x, s: div_scalar(t, s), None))
# tensor * number and tensor + number inside PyTorch's own formulas (its Scalar overloads)
MUL_SCALAR = Op("MulBackward1", lambda x, s: x * s, (lambda g, out, x, s: mul_scalar(g, s), None),
                ("grad * other",), saves=False, jvps=(lambda t, out, x, s: mul_scalar(t, s), None))
ADD_SCALAR = Op("AddBackward1", lambda x, s: x + s, (lambda g, out, x, s: g, None), ("grad",), saves=False,
                jvps=(lambda t, out, x, s: t, None))
SUB_SCALAR = Op("SubBackward1", lambda x, s: x - s, (lambda g, out, x, s: g, None), ("grad",), saves=False,
                jvps=(lambda t, out, x, s: t, None))
def _remainder(x, y):
    """PyTorch's remainder: the sign of the divisor, as Python's %; but a zero keeps the
    dividend's sign, as C's fmod gives it (-1.25 % 0.125 is -0.0)."""
    r = xp.remainder(x, y)
    if getattr(r, "dtype", None) is None or kind(r.dtype) != "f":
        return r
    sign = x if getattr(x, "dtype", None) == r.dtype else astype(asarray(x), r.dtype)
    return xp.where(r == 0, xp.copysign(r, sign), r)


REMAINDER = Op("RemainderBackward0", _remainder,          # Python's %: the sign of the divisor; tensor % number
               (lambda g, out, x, y: g, None), ("grad",), saves=False, jvps=(lambda t, out, x, y: t, None))
RREMAINDER = Op("NotImplemented", _remainder,             # number % tensor: PyTorch cannot differentiate it
                (None, no_derivative("remainder")), saves=False, jvps=(None, no_forward_derivative("remainder")))
REMAINDER_T = Op("RemainderBackward1", _remainder,        # tensor % tensor
                 (lambda g, out, x, y: g,
                  lambda g, out, x, y: -g * div_floor(x, y)),
                 ("grad", "-grad * self.div(other, rounding_mode='floor')"),
                 jvps=(lambda t, out, x, y: t,      # self_t - other_t * self_p.div(other_p, 'floor')
                       lambda t, out, x, y: -(t * div_floor(x, y))), broadcasts=True, order=(1, 0))
FLOOR_DIVIDE = Op("NotImplemented", K.floor_divide,       # PyTorch's grad_fn name, as printed
                  (no_derivative("floor_divide"), no_derivative("floor_divide")), saves=False,
                  jvps=(no_forward_derivative("floor_divide"),) * 2)
# div(rounding_mode='floor') inside remainder's rule: its own gradient is zero, as PyTorch's
DIV_FLOOR = Op("DivBackward2", K.floor_divide,
               (lambda g, out, x, y: zeros_like(g), lambda g, out, x, y: zeros_like(g)), ("0", "0"), saves=False,
               jvps=(lambda t, out, x, y: zeros_like(t),) * 2)
RECIPROCAL = Op("ReciprocalBackward0", xp.reciprocal,
                (lambda g, out, x: -g * (out * out),),
                ("-grad * (result * result)",), saves_out=True, reads=((),),
                jvps=(lambda t, out, x: -t * (out * out),))
NEG = Op("NegBackward0", xp.negative, (lambda g, out, x: -g,), ("-grad",), saves=False,
         jvps=(lambda t, out, x: -t,))


def _pow_scalar_grad(g, x, p):
    """pow_backward: grad * (exponent * self ** (exponent - 1)); zeros for exponent 0."""
    if p == 0:
        return zeros_like(g)
    if p == 2 and type(x) is not Tensor:    # x ** 1 is x, bit for bit (PyTorch's pow copies it): no power taken
        return g * (x * TWO.get(x.dtype, 2))
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
    if type(g) is Tensor:           # recorded as PyTorch's (log(0) is -inf; differentiated again, nan)
        with float_errors_ignored():
            return g * where(zero, 0.0, out * log(base))
    if not xp.any(zero):
        return g * (out * log(base))
    return g * where(zero, 0.0, out * log(where(zero, 1.0, base)))     # (no log(0) warning on the way)


POW = Op("PowBackward0", K.power_by_number,               # tensor ** number
         (lambda g, out, x, p: _pow_scalar_grad(g, x, p), None),
         ("grad * (exponent * self ** (exponent - 1))",),
         jvps=(lambda t, out, x, p: _pow_scalar_grad(t, x, p), None))
POW_T = Op("PowBackward1", K.power,                        # tensor ** tensor
           (lambda g, out, x, y: where(data(y) == 0, 0.0, g * (y * pow(x, sub_scalar(y, 1)))),   # y == 0 masked
            lambda g, out, x, y: _masked_log_grad(g, out, x, y)),
           ("where(exponent == 0, 0, grad * (exponent * self ** (exponent - 1)))",
            "grad * where(self == 0 & exponent >= 0, 0, result * log(self))"), saves_out=True,
           jvps=(lambda t, out, x, y: where(data(y) == 0, 0.0, t * (y * pow(x, sub_scalar(y, 1)))),
                 lambda t, out, x, y: _masked_log_grad(t, out, x, y)), broadcasts=True, order=(1, 0))
RPOW = Op("PowBackward2", K.power_of_number,                         # number ** tensor
          (None, lambda g, out, s, y: _masked_log_grad(g, out, s, y)),
          (None, "grad * (result * log(self))"), saves_out=True,
          jvps=(None, lambda t, out, s, y: _masked_log_grad(t, out, s, y)))

# ------------------------------------------------- functions of one value
# (auto_element_wise in derivatives.yaml: the tangent goes through the VJP's formula in grad's place)
EXP = Op("ExpBackward0", K.VML["exp"], (lambda g, out, x: g * out,), ("grad * result",), saves_out=True, reads=((),),
         jvps=(lambda t, out, x: t * out,))
LOG = Op("LogBackward0", K.VML["log"], (lambda g, out, x: g / x,), ("grad / self",), jvps=(lambda t, out, x: t / x,))
LOG1P = Op("Log1PBackward0", K.log1p, (lambda g, out, x: g / add_scalar(x, 1),), ("grad / (self + 1)",),
           jvps=(lambda t, out, x: t / add_scalar(x, 1),))
SQRT = Op("SqrtBackward0", K.sqrt, (lambda g, out, x: g / mul_scalar(out, 2),), ("grad / (2 * result)",),
          saves_out=True, reads=((),), jvps=(lambda t, out, x: t / mul_scalar(out, 2),))
SIN = Op("SinBackward0", K.VML["sin"], (lambda g, out, x: g * cos(x),), ("grad * cos(self)",),
         jvps=(lambda t, out, x: t * cos(x),))
COS = Op("CosBackward0", K.VML["cos"], (lambda g, out, x: g * -sin(x),), ("grad * -sin(self)",),
         jvps=(lambda t, out, x: t * -sin(x),))
TAN = Op("TanBackward0", K.VML["tan"], (lambda g, out, x: g * add_scalar(pow(out, 2), 1),), ("grad * (1 + result²)",),
         saves_out=True, reads=((),), jvps=(lambda t, out, x: t * add_scalar(pow(out, 2), 1),))
# tanh, sigmoid and relu call PyTorch's own backward ops (below), so a gradient
# taken with create_graph records TanhBackwardBackward0, ... as PyTorch's does
TANH = Op("TanhBackward0", K.VML["tanh"], (lambda g, out, x: tanh_backward(g, out),), ("grad * (1 - result²)",),
          saves_out=True, reads=((),), jvps=(lambda t, out, x: tanh_backward(t, out),))
SIGMOID = Op("SigmoidBackward0", K.halves_in_float(_sigmoid), (lambda g, out, x: sigmoid_backward(g, out),),
             ("grad * result * (1 - result)",), saves_out=True, reads=((),),
             jvps=(lambda t, out, x: sigmoid_backward(t, out),))
# relu saves its result, as PyTorch's does; nan passes the gradient (threshold_backward's `<= 0` test)
RELU = Op("ReluBackward0", K.relu,
          (lambda g, out, x: threshold_backward(g, out, 0),), ("where(result <= 0, 0, grad)",),
          saves_out=True, reads=((),), jvps=(lambda t, out, x: threshold_backward(t, out, 0),))
ABS = Op("AbsBackward0", xp.abs, (lambda g, out, x: g * sgn(x),), ("grad * self.sgn()",),
         jvps=(lambda t, out, x: t * sgn(x),))
SGN = Op("SgnBackward0", K.sign_of, (lambda g, out, x: zeros_like(g),), ("0 (away from 0; PyTorch masks 0)",),
         saves=False, jvps=(lambda t, out, x: zeros_like(t),))


# ----------------------------------------- PyTorch's own backward ops
# What the rules above call: on raw arrays they compute directly, on tensors
# they record under PyTorch's names, with their own rules (a third derivative).
def _tanh_backward(g, y):
    """PyTorch's kernel: a * (1 - b * b), the compiler contracting 1 - b * b to one FMA."""
    name = "float64" if y.dtype is K.FLOAT64 else dtype_name(y.dtype)     # (the common dtype without its name)
    if name == "float32":   # 1 - y * y in float64, rounded once: the FMA's bits for every float32 y (all tried)
        wide = astype(y, "float64")
        return g * astype(1.0 - wide * wide, "float32")
    if name == "float64":
        return times_one_minus_square(g, y)
    one = ONE.get(y.dtype)
    return g * fma(-y, y, asarray(1.0, dtype=y.dtype) if one is None else one)


def _sigmoid_backward(g, y):
    return g * (ONE.get(y.dtype, 1) - y) * y      # (PyTorch's kernel's order: a * (1 - b) * b)


def _threshold_backward(g, x, threshold):
    if threshold == 0:      # (relu's)
        zero = ZERO.get(x.dtype, 0)
        return xp.where(x <= zero, ZERO.get(g.dtype, 0.0), g)
    return xp.where(x <= threshold, 0.0, g)


TANH_BACKWARD = Op("TanhBackwardBackward0", _tanh_backward,
                   (lambda gg, out, g, y: tanh_backward(gg, y),
                    lambda gg, out, g, y: gg * (mul_scalar(y, -2) * g)),
                   ("tanh_backward(grad, output)", "grad * (-2 * output * grad_output)"),
                   jvps=(lambda t, out, g, y: tanh_backward(t, y),
                         lambda t, out, g, y: t * (mul_scalar(y, -2) * g)), broadcasts=True)
SIGMOID_BACKWARD = Op("SigmoidBackwardBackward0", _sigmoid_backward,
                      (lambda gg, out, g, y: sigmoid_backward(gg, y),
                       lambda gg, out, g, y: gg * g * add_scalar(mul_scalar(y, -2), 1)),
                      ("sigmoid_backward(grad, output)", "grad * grad_output * (-2 * output + 1)"),
                      jvps=(lambda t, out, g, y: sigmoid_backward(t, y),
                            lambda t, out, g, y: t * g * add_scalar(mul_scalar(y, -2), 1)), broadcasts=True)
THRESHOLD_BACKWARD = Op("ThresholdBackwardBackward0", _threshold_backward,
                        (lambda gg, out, g, x, threshold: threshold_backward(gg, x, threshold),
                         lambda gg, out, g, x, threshold: zeros_like(gg)),
                        ("threshold_backward(grad, self, threshold)", "zeros_like(grad)"), reads=((1,), ()),
                        jvps=(lambda t, out, g, x, threshold: threshold_backward(t, x, threshold),
                              lambda t, out, g, x, threshold: zeros_like(t)), broadcasts=True)


def _condition(c):      # where's condition as bools again (apply's promoting cast makes it 0 and 1)
    return c if type(c) is Tensor or kind(c.dtype) == "b" else c != 0


WHERE = Op("WhereBackward0", lambda c, x, y: xp.where(_condition(c), x, y),
           (None, lambda g, out, c, x, y: where(_condition(c), g, 0.0),
            lambda g, out, c, x, y: where(_condition(c), 0.0, g)),
           (None, "where(condition, grad, 0)", "where(condition, 0, grad)"), reads=((), (0,), (0,)),
           jvps=lambda ts, out, c, x, y: where(_condition(c), or_zero(ts[1]), or_zero(ts[2])), broadcasts=True,
           order=(2, 1))
MASKED_FILL = Op("MaskedFillBackward0",
                 row_major_result(lambda x, m, value: xp.where(m, astype(asarray(value), x.dtype), x)),
                 (lambda g, out, x, m, value: masked_fill(g, m, 0), None), ("grad.masked_fill(mask, 0)",),
                 reads=((1,), ()), jvps=(lambda t, out, x, m, value: masked_fill(t, m, 0), None), broadcasts=True)


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
    if type(y) in (int, float) and hasattr(x, "dtype"):    # (as the forward: x ** -0.5 of -0.0 is -inf)
        return K.power_by_number(x, y)
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


def or_zero(t):
    """A tangent, or 0 for an input without one (PyTorch's zero tensor) in a rule for all inputs."""
    return 0.0 if t is None else t


def _div_tangent(tx, ty, out, y):
    """(self_t - other_t * result) / other_p, a missing tangent's terms left out."""
    if ty is None:
        return tx / y
    return (-(ty * out) if tx is None else tx - ty * out) / y


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


# Python's operators on tensors are the primitives, so rules read as math
# (`g * y`). The language never reaches them: it calls the PyTorch functions,
# which check their arguments and promote dtypes first.
Tensor.__add__, Tensor.__radd__ = add, lambda x, y: add(y, x)
Tensor.__sub__, Tensor.__rsub__ = sub, lambda x, y: sub(y, x)
Tensor.__mul__, Tensor.__rmul__ = mul, lambda x, y: mul(y, x)
Tensor.__truediv__, Tensor.__rtruediv__ = div, lambda x, y: div(y, x)
Tensor.__pow__, Tensor.__rpow__ = pow, lambda x, y: pow(y, x)
Tensor.__neg__ = neg
for _name, _op in (("lt", LT), ("le", LE), ("gt", GT), ("ge", GE)):
    setattr(Tensor, f"__{_name}__", _binary(_op, _op.forward))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, LOOP, declare, declare_rest  # noqa: E402  (after the entries)

declare(ELEMENTWISE, ADD, SUB, RSUB, RSUB_TENSORS, MUL, DIV, DIV_SCALAR, MUL_SCALAR, ADD_SCALAR, SUB_SCALAR, RECIPROCAL, NEG,
        POW, POW_T, RPOW, EXP, LOG, LOG1P, SQRT, SIN, COS, TAN, TANH, SIGMOID, RELU, ABS, SGN, TANH_BACKWARD,
        SIGMOID_BACKWARD, THRESHOLD_BACKWARD, WHERE, MASKED_FILL, LT, LE, GT, GE, EQ, NE)
declare_rest(globals(), LOOP)       # remainder and floor division (their kernels look at dtypes)

# TensorIterator lays their results out as their inputs (engine/layouts.py); masked_fill's is row-major
lay_out(iterated, *(op for op in list(globals().values()) if type(op) is Op and op is not MASKED_FILL))
