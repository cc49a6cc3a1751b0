"""torch.autograd.forward_ad: dual_level, make_dual, unpack_dual (and
enter_dual_level / exit_dual_level), with PyTorch's checks and messages.

A dual tensor is a view of its primal carrying a tangent at the open level
(engine/forward.py); every op on it computes its output's tangent by its JVP
rules. Leaving the level drops every tangent given in it. One level at a time,
as PyTorch (a second is its RuntimeError).
"""
from __future__ import annotations

import weakref

from ..engine import forward as FW
from ..engine.backend import dtype_name, kind, strides
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply
from ..errors import AgcliError
from ..state import state
from .printing import tensor_repr


class dual_level:
    """`with fwAD.dual_level():` a forward-mode level for the block; `as lvl` gives its number (0)."""

    __slots__ = ("level",)
    type_name = "dual_level"

    def __enter__(self):
        self.level = FW.enter_level()
        return 0

    def __exit__(self, *exc):
        FW.exit_level(self.level)

    def __repr__(self):
        return f"<torch.autograd.forward_ad.dual_level object at {id(self):#x}>"


def enter_dual_level():
    FW.enter_level()
    return 0


def exit_dual_level(*, level=None):
    FW.exit_level()


def make_dual(tensor, tangent, *, level=None):
    """A view of `tensor` whose tangent is `tangent` at the open level."""
    for value, what in ((tensor, "primal"), (tangent, "tangent")):
        if type(value) is not Tensor:
            raise AgcliError(f"'{type(value).__name__}' object has no attribute 'is_floating_point'",
                             kind="attribute")
        if kind(value.data.dtype) != "f":
            raise AgcliError(f"Expected {what} to be floating point or complex, but got: "
                             f"torch.{dtype_name(value.data.dtype)}", kind="value")
    if state.dual is None:
        raise AgcliError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                         "enter_dual_level() first.")
    if tuple(tangent.data.shape) != tuple(tensor.data.shape):
        raise AgcliError("Trying to set a forward gradient that has a different size than that of the original "
                         f"Tensor, this is not supported. Tensor is of size [{', '.join(map(str, tensor.shape))}] "
                         f"while the given forward gradient is of size [{', '.join(map(str, tangent.shape))}].")
    if FW.tangent_of(tensor) is not None:
        raise AgcliError("Making a dual Tensor based on a Tensor that already has a forward gradient at the same "
                         "level 0 is not supported.")
    level_now = state.dual
    state.dual = None           # the view itself carries no tangent of the primal's
    try:
        dual = apply(S.VIEW, tensor, shape=tuple(tensor.data.shape))    # PyTorch's _make_dual: a view
    finally:
        state.dual = level_now
    level_now.give(dual, tangent if tangent.requires_grad else tangent.data)
    if not tangent.requires_grad and strides(tangent.data) == strides(tensor.data):
        # a tangent laid out as the primal is kept as it is: unpack_dual gives this very tensor back
        level_now.unpacked[id(tangent.data)] = tangent
    level_now.made.append(weakref.ref(dual))
    return dual


def unpack_dual(tensor, *, level=None):
    """(primal, tangent): the primal a view without the tangent; the tangent None outside a level."""
    if type(tensor) is not Tensor:
        return UnpackedDualTensor(tensor, None)
    tangent = FW.tangent_of(tensor) if state.dual is not None else None
    if tangent is None:
        return UnpackedDualTensor(tensor if state.dual is None else _primal(tensor), None)
    return UnpackedDualTensor(_primal(tensor), tangent if type(tangent) is Tensor else
                              state.dual.as_tensor(tangent, tensor.device))


def _primal(tensor):
    level_now = state.dual
    state.dual = None
    try:
        return apply(S.PRIMAL, tensor)      # (PyTorch's _fw_primal: grad_fn Identity)
    finally:
        state.dual = level_now


class UnpackedDualTensor(tuple):
    """unpack_dual's namedtuple: (primal, tangent), also by name."""

    type_name = "UnpackedDualTensor"
    program_attributes = {"primal": "primal", "tangent": "tangent"}

    def __new__(cls, primal, tangent):
        return super().__new__(cls, (primal, tangent))

    primal = property(lambda self: self[0])
    tangent = property(lambda self: self[1])

    def __repr__(self):
        def show(v):
            return "None" if v is None else tensor_repr(v) if type(v) is Tensor else repr(v)
        return f"UnpackedDualTensor(primal={show(self[0])}, tangent={show(self[1])})"
