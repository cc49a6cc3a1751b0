"""PyTorch's functions of two tensors (atan2, hypot, logaddexp, xlogy, copysign, lerp)
and its special functions (lgamma, digamma, polygamma, erfinv, logit, sinc, deg2rad,
rad2deg, nan_to_num): their checks, type promotion, and the op each records
(engine/ops/pairs.py, engine/ops/special.py)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind
from ..engine.ops import pairs as P
from ..engine.ops import special as S
from ..engine.ops.shapes import to_dtype
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from ..state import state
from .checks import CPP_TYPE_NAMES, broadcast_shapes, fail, shape_of
from .dtypes import floating, result_type


_TENSORS = " * (Tensor input, Tensor other, *, Tensor out = None)\n"
_FORMS = {"xlogy": _TENSORS + " * (Number self, Tensor other, *, Tensor out = None)\n"
                              " * (Tensor input, Number other, *, Tensor out = None)\n",
          "copysign": _TENSORS + " * (Tensor input, Number other, *, Tensor out = None)\n",
          "lerp": " * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n"
                  " * (Tensor input, Tensor end, Number weight, *, Tensor out = None)\n"}


def _invalid(name, *args):
    """PyTorch's error for arguments that match none of `name`'s overloads."""
    got = ", ".join("Tensor" if type(a) is Tensor else type(a).__name__ for a in args)
    fail(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
         f"{_FORMS[name]}", "type")


def _float_result(name, x, y, integers=True):
    """The dtype two operands compute in: their promoted dtype, integers (and bools) as the
    default float where PyTorch converts them, else its 'not implemented' error."""
    for position, v, what in ((1, x, "input"), (2, y, "other")):
        if type(v) is not Tensor and (name not in _FORMS or type(v) not in (int, float, bool)):
            if name in _FORMS:
                _invalid(name, x, y)
            fail(f"{name}(): argument '{what}' (position {position}) must be Tensor, not {type(v).__name__}", "type")
    cast = result_type(x, y)
    if kind(cast) != "f":
        if not integers:
            fail(f'"{name}_cpu" not implemented for \'{torch_type_name(cast)}\'', "not_implemented")
        cast = B.dtype(state.default_float)
    broadcast_shapes(shape_of(x), shape_of(y))
    return cast


def _two_tensors(op, name, integers=True):
    def function(input, other):
        cast = _float_result(name, input, other, integers)
        return apply(op, input, other, cast=cast)
    function.__name__ = name
    return function


atan2 = _two_tensors(P.ATAN2, "atan2")
hypot = _two_tensors(P.HYPOT, "hypot", integers=False)
logaddexp = _two_tensors(P.LOGADDEXP, "logaddexp", integers=False)


def xlogy(input, other):
    """x * log(y) (0 where x is 0): tensors, or a number on either side (XlogyBackward1, 2)."""
    if type(input) is not Tensor and type(other) is not Tensor:
        _invalid("xlogy", input, other)
    cast = _float_result("xlogy", input, other)
    if type(input) is not Tensor:
        return apply(P.XLOGY_NUMBER_SELF, float(input), _as(other, cast))
    if type(other) is not Tensor:
        return apply(P.XLOGY_NUMBER_OTHER, _as(input, cast), float(other))
    return apply(P.XLOGY, input, other, cast=cast)


def copysign(input, other):
    """|input| with the sign of other (a tensor or a number: CopysignBackward1)."""
    if type(input) is not Tensor:
        _invalid("copysign", input, other)
    cast = _float_result("copysign", input, other)
    if type(other) is not Tensor:
        return apply(P.COPYSIGN_NUMBER, _as(input, cast), float(other))
    return apply(P.COPYSIGN, input, other, cast=cast)


def _as(x, dtype):
    if x.data.dtype == dtype:
        return x
    return to_dtype(x, dtype) if x.requires_grad else Tensor(B.astype(x.data, dtype))


def lerp(input, end, weight):
    """input + weight * (end - input): a number weight (LerpBackward0) or a tensor (LerpBackward1);
    the tensors of one floating dtype, as PyTorch's kernel asks."""
    if type(input) is not Tensor or type(end) is not Tensor or type(weight) not in (Tensor, int, float):
        _invalid("lerp", input, end, weight)
    for name, t in [("end", end)] + ([("weight", weight)] if type(weight) is Tensor else []):
        if t.data.dtype != input.data.dtype:
            fail(f"expected dtype {CPP_TYPE_NAMES[B.dtype_name(input.data.dtype)]} for `{name}` but got dtype "
                 f"{CPP_TYPE_NAMES[B.dtype_name(t.data.dtype)]}")      # (C++'s names: long int)
    if kind(input.data.dtype) != "f":
        which = "tensor" if type(weight) is Tensor else "scalar"
        fail(f'"lerp_kernel_{which}" not implemented for \'{torch_type_name(input.data.dtype)}\'', "not_implemented")
    if type(weight) is Tensor:
        broadcast_shapes(broadcast_shapes(shape_of(input), shape_of(end)), shape_of(weight))
        return apply(P.LERP_TENSOR, input, end, weight)
    broadcast_shapes(shape_of(input), shape_of(end))
    return apply(P.LERP, input, end, weight=float(weight))


def _unary(op, name):
    def function(input):
        if type(input) is not Tensor:
            fail(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}", "type")
        return apply(op, floating(input))
    function.__name__ = name
    return function


lgamma, digamma = _unary(S.LGAMMA, "lgamma"), _unary(S.DIGAMMA, "digamma")
erfinv, sinc = _unary(S.ERFINV, "erfinv"), _unary(S.SINC, "sinc")
deg2rad, rad2deg = _unary(S.DEG2RAD, "deg2rad"), _unary(S.RAD2DEG, "rad2deg")


def polygamma(n, input):
    if type(n) is not int:
        fail(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}", "type")
    if n < 0:
        fail("polygamma(n, x) does not support negative n.")
    return apply(S.POLYGAMMA, floating(input), n=n)


def logit(input, eps=None):
    params = {} if eps is None else {"eps": float(eps)}
    return apply(S.LOGIT, floating(input), **params)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return apply(S.NAN_TO_NUM, input, nan=nan, posinf=posinf, neginf=neginf)


BOTH = {"atan2": atan2, "arctan2": atan2, "hypot": hypot, "logaddexp": logaddexp, "xlogy": xlogy,
        "copysign": copysign, "lerp": lerp, "lgamma": lgamma, "digamma": digamma, "erfinv": erfinv,
        "logit": logit, "sinc": sinc, "deg2rad": deg2rad, "rad2deg": rad2deg, "nan_to_num": nan_to_num}
FUNCTIONS_ONLY = {"polygamma": polygamma}
METHODS_ONLY = {"polygamma": lambda input, n: polygamma(n, input)}
SPECIAL = {"gammaln": lgamma, "digamma": digamma, "psi": digamma, "polygamma": polygamma, "erfinv": erfinv,
           "logit": logit, "sinc": sinc, "xlogy": xlogy}
