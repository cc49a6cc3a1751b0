"""Elementwise ops PyTorch has beside the common ones: fmax, fmin, logaddexp2, special.entr,
special.xlog1py, special.log_ndtr, and dist (the p-norm of a difference). Their rules are derivatives.yaml's
formulas, written with the primitives so that with create_graph they record PyTorch's nodes;
float32 values of the transcendental ones are float64's rounded once.
Each entry: grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

import math

from ..backend import asarray, astype, dtype_name, float_errors_ignored, from_host, host, kind, to_host, xp
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, apply, data
from .elementary import primitive
from .pairs import _in_double
from .pointwise import LOG, LOG1P, add, add_scalar, div, div_scalar, exp, masked_fill, mul, neg, pow, sub
from .shapes import reshape
from .vector_norms import _norm_grad, vector_norm
from . import tangents as T

_INV_LOG_2 = 1.0 / math.log(2.0)       # (PyTorch's inv_log_2: 1.4426950408889634)


def _chosen(x, y, smaller):
    """fmax's (fmin's) pick of self: self >= other (<=), or other is nan."""
    a, b = data(x), data(y)
    return ((a <= b) if smaller else (a >= b)) | xp.isnan(b)


def _strict(x, y, smaller):
    a, b = data(x), data(y)
    return ((a < b) if smaller else (a > b)) | xp.isnan(b)


def _pick_rules(smaller):
    """grad.masked_fill(~pick, 0) for self, grad.masked_fill(pick, 0) for other; the tangents
    other_t + (self > other | isnan(other)) * (self_t - other_t), by input."""
    vjps = (lambda g, out, x, y: masked_fill(g, ~_chosen(x, y, smaller), 0),
            lambda g, out, x, y: masked_fill(g, _chosen(x, y, smaller), 0))
    jvps = (lambda t, out, x, y: masked_fill(t, ~_strict(x, y, smaller), 0),
            lambda t, out, x, y: masked_fill(t, _strict(x, y, smaller), 0))
    return vjps, jvps


def _pick(smaller):
    """std::fmax (fmin): the other where one is nan, else the larger (smaller); integers' max (min)."""
    def kernel(x, y):
        best = xp.minimum(x, y) if smaller else xp.maximum(x, y)
        if kind(best.dtype) != "f":
            return best
        return xp.where(xp.isnan(x), y, xp.where(xp.isnan(y), x, best))
    return kernel


def _logaddexp2(x, y):
    """max(a, b) + log1p(exp2(-|a - b|)) * inv_log_2, a where both are the same infinity."""
    with float_errors_ignored():
        m = xp.maximum(x, y)
        value = m + xp.log1p(asarray(2.0, dtype=x.dtype) ** -xp.abs(x - y)) * _INV_LOG_2
        return xp.where(xp.isinf(x) & (x == y), x, value)


def _entr(x):
    """-x log x for x > 0, 0 at 0, -inf below, nan for nan (calc_entr)."""
    with float_errors_ignored():
        wide = astype(x, "float64") if dtype_name(x.dtype) == "float32" else x
        value = -wide * xp.log(xp.where(wide > 0, wide, xp.ones_like(wide)))
        value = xp.where(wide == 0, xp.zeros_like(wide), value)
        value = xp.where(wide < 0, xp.full_like(wide, -math.inf), value)
        return astype(xp.where(xp.isnan(wide), wide, value), x.dtype)


def _xlog1py(x, y):
    """x * log1p(y), 0 where x is 0 (and y not nan), nan where y is nan: log1p in the operands' dtype
    (float32's float64's rounded once, as log1pf), then the product."""
    if not hasattr(y, "dtype"):
        y = asarray(y, dtype=x.dtype)
    with float_errors_ignored():
        log1p_y = astype(xp.log1p(astype(y, "float64")), y.dtype) if dtype_name(y.dtype) == "float32" else xp.log1p(y)
        value = xp.where(x == 0, xp.zeros_like(x * y), x * log1p_y)
        return xp.where(xp.isnan(y), y + x * 0, value)


log, log1p = primitive(LOG), primitive(LOG1P)


def xlog1py(x, y):
    return apply(XLOG1PY, x, y) if type(x) is Tensor or type(y) is Tensor else _xlog1py(x, y)


def _xlog1py_self(g, out, x, y):
    """at::xlog1py(grad, other).masked_fill((self == 0.) & (other <= -1.), 0.)"""
    return masked_fill(xlog1py(g, y), (data(x) == 0) & (data(y) <= -1), 0)


def _exp2_ratio(g, a, b):
    """grad / (1 + pow(2, a - b))"""
    return div(g, add_scalar(pow(2.0, sub(a, b)), 1))


def _log_ndtr_one(v):
    """calc_log_ndtr: log1p(-erfc(t) / 2) from -1 up, log(erfcx(-t) / 2) - t * t below (here log(erfc(-t) / 2)
    while erfc does not underflow, then erfcx's asymptotic series), t = x / sqrt(2)."""
    t = v * 0.7071067811865476
    if v != v:
        return v
    if v >= -1.0:
        return math.log1p(-math.erfc(t) / 2)
    u = -t
    if u < 26.0:
        return math.log(math.erfc(u) / 2)
    if u == math.inf:
        return -math.inf
    w = 1 / (u * u)
    series = 1 - w / 2 + 3 * w * w / 4 - 15 * w ** 3 / 8 + 105 * w ** 4 / 16
    return math.log(series / (u * math.sqrt(math.pi)) / 2) - t * t


