"""Rounding: round (half to even; with decimals=), floor, ceil, trunc, frac, sign, and
div's trunc rounding mode. Their gradient is zero, frac's the gradient itself
(derivatives.yaml). Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from .. import cpu_kernels as K
from ..backend import asarray, astype, copy, kind, xp
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, apply
from .pointwise import zeros_like


def _keeping_integers(kernel):
    """An integer tensor rounds to itself (a copy): NumPy's floor would make it float64."""
    return lambda x: copy(x) if kind(x.dtype) in "iu" else kernel(x)


@K.halves_in_float
def _round_decimals(x, decimals):
    """PyTorch's CPU kernel: nearbyint(x * 10^d) / 10^d (d < 0: nearbyint(x / 10^-d) * 10^-d),
    the power rounded to x's dtype first."""
    power = asarray(10.0 ** abs(decimals), dtype=x.dtype)
    return xp.round(x * power) / power if decimals >= 0 else xp.round(x / power) * power


def _trunc_divide(x, y):
    """x / y rounded toward zero; integers exactly (C's division), floats as trunc(x / y)."""
    if kind(xp.result_type(x, y)) in "iu":
        q = xp.floor_divide(x, y)
        return xp.where((xp.remainder(x, y) != 0) & (q < 0), q + 1, q)     # (floor of a negative, inexact: one up)
    return xp.trunc(xp.divide(x, y))


def _zero(g, out, *inputs, **params):
    return zeros_like(g)


def _no_tangent(t, out, *inputs, **params):
    return zeros_like(t)


ROUND = Op("RoundBackward0", _keeping_integers(xp.round), (_zero,), ("0",), saves=False, jvps=(_no_tangent,))
ROUND_DECIMALS = Op("RoundBackward1", _round_decimals, (_zero,), ("0",), saves=False, jvps=(_no_tangent,))
FLOOR = Op("FloorBackward0", _keeping_integers(xp.floor), (_zero,), ("0",), saves=False, jvps=(_no_tangent,))
CEIL = Op("CeilBackward0", _keeping_integers(xp.ceil), (_zero,), ("0",), saves=False, jvps=(_no_tangent,))
TRUNC = Op("TruncBackward0", _keeping_integers(xp.trunc), (_zero,), ("0",), saves=False, jvps=(_no_tangent,))
FRAC = Op("FracBackward0", lambda x: x - xp.trunc(x), (lambda g, out, x: g,), ("grad",), saves=False,
          jvps=(lambda t, out, x: t,))
SIGN = Op("SignBackward0", K.sign_of, (_zero,), ("0",), saves=False, jvps=(_no_tangent,))
DIV_TRUNC = Op("DivBackward2", _trunc_divide, (_zero, _zero), ("0", "0"), saves=False,     # rounding_mode='trunc'
               jvps=(_no_tangent, _no_tangent), broadcasts=True)


def div_trunc(x, y):
    return apply(DIV_TRUNC, x, y) if type(x) is Tensor or type(y) is Tensor else _trunc_divide(x, y)


# fmod: C's remainder, the dividend's sign (remainder's is the divisor's)
def _magnitudes_remainder(x, y):
    """fmod on a device backend without one (the array API has none): the exact remainder
    of the magnitudes, with the dividend's sign."""
    r = xp.remainder(xp.abs(x), abs(y) if type(y) in (int, float) else xp.abs(y))
    return xp.copysign(r, astype(x, r.dtype)) if kind(r.dtype) == "f" else xp.where(x < 0, -r, r)


_fmod = getattr(xp, "fmod", None) or _magnitudes_remainder     # (decided once, as the backend is)


FMOD = Op("FmodBackward0", _fmod,            # tensor fmod number
          (lambda g, out, x, y: g, None), ("grad",), saves=False, jvps=(lambda t, out, x, y: t, None))
FMOD_T = Op("FmodBackward1", _fmod,          # tensor fmod tensor
            (lambda g, out, x, y: g, lambda g, out, x, y: -g * div_trunc(x, y)),
            ("grad", "-grad * self.div(other, rounding_mode='trunc')"),
            jvps=(lambda t, out, x, y: t, lambda t, out, x, y: -(t * div_trunc(x, y))), broadcasts=True, order=(1, 0))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, LOOP, declare, declare_rest  # noqa: E402  (after the entries)

declare(ELEMENTWISE, ROUND, FLOOR, CEIL, TRUNC, FRAC, SIGN, FMOD, FMOD_T)
declare_rest(globals(), LOOP)       # round(decimals=) and trunc division (their kernels look at dtypes)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, ROUND, ROUND_DECIMALS, FLOOR, CEIL, TRUNC, FRAC, SIGN, DIV_TRUNC, FMOD, FMOD_T)
