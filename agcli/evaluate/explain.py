"""Backward, step by step, as `agcli explain` tells it: the steps of a Graph
(evaluate/graph.py) in the order PyTorch's engine runs them, each with the
gradient arriving and, per input, the rule in words with the numbers put in.

PyTorch's engine keeps the nodes that are ready (every gradient they wait
for has arrived, and been summed) in a priority queue: the node created
last runs first, an AccumulateGrad (numbered UINT64_MAX) as soon as it is
ready. Ties, between leaves ready at once, fall as its queue breaks them:
std::priority_queue over libstdc++'s heap, which `_Queue` reproduces step
for step (tests/fixtures/torch_graphs.json records PyTorch's order).
"""
from __future__ import annotations

import re

from ..torchapi.printing import format_data
from .graph import Graph, GraphEdge, GraphNode

INLINE_ELEMENTS = 6         # a tensor with more elements keeps its name in the rule
INLINE_WIDTH = 40           # ... and so does one whose numbers take more room than this


class Step:
    """One node's turn: the gradient it got (`arriving`: the edges summed into it), and
    per input the edge, the rule in words and the rule with the numbers put in."""

    __slots__ = ("number", "node", "arriving", "sends")

    def __init__(self, number: int, node: GraphNode, arriving: list[GraphEdge]):
        self.number, self.node, self.arriving = number, node, arriving
        self.sends: list[tuple[GraphEdge, str | None, str | None]] = []


def steps(graph: Graph) -> list[Step]:
    """The graph's steps in PyTorch's engine order (trace it with saved=True: the rules read
    what the nodes saved)."""
    order = engine_order(graph)
    number = {node_id: n for n, node_id in enumerate(order, 1)}
    edges_from, edges_to = {}, {}
    for edge in graph.edges:
        edges_from.setdefault(edge.source, []).append(edge)
        edges_to.setdefault(edge.target, []).append(edge)
    out = []
    for node_id in order:
        node = graph.nodes[node_id]
        # what reached the node, in the order it arrived (the order it was summed in)
        arriving = sorted(edges_to.get(node_id, ()), key=lambda e: (number[e.source], e.input))
        step = Step(number[node_id], node, arriving)
        for edge in edges_from.get(node_id, ()):
            rule = node.rule(edge.input)
            step.sends.append((edge, rule, None if rule is None else with_numbers(rule, node)))
        out.append(step)
    return out


def engine_order(graph: Graph) -> list[int]:
    """Node ids in the order PyTorch's engine runs them (see the module's docstring)."""
    if graph.root is None:
        return []
    waiting = {}
    for edge in graph.edges:
        waiting[edge.target] = waiting.get(edge.target, 0) + 1
    ready = _Queue(lambda node_id: graph.nodes[node_id].seq)
    ready.push(graph.root)
    order = []
    while ready:
        node_id = ready.pop()
        order.append(node_id)
        for _, target in graph.nodes[node_id].inputs:       # in next_functions order, as the engine walks them
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.push(target)
    return order


class _Queue:
    """std::priority_queue<NodeTask> as libstdc++ keeps it (push_heap, pop_heap), comparing
    sequence numbers: its order among equals is PyTorch's."""

    def __init__(self, priority):
        self.heap, self.priority = [], priority

    def __bool__(self):
        return bool(self.heap)

    def _less(self, a, b) -> bool:
        return self.priority(a) < self.priority(b)

    def _sift_up(self, hole, top, value):       # std::__push_heap
        heap = self.heap
        parent = (hole - 1) // 2
        while hole > top and self._less(heap[parent], value):
            heap[hole] = heap[parent]
            hole = parent
            parent = (hole - 1) // 2
        heap[hole] = value

    def push(self, value):
        self.heap.append(value)
        self._sift_up(len(self.heap) - 1, 0, value)

    def pop(self):
        heap = self.heap
        top, value = heap[0], heap[-1]
        heap.pop()
        n = len(heap)
        if n:                                    # std::__adjust_heap from the root, then __push_heap
            hole = child = 0
            while child < (n - 1) // 2:
                child = 2 * (child + 1)
                if self._less(heap[child], heap[child - 1]):
                    child -= 1
                heap[hole] = heap[child]
                hole = child
            if n % 2 == 0 and child == (n - 2) // 2:
                child = 2 * (child + 1)
                heap[hole] = heap[child - 1]
                hole = child - 1
            self._sift_up(hole, 0, value)
        return top


# ------------------------------------------------------- the numbers put in
_NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?![\w(.'])", re.ASCII)     # not a method, call or "target's"


def with_numbers(rule: str, node: GraphNode) -> str | None:
    """The rule with each name that stands for a short value replaced by its numbers
    (grad, result and what the node saved: self, other, exponent, ...); None when no
    name has one to put in."""
    known = {"grad": node.grad, "result": node.value}
    known.update(node.saved or {})
    found = False

    def put(match):
        nonlocal found
        text = number_text(known.get(match[1]))
        if text is None:
            return match[0]
        found = True
        return f"({text})" if text.startswith("-") else text
    filled = _NAME.sub(put, rule)
    return filled if found else None


def number_text(value) -> str | None:
    """A value on one short line, as PyTorch prints it (None: too long, or not a number)."""
    if value is None or isinstance(value, (str, tuple)):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if value.size > INLINE_ELEMENTS:
        return None
    text = " ".join(line.strip() for line in value_text(value).split("\n"))
    return text if len(text) <= INLINE_WIDTH else None


def value_text(value) -> str:
    """A host array as PyTorch prints its numbers (long ones summarized as PyTorch does)."""
    return format_data(value, dtype=str(value.dtype))
