"""Ops PyTorch records but cannot differentiate (their node is NotImplemented, and backward
through it fails in PyTorch's words): heaviside, and bincount's weighted counts."""
from __future__ import annotations

from ..backend import add_at, astype, kind, zeros, xp
from ..op import Op, no_derivative, no_forward_derivative


def _heaviside(x, values):
    """0 below zero, 1 above, values at zero (a nan is neither: 0), in x's dtype."""
    if kind(x.dtype) == "b":        # (bools have no order in the array API: True is above zero)
        return xp.where(x, x, values)
    above = astype(x > 0, x.dtype)
    return xp.where(x == 0, values, above)


def bincount_kernel(weights, index, length, dtype):
    """Each index's weights added up in turn, in dtype (float32 weights stay float32, others float64)."""
    out = zeros((length,), dtype=dtype)
    add_at(out, (index,), astype(weights, dtype))
    return out


HEAVISIDE = Op("NotImplemented", _heaviside, (no_derivative("heaviside"), no_derivative("heaviside")), saves=False,
               jvps=(no_forward_derivative("heaviside"),) * 2)
BINCOUNT = Op("NotImplemented", bincount_kernel, (no_derivative("bincount"),), saves=False,
              jvps=(no_forward_derivative("bincount"),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)
