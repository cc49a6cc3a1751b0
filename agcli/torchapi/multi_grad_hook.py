"""torch.autograd.graph.register_multi_grad_hook(tensors, fn, mode="all"), as torch/autograd/graph.py
makes it of Tensor.register_hook: "all" calls fn(grads) once a backward pass has given every tensor
of it that the pass reaches its gradient (None for the others); "any" calls fn(grad) with the first.
A pass is the engine's (engine/hooks.py: PASS), so a backward run inside another's hook counts as
the outer one's after it ends.
"""
from __future__ import annotations

from ..engine import hooks as H
from ..errors import AgcliError
from .nodes import register_hook


class MultiHandle(H.Handle):
    """What register_multi_grad_hook returns: .remove() takes every tensor's hook away."""

    __slots__ = ("handles",)
    type_name, pytorch_module = "_MultiHandle", "torch.autograd.graph"

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for handle in self.handles:
            handle.remove()

    def __repr__(self):
        return f"<torch.autograd.graph._MultiHandle object at {id(self):#x}>"


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    if mode not in ("all", "any"):
        raise AgcliError(f"Expects mode to be one of ('all', 'any') but got {mode}", kind="value")
    tensors = list(tensors)
    if mode == "any":
        ran = set()

        def first(grad):
            if id(H.PASS[0]) not in ran:
                ran.add(id(H.PASS[0]))
                fn(grad)
        return MultiHandle(tuple(register_hook(t, first) for t in tensors if t.requires_grad))
    owners = [_grad_fn_or_grad_acc(t) for t in tensors]
    count, buffers, expected = {}, {}, [0]

    def inner(idx):
        def hook(grad):
            task = H.PASS[0]
            seen = count.get(id(task), 0)
            count[id(task)] = seen + 1
            buffer = buffers.setdefault(id(task), [None] * len(tensors))
            if seen == 0:
                expected[0] = sum(task.will_run(o) for o in owners)
            buffer[idx] = grad
            if seen == expected[0] - 1:
                fn(buffer)
                del count[id(task)], buffers[id(task)]
        return hook
    return MultiHandle(tuple(register_hook(t, inner(i)) for i, t in enumerate(tensors)))


def _grad_fn_or_grad_acc(t):
    if t.requires_grad and t.grad_fn is None:
        return t.edge()
    if t.grad_fn is None:
        raise AgcliError("Expected gradient function to be set", kind="assert")
    return t.grad_fn
