"""More functions of one value: log2, log10, exp2, expm1, rsqrt, sinh, cosh, asin, acos,
atan, erf, erfc, asinh, acosh, atanh. Their rules are derivatives.yaml's formulas in its order, so with create_graph
they record PyTorch's nodes; float32 values are float64's rounded once (as the other
float32 functions, engine/cpu_kernels.py), or MKL's where PyTorch's are (vml_or).
Each entry: grad_fn name, kernel, rule, words."""
from __future__ import annotations

import math

from ..backend import asarray, tolist, xp
from ..cpu_kernels import _float32_from_double as in_double, vml_or
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, apply
from .pointwise import SUB, add_scalar, div, exp, mul, mul_scalar, neg, pow, sub_scalar


def primitive(op):
    """op as rules call it: recorded on a tensor (create_graph), its kernel on a raw array."""
    return lambda x: apply(op, x) if type(x) is Tensor else op.forward(x)


def one_minus(t):
    """1 - t as PyTorch's C++ rules compute it (empty_like(t).fill_(1).sub_(t): SubBackward0)."""
    return apply(SUB, xp.ones_like(t.data), t) if type(t) is Tensor else 1 - t


def _erf(x):
    """erf on the array API, which lacks it: NumPy's ufunc where there is one, else math.erf each."""
    erf = getattr(xp, "erf", None)
    if erf is not None:
        return erf(x)
    return xp.reshape(asarray([math.erf(v) for v in tolist(xp.reshape(x, (-1,)))], dtype=x.dtype), x.shape)


def _erfc(x):
    """erfc on every backend (NumPy has none): the C library's, value by value (math.erfc)."""
    return xp.reshape(asarray([math.erfc(v) for v in tolist(xp.reshape(x, (-1,)))], dtype=x.dtype), x.shape)


# (the array API has no exp2: a device backend without one takes 2 ** x)
_exp2 = getattr(xp, "exp2", None) or (lambda a: 2.0 ** a)


def _one_minus_square(x):
    return add_scalar(mul(neg(x), x), 1)     # (-self * self + 1)


LOG2 = Op("Log2Backward0", vml_or("log2", in_double(xp.log2)),
          (lambda g, out, x: div(g, mul_scalar(x, math.log(2))),),
          ("grad / (self * 0.6931471805599453)",), jvps=(lambda t, out, x: div(t, mul_scalar(x, math.log(2))),))
LOG10 = Op("Log10Backward0", vml_or("log10", in_double(xp.log10)),
           (lambda g, out, x: div(g, mul_scalar(x, math.log(10))),),
           ("grad / (self * 2.3025850929940456)",), jvps=(lambda t, out, x: div(t, mul_scalar(x, math.log(10))),))
EXP2 = Op("Exp2Backward0", in_double(_exp2), (lambda g, out, x: mul_scalar(mul(g, out), math.log(2)),),
          ("grad * result * M_LN2",), saves_out=True, reads=((),),
          jvps=(lambda t, out, x: mul_scalar(mul(t, out), math.log(2)),))
EXPM1 = Op("Expm1Backward0", in_double(xp.expm1), (lambda g, out, x: mul(g, add_scalar(out, 1)),),
           ("grad * (result + 1)",), saves_out=True, reads=((),),
           jvps=(lambda t, out, x: mul(t, add_scalar(out, 1)),))
RSQRT = Op("RsqrtBackward0", lambda a: 1 / xp.sqrt(a),       # (float32: 1 / sqrt, rounded twice, as PyTorch's)
           (lambda g, out, x: mul(mul_scalar(g, -0.5), pow(out, 3)),), ("-0.5 * grad * result.pow(3)",),
           saves_out=True, reads=((),), jvps=(lambda t, out, x: mul(mul_scalar(t, -0.5), pow(out, 3)),))
SINH = Op("SinhBackward0", in_double(xp.sinh), (lambda g, out, x: mul(g, cosh(x)),), ("grad * self.cosh()",),
          jvps=(lambda t, out, x: mul(t, cosh(x)),))
COSH = Op("CoshBackward0", in_double(xp.cosh), (lambda g, out, x: mul(g, sinh(x)),), ("grad * self.sinh()",),
          jvps=(lambda t, out, x: mul(t, sinh(x)),))
ASIN = Op("AsinBackward0", vml_or("asin", in_double(xp.asin)), (lambda g, out, x: mul(g, rsqrt(_one_minus_square(x))),),
          ("grad * (-self * self + 1).rsqrt()",), jvps=(lambda t, out, x: mul(t, rsqrt(_one_minus_square(x))),))
ACOS = Op("AcosBackward0", vml_or("acos", in_double(xp.acos)),
          (lambda g, out, x: mul(g, neg(rsqrt(_one_minus_square(x)))),),
          ("grad * -((-self * self + 1).rsqrt())",),
          jvps=(lambda t, out, x: mul(t, neg(rsqrt(_one_minus_square(x)))),))
ATAN = Op("AtanBackward0", vml_or("atan", in_double(xp.atan)), (lambda g, out, x: div(g, add_scalar(mul(x, x), 1)),),
          ("grad / (self * self + 1)",), jvps=(lambda t, out, x: div(t, add_scalar(mul(x, x), 1)),))
ERF = Op("ErfBackward0", vml_or("erf", in_double(_erf)),
         (lambda g, out, x: mul(mul_scalar(exp(neg(pow(x, 2))), 2 / math.sqrt(math.pi)), g),),
         ("2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad",),
         jvps=(lambda t, out, x: mul(mul_scalar(exp(neg(pow(x, 2))), 2 / math.sqrt(math.pi)), t),))

ERFC = Op("ErfcBackward0", vml_or("erfc", in_double(_erfc)),
          (lambda g, out, x: mul(mul_scalar(exp(neg(pow(x, 2))), -2 / math.sqrt(math.pi)), g),),
          ("-2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad",),
          jvps=(lambda t, out, x: mul(mul_scalar(exp(neg(pow(x, 2))), -2 / math.sqrt(math.pi)), t),))
ASINH = Op("AsinhBackward0", in_double(xp.asinh), (lambda g, out, x: mul(g, rsqrt(add_scalar(pow(x, 2), 1))),),
           ("grad * (self.pow(2) + 1).rsqrt()",), jvps=(lambda t, out, x: mul(t, rsqrt(add_scalar(pow(x, 2), 1))),))
ACOSH = Op("AcoshBackward0", in_double(xp.acosh), (lambda g, out, x: mul(g, rsqrt(sub_scalar(mul(x, x), 1))),),
           ("grad * (self * self - 1).rsqrt()",), jvps=(lambda t, out, x: mul(t, rsqrt(sub_scalar(mul(x, x), 1))),))
ATANH = Op("AtanhBackward0", in_double(xp.atanh), (lambda g, out, x: div(mul_scalar(g, 1), one_minus(pow(x, 2))),),
           ("grad * 1 / (1 - self.pow(2))",), jvps=(lambda t, out, x: div(mul_scalar(t, 1), one_minus(pow(x, 2))),))


rsqrt, sinh, cosh = primitive(RSQRT), primitive(SINH), primitive(COSH)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, declare  # noqa: E402  (after the entries)

declare(ELEMENTWISE, LOG2, LOG10, EXP2, EXPM1, RSQRT, SINH, COSH, ASIN, ACOS, ATAN, ERF, ERFC, ASINH, ACOSH, ATANH)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, LOG2, LOG10, EXP2, EXPM1, RSQRT, SINH, COSH, ASIN, ACOS, ATAN, ERF, ERFC, ASINH, ACOSH, ATANH)
