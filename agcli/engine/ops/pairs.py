"""Elementwise functions of two or three tensors: atan2, hypot, logaddexp, xlogy, copysign, lerp,
addcmul, addcdiv.
Their rules are derivatives.yaml's formulas, written with the primitives so that with
create_graph they record PyTorch's nodes; float32 values of the transcendental ones are
float64's rounded once (as the functions of one value: engine/cpu_kernels.py).
Each entry: grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ..backend import asarray, astype, dtype, float_errors_ignored, xp
from ..fma import fma
from .. import cpu_kernels as K
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, apply, data
from .elementary import one_minus, primitive
from .shapes import lined_up
from .pointwise import (DIV, RECIPROCAL, add, add_scalar, div, exp, masked_fill, mul, mul_scalar, neg, sub,
                        zeros_like)

_FLOAT32 = dtype("float32")


def _in_double(fn):
    """fn(x, y) of float32 operands computed in float64 and rounded once."""
    def kernel(x, y, *args):
        if getattr(x, "dtype", None) == _FLOAT32:
            wide = fn(astype(x, "float64"), astype(asarray(y), "float64") if hasattr(y, "dtype") else y, *args)
            return astype(wide, "float32")
        return fn(x, y, *args)
    return kernel


def _logaddexp(x, y):
    """max(x, y) + log1p(exp(-|x - y|)), x where both are the same infinity (PyTorch's kernel)."""
    with float_errors_ignored():
        m = xp.maximum(x, y)
        value = m + xp.log1p(xp.exp(-xp.abs(x - y)))
        return xp.where(xp.isinf(x) & (x == y), x, value)


def _xlogy(x, y):
    """x * log(y), 0 where x is 0, nan where y is (PyTorch's kernel: log(y) in the operands'
    dtype, float32's float64's rounded once, then the product)."""
    if not hasattr(y, "dtype"):         # (a number: the rules' xlogy(grad, other) of XlogyBackward2)
        y = asarray(y, dtype=x.dtype)
    with float_errors_ignored():
        log_y = astype(xp.log(astype(y, "float64")), y.dtype) if y.dtype == _FLOAT32 else xp.log(y)
        value = xp.where(x == 0, xp.zeros_like(x * y), x * log_y)
        return xp.where(xp.isnan(y), y + x * 0, value)


xlogy_values = _xlogy       # (the rules' at::xlogy)


def _lerp(start, end, weight):
    """start + weight * (end - start) for |weight| < 0.5, else end - (end - start) * (1 - weight),
    each one FMA, in the tensors' dtype (PyTorch's lerp kernel)."""
    diff = end - start
    if type(weight) in (int, float):
        w = xp.full_like(diff, weight)       # (the weight in the tensors' dtype, then 1 - it there)
        if abs(float(asarray(weight, dtype=diff.dtype))) < 0.5:
            return fma(w, diff, xp.broadcast_to(start, diff.shape))
        return fma(-diff, xp.full_like(diff, 1) - w, xp.broadcast_to(end, diff.shape))
    shape = xp.broadcast_shapes(diff.shape, weight.shape)
    diff, weight = xp.broadcast_to(diff, shape), xp.broadcast_to(weight, shape)
    small = fma(weight, diff, xp.broadcast_to(start, shape))
    large = fma(-diff, 1 - weight, xp.broadcast_to(end, shape))
    return xp.where(xp.abs(weight) < 0.5, small, large)


def _lerp_tangent(ts, a, b, out, weight):
    """at::lerp(self_t, end_t, weight): the lerp kernel on the tangents, a zero for a missing one."""
    n = len(out.shape)
    ta, tb = (None if t is None else lined_up(t, len(x.shape), n) for t, x in zip(ts, (a, b)))
    if ta is None or tb is None:
        given = tb if ta is None else ta
        zero = Tensor(xp.zeros_like(data(given))) if type(given) is Tensor else xp.zeros_like(given)
        ta, tb = (zero, tb) if ta is None else (ta, zero)
    if type(ta) is Tensor or type(tb) is Tensor:
        return apply(LERP, ta, tb, weight=weight)
    return _lerp(ta, tb, weight)


def _atan2_rule(which):
    """atan2_backward: grad * other * recip, grad * -self * recip, where recip is
    (self * self + other * other).reciprocal() with its infinities (at 0, 0) made 0."""
    def rule(g, out, x, y):
        recip = reciprocal(add(mul(x, x), mul(y, y)))
        recip = masked_fill(recip, xp.isinf(recip.data if type(recip) is Tensor else recip), 0)
        return mul(mul(g, y), recip) if which == 0 else mul(mul(g, neg(x)), recip)
    return rule


reciprocal = primitive(RECIPROCAL)


def _atan2_tangent(ts, out, x, y):
    """(-self_p * other_t + other_p * self_t) / (self_p.pow(2) + other_p.pow(2))"""
    tx, ty = ts
    top = mul(y, tx) if ty is None else mul(neg(x), ty) if tx is None else mul(neg(x), ty) + mul(y, tx)
    return div(top, add(mul(x, x), mul(y, y)))


def _xlogy_self(g, out, x, y):
    """at::xlogy(grad, other).masked_fill((self == 0.) & (other <= 0.), 0.)"""
    return masked_fill(xlogy(g, y), (data(x) == 0) & (data(y) <= 0), 0)


def _xlogy_number_other(g, out, x, y):
    """other > 0 ? xlogy(grad, other) : xlogy(grad, other).masked_fill(self == 0., 0.)"""
    value = xlogy(g, y)
    return value if y > 0 else masked_fill(value, data(x) == 0, 0)


def _copysign_self(g, out, x, y):
    """copysign_tensor_self_backward: grad * (result / self), 0 where self is 0"""
    return mul(g, masked_fill(div(out, x), data(x) == 0, 0))


def xlogy(x, y):
    if type(x) is Tensor or type(y) is Tensor:
        return apply(XLOGY_NUMBER_OTHER, x, y) if type(y) in (int, float) else apply(XLOGY, x, y)
    return xlogy_values(x, y)


ATAN2 = Op("Atan2Backward0", _in_double(xp.atan2), (_atan2_rule(0), _atan2_rule(1)),
           ("grad * other * (self * self + other * other).reciprocal()",
            "grad * -self * (self * self + other * other).reciprocal()"),
           jvps=_atan2_tangent, broadcasts=True)
HYPOT = Op("HypotBackward0", _in_double(xp.hypot),
           (lambda g, out, x, y: div(mul(g, x), out), lambda g, out, x, y: div(mul(g, y), out)),
           ("grad * self / result", "grad * other / result"), saves_out=True,
           jvps=(lambda t, out, x, y: div(mul(t, x), out), lambda t, out, x, y: div(mul(t, y), out)),
           broadcasts=True, order=(1, 0))
LOGADDEXP = Op("LogaddexpBackward0", _in_double(_logaddexp),
               (lambda g, out, x, y: div(g, add_scalar(exp(sub(y, x)), 1)),
                lambda g, out, x, y: div(g, add_scalar(exp(sub(x, y)), 1))),
               ("grad / (1 + exp(other - self))", "grad / (1 + exp(self - other))"),
               jvps=(lambda t, out, x, y: div(t, add_scalar(exp(sub(y, x)), 1)),
                     lambda t, out, x, y: div(t, add_scalar(exp(sub(x, y)), 1))), broadcasts=True, order=(1, 0))
XLOGY = Op("XlogyBackward0", xlogy_values, (_xlogy_self, lambda g, out, x, y: div(mul(g, x), y)),
           ("at::xlogy(grad, other).masked_fill((self == 0.) & (other <= 0.), 0.)", "grad * self / other"),
           jvps=(_xlogy_self, lambda t, out, x, y: div(mul(t, x), y)), broadcasts=True, order=(1, 0))
XLOGY_NUMBER_SELF = Op("XlogyBackward1", lambda s, y: xlogy_values(asarray(s, dtype=y.dtype), y),
                       (None, lambda g, out, s, y: div(mul_scalar(g, s), y)), ("grad * self / other",),
                       jvps=(None, lambda t, out, s, y: div(mul_scalar(t, s), y)))
XLOGY_NUMBER_OTHER = Op("XlogyBackward2", lambda x, s: xlogy_values(x, asarray(s, dtype=x.dtype)),
                        (_xlogy_number_other, None),
                        ("other > 0 ? xlogy(grad, other) : xlogy(grad, other).masked_fill(self == 0., 0.)",),
                        jvps=(_xlogy_number_other, None))
COPYSIGN = Op("CopysignBackward0", xp.copysign, (_copysign_self, lambda g, out, x, y: zeros_like(y)),
              ("copysign_tensor_self_backward(grad, self, result)", "zeros_like(other)"), saves_out=True,
              jvps=(_copysign_self, lambda t, out, x, y: zeros_like(t)), broadcasts=True)
COPYSIGN_NUMBER = Op("CopysignBackward1", lambda x, s: xp.copysign(x, asarray(s, dtype=x.dtype)),
                     (_copysign_self, None), ("copysign_tensor_self_backward(grad, self, result)",),
                     saves_out=True, jvps=(_copysign_self, None))
LERP = Op("LerpBackward0", _lerp,
          (lambda g, out, a, b, weight: mul_scalar(g, 1 - weight), lambda g, out, a, b, weight: mul_scalar(g, weight)),
          ("grad * (1 - weight)", "grad * weight"), saves=False,
          jvps=lambda ts, out, a, b, weight: _lerp_tangent(ts, a, b, out, weight), order=(1, 0))
LERP_TENSOR = Op("LerpBackward1", _lerp,
                 (lambda g, out, a, b, w: mul(g, one_minus(w)),
                  lambda g, out, a, b, w: mul(g, w), lambda g, out, a, b, w: mul(g, sub(b, a))),
                 ("grad * (1 - weight)", "grad * weight", "grad * (end - self)"),
                 jvps=(lambda t, out, a, b, w: mul(t, one_minus(w)), lambda t, out, a, b, w: mul(t, w),
                       lambda t, out, a, b, w: mul(t, sub(b, a))), broadcasts=True, order=(1, 0, 2))


@K.halves_in_float
def _addcmul(x, t1, t2, value=1):
    """x + value * t1 * t2 as PyTorch's kernel: fma(value * t1, t2, x), value in the tensors' dtype."""
    scaled = t1 * asarray(value, dtype=t1.dtype) if value != 1 else t1
    shape = xp.broadcast_shapes(x.shape, t1.shape, t2.shape)
    return fma(xp.broadcast_to(scaled, shape), xp.broadcast_to(t2, shape), xp.broadcast_to(x, shape))


def _addcdiv(x, t1, t2, value=1):
    """x + (value * t1) / t2 (no FMA: the division comes between)."""
    scaled = t1 * asarray(value, dtype=t1.dtype) if value != 1 else t1
    return x + scaled / t2


def _times_value(t, value):
    return t if value == 1 else mul_scalar(t, value)


ADDCMUL = Op("AddcmulBackward0", _addcmul,
             (lambda g, out, x, t1, t2, value=1: g,
              lambda g, out, x, t1, t2, value=1: mul(g, mul_scalar(t2, value)),
              lambda g, out, x, t1, t2, value=1: mul(g, mul_scalar(t1, value))),
             ("grad", "grad * (tensor2 * value)", "grad * (tensor1 * value)"),
             jvps=(lambda t, out, x, t1, t2, value=1: t,
                   lambda t, out, x, t1, t2, value=1: _times_value(mul(t, t2), value),
                   lambda t, out, x, t1, t2, value=1: _times_value(mul(t, t1), value)), broadcasts=True)
ADDCDIV = Op("AddcdivBackward0", _addcdiv,
             (lambda g, out, x, t1, t2, value=1: g,
              lambda g, out, x, t1, t2, value=1: mul(g, _number_over(value, t2)),
              lambda g, out, x, t1, t2, value=1: mul(neg(g), div(mul_scalar(t1, value), mul(t2, t2)))),
             ("grad", "grad * (value / tensor2)", "-grad * (value * tensor1 / (tensor2 * tensor2))"),
             jvps=(lambda t, out, x, t1, t2, value=1: t,
                   lambda t, out, x, t1, t2, value=1: _times_value(div(t, t2), value),
                   lambda t, out, x, t1, t2, value=1: neg(_times_value(mul(t, div(div(t1, t2), t2)), value))),
             broadcasts=True)


def _number_over(value, t):
    """value / t as PyTorch's C++ rules compute it (empty_like(t).fill_(value).div_(t): DivBackward0)."""
    if type(t) is Tensor:
        return apply(DIV, xp.full_like(t.data, value), t)
    return asarray(value, dtype=t.dtype) / t


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, declare  # noqa: E402  (after the entries)

declare(ELEMENTWISE, ATAN2, HYPOT, LOGADDEXP, XLOGY, XLOGY_NUMBER_SELF, XLOGY_NUMBER_OTHER, COPYSIGN, COPYSIGN_NUMBER,
        LERP, LERP_TENSOR, ADDCMUL, ADDCDIV)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, ATAN2, HYPOT, LOGADDEXP, XLOGY, XLOGY_NUMBER_SELF, XLOGY_NUMBER_OTHER, COPYSIGN, COPYSIGN_NUMBER,
       LERP, LERP_TENSOR, ADDCMUL, ADDCDIV)
