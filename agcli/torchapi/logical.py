"""Tests of values and logic: isnan, isinf, isfinite, signbit, logical_and/or/xor/not. Bool
tensors without a gradient (no op is recorded), as PyTorch's have none."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.tensor import Tensor, data
from .checks import broadcast_shapes, fail, shape_of


def _test(float_test, others):
    """A test of each element: float_test on floats; `others` (what integers and bools give)."""
    def test(input):
        a = B.asarray(data(input))
        answer = float_test(a) if kind(a.dtype) == "f" else xp.full(a.shape, others, dtype=xp.bool)
        return Tensor(answer)
    test.__name__ = float_test.__name__
    return test


isnan = _test(xp.isnan, False)
isinf = _test(xp.isinf, False)
isfinite = _test(xp.isfinite, True)


def signbit(input):
    """Whether each value's sign bit is set (-0. and -nan too); integers: below zero."""
    a = B.asarray(data(input))
    return Tensor(xp.signbit(a) if kind(a.dtype) == "f" else a < 0 if kind(a.dtype) == "i" else
                  xp.zeros(a.shape, dtype=xp.bool))


def _truth(v):
    a = B.asarray(data(v))
    return a if kind(a.dtype) == "b" else a != 0


def _logical(function):
    def logical(input, other):
        if type(other) is not Tensor:
            fail(f"{function.__name__}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}",
                 "type")
        broadcast_shapes(shape_of(input), shape_of(other))      # (PyTorch's words when they do not fit)
        return Tensor(function(_truth(input), _truth(other)))
    logical.__name__ = function.__name__
    return logical


logical_and = _logical(xp.logical_and)
logical_or = _logical(xp.logical_or)
logical_xor = _logical(xp.logical_xor)


def logical_not(input):
    return Tensor(xp.logical_not(_truth(input)))
