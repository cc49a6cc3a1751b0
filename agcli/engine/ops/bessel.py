"""The modified Bessel functions of the first kind i0 (torch.i0, special.i0: I0Backward0) and i1
(special.i1: SpecialI1Backward0), as PyTorch's calc_i0 / calc_i1 compute them (Cephes' Chebyshev
series, aten/src/ATen/native/Math.h): the series in the input's dtype with each step's multiply and
subtract fused as its compiler fuses them, the C library's exp (expf for float32). Measured bit for bit
against PyTorch 2.13 on 4,000 values in each of float32 and float64.
Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

import math

from ..backend import dtype_name, float_errors_ignored, from_host, host, to_host, xp
from ..fma import fma
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, data
from .elementary import primitive
from .pointwise import RECIPROCAL, mul, sub, where

_I0_A = (-4.41534164647933937950E-18, 3.33079451882223809783E-17, -2.43127984654795469359E-16,
         1.71539128555513303061E-15, -1.16853328779934516808E-14, 7.67618549860493561688E-14,
         -4.85644678311192946090E-13, 2.95505266312963983461E-12, -1.72682629144155570723E-11,
         9.67580903537323691224E-11, -5.18979560163526290666E-10, 2.65982372468238665035E-9,
         -1.30002500998624804212E-8, 6.04699502254191894932E-8, -2.67079385394061173391E-7,
         1.11738753912010371815E-6, -4.41673835845875056359E-6, 1.64484480707288970893E-5,
         -5.75419501008210370398E-5, 1.88502885095841655729E-4, -5.76375574538582365885E-4,
         1.63947561694133579842E-3, -4.32430999505057594430E-3, 1.05464603945949983183E-2,
         -2.37374148058994688156E-2, 4.93052842396707084878E-2, -9.49010970480476444210E-2,
         1.71620901522208775349E-1, -3.04682672343198398683E-1, 6.76795274409476084995E-1)
_I0_B = (-7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17,
         3.46122286769746109310E-17, -2.82762398051658348494E-16, -3.42548561967721913462E-16,
         1.77256013305652638360E-15, 3.81168066935262242075E-15, -9.55484669882830764870E-15,
         -4.15056934728722208663E-14, 1.54008621752140982691E-14, 3.85277838274214270114E-13,
         7.18012445138366623367E-13, -1.79417853150680611778E-12, -1.32158118404477131188E-11,
         -3.14991652796324136454E-11, 1.18891471078464383424E-11, 4.94060238822496958910E-10,
         3.39623202570838634515E-9, 2.26666899049817806459E-8, 2.04891858946906374183E-7,
         2.89137052083475648297E-6, 6.88975834691682398426E-5, 3.36911647825569408990E-3,
         8.04490411014108831608E-1)
_I1_A = (2.77791411276104639959E-18, -2.11142121435816608115E-17, 1.55363195773620046921E-16,
         -1.10559694773538630805E-15, 7.60068429473540693410E-15, -5.04218550472791168711E-14,
         3.22379336594557470981E-13, -1.98397439776494371520E-12, 1.17361862988909016308E-11,
         -6.66348972350202774223E-11, 3.62559028155211703701E-10, -1.88724975172282928790E-9,
         9.38153738649577178388E-9, -4.44505912879632808065E-8, 2.00329475355213526229E-7,
         -8.56872026469545474066E-7, 3.47025130813767847674E-6, -1.32731636560394358279E-5,
         4.78156510755005422638E-5, -1.61760815825896745588E-4, 5.12285956168575772895E-4,
         -1.51357245063125314899E-3, 4.15642294431288815669E-3, -1.05640848946261981558E-2,
         2.47264490306265168283E-2, -5.29459812080949914269E-2, 1.02643658689847095384E-1,
         -1.76416518357834055153E-1, 2.52587186443633654823E-1)
_I1_B = (7.51729631084210481353E-18, 4.41434832307170791151E-18, -4.65030536848935832153E-17,
         -3.20952592199342395980E-17, 2.96262899764595013876E-16, 3.30820231092092828324E-16,
         -1.88035477551078244854E-15, -3.81440307243700780478E-15, 1.04202769841288027642E-14,
         4.27244001671195135429E-14, -2.10154184277266431302E-14, -4.08355111109219731823E-13,
         -7.19855177624590851209E-13, 2.03562854414708950722E-12, 1.41258074366137813316E-11,
         3.25260358301548823856E-11, -1.89749581235054123450E-11, -5.58974346219658380687E-10,
         -3.83538038596423702205E-9, -2.63146884688951950684E-8, -2.51223623787020892529E-7,
         -3.88256480887769039346E-6, -1.10588938762623716291E-4, -9.76109749136146840777E-3,
         7.78576235018280120474E-1)
# (float's i1 series are the double's last 17 and 7 terms)
_COEFFICIENTS = {"i0": (_I0_A, _I0_B, _I0_A, _I0_B), "i1": (_I1_A, _I1_B, _I1_A[-17:], _I1_B[-7:])}


class _Libm:
    """The C library's expf and sqrtf (float32's std::exp and std::sqrt), loaded when first needed."""
    functions = None

    @classmethod
    def get(cls, name):
        if cls.functions is None:
            cls.functions = {"expf": math.exp, "sqrtf": math.sqrt}
            try:
                import ctypes
                import ctypes.util
                libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
                for fn in ("expf", "sqrtf"):
                    f = getattr(libm, fn)
                    f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
                    cls.functions[fn] = f
            except (OSError, AttributeError):
                pass
        return cls.functions[name]


def _each(x, name):
    """exp or sqrt of each value as C gives it: glibc's exp (double), expf (float)."""
    values = to_host(x)
    if values.dtype == host.float32:
        fn = _Libm.get(name + "f")
        return from_host(host.asarray([fn(float(v)) for v in values.ravel()], dtype="float32").reshape(values.shape))
    fn = math.exp if name == "exp" else math.sqrt
    out = []
    for v in values.ravel().tolist():
        try:
            out.append(fn(v))
        except OverflowError:
            out.append(math.inf)
    return from_host(host.asarray(out, dtype=values.dtype).reshape(values.shape))


