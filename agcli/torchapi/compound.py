"""torch.addcmul and torch.addcdiv (x + value * t1 * t2, x + value * t1 / t2), and the in-place
addcmul_, addcdiv_ and lerp_ a hand-written optimizer step uses: PyTorch's checks, type promotion
and the op each records (engine/ops/pairs.py); torch.diff, composed of slices as PyTorch's."""
from __future__ import annotations

from ..engine.backend import kind
from ..engine.ops import pairs as P
from ..engine.tensor import Tensor, apply
from . import logical as L
from .checks import broadcast_shapes, dim_index, fail, ndim_of, shape_of
from .dtypes import result_type
from .in_place import _in_place_unary
from .special_math import lerp


def _three(name, op):
    def function(input, tensor1, tensor2, *, value=1):
        for position, (param, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2)), 1):
            if type(t) is not Tensor:
                fail(f"{name}(): argument '{param}' (position {position}) must be Tensor, not {type(t).__name__}",
                     "type")
        if type(value) not in (int, float, bool):
            fail(f"{name}(): argument 'value' must be Number, not {type(value).__name__}", "type")
        cast = result_type(input, tensor1, tensor2)
        if kind(cast) == "b":
            fail(f'"{name}_cpu_out" not implemented for \'Bool\'', "not_implemented")
        if name == "addcdiv" and kind(tensor1.data.dtype) in "biu" and kind(tensor2.data.dtype) in "biu":
            fail("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
                 "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
                 "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
                 "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
                 "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
                 "dtypes.")
        if kind(cast) != "f" and type(value) is float:
            value = int(value)      # (an integer result takes the value toward zero, as PyTorch's kernel)
        broadcast_shapes(broadcast_shapes(shape_of(input), shape_of(tensor1)), shape_of(tensor2))
        params = {} if value == 1 else {"value": value}
        return apply(op, input, tensor1, tensor2, cast=cast, **params)
    function.__name__ = name
    return function


addcmul = _three("addcmul", P.ADDCMUL)
addcdiv = _three("addcdiv", P.ADDCDIV)


def addcmul_(x, tensor1, tensor2, *, value=1):
    return _in_place_unary(lambda t: addcmul(t, tensor1, tensor2, value=value))(x)


def addcdiv_(x, tensor1, tensor2, *, value=1):
    return _in_place_unary(lambda t: addcdiv(t, tensor1, tensor2, value=value))(x)


def lerp_(x, end, weight):
    return _in_place_unary(lambda t: lerp(t, end, weight))(x)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """input.narrow(dim, 1, len - 1) - input.narrow(dim, 0, len - 1), n times (logical_xor for bools),
    prepend and append concatenated first, as PyTorch composes it (SubBackward0 of two SliceBackward0)."""
    from . import functions as F
    if type(input) is not Tensor:
        fail(f"diff(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}", "type")
    if ndim_of(input) == 0:
        fail("diff expects input to be at least one-dimensional")
    if type(n) is not int or n < 0:
        fail(f"order must be non-negative but got {n}")
    d = dim_index(dim, ndim_of(input))
    pieces = [t for t in (prepend, input, append) if t is not None]
    x = F.cat(pieces, d) if len(pieces) > 1 else input
    for _ in range(n):
        length = shape_of(x)[d]
        if length == 0:
            break
        later, earlier = F.narrow(x, d, 1, length - 1), F.narrow(x, d, 0, length - 1)
        x = L.logical_xor(later, earlier) if kind(x.data.dtype) == "b" else F.sub(later, earlier)
    return x
