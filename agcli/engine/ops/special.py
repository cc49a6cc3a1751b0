"""Special functions of one value: lgamma, digamma, polygamma, erfinv, logit, sinc,
deg2rad, rad2deg, nan_to_num. Their rules are derivatives.yaml's formulas, written
with the primitives (with create_graph they record PyTorch's nodes). The gamma family
and erfinv follow PyTorch's own C++ (aten/src/ATen/native/Math.h, after Cephes) value
by value in float64, on the host (erfinv refined beyond it toward MKL's, which PyTorch's
build calls); float32 values are float64's rounded once.
Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

import math

from ..backend import ON_HOST, asarray, float_errors_ignored, from_host, host, kind, to_host, xp
from .. import cpu_kernels as K
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, apply
from .elementary import primitive
from .pointwise import cos, div, exp, mask, mul, mul_scalar, pow, sin, sub, where

M_PI_180 = 0.017453292519943295769236907684886127134428718885417     # pi / 180, as PyTorch writes it
M_180_PI = 57.295779513082320876798154814105170332405472466564       # 180 / pi


def _each(fn, fn32=None):
    """fn of each value, on the host: in float64 (float32's values rounded once from it), or
    fn32 of float32 scalars where PyTorch's float kernel computes in float (its own steps)."""
    def kernel(x, *params):
        values = to_host(x)
        with float_errors_ignored():    # (NumPy's scalars: IEEE's infinities and nans, as C's, no exceptions)
            if fn32 is not None and values.dtype == host.float32:
                results = host.asarray([fn32(v, *params) for v in values.ravel()], dtype=values.dtype)
            else:
                wide = values.astype("float64").ravel()
                results = host.asarray([fn(v, *params) for v in wide], dtype="float64").astype(values.dtype)
        return from_host(results.reshape(values.shape))
    return kernel


def _c(fn):
    """A C library function of one double as C gives it: nan where Python's math raises (sin(inf))."""
    def call(v):
        try:
            return fn(v)
        except (ValueError, OverflowError):
            return math.nan
    return call


_sin, _tan = _c(math.sin), _c(math.tan)


class _Libm:
    """The C library's lgamma, lgammaf, logf and sinf (PyTorch's std:: functions; Python's math.lgamma
    is CPython's own), loaded when first needed; math's where the C library cannot be loaded."""
    _loaded = None

    def __getattr__(self, name):
        if _Libm._loaded is None:
            _Libm._loaded = _load_libm()
        return _Libm._loaded[name]


def _load_libm():
    fallback = {"lgamma": math.lgamma, "lgammaf": math.lgamma, "logf": math.log, "sinf": math.sin}
    try:
        import ctypes
        import ctypes.util
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    except OSError:
        return fallback
    functions = {}
    for name, c_type in (("lgamma", ctypes.c_double), ("lgammaf", ctypes.c_float), ("logf", ctypes.c_float),
                         ("sinf", ctypes.c_float)):
        f = getattr(libm, name, None)
        if f is None:
            functions[name] = fallback[name]
            continue
        f.restype, f.argtypes = c_type, [c_type]
        functions[name] = f
    return functions


_LIBM = _Libm()


def _lgamma(v):
    return _LIBM.lgamma(v)


def _lgamma32(v):
    return _LIBM.lgammaf(float(v))


def _polevl(x, coefficients):
    result = coefficients[0] * 0     # (zero of x's kind: float32 stays float32)
    for c in coefficients:
        result = result * x + c
    return result


_DIGAMMA_ASYMPTOTIC = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                       -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
                       8.33333333333333333333E-2)


def _digamma(x, f=host.float64, log=math.log):
    """calc_digamma: in double, or (f a float32 scalar type, log logf) in float."""
    if x == 0:
        return math.copysign(math.inf, -x)
    if x != x or x == math.inf:
        return x
    if x < 0:
        if x == -math.inf or x == math.trunc(float(x)):
            return math.nan
        r = math.modf(float(x))[0]
        return _digamma(1 - x, f, log) - f(math.pi / _tan(math.pi * r))
    result = f(0.0)
    while x < 10:
        result -= 1 / x
        x += 1
    if x == 10:
        return result + f(2.25175258906672110764)
    y = f(0.0)
    if x < 1.0e17:
        z = 1 / (x * x)
        y = z * _polevl(z, [f(a) for a in _DIGAMMA_ASYMPTOTIC])
    return result + f(log(x)) - (f(0.5) / x) - y