def _chbevl(x, coefficients):
    """chbevl: b0 = x * b1 - b2 + c, the product and subtraction fused."""
    b0, b1, b2 = xp.full_like(x, coefficients[0]), xp.zeros_like(x), xp.zeros_like(x)
    for c in coefficients[1:]:
        b2, b1 = b1, b0
        b0 = fma(x, b1, -b2) + xp.full_like(x, c)
    return xp.full_like(x, 0.5) * (b0 - b2)


def _bessel(name):
    def kernel(x):
        single = dtype_name(x.dtype) == "float32"
        a, b = _COEFFICIENTS[name][2:] if single else _COEFFICIENTS[name][:2]
        with float_errors_ignored():
            ax = xp.abs(x)
            small = ax <= 8.0
            near = _chbevl(ax / xp.full_like(ax, 2.0) - xp.full_like(ax, 2.0), a)
            safe = xp.where(small, xp.full_like(ax, 8.0), ax)
            far = _chbevl(xp.full_like(ax, 32.0) / safe - xp.full_like(ax, 2.0), b)
            e = _each(ax, "exp")
            if name == "i0":
                value = xp.where(small, e * near, e * far / _each(safe, "sqrt"))
            else:
                value = xp.where(small, e * ax * near, (e * far) / _each(safe, "sqrt"))
                value = xp.where(x < 0, -value, value)
            return xp.where(xp.isnan(x), x, value)
    return kernel


def _i1_rule(g, out, x):
    """i1_backward: grad * where(|self| > eps, i0(safe) - result / safe, 0.5), safe = self or eps."""
    a = data(x)
    eps = float(host.finfo(dtype_name(a.dtype)).eps)
    not_tiny = xp.abs(a) > eps
    safe = where(not_tiny, x, Tensor(xp.full_like(a, eps)) if type(x) is Tensor else xp.full_like(a, eps))
    gradx = sub(i0(safe), mul(out, reciprocal(safe)))
    half = xp.full_like(a, 0.5)
    return mul(g, where(not_tiny, gradx, Tensor(half) if type(gradx) is Tensor else half))


reciprocal = primitive(RECIPROCAL)
I0 = Op("I0Backward0", _bessel("i0"), (lambda g, out, x: mul(g, i1(x)),), ("grad * at::special_i1(self)",),
        jvps=(lambda t, out, x: mul(t, i1(x)),))
I1 = Op("SpecialI1Backward0", _bessel("i1"), (_i1_rule,), ("i1_backward(grad, self, result)",), saves_out=True,
        jvps=(_i1_rule,))
i0, i1 = primitive(I0), primitive(I1)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, declare  # noqa: E402  (after the entries)

declare(ELEMENTWISE, I0, I1)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, I0, I1)
