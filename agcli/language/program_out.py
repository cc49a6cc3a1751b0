"""`out=` on a program's torch functions (torch.matmul(a, b, out=c)): the result written into
`out`, converted to its dtype, resized when its shape differs, with PyTorch's checks and warning."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..errors import AgcliError, torch_type_name
from ..state import state
from ..torchapi import in_place
from ..torchapi.modes import no_grad
from ..torchapi.namespace import MODULE_ATTRIBUTES

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}
# PyTorch's random factories draw into out= itself: in its dtype (float64's draws are random64's), resized
# without the warning
_DRAWN_INTO = frozenset(("rand", "randn", "randint", "randperm", "normal"))
_RESIZED_QUIETLY = _DRAWN_INTO | {"bernoulli", "multinomial"}


def call_with_out(run, name, out, args, kwargs):
    """run() (the call without out=), its result written into out; out returned."""
    if type(out) is not Tensor:
        raise AgcliError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}", kind="type")
    inputs = [*args, *kwargs.values()]
    if state.grad_enabled and any(type(a) is Tensor and a.requires_grad for a in inputs + [out]):
        raise AgcliError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                         "but one of the arguments requires grad.")
    drawn = name in _DRAWN_INTO and "dtype" not in kwargs and not any(type(a) is Tensor for a in inputs)
    if drawn:
        kwargs["dtype"] = MODULE_ATTRIBUTES[B.dtype_name(out.data.dtype)]     # (torch.float64, ...)
    result = run()
    if type(result) is not Tensor:
        raise AgcliError(f"{name}() with out= gives several results, which agcli writes into no out tensor",
                         kind="type", hint=f"call {name}() without out= and assign its result")
    have, want = result.data.dtype, out.data.dtype
    if _CATEGORY[B.kind(have)] > _CATEGORY[B.kind(want)]:
        raise AgcliError(f"result type {torch_type_name(have)} can't be cast to the desired output type "
                         f"{torch_type_name(want)}")
    if result.data.shape != out.data.shape:
        if out.base is not None:        # (resizing a view would leave its base behind: refused, not guessed)
            raise AgcliError(f"{name}(): out= is a view of another tensor and the result has another shape "
                             f"({tuple(result.data.shape)}), which agcli does not resize", kind="not_implemented",
                             hint="pass an out tensor of the result's shape, or assign the result")
        if out.data.size and name not in _RESIZED_QUIETLY:
            shown = ", ".join(map(str, out.data.shape))
            state.warn("UserWarning: An output with one or more elements was resized since it had shape "
                       f"[{shown}], which does not match the required output shape "
                       f"[{', '.join(map(str, result.data.shape))}]. This behavior is deprecated, and in a future "
                       "PyTorch release outputs will not be resized unless they have zero elements. You can "
                       "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).")
        out.data = B.astype(result.data, want) if have != want else B.clone(result.data, True)
        out.version = (out.version or 0) + 1
        return out
    with no_grad():
        in_place.copy_(out, result)
    return out
