"""PyTorch's rounding functions: round (decimals=), floor, ceil, trunc (fix), frac, sign (sgn).
Integer tensors round to themselves; the kernels PyTorch lacks for a dtype are its errors."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import pointwise as P
from ..engine.ops import rounding as RD
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from .checks import fail, is_int


def _refuse(input, kernel, kinds):
    """PyTorch's NotImplementedError where its CPU kernel has no version for the input's dtype."""
    dtype = getattr(data(input), "dtype", None)
    if dtype is not None and B.kind(dtype) in kinds:
        fail(f'"{kernel}" not implemented for \'{torch_type_name(dtype)}\'', "not_implemented")


def round(input, *, decimals=None):
    if decimals is None or type(input) is not Tensor:
        _refuse(input, "round_vml_cpu", "b")
        return apply(RD.ROUND, input)
    if not is_int(decimals):
        fail(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}", "type")
    _refuse(input, "round_cpu", "biu")
    return apply(RD.ROUND_DECIMALS, input, decimals=int(decimals))


def _rounding(op, kernel):
    def function(input):
        _refuse(input, kernel, "b")
        return apply(op, input)
    function.__name__ = function.__qualname__ = kernel.partition("_")[0]
    return function


floor = _rounding(RD.FLOOR, "floor_vml_cpu")
ceil = _rounding(RD.CEIL, "ceil_vml_cpu")
trunc = _rounding(RD.TRUNC, "trunc_vml_cpu")


def frac(input):
    _refuse(input, "frac_cpu", "biu")
    return apply(RD.FRAC, input)


def sign(input):
    return _signed(RD.SIGN, input)


def sgn(input):
    """torch.sgn: sign for real tensors, recorded as SgnBackward0."""
    return _signed(P.SGN, input)


def _signed(op, input):
    if type(input) is Tensor and B.kind(input.data.dtype) == "b":      # a bool is its own sign
        return Tensor(B.copy(input.data), device=input.device)
    return apply(op, input)