def _digamma32(x):
    return _digamma(x, type(x), _LIBM.logf)


def _trigamma(x, f=host.float64, sin=_sin):
    """trigamma: in double, or (f a float32 scalar type, sin sinf) in float."""
    sign, result = f(1.0), f(0.0)
    pi = f(math.pi)
    if x < 0.5:
        sign = f(-1.0)
        sin_pi_x = f(sin(pi * x))
        result -= (pi * pi) / (sin_pi_x * sin_pi_x)
        x = 1 - x
    for _ in range(6):
        result += 1 / (x * x)
        x += 1
    ixx = 1 / (x * x)
    result += (1 + 1 / (2 * x) + ixx * (f(1. / 6) - ixx * (f(1. / 30) - ixx * f(1. / 42)))) / x
    return sign * result


def _trigamma32(x):
    return _trigamma(x, type(x), _LIBM.sinf)


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15, 1.8152105401943546773e17,
           -7.1661652561756670113e18)
_MACHEP = 1.11022302462515654042E-16


def _zeta(x, q):
    """Hurwitz's zeta(x, q) (Cephes, as PyTorch's zeta)."""
    if x == 1:
        return math.inf
    if x < 1 or q != q:
        return math.nan
    if q <= 0:
        if q == host.floor(q):
            return math.inf
        if x != host.floor(x):
            return math.nan
    s = q ** -x
    a, i, b = q, 0, 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a ** -x
        s += b
        if -_MACHEP * s < b < _MACHEP * s:
            return s
    w = a
    s += b * w / (x - 1)
    s -= 0.5 * b
    a, k = 1.0, 0.0
    for i in range(12):
        a *= x + k
        b /= w
        t = a * b / _ZETA_A[i]
        s = s + t
        if abs(t / s) < _MACHEP:
            return s
        k += 1.0
        a *= x + k
        b /= w
        k += 1.0
    return s


def _polygamma(x, n):
    """calc_polygamma: digamma, trigamma, then (-1)^(n+1) n! zeta(n + 1, x)."""
    if n == 0:
        return _digamma(x)
    if n == 1:
        return _trigamma(x)
    return (1.0 if n % 2 else -1.0) * host.exp(host.float64(_LIBM.lgamma(n + 1.0))) * _zeta(n + 1, x)


def _polygamma32(x, n):
    """calc_polygamma<float>: zeta in double (CPU's accumulation type), the rest in float."""
    if n <= 1:
        return _digamma32(x) if n == 0 else _trigamma32(x)
    f = type(x)
    factorial = f(host.exp(f(_LIBM.lgammaf(float(f(n) + 1)))))
    return f(1.0 if n % 2 else -1.0) * factorial * f(_zeta(host.float64(n + 1), host.float64(x)))


_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)


