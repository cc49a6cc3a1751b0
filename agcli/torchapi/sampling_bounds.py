"""random_'s bounds as PyTorch checks them (ATen/native/DistributionTemplates.h:
random_from_to_impl, update_from / update_to, check_from_to_in_range), giving
the (from, range) distributions.integers draws: randint, randint_like and x.random_(...) share them."""
from __future__ import annotations

import numpy

from . import distributions as Dn
from .checks import CPP_TYPE_NAMES, fail
from ..engine import backend as B
from ..state import state

def between(dtype, low, high):
    """random_(from, to) on a tensor of dtype: PyTorch's checks; (from, range) of [low, high)."""
    if low >= high:
        fail(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if B.kind(B.dtype(dtype)) == "f":
        low, high = _update_from(low, dtype), _update_to(high, dtype)
        if low >= high:
            fail(f"random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got "
                 f"from={low} >= to={high}")
    _check_in_range(low, high - 1, dtype)
    return low, high - low


def up_to_max(dtype, low):
    """random_(from, None): (from, range) of [from, the dtype's largest integer]."""
    if B.kind(B.dtype(dtype)) == "f":
        top = 2 ** Dn.DIGITS[dtype]
        low = _update_from(low, dtype)
        if low >= top:
            fail(f"random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, "
                 f"but got from={low} > to_inc={top}")
    else:
        top = 1 if dtype == "bool" else int(numpy.iinfo(dtype).max)
    _check_in_range(low, top, dtype)
    return low, top - low + 1


def _update_from(low, dtype):
    """The next `from` the dtype holds exactly (update_from<scalar_t>)."""
    plus_1 = int(numpy.asarray(low + 1, dtype=numpy.int64).astype(dtype).astype(numpy.float64))
    if plus_1 < low:
        low = plus_1 + (1 << (abs(low + 1).bit_length() - 1 - Dn.DIGITS[dtype] + 1))
    return low


def _update_to(high, dtype):
    minus_1 = int(numpy.asarray(high - 1, dtype=numpy.int64).astype(dtype).astype(numpy.float64))
    if minus_1 >= high:
        high = minus_1 - (1 << (abs(high - 1).bit_length() - 1 - Dn.DIGITS[dtype] + 1))
    return high


def _check_in_range(low, top, dtype):
    if B.kind(B.dtype(dtype)) == "f":
        lo, hi = -float(numpy.finfo(dtype).max), float(numpy.finfo(dtype).max)
    elif dtype == "bool":
        lo, hi = 0, 1
    else:
        lo, hi = int(numpy.iinfo(dtype).min), int(numpy.iinfo(dtype).max)
    for value, name in ((low, "from"), (top, "to - 1")):
        if not lo <= value <= hi:
            fail(f"{name} is out of bounds for {CPP_TYPE_NAMES.get(dtype, dtype)}")
    if B.kind(B.dtype(dtype)) == "f":
        _warn_if_imprecise(low, top, dtype)


def _warn_if_imprecise(low, top, dtype):
    """WARN_OUT_OF_BOUNDS: a float dtype holds every integer only up to 2**digits."""
    digits = Dn.DIGITS[dtype]
    for value, name in ((low, "from"), (top, "to - 1")):
        if not -(1 << digits) <= value <= 1 << digits:
            state.warn(f"UserWarning: {name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                       f"limitations {CPP_TYPE_NAMES.get(dtype, dtype)} can support discrete uniform distribution "
                       "only within this range. This warning will become an error in version 1.7 release, please "
                       "fix the code in advance")
