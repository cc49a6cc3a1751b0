"""The `ctx` of a program's torch.autograd.Function (PyTorch's FunctionCtx, whose
class is the node's: `<torch.autograd.function.FnBackward object at 0x...>`).

A program sets its own attributes on it (`ctx.k = k`) and calls PyTorch's
methods: save_for_backward / saved_tensors (save_for_forward's in jvp; freed by a backward without
retain_graph, and checked for in-place changes since, with PyTorch's errors),
needs_input_grad, mark_non_differentiable, mark_dirty, set_materialize_grads.
"""
from __future__ import annotations

from weakref import WeakKeyDictionary

from ..engine.backward_messages import SECOND_BACKWARD, modified_message
from ..engine.tensor import Tensor, version_of
from ..errors import AgcliError
from ..state import state
from ..torchapi.saved_hooks import unpacked
from .program_objects import BoundMethod, ProgramObject, Property
from .program_values import type_name


class FunctionCtx(ProgramObject):
    """What forward and backward get as `ctx`; its state beside the program's attributes."""

    __slots__ = ("__dict__", "needs", "saved", "versions", "node", "materialize", "dirty", "non_differentiable",
                 "forward_saved", "in_jvp", "packed")

    def __init__(self, args):
        self.needs = tuple(type(a) is Tensor and a.requires_grad for a in args)
        self.saved, self.versions, self.node, self.materialize = (), (), None, True
        self.dirty, self.non_differentiable = (), ()
        self.forward_saved, self.in_jvp = (), False      # save_for_forward's tensors: what jvp's saved_tensors are
        self.packed = None      # (saved_tensors_hooks, [(tensor, packed)]) when hooks were on as the node was made

    def is_dirty(self, t) -> bool:
        return any(t is d for d in self.dirty)

    def is_non_differentiable(self, t) -> bool:
        return any(t is d for d in self.non_differentiable)

    def __repr__(self):
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"


def _tensors(method, values):
    for i, v in enumerate(values):
        if v is not None and type(v) is not Tensor:
            raise AgcliError(f"{method} can only save variables, but argument {i} is of type {type_name(v)}",
                             kind="type")
    return tuple(values)


def save_for_backward(ctx, *tensors):
    ctx.saved = tensors         # (checked when apply makes the node, as PyTorch: `keep_saved`)


def keep_saved(ctx):
    """What forward saved, checked and its versions noted, as apply's end does in PyTorch (and
    packed, under torch.autograd.graph.saved_tensors_hooks: saved_tensors unpacks it)."""
    ctx.saved = _tensors("save_for_backward", ctx.saved)
    ctx.versions = tuple(version_of(t) for t in ctx.saved)
    if state.saved_hooks:
        hooks = state.saved_hooks[-1]
        ctx.packed = (hooks, hooks.pack_tensors(t for t in ctx.saved if t is not None))


def save_for_forward(ctx, *tensors):
    ctx.forward_saved = _tensors("save_for_forward", tensors)


def saved_tensors(ctx):
    """ctx.saved_tensors: PyTorch's error once a backward freed them, or when one changed in place since;
    in jvp, what save_for_forward saved."""
    if ctx.in_jvp:
        return ctx.forward_saved
    node = ctx.node
    if node is not None and node.released:
        raise AgcliError(SECOND_BACKWARD)
    for t, version in zip(ctx.saved, ctx.versions):
        if t is not None and version_of(t) != version:
            maker = t.grad_fn if t.grad_fn is not node else node
            raise AgcliError(modified_message(node, t, version, maker))
    if ctx.packed is not None:
        hooks, packed = ctx.packed
        found = iter([unpacked(hooks.unpack_hook, value) for _, value in packed])
        return tuple(None if t is None else next(found) for t in ctx.saved)
    return ctx.saved


def mark_non_differentiable(ctx, *tensors):
    ctx.non_differentiable += _tensors("mark_non_differentiable", tensors)


def mark_dirty(ctx, *tensors):
    ctx.dirty += _tensors("mark_dirty", tensors)


def set_materialize_grads(ctx, value):
    ctx.materialize = bool(value)


class _Method:
    __slots__ = ("function",)

    def __init__(self, function):
        self.function = function

    def get_for(self, instance, owner):
        return self.function if instance is None else BoundMethod(self.function, instance)


FunctionCtx._ns = {
    "save_for_backward": _Method(save_for_backward),
    "save_for_forward": _Method(save_for_forward),
    "saved_tensors": Property(saved_tensors),
    "needs_input_grad": Property(lambda ctx: ctx.needs),
    "mark_non_differentiable": _Method(mark_non_differentiable),
    "mark_dirty": _Method(mark_dirty),
    "set_materialize_grads": _Method(set_materialize_grads),
}

_CLASSES: WeakKeyDictionary = WeakKeyDictionary()


def ctx_class(function_class):
    """The ctx class of a program's Function subclass: `<Name>Backward`, as PyTorch names its node."""
    cls = _CLASSES.get(function_class)
    if cls is None:
        name = f"{function_class.__name__}Backward"
        cls = _CLASSES[function_class] = type(name, (FunctionCtx,), {
            "__module__": "torch.autograd.function", "__qualname__": name, "_ns": {}})
    return cls
