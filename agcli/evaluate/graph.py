"""The backward graph of an expression, as `agcli graph` and `agcli explain` show it.

`trace` evaluates as `agcli grad` does, with an Observer that sees the graph
before backward frees what its nodes saved, and then every step backward
takes (engine/backward.py: propagate calls it once per node that runs). The
Graph it returns holds host data only: one node per grad_fn plus one
AccumulateGrad per leaf that requires grad, each with its grad_fn, name,
shape, forward value and the gradient of the output with respect to its
output; one edge per entry of PyTorch's next_functions that is not None,
with the gradient it carries.

Node ids are stable: depth first from the output, inputs in next_functions
order, each node once (tests/fixtures/record_graphs.py numbers PyTorch's
graphs the same way).
"""
from __future__ import annotations

import math

import numpy

from ..engine.backend import to_host
from ..engine.ops.shapes import sum_to, to_dtype
from ..engine.saved import fields, inputs
from ..engine.tensor import AccumulateGrad, Node, Tensor
from .result import Result
from .run import evaluate

LEAF_SEQ = math.inf     # PyTorch numbers an AccumulateGrad UINT64_MAX: it runs as soon as it is ready


class GraphNode:
    """One node: `inputs` is [(K, target id)], K its place in next_functions (None entries skipped)."""

    __slots__ = ("id", "grad_fn", "name", "shape", "value", "grad", "saved", "seq", "inputs", "says", "variadic",
                 "positions")

    def __init__(self, id, grad_fn, name, shape, value, seq):
        self.id, self.grad_fn, self.name, self.shape, self.value, self.seq = id, grad_fn, name, shape, value, seq
        self.grad = None        # d(output)/d(this node's output); a leaf's: its gradient
        self.saved = None       # {PyTorch's _saved_ name: host value}, what it kept for backward
        self.inputs = []
        self.says = ()          # its op's rules in words, one per argument (engine/op.py)
        self.variadic = False   # one rule for every argument (cat, stack)
        self.positions = {}     # K -> the argument's position among the op's arguments

    @property
    def is_leaf(self) -> bool:
        return self.seq == LEAF_SEQ

    def rule(self, k: int) -> str | None:
        """The rule in words for the gradient sent to input K."""
        i = 0 if self.variadic else self.positions.get(k, k)
        return self.says[i] if i < len(self.says) else None


class GraphEdge:
    """A gradient sent from node `source` to node `target` through input K of `source`:
    `grad` as it arrives (summed to the input's shape), `raw` as the rule gave it."""

    __slots__ = ("source", "target", "input", "grad", "raw")

    def __init__(self, source, target, k, grad, raw):
        self.source, self.target, self.input, self.grad, self.raw = source, target, k, grad, raw


class Graph:
    """What `agcli graph` draws: the Result (value, warnings, error), the nodes by id,
    the edges (by source id, then K) and the steps backward took, in its order."""

    def __init__(self, result: Result):
        self.result = result
        self.root = None            # the output's node id (None: no graph)
        self.nodes: list[GraphNode] = []
        self.edges: list[GraphEdge] = []
        self.ran: list[int] = []    # ids of the nodes agcli's backward ran, in its order (leaves not included)

    @property
    def expr(self) -> str:
        return self.result.expr


def trace(expr: str, bindings, *, wrt=None, grad_output=None, strict: bool = False, saved: bool = False) -> Graph:
    """Evaluate `expr` as `agcli grad` does and describe its graph (errors go into graph.result.error).

    saved: keep what each node saved for backward (--saved; explain reads it for its numbers)."""
    observer = Observer(saved)
    result = evaluate(expr, bindings, wrt=wrt, grad_output=grad_output, strict=strict, observer=observer)
    return observer.graph(result)


class _Seen:
    """A node as the observer saw it before backward."""

    __slots__ = ("name", "value", "saved", "g", "sent")

    def __init__(self, name, value, saved):
        self.name, self.value, self.saved = name, value, saved
        self.g = None           # the gradient that reached it
        self.sent = {}          # argument position -> (raw, grad)