def _erfinv(y):
    """calc_erfinv (double): a rational first guess, then two Newton steps (and two on erfc beyond 0.5)."""
    a, b, c, d = _ERFINV_A, _ERFINV_B, _ERFINV_C, _ERFINV_D
    y_abs = abs(y)
    if y_abs > 1.0 or y != y:
        return math.nan
    if y_abs == 1.0:
        return math.copysign(math.inf, y)
    if y_abs <= 0.7:
        z = y * y
        num = ((a[3] * z + a[2]) * z + a[1]) * z + a[0]
        dem = (((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1.0
        x = y * num / dem
    else:
        z = math.sqrt(-math.log((1.0 - y_abs) / 2.0))
        num = ((c[3] * z + c[2]) * z + c[1]) * z + c[0]
        dem = (d[1] * z + d[0]) * z + 1.0
        x = math.copysign(num, y) / dem
    two_over_root_pi = 2.0 * (1 / math.sqrt(math.pi))
    x = x - (math.erf(x) - y) / (two_over_root_pi * math.exp(-x * x))
    x = x - (math.erf(x) - y) / (two_over_root_pi * math.exp(-x * x))
    if y_abs <= 0.5:
        return x
    # PyTorch 2.13's MKL build computes erfinv with MKL's vdErfInv (to about half an ulp), not calc_erfinv,
    # whose erf(x) - y cancels near 1: two more Newton steps on erfc(|x|) - (1 - |y|) (exact) come nearer
    a, q = abs(x), 1.0 - y_abs
    for _ in range(2):
        a = a + (math.erfc(a) - q) / (two_over_root_pi * math.exp(-a * a))
    return math.copysign(a, y)


_log = K.vml_or("log", K.log)


def _logit_log(x):
    """logit's log: MKL's (with agcli[mkl]) where PyTorch's kernel takes it, on a dense input (LogitMKLKernel);
    of a strided one, its vectorised log's, for which agcli has float64's rounded once."""
    return _log if not ON_HOST or x.flags.c_contiguous or x.flags.f_contiguous else K.log


def _logit(x, eps=None):
    """log(x / (1 - x)), x clamped to [eps, 1 - eps] first when eps is given; inf at 1."""
    one, log = asarray(1, dtype=x.dtype), _logit_log(x)
    if eps is not None:     # (x < lo ? lo : x > hi ? hi : x, as PyTorch's kernel: an eps over 0.5 takes lo)
        low, high = asarray(eps, dtype=x.dtype), one - asarray(eps, dtype=x.dtype)
        x = xp.where(x < low, low, xp.where(x > high, high, x))
    with float_errors_ignored():
        return xp.where(x == one, asarray(math.inf, dtype=x.dtype), log(x / (one - x)))


def _logit_backward(g, x, eps=None):
    """logit_backward: g / (x (1 - x)) inside [eps, 1 - eps] (without eps, [0, 1]), 0 outside
    it with eps, nan without; g * inf at 0 and 1."""
    one = asarray(1, dtype=x.dtype)
    with float_errors_ignored():
        inside = g / (x * (one - x))
        edge = (x == 0) | (x == one)
        value = xp.where(edge, g * asarray(math.inf, dtype=x.dtype), inside)
        if eps is None:
            return xp.where((x < 0) | (x > one), asarray(math.nan, dtype=x.dtype), value)
        return xp.where((x < eps) | (x > 1 - eps), xp.zeros_like(value), value)


def _logit_rule(g, out, x, eps=None):
    """logit_backward(grad, self, eps); with create_graph infinitely_differentiable_logit_backward:
    where(lo <= self <= hi, grad / (self * (1 - self)), 0 or nan)."""
    if type(g) is not Tensor and type(x) is not Tensor:
        return _logit_backward(g, x, eps)
    lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
    data = x.data if type(x) is Tensor else x
    inside = (data >= lo) & (data <= hi)
    value = div(g, mul(x, sub(1.0, x)))
    fill = math.nan if eps is None else 0.0
    return where(inside, value, Tensor(xp.full_like(data, fill)))


def _sinc(x):
    """sin(pi x) / (pi x), 1 at 0: pi x in the input's dtype, as PyTorch's kernel computes it."""
    product = x * asarray(math.pi, dtype=x.dtype)
    with float_errors_ignored():
        value = K.sin(product) / product
    return xp.where(x == 0, asarray(1, dtype=x.dtype), value)


def _sinc_rule(g, out, x):
    """sinc_backward: grad * ((pi x cos(pi x) - sin(pi x)) / (pi x²)), 0 where pi x² is 0."""
    self_pi = mul_scalar(x, math.pi)
    self_squared_pi = mul_scalar(mul(x, x), math.pi)
    value = mul(g, div(sub(mul(self_pi, cos(self_pi)), sin(self_pi)), self_squared_pi))
    squared = self_squared_pi.data if type(self_squared_pi) is Tensor else self_squared_pi
    return where(squared == 0, asarray(0, dtype=squared.dtype), value)


def _nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    if kind(x.dtype) != "f":
        return xp.asarray(x, copy=True) if hasattr(xp, "asarray") else x
    info = xp.finfo(x.dtype)
    top = info.max if posinf is None else posinf
    bottom = info.min if neginf is None else neginf
    fixed = xp.where(xp.isnan(x), asarray(nan, dtype=x.dtype), x)
    fixed = xp.where(fixed == math.inf, asarray(top, dtype=x.dtype), fixed)
    return xp.where(fixed == -math.inf, asarray(bottom, dtype=x.dtype), fixed)


_POLYGAMMA_EACH = _each(_polygamma, _polygamma32)


def _finite(x, like):
    """isfinite(x) as 0s and 1s of `like`'s dtype (a device multiplies no floats by bools)."""
    return mask(xp.isfinite(x.data if type(x) is Tensor else x), like)


def polygamma(x, n):
    return apply(POLYGAMMA, x, n=n) if type(x) is Tensor else POLYGAMMA.forward(x, n=n)


LGAMMA = Op("LgammaBackward0", _each(_lgamma, _lgamma32), (lambda g, out, x: mul(g, digamma(x)),),
            ("grad * digamma(self)",), jvps=(lambda t, out, x: mul(t, digamma(x)),))
DIGAMMA = Op("DigammaBackward0", _each(_digamma, _digamma32), (lambda g, out, x: mul(g, polygamma(x, 1)),),
             ("grad * polygamma(1, self)",), jvps=(lambda t, out, x: mul(t, polygamma(x, 1)),))
POLYGAMMA = Op("PolygammaBackward0", lambda x, n: _POLYGAMMA_EACH(x, n),
               (lambda g, out, x, n: mul(g, polygamma(x, n + 1)),), ("grad * polygamma(n + 1, self)",),
               jvps=(lambda t, out, x, n: mul(t, polygamma(x, n + 1)),))
ERFINV = Op("ErfinvBackward0", K.vml_or("erfinv", _each(_erfinv)),
            (lambda g, out, x: mul(mul_scalar(exp(pow(erfinv(x), 2)), 0.5 * math.sqrt(math.pi)), g),),
            ("0.5 * sqrt(M_PI) * exp(self.erfinv().pow(2)) * grad",),
            jvps=(lambda t, out, x: mul(mul_scalar(exp(pow(erfinv(x), 2)), 0.5 * math.sqrt(math.pi)), t),))
LOGIT = Op("LogitBackward0", _logit, (_logit_rule,), ("logit_backward(grad, self, eps)",), jvps=(_logit_rule,))
SINC = Op("SincBackward0", _sinc, (_sinc_rule,), ("sinc_backward(grad, self)",), jvps=(_sinc_rule,))
DEG2RAD = Op("Deg2RadBackward0", lambda x: x * asarray(M_PI_180, dtype=x.dtype),
             (lambda g, out, x: mul_scalar(g, M_PI_180),), ("grad * (pi / 180)",), saves=False,
             jvps=(lambda t, out, x: mul_scalar(t, M_PI_180),))
RAD2DEG = Op("Rad2DegBackward0", lambda x: x * asarray(M_180_PI, dtype=x.dtype),
             (lambda g, out, x: mul_scalar(g, M_180_PI),), ("grad * (180 / pi)",), saves=False,
             jvps=(lambda t, out, x: mul_scalar(t, M_180_PI),))
NAN_TO_NUM = Op("NanToNumBackward0", _nan_to_num,
                (lambda g, out, x, **_: mul(g, _finite(x, g)),), ("grad * at::isfinite(self)",),
                jvps=(lambda t, out, x, **_: mul(t, _finite(x, t)),))


digamma, erfinv = primitive(DIGAMMA), primitive(ERFINV)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, declare  # noqa: E402  (after the entries)

declare(ELEMENTWISE, LGAMMA, DIGAMMA, POLYGAMMA, ERFINV, LOGIT, SINC, DEG2RAD, RAD2DEG, NAN_TO_NUM)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, LGAMMA, DIGAMMA, POLYGAMMA, ERFINV, LOGIT, SINC, DEG2RAD, RAD2DEG, NAN_TO_NUM)
