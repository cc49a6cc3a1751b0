"""PyTorch's clamp, clamp_min and clamp_max: number bounds (ClampBackward1, ...) or tensor
bounds (ClampBackward0, ...), broadcast and promoted together as PyTorch does."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import host_types, kind
from ..engine.ops import bounds as picks
from ..engine.tensor import Tensor, apply, data
from .checks import broadcast_shapes, fail, shape_of
from .operands import stored
from .dtypes import result_type


def clamp(input, min=None, max=None):
    if min is None and max is None:
        fail("torch.clamp: At least one of 'min' or 'max' must not be None")
    if any(b is not None and type(b) is not Tensor and not _is_number(b) for b in (min, max)):
        _as_numbers("clamp", input, *(b for b in (min, max) if b is not None), fits=False)
    if type(min) is Tensor or type(max) is Tensor:
        if all(b is None or type(b) is Tensor for b in (min, max)):
            if max is None:
                return _bounded(picks.CLAMP_T_MIN, input, min, None)
            return _bounded(picks.CLAMP_T_MAX, input, None, max) if min is None else _bounded(picks.CLAMP_T, input, min, max)
        min, max = _as_numbers("clamp", input, min, max)
    min, max = _bound(input, min), _bound(input, max)
    return apply(picks.CLAMP, input, min=min, max=max, cast=_promoted(input, min, max))


def clamp_min(input, min):          # x.clamp_min(min): its own op in PyTorch (ClampMinBackward0)
    if type(min) is Tensor:
        return _bounded(picks.CLAMP_MIN_T, input, min)
    min = _bound(input, min)
    return apply(picks.CLAMP_MIN, input, min=min, cast=_promoted(input, min))


def clamp_max(input, max):
    if type(max) is Tensor:
        return _bounded(picks.CLAMP_MAX_T, input, max)
    max = _bound(input, max)
    return apply(picks.CLAMP_MAX, input, max=max, cast=_promoted(input, max))


def _bound(input, b):
    """A bool bound of a tensor that is not bool is the number 0 or 1 (an array library may refuse
    to compare a bool with numbers)."""
    if type(b) is bool and kind(getattr(data(input), "dtype", B.dtype("bool"))) != "b":
        return int(b)
    if type(input) is Tensor and type(b) in (int, float) and result_type(input, b) == input.data.dtype:
        return stored(b, input.data.dtype)      # (PyTorch's check, and -1 into uint8 is 255)
    return b


def _promoted(input, *bounds):
    """The dtype clamp computes in when number bounds promote the input (PyTorch's: an integer
    tensor with a float bound gives the default float); None when they do not."""
    have = getattr(data(input), "dtype", None)
    if have is None or kind(have) == "f":
        return None             # a float tensor outranks every number
    cast = result_type(input, *[b for b in bounds if b is not None])
    return None if cast == have else cast


def _bounded(op, input, *bounds):
    """clamp with tensor bounds: all three broadcast, and are promoted together."""
    shape = shape_of(input)
    given = [b for b in bounds if b is not None]       # (clamp's None bound: an input slot without a tensor)
    for b in given:
        shape = broadcast_shapes(shape, shape_of(b))
    cast = result_type(input, *given)
    same = all(getattr(data(v), "dtype", None) == cast for v in (input, *given))
    return apply(op, input, *bounds, cast=None if same else cast)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) or type(v) in host_types and getattr(v, "ndim", 1) == 0


def _as_numbers(name, input, *bounds, fits=True):
    """A tensor bound beside a number: PyTorch takes both as numbers, which a 0-d tensor
    that does not require grad can be; anything else (a string, a list) fits neither of its overloads."""
    if fits and all(type(b) is not Tensor or b.data.ndim == 0 and not b.requires_grad for b in bounds):
        return [B.item(b.data) if type(b) is Tensor else b for b in bounds]
    got = ", ".join(type(v).__name__ if type(v) is not Tensor else "Tensor" for v in (input, *bounds))
    fail(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
         f" * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
         f" * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n", "type")
