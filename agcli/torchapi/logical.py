"""Tests of values and logic: isnan, isinf, isfinite, signbit, logical_and/or/xor/not. Bool
tensors without a gradient (no op is recorded), as PyTorch's have none."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.layouts import iterated, laid_out
from ..engine.tensor import Tensor, data
from ..errors import torch_type_name
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
        a, b = _truth(input), _truth(other)
        return Tensor(laid_out(iterated, function(a, b), (a, b)))
    logical.__name__ = function.__name__
    return logical


logical_and = _logical(xp.logical_and)
logical_or = _logical(xp.logical_or)
logical_xor = _logical(xp.logical_xor)


def logical_not(input):
    a = _truth(input)
    return Tensor(laid_out(iterated, xp.logical_not(a), (a,)))


def isclose(x, y, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|x - y| <= atol + rtol * |y| (an inf close to itself only); two tensors of one dtype that broadcast."""
    if type(x) is Tensor and type(y) is Tensor:
        if x.data.dtype != y.data.dtype:
            fail(f"{torch_type_name(x.data.dtype)} did not match {torch_type_name(y.data.dtype)}")
        broadcast_shapes(shape_of(x), shape_of(y))
    a, b = (B.asarray(v) if kind(B.asarray(v).dtype) == "f" else B.astype(B.asarray(v), "float64")
            for v in (data(x), data(y)))
    close = (xp.abs(a - b) <= atol + rtol * xp.abs(b)) & xp.isfinite(b) | (a == b)
    return close | (xp.isnan(a) & xp.isnan(b)) if equal_nan else close
