"""Hooks on the graph, and anomaly mode's check: what runs inside backward
besides the ops' rules (PyTorch's Tensor.register_hook, grad_fn.register_hook
and register_prehook, torch.autograd.detect_anomaly).

backward.py asks `watching()` once per pass and hands the pass a `Watch`
only then: a backward with no hook registered and anomaly mode off runs
exactly as it would without this module. A hook here is any callable on the
engine's gradients (raw arrays, or tensors when create_graph); torchapi wraps
a program's function into one, with PyTorch's checks of what it returns.

When each runs is PyTorch's engine's order: at a node, its tensors' hooks
(then retain_grad), its pre-hooks, its rules, its post-hooks (which see and
may replace the gradients it sends on), then, under anomaly mode, the check
for nan; a leaf's hooks run as soon as its gradient is complete (PyTorch's
AccumulateGrad runs first among the nodes ready), before it is added to .grad.
"""
from __future__ import annotations

from itertools import count
from weakref import WeakKeyDictionary

from ..errors import AgcliError
from ..state import state
from .backend import xp
from .backward_messages import anomaly_warning
from .function_node import FunctionNode, Parts
from .saved import inputs
from .tensor import AccumulateGrad, Tensor


class Hooks:
    """A node's hooks by kind, each {handle key: fn} in the order registered:
    `tensor` fn(grad) -> grad (Tensor.register_hook: for a leaf on its
    AccumulateGrad, else on its grad_fn), `pre` fn(grad) -> grad, `post`
    fn(grads to the inputs, grad) -> grads to the inputs, `accumulated` fn(leaf)
    (a leaf's AccumulateGrad: Tensor.register_post_accumulate_grad_hook)."""

    __slots__ = ("tensor", "pre", "post", "accumulated", "unpack")

    def __init__(self):
        self.tensor, self.pre, self.post, self.accumulated = {}, {}, {}, {}
        self.unpack = []        # fn() per saved_tensors_hooks that packed what the node saved (after pre)


REGISTRY: WeakKeyDictionary = WeakKeyDictionary()     # Node or AccumulateGrad -> Hooks
_keys = count()
# Anomaly mode's record of where each node's forward ran: Node -> (start, end) in the
# user's text. The language notes it when it lowers under anomaly mode (lower.py: guard),
# so that the nan error points at the operation, as PyTorch's forward traceback does.
FORWARD_PLACES: WeakKeyDictionary = WeakKeyDictionary()


def note_forward(value, span):
    """Remember where the node that made `value` (if a fresh one did) ran forward."""
    node = getattr(value, "grad_fn", None)
    if node is not None and node not in FORWARD_PLACES:
        FORWARD_PLACES[node] = span


def hooks_of(node) -> Hooks:
    hooks = REGISTRY.get(node)
    if hooks is None:
        hooks = REGISTRY[node] = Hooks()
    return hooks


class Handle:
    """What registering a hook returns: .remove() takes the hook away."""

    __slots__ = ("table", "key")
    type_name, pytorch_module = "RemovableHandle", "torch.utils.hooks"      # (as type() names it)

    def __init__(self, table: dict, fn):
        self.table, self.key = table, next(_keys)
        table[self.key] = fn

    def remove(self):
        self.table.pop(self.key, None)

    def __repr__(self):
        return f"<torch.utils.hooks.RemovableHandle object at {id(self):#x}>"


def watching() -> bool:
    """Must this backward pass run hooks or check for nan?"""
    # (the dict inside: WeakKeyDictionary's len is Python code; an entry whose node has just
    # died may linger there, and costs only a pass that watches nothing)
    return bool(REGISTRY.data) or (state.detect_anomaly and state.anomaly_check_nan)


PASS = [None]       # the Watch of the pass running (or that ran last): its hooks' graph task


