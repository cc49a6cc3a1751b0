"""A create_graph backward step done in PyTorch's order of work, so that the nodes its rules
record get PyTorch's sequence numbers, and the backward through them (a double backward: a
Hessian, hvp, gradgradcheck) runs its nodes, and adds up what reaches a tensor, in PyTorch's order.

PyTorch's generated `apply` of a node computes its inputs' formulas in the order of their names
in derivatives.yaml, sorted (tools/autograd/load_derivatives.py: `sorted(defn.keys())`): for
`mul(self, other)` other's formula first, for `mm(self, mat2)` mat2's (an op declares that order:
Op.order). Its engine then sums each gradient back to its input's shape and casts it to the
input's dtype (validate_outputs), input by input, and only then adds each to what its target
holds (the input buffer: a recorded add when it holds something), input by input.
"""
from __future__ import annotations

from .ops.shapes import sum_to, to_dtype


class InFormulaOrder(list):
    """A create_graph step's edges (backward.py: edges_of), with the place of each among its
    node's inputs (`inputs`) and the op's order of formulas (Op.order; None: input order)."""

    __slots__ = ("inputs", "order")

    def __init__(self, edges, inputs, order):
        super().__init__(edges)
        self.inputs = inputs
        self.order = order

    def formulas(self):
        """The edges' positions, in the order their formulas are computed."""
        if self.order is None:
            return range(len(self))
        rank = {i: r for r, i in enumerate(self.order)}
        return sorted(range(len(self)), key=lambda k: (rank.get(self.inputs[k], len(rank)), self.inputs[k]))


def send_recorded(g, out, args, edges, grads):
    """backward.send for a create_graph step: every formula (in the op's order), then each
    gradient summed back and cast, then each added to its target, in input order."""
    found = [None] * len(edges)
    for k in edges.formulas():
        vjp, params = edges[k][0], edges[k][1]
        found[k] = vjp(g, out, *args, **params) if params else vjp(g, out, *args)
    for k, (_, _, shape, dtype, _) in enumerate(edges):
        gi = found[k]
        if gi is None:              # (op.undefined: PyTorch's undefined gradient, nothing to add)
            continue
        if getattr(gi, "shape", None) != shape:
            gi = sum_to(gi, shape)
        if dtype is not None and gi.dtype != dtype:
            gi = to_dtype(gi, dtype)
        found[k] = gi
    for gi, edge in zip(found, edges):
        if gi is not None:
            prev = grads.get(edge[4])
            grads[edge[4]] = gi if prev is None else prev + gi
