"""Elementwise functions PyTorch has beside the common ones: erfinv_ (in place), fmax, fmin,
logaddexp2, dist, i0 (i0_), and torch.special's entr, xlog1py, log_ndtr, i0 and i1; their checks and type
promotion, and the op each records (engine/ops/further.py, bessel.py)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import bessel as BE, further as FU
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from ..state import state
from . import special_math as SM
from .checks import broadcast_shapes, fail, shape_of, tensors_only
from .dtypes import result_type
from .in_place import _in_place_unary

erfinv_ = _in_place_unary(SM.erfinv)


def _pair(name, op, integers=True):
    """An op of two tensors, broadcast, in their promoted dtype (integers kept, or refused as PyTorch's
    float-only kernels refuse them)."""
    def function(input, other):
        tensors_only(name, input=input, other=other)
        cast = result_type(input, other)
        broadcast_shapes(shape_of(input), shape_of(other))
        if not integers and B.kind(cast) != "f":
            fail(f'"{name}_cpu" not implemented for \'{torch_type_name(cast)}\'', "not_implemented")
        if B.kind(cast) == "b" and name in ("fmax", "fmin"):
            fail(f'"{name}_cpu" not implemented for \'Bool\'', "not_implemented")
        return apply(op, input, other, cast=cast)
    function.__name__ = name
    return function


fmax, fmin = _pair("fmax", FU.FMAX), _pair("fmin", FU.FMIN)
logaddexp2 = _pair("logaddexp2", FU.LOGADDEXP2, integers=False)


def dist(input, other, p=2):
    """torch.dist: the p-norm of input - other, broadcast (DistBackward0)."""
    tensors_only("dist", input=input, other=other)
    broadcast_shapes(shape_of(input), shape_of(other))
    cast = result_type(input, other)
    if B.kind(cast) != "f":
        fail(f"norm(): input dtype should be either floating point or complex. Got {torch_type_name(cast)} instead.")
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        fail(f"dist(): argument 'p' (position 3) must be Number, not {type(p).__name__}", "type")
    return apply(FU.DIST, input, other, p=float(p), cast=cast)


def entr(input):
    """special_entr: -x log x (SpecialEntrBackward0); integers as the default float."""
    tensors_only("special_entr", input=input)
    x = input if B.kind(input.data.dtype) == "f" else Tensor(B.astype(input.data, state.default_float))
    return apply(FU.ENTR, x)


def log_ndtr(input):
    """special_log_ndtr: log of the standard normal's cdf (SpecialLogNdtrBackward0); integers as the default float."""
    tensors_only("special_log_ndtr", input=input)
    x = input if B.kind(input.data.dtype) == "f" else Tensor(B.astype(input.data, state.default_float))
    return apply(FU.LOG_NDTR, x)


_XLOG1PY_FORMS = (" * (Tensor input, Tensor other, *, Tensor out = None)\n"
                  " * (Number self, Tensor other, *, Tensor out = None)\n"
                  " * (Tensor input, Number other, *, Tensor out = None)\n")


def xlog1py(input, other):
    """special_xlog1py: x * log1p(y), 0 where x is 0 (SpecialXlog1PyBackward0; a number operand enters
    as a 0-d tensor of the other's dtype, so its node is Backward0 where PyTorch's is Backward1 or 2)."""
    if type(input) is not Tensor and type(other) is not Tensor:
        got = ", ".join(type(a).__name__ for a in (input, other))
        fail(f"special_xlog1py() received an invalid combination of arguments - got ({got}), but expected one "
             f"of:\n{_XLOG1PY_FORMS}", "type")
    cast = result_type(input, other)
    if B.kind(cast) != "f":
        cast = B.dtype(state.default_float)
    if type(input) is not Tensor:
        input = Tensor(B.asarray(float(input), dtype=cast), device=other.device)
    if type(other) is not Tensor:
        other = Tensor(B.asarray(float(other), dtype=cast), device=input.device)
    broadcast_shapes(shape_of(input), shape_of(other))
    return apply(FU.XLOG1PY, input, other, cast=cast)


def _bessel(op, name):
    """i0 / i1 of a tensor, integers as the default float (engine/ops/bessel.py)."""
    def function(input):
        tensors_only(name, input=input)
        x = input if B.kind(input.data.dtype) == "f" else Tensor(B.astype(input.data, state.default_float))
        return apply(op, x)
    function.__name__ = name
    return function


i0, special_i0, special_i1 = _bessel(BE.I0, "i0"), _bessel(BE.I0, "special_i0"), _bessel(BE.I1, "special_i1")
i0_ = _in_place_unary(i0)


_BOTH = {"fmax": fmax, "fmin": fmin, "logaddexp2": logaddexp2, "dist": dist, "i0": i0}
FUNCTIONS = dict(_BOTH)
METHODS = dict(_BOTH)
SPECIAL = {"entr": entr, "xlog1py": xlog1py, "i0": special_i0, "i1": special_i1, "log_ndtr": log_ndtr}
IN_PLACE = {"erfinv_": erfinv_, "i0_": i0_}
