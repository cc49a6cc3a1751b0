"""torch.nn.Buffer: a tensor that a Module registers as its buffer when assigned to one of its
attributes (persistent or not: whether state_dict() holds it).

As in PyTorch, Buffer(data) is a plain tensor (data detached, its requires_grad kept) marked as a
buffer: type() says torch.Tensor, isinstance(x, nn.Buffer) says whether it is marked. agcli's
tensors hold no attributes of a program's own, so the marks (and `persistent`) are kept here, by
the tensor's identity, for as long as it lives.
"""
from __future__ import annotations

import weakref

from ...engine.tensor import Tensor
from ...torchapi import autograd
from ...torchapi import creation as C
from ..program_exceptions import raise_python
from ..program_values import type_name
from .parameter import MarkedTensorClass

_MARKED: dict = {}      # id(tensor) -> (a weak reference to it, persistent)


def buffer_persistence(value):
    """A Buffer's `persistent`, or None for anything that is not a Buffer."""
    entry = _MARKED.get(id(value))
    return entry[1] if entry is not None and entry[0]() is value else None


def buffer(cls, data=None, *, persistent=True):
    """nn.Buffer(data, persistent=True): data.detach().requires_grad_(data.requires_grad), marked (cls:
    Buffer.__new__'s, so that Python's words for a call that does not fit count as PyTorch's do)."""
    if data is None:
        data = C.empty(0)
    if type(data) is not Tensor:
        raise_python(AttributeError(f"'{type_name(data)}' object has no attribute 'detach'"))
    t = data.detach()
    if data.requires_grad:
        autograd.set_requires_grad(t, True, spelling="method")
    key = id(t)
    _MARKED[key] = (weakref.ref(t, lambda _, key=key: _MARKED.pop(key, None)), persistent)
    return t


class BufferClass(MarkedTensorClass):
    """nn.Buffer: isinstance() knows one; type() is Tensor's, as in PyTorch."""

    __slots__ = ()
    name = "Buffer"

    def is_instance(self, value) -> bool:
        return buffer_persistence(value) is not None

    def make(self, *args, **kwargs):
        return buffer(self, *args, **kwargs)


BUFFER = BufferClass()
