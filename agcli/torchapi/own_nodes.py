"""torch.frexp and Tensor.frexp (a named tuple: mantissa, recorded as FrexpBackward0, and exponent),
torch.narrow_copy and Tensor.narrow_copy (NarrowCopyBackward0, ATen's checks and words), and the
in-place asinh_, acosh_, atanh_ (and arcsinh_, ...): AsinhBackward1 and kin, whose backward is
PyTorch's NotImplementedError (engine/ops/own_nodes.py)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import own_nodes as O
from ..engine.tensor import Tensor, apply, data
from . import namespace
from .checks import dim_index, fail, is_int, ndim_of, shape_of, tensors_only
from .in_place_more import in_place_with
from .reductions import ValuesIndices


def frexp(input):
    tensors_only("frexp", input=input)
    if B.kind(data(input).dtype) != "f":
        fail("torch.frexp() only supports floating-point dtypes")
    mantissa = apply(O.FREXP, input)
    return ValuesIndices((mantissa, Tensor(O.frexp_parts(data(input))[1], device=input.device)), "frexp",
                         ("mantissa", "exponent"))


def _int(v):
    """A SymInt argument: an int, or a 0-d integer tensor's value."""
    if type(v) is Tensor and not data(v).shape and B.kind(data(v).dtype) in "iu":
        return int(B.item(data(v)))
    return v


def narrow_copy(input, dim, start, length):
    tensors_only("narrow_copy", input=input)
    start, length = _int(start), _int(length)
    for name, v in (("dim", dim), ("start", start), ("length", length)):
        if not is_int(v):
            fail(f"narrow_copy(): argument '{name}' must be int, not {type(v).__name__}", "type")
    n = ndim_of(input)
    if n == 0:
        fail("narrow() cannot be applied to a 0-dim tensor.")
    if dim >= n:
        fail("Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  (Could this error "
             "message be improved?  If so, please report an enhancement request to PyTorch.)")
    d = dim_index(dim, n)
    size = shape_of(input)[d]
    if not -size <= start <= size:
        fail(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})", "index")
    start = start + size if start < 0 else start
    if not (length >= 0 and start <= size - length):
        fail(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(O.NARROW_COPY, input, dim=d, start=start, stop=start + length)


def _in_place(name):
    op = O.IN_PLACE[name]

    def run(old):
        if B.kind(data(old).dtype) != "f":       # (a float result into an integer x: in_place.castable refuses)
            return namespace.METHODS[name](old)
        return apply(op, old)
    return in_place_with(run, f"{name}_")


_IN_PLACE = {name: _in_place(name) for name in O.IN_PLACE}
IN_PLACE = {**{f"{name}_": fn for name, fn in _IN_PLACE.items()},
            **{f"arc{name[1:]}_": fn for name, fn in _IN_PLACE.items()}}
BOTH = {"narrow_copy": narrow_copy}
VALUED = {"frexp": frexp}
