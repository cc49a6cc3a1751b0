"""Fused multiply-add on the array backend: round(a * b + c) with one rounding.

PyTorch's CPU kernels for `add(x, y, alpha=)`, `addcmul` and `lerp` compute an FMA
(Vectorized's `fmadd`, and GCC contracts the scalar tail's `a * b + c` the same way),
so their float32 and float64 results differ from a product rounded before the sum in
the last bit of some values. The array API has no FMA; it is computed exactly here
with the standard's own functions, so every backend (NumPy, CuPy, the strict
stand-in) gives PyTorch's bits:
- float32: the float64 product of two float32s is exact, and the float64 sum plus its
  error (TwoSum) is the exact a*b + c; rounding that sum to float32 is right except
  where it lands exactly halfway between two float32s, where the error breaks the tie.
- float64: Dekker's exact product (Veltkamp's split) and TwoSum give a*b + c as
  s + low + low_error exactly; s + low is rounded once, and a tie is broken the same way.
  Where that is not finite (inf or nan among the values, or the split overflowing above
  about 1e300), the plain a * b + c stands in.
(agcli/torchapi/cpu_math.py has the host-side twins the random kernels use.)
"""
from __future__ import annotations

from .backend import ON_HOST, asarray, astype, dtype_name, ndarray, xp


def _two_sum(a, b):
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def _tie_broken(r, exact, error, precise):
    """r, the rounding of `exact` (a precise value, `precise` its type), corrected where `exact`
    lies halfway between r and its neighbour and the remaining `error` pushes it past the middle."""
    r_wide = astype(r, precise)
    away = exact > r_wide
    neighbour = xp.nextafter(r, xp.where(away, xp.full_like(r, float("inf")), xp.full_like(r, float("-inf"))))
    middle = r_wide + (astype(neighbour, precise) - r_wide) * 0.5
    tie = (exact == middle) & (error != 0) & xp.isfinite(exact)
    return xp.where(tie & ((error > 0) == away), neighbour, r)


def fma(a, b, c):
    """round(a * b + c) for float32 or float64 arrays of one dtype (0-d arrays broadcast)."""
    name = dtype_name(c.dtype)
    if name == "float32":
        product = astype(a, "float64") * astype(b, "float64")       # exact
        exact, error = _two_sum(product, astype(c, "float64"))
        return _tie_broken(astype(exact, "float32"), exact, error, "float64")
    if name != "float64":
        return a * b + c
    product = a * b
    (a_high, a_low), (b_high, b_low) = _split(a), _split(b)
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    s, s_error = _two_sum(product, c)
    low, low_error = _two_sum(s_error, product_error)
    rounded, rest = _two_sum(s, low)
    result = _tie64(rounded, rest, low_error)
    # (an inf or nan, or a value near the top of the range, breaks the split and the sums: the plain
    # a * b + c there is inf or nan as the FMA's is, or the FMA's value rounded twice)
    return xp.where(xp.isfinite(result), result, product + c)


def _split(a):
    t = a * 134217729.0                 # 2**27 + 1: two 26-bit halves
    high = t - (t - a)
    return high, a - high


def _tie64(rounded, rest, low_error):
    """rounded = round(s + low) and rest = s + low - rounded exactly: where s + low lay halfway
    between rounded and its neighbour (rest is half their gap), low_error decides."""
    toward = rest > 0
    neighbour = xp.nextafter(rounded, xp.where(toward, xp.full_like(rounded, float("inf")),
                                               xp.full_like(rounded, float("-inf"))))
    tie = (rest != 0) & (rest == (neighbour - rounded) * 0.5) & (low_error != 0) & xp.isfinite(rounded)
    return xp.where(tie & ((low_error > 0) == toward), neighbour, rounded)


# one_minus_square's constants (2**27 + 1 splits a double into two 26-bit halves): on the
# host as 0-d float64 arrays, which NumPy takes in an op faster than Python floats (it
# converts those by a path that costs as much as the op on a small array).
_FLOATS = (134217729.0, 2.0, 1.0)
_CONSTANTS = tuple(asarray(c) for c in _FLOATS) if ON_HOST else _FLOATS
# Up to this many values tanh's backward goes value by value in Python's floats: the same
# IEEE operations, each rounded once, for less than its 18 NumPy calls cost on small arrays.
SMALL = 12


def one_minus_square(y, split=_CONSTANTS[0], two=_CONSTANTS[1], one=_CONSTANTS[2]):
    """fma(-y, y, 1) for float64 y in [-1, 1] (tanh's values) in a third of fma's steps: y*y's
    rounding error by Dekker's split, 1 - y*y's by Fast2Sum (exact as 1 >= y*y); the two errors
    added back at the end give the FMA's bits (checked equal to fma on 46 million values).
    y: an array, or a Python float (with the constants as Python floats: _FLOATS)."""
    p = y * y
    t = y * split                       # y's high 26 bits, and the rest
    high = t - (t - y)
    low = y - high
    error = ((high * high - p) + two * high * low) + low * low      # y*y - p, exactly
    s = one - p
    return s + (((one - s) - p) - error)


def times_one_minus_square(g, y):
    """g * fma(-y, y, 1) for a float64 array y in [-1, 1] and its gradient g: tanh's backward."""
    if ON_HOST and type(y) is ndarray and y.size <= SMALL:
        shape = y.shape
        if getattr(g, "shape", None) == shape and g.dtype == y.dtype:
            split, two, one = _FLOATS
            values = [a * one_minus_square(v, split, two, one)
                      for a, v in zip(g.ravel().tolist(), y.ravel().tolist())]
            out = asarray(values, dtype=y.dtype)
            return out if len(shape) == 1 else out.reshape(shape)      # (a vector's values are its shape already)
    return g * one_minus_square(y)
