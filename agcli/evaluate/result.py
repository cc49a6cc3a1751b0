"""What evaluating an expression gives: a Result, read by every front end."""
from __future__ import annotations

import numpy

from ..errors import AgcliError


# How a line's JSON ends after its grads when it has nothing more to say (no no_grad, warnings
# or error): written out directly by output/json_lines.py.
QUIET_END = '"no_grad": {}, "warnings": [], "error": null'


class NodeInfo:
    """One recorded op, as the output shows it."""

    __slots__ = ("name", "grad_fn", "shape", "value")

    def __init__(self, name, grad_fn, shape, value):
        self.name = name
        self.grad_fn = grad_fn
        self.shape = shape
        self.value = value

    def __repr__(self):
        return f"NodeInfo({self.name!r}, {self.grad_fn!r}, {self.shape!r})"


def tuple_output(value):
    """Refuse an expression whose value is a tuple (grad, jacobian and the others need a tensor),
    naming what it is: max(dim)'s (values, indices), a torch.Size, or any other tuple."""
    if hasattr(value, "indices"):
        raise AgcliError("the expression gives a tuple (values, indices); pick one, e.g. x.max(0).values",
                         kind="type")
    if type(value).__name__ == "Size":
        raise AgcliError(f"the expression gives {value!r}, a shape, not a tensor", kind="type",
                         hint="this command needs a tensor, e.g. x.sum(); a program run by `agcli run` can print(x.shape)")
    raise AgcliError(f"the expression gives a tuple of {len(value)}, not a tensor; pick one, e.g. (...)[0]",
                     kind="type")


_DTYPE_TEXT: dict = {}


class Result:
    """What evaluating an expression gave: value, graph, gradients, or an error."""

    def __init__(self, expr: str):
        self.expr = expr
        self.value = None           # host array
        self.grad_fn = None         # name of the output's node
        self.requires_grad = False
        # The graph's nodes in execution order as (name, grad_fn, shape, value) tuples, cheaper
        # to make than NodeInfo objects, which only a reader of `nodes` needs (the JSON writer
        # reads these); None once `nodes` is read or set, which then holds them.
        self.node_records: list | None = []
        self._nodes = None
        self.grads: dict = {}       # variable name -> host array (None: no gradient reached it)
        self.warnings: list[str] = []
        self.no_grad: dict = {}     # variable name -> why its gradient is None (evaluate/why_none.py)
        self.error: AgcliError | None = None
        self.json_cache: dict | None = None   # shared by the results of one replay (output/json_lines.py)

    @property
    def nodes(self) -> list[NodeInfo]:
        if self.node_records is not None:
            self._nodes = [NodeInfo(*record) for record in self.node_records]
            self.node_records = None
        return self._nodes

    @nodes.setter
    def nodes(self, nodes: list[NodeInfo]):
        self._nodes = nodes
        self.node_records = None

    @property
    def dtype(self) -> str | None:
        if self.value is None:
            return None
        d = self.value.dtype
        text = _DTYPE_TEXT.get(d)      # (str of a NumPy dtype is Python code, and slow)
        if text is None:
            text = _DTYPE_TEXT[d] = str(d)
        return text

    @property
    def shape(self) -> tuple | None:
        return None if self.value is None else tuple(self.value.shape)


def same_result(a: Result, b: Result) -> bool:
    """Do two Results hold the same value, graph, gradients and warnings, bit for bit?"""
    def same(x, y):
        if x is None or y is None:
            return x is y
        return x.shape == y.shape and x.dtype == y.dtype and bool(numpy.all((x == y) | ((x != x) & (y != y))))
    return (same(a.value, b.value) and a.grad_fn == b.grad_fn and a.warnings == b.warnings
            and [(n.name, n.grad_fn, n.shape) for n in a.nodes] == [(n.name, n.grad_fn, n.shape) for n in b.nodes]
            and a.grads.keys() == b.grads.keys() and all(same(a.grads[k], b.grads[k]) for k in a.grads))