def _log_ndtr(x):
    values = to_host(x)
    out = host.asarray([_log_ndtr_one(v) for v in values.astype("float64").ravel().tolist()], dtype="float64")
    return from_host(out.astype(values.dtype).reshape(values.shape))


def _log_ndtr_rule(g, out, x):
    """grad / std::sqrt(2 * M_PI) * (result + self.pow(2) / 2).neg().exp()"""
    return mul(div_scalar(g, math.sqrt(2 * math.pi)), exp(neg(add(out, div_scalar(pow(x, 2), 2)))))


def _dist(x, y, p):
    with float_errors_ignored():
        if p == 0:      # (the count of differing elements)
            return xp.sum(astype(x - y != 0, (x - y).dtype))
        return vector_norm(x - y, p, None, False)


def _dist_rule(sign):
    """norm_backward(grad, self - other, p, result), negated for other."""
    def rule(g, out, x, y, p):
        if p == 0:      # (norm_backward's zeros)
            return mul(sub(x, y), 0.0)
        value = _norm_grad(g, out, sub(x, y), p, None, False)
        return value if sign > 0 else neg(value)
    return rule


def _lined_up(t, a, other):
    """A tangent of `a` (leading dims: a batch of them) with 1s where a broadcasts against `other`."""
    extra = len(data(other).shape) - len(data(a).shape)
    if extra <= 0:
        return t
    shape = data(t).shape
    batch = shape[:len(shape) - len(data(a).shape)]
    return reshape(t, batch + (1,) * extra + tuple(data(a).shape))


def _dist_tangent(sign):
    def rule(t, out, x, y, p):
        t = _lined_up(t, x, y) if sign > 0 else _lined_up(t, y, x)
        if p == 0:
            return mul(T.vector_norm(t, out, sub(x, y), 2, None, False), 0.0)
        return T.vector_norm(t if sign > 0 else neg(t), out, sub(x, y), p, None, False)
    return rule


_FMAX, _FMIN = _pick_rules(False), _pick_rules(True)
FMAX = Op("FmaxBackward0", _pick(False), _FMAX[0],
          ("grad.masked_fill((self >= other).logical_or_(other.isnan()).logical_not_(), 0)",
           "grad.masked_fill((self >= other).logical_or_(other.isnan()), 0)"), jvps=_FMAX[1], broadcasts=True,
          order=(1, 0))
FMIN = Op("FminBackward0", _pick(True), _FMIN[0],
          ("grad.masked_fill((self <= other).logical_or_(other.isnan()).logical_not_(), 0)",
           "grad.masked_fill((self <= other).logical_or_(other.isnan()), 0)"), jvps=_FMIN[1], broadcasts=True,
          order=(1, 0))
LOGADDEXP2 = Op("Logaddexp2Backward0", _in_double(_logaddexp2),
                (lambda g, out, x, y: _exp2_ratio(g, y, x), lambda g, out, x, y: _exp2_ratio(g, x, y)),
                ("grad / (1 + pow(2, other - self))", "grad / (1 + pow(2, self - other))"),
                jvps=(lambda t, out, x, y: _exp2_ratio(t, y, x), lambda t, out, x, y: _exp2_ratio(t, x, y)),
                broadcasts=True, order=(1, 0))
LOG_NDTR = Op("SpecialLogNdtrBackward0", _log_ndtr, (_log_ndtr_rule,),
              ("grad / std::sqrt(2 * M_PI) * (result + self.pow(2) / 2).neg().exp()",), saves_out=True,
              jvps=(_log_ndtr_rule,))
ENTR = Op("SpecialEntrBackward0", _entr, (lambda g, out, x: mul(g, neg(add_scalar(log(x), 1))),),
          ("grad * (-(1 + self.log()))",), jvps=(lambda t, out, x: mul(t, neg(add_scalar(log(x), 1))),))
XLOG1PY = Op("SpecialXlog1PyBackward0", _xlog1py,
             (_xlog1py_self, lambda g, out, x, y: div(mul(g, x), add_scalar(y, 1))),
             ("at::xlog1py(grad, other).masked_fill((self == 0.) & (other <= -1.), 0.)", "grad * self / (other + 1)"),
             jvps=(_xlog1py_self, lambda t, out, x, y: div(mul(t, x), add_scalar(y, 1))), broadcasts=True, order=(1, 0))
DIST = Op("DistBackward0", _dist, (_dist_rule(1), _dist_rule(-1)),
          ("norm_backward(grad, self - other, p, result)", "-norm_backward(grad, self - other, p, result)"),
          saves_out=True, jvps=(_dist_tangent(1), _dist_tangent(-1)), order=(1, 0))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, LOOP, declare  # noqa: E402  (after the entries)

declare(ELEMENTWISE, FMAX, FMIN, LOGADDEXP2, ENTR, XLOG1PY, LOG_NDTR)
declare(LOOP, DIST)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, FMAX, FMIN, LOGADDEXP2, LOG_NDTR, ENTR, XLOG1PY)