class Watch:
    """The hooks and checks of one backward pass over `order` (nodes, in backward's order)."""

    def __init__(self, order):
        PASS[0] = self
        self.order, self.runs = order, None
        self.nan = state.detect_anomaly and state.anomaly_check_nan
        self.pending = {}         # node -> (placeholder keys its rules' gradients go to, for after())
        self.done = set()         # leaves whose hooks have run
        last = {}                 # a hooked leaf -> the last node sending it a gradient
        for node in order:
            for nxt in node.next:
                if type(nxt) is AccumulateGrad and nxt in REGISTRY:
                    last[nxt] = node
        self.leaves_after = {}
        for leaf, node in last.items():
            self.leaves_after.setdefault(node, []).append(leaf)

    def will_run(self, node) -> bool:
        """torch._C._will_engine_execute_node: is `node` (a grad_fn or a leaf's AccumulateGrad) in this pass?"""
        if self.runs is None:
            self.runs = set(self.order) | {nxt for n in self.order for nxt in n.next if type(nxt) is AccumulateGrad}
        return node in self.runs

    def tensor_hooks(self, node, g):
        hooks = REGISTRY.get(node)
        if hooks is not None:
            for fn in list(hooks.tensor.values()):
                g = fn(g)
        return g

    def pre_hooks(self, node, g):
        hooks = REGISTRY.get(node)
        if hooks is not None:
            for fn in list(hooks.pre.values()):
                g = fn(g)
            for fn in hooks.unpack:     # (PyTorch's node unpacks what it saved as it starts)
                fn()
        return g

    def redirect(self, node, edges):
        """The node's edges, sent to placeholder keys when its post-hooks or the nan check
        must see its gradients before they reach the inputs (after() moves them on)."""
        hooks = REGISTRY.get(node)
        if not self.nan and (hooks is None or not hooks.post):
            return edges
        slots = [object() for _ in edges]
        self.pending[node] = slots
        return [(vjp, params, shape, dtype, slot) for (vjp, params, shape, dtype, _), slot in zip(edges, slots)]

    def after(self, node, g, grads):
        """Once the node's rules have run: its post-hooks, the nan check, then the hooks of
        the leaves whose gradient it completed."""
        slots = self.pending.pop(node, None)
        if slots is not None:
            outs = [None] * len(node.next)
            positions = node.reached if type(node) is FunctionNode else \
                [i for i, nxt in enumerate(node.next) if nxt is not None]
            for i, slot in zip(positions, slots):
                outs[i] = grads.pop(slot, None)
            hooks = REGISTRY.get(node)
            if hooks is not None:
                for fn in list(hooks.post.values()):
                    outs = fn(outs, g)
            if self.nan:
                _check_nan(node, outs)
            for i in positions:
                gi, target = outs[i], node.next[i]
                if gi is not None:
                    prev = grads.get(target)
                    grads[target] = gi if prev is None else prev + gi
        for leaf in self.leaves_after.get(node, ()):
            if leaf in grads:
                grads[leaf] = self.leaf(leaf, grads[leaf])

    def leaf(self, leaf, g):
        """A leaf's hooks, before its gradient is added to .grad (AccumulateGrad's post-hooks
        see no gradients of inputs: it has none)."""
        self.done.add(leaf)
        hooks = REGISTRY.get(leaf)
        if hooks is not None:
            g = self.pre_hooks(leaf, self.tensor_hooks(leaf, g))
            for fn in list(hooks.post.values()):
                fn([], g)
        return g

    def accumulated(self, leaf):
        """A leaf's post-accumulate-grad hooks, once its .grad holds the new sum."""
        sink = leaf._accumulator        # (None: a non-leaf caught by inputs=, which has no such hooks)
        hooks = None if sink is None else REGISTRY.get(sink)
        if hooks is not None and leaf.requires_grad:
            for fn in list(hooks.accumulated.values()):
                fn(leaf)


def _check_nan(node, outs):
    """Anomaly mode: PyTorch's error for a rule that gave nan (its outputs counted as PyTorch's)."""
    for k, i in enumerate(inputs(node)):
        gi = outs[i] if i < len(outs) else None
        if gi is None or type(gi) is Parts:     # (a Port's edge: the outputs' gradients, checked at their node)
            continue
        if bool(xp.any(xp.isnan(gi.data if type(gi) is Tensor else gi))):
            state.warn(anomaly_warning(node))
            raise AgcliError(f"Function '{node.name}' returned nan values in its {k}th output.",
                             FORWARD_PLACES.get(node),
                             hint=None if node not in FORWARD_PLACES else
                             f"the caret marks the operation whose backward, {node.name}, gave nan")