class Observer:
    """Handed to evaluate (run.py): `start` sees the graph before backward frees what the
    nodes saved; each call sees one step of backward and wraps its edges to see what they carry."""

    def __init__(self, saved: bool):
        self.keep_saved = saved
        self.output = None
        self.seen = {}              # Node -> _Seen
        self.order = []             # Nodes, as backward ran them

    def start(self, output: Tensor, nodes):
        self.output = output
        for node in nodes or ():
            self.seen[node] = _Seen(node.out.name, _host(node.out.data), _saved(node) if self.keep_saved else None)

    def __call__(self, node, g, edges):
        seen = self.seen.get(node)
        if seen is None:            # (not a node of the graph: nothing to show)
            return edges
        self.order.append(node)
        seen.g = _host(g)
        positions = [i for i, nxt in enumerate(node.next) if nxt is not None]
        return [(_recording(vjp, shape, dtype, seen.sent, i), params, shape, dtype, target)
                for (vjp, params, shape, dtype, target), i in zip(edges, positions)]

    def graph(self, result: Result) -> Graph:
        graph = Graph(result)
        output = self.output
        if result.error is not None or output is None or not output.requires_grad:
            return graph
        root = output.grad_fn if output.grad_fn is not None else output
        ids = _numbered(root)
        for node, i in ids.items():
            graph.nodes.append(self._node(node, i))
        for node, i in ids.items():
            seen = self.seen.get(node)
            for k, position, nxt in _edges(node):
                raw, grad = (None, None) if seen is None else seen.sent.get(position, (None, None))
                graph.nodes[i].inputs.append((k, ids[nxt]))
                graph.nodes[i].positions[k] = position
                graph.edges.append(GraphEdge(i, ids[nxt], k, _host(grad), _host(raw)))
        graph.root = 0
        graph.ran = [ids[n] for n in self.order if n in ids]
        return graph

    def _node(self, node, i) -> GraphNode:
        if type(node) is Tensor:                    # the output is itself a leaf
            return _leaf(node, i)
        if type(node) is AccumulateGrad:
            return _leaf(node.variable, i)
        seen = self.seen.get(node) or _Seen(None, None, None)     # (node.out is gone after backward)
        shape = None if seen.value is None else tuple(seen.value.shape)
        out = GraphNode(i, node.name, seen.name, shape, seen.value, node.seq)
        out.grad, out.saved = seen.g, seen.saved
        out.says, out.variadic = node.op.says, node.op.variadic
        return out


def _leaf(tensor, i) -> GraphNode:
    node = GraphNode(i, "AccumulateGrad", tensor.name, tuple(tensor.data.shape), _host(tensor.data), LEAF_SEQ)
    node.grad = None if tensor.grad is None else _host(tensor.grad.data)
    return node


def _edges(node):
    """(K, argument position, next node) per entry of PyTorch's next_functions that is not None."""
    if type(node) is not Node:      # a leaf's AccumulateGrad (or the output, a leaf) has no inputs
        return []
    nxt = node.next
    return [(k, i, nxt[i]) for k, i in enumerate(inputs(node)) if i < len(nxt) and nxt[i] is not None]


def _numbered(root) -> dict:
    """node -> id: depth first from the root, inputs in next_functions order, each node once."""
    ids = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node in ids:
            continue
        ids[node] = len(ids)
        stack.extend(nxt for _, _, nxt in reversed(_edges(node)) if nxt not in ids)
    return ids


def _recording(vjp, shape, dtype, sent, i):
    """The edge's rule, keeping what it gives: as the rule gave it, and as propagate adds
    it to the input (summed to the input's shape, in the input's dtype: done here, so
    that propagate finds nothing left to do)."""
    def rule(g, out, *args, **params):
        raw = vjp(g, out, *args, **params)
        grad = raw if getattr(raw, "shape", None) == shape else sum_to(raw, shape)
        if dtype is not None and grad.dtype != dtype:
            grad = to_dtype(grad, dtype)
        sent[i] = (raw, grad)
        return grad
    return rule


def _saved(node) -> dict:
    """{name: host value} of what the node saved for backward, by PyTorch's names (None where
    PyTorch saved nothing: `x * 2` keeps no x)."""
    return {name: _host(field.value(node)) if field.saved(node) else None for name, field in fields(node).items()}


def _host(value):
    """Host data for the Graph: arrays and tensors to host NumPy arrays, tuples element by element."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is Tensor:
        return to_host(value.data)
    if isinstance(value, tuple):
        return tuple(_host(v) for v in value)
    return numpy.asarray(to_host(value)) if hasattr(value, "shape") else value    # (a NumPy scalar: 0-d)
