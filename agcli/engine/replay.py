"""Replays: an expression evaluated again on new values of the same shapes,
without building a graph.

A batch often repeats one expression with new bindings. Once a line's
expression has been seen with the same bound names, shapes and dtypes, the
next evaluation records each op it applies (tensor.apply) and the order its
backward visited the graph. Later evaluations call the same forward
functions and the same VJP rules on raw arrays, in the same order, so they
give the same bits as the graph would, without Tensor, Node, the lowering's
closures or the engine's bookkeeping.

A recording is only trusted when nothing in it can depend on the values
other than through the recorded ops:
- `replayable(program)`: the expression uses only ops whose outputs are
  recorded (no .item(), no random numbers, no index computed from a tensor,
  creation functions only with literal arguments);
- the recorded run drew no random numbers and changed nothing in place;
- every replayed op gives the shape and dtype the recording saw;
- the first replay is checked against a full evaluation of the same line
  (value, gradients, warnings); a mismatch retires the recording for good.
Anything unexpected during a replay falls back to the full evaluation.
"""
from __future__ import annotations

from ..language import ast as A
from ..torchapi import functions as F
from ..evaluate.run import NodeInfo
from .backend import ndarray, xp
from ..torchapi.creation import Settings
from .tensor import AccumulateGrad, Tensor

# Calls (functions and methods) whose outputs are recorded ops of their inputs.
_SAFE_CALLS = frozenset((
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "neg", "negative",
    "reciprocal", "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "remainder", "clamp", "clip", "clamp_min", "clamp_max", "where", "maximum", "minimum", "sum", "mean",
    "max", "min", "amax", "amin", "norm", "logsumexp", "matmul", "mm", "mv", "bmm", "dot", "inner",
    "outer", "ger", "reshape", "view", "flatten", "t", "transpose", "swapaxes", "permute", "squeeze",
    "unsqueeze", "expand", "expand_as", "view_as", "reshape_as", "contiguous", "cat", "concat",
    "concatenate", "stack", "select", "softmax", "log_softmax", "binary_cross_entropy_with_logits",
    "mse_loss", "cross_entropy", "nll_loss", "ones_like", "zeros_like", "clone", "double",
))
# Calls that make constants: safe when every argument is a literal.
_LITERAL_CALLS = frozenset(("tensor", "as_tensor", "ones", "zeros", "full", "eye", "arange", "linspace"))
_SAFE_ATTRIBUTES = frozenset(("T", "mT", "values"))


def replayable(program: A.Program) -> bool:
    """Can a recording of `program` be replayed on new values? (See the module doc.)"""
    # A worklist, not recursion: an expression may be a chain of 100,000 ops.
    todo = [s.value if isinstance(s, A.Assign) else s for s in program.body]
    while todo:
        node = todo.pop()
        kind = type(node)
        if kind in (A.Name, A.Number, A.String):
            continue
        if kind in (A.ListLit, A.TupleLit):
            todo.extend(node.items)
        elif kind is A.Unary:
            todo.append(node.operand)
        elif kind is A.BinOp:
            todo += (node.left, node.right)
        elif kind is A.Attribute and node.name in _SAFE_ATTRIBUTES:
            todo.append(node.obj)
        elif kind is A.Index and all(_literal(i) for i in node.items):
            todo.append(node.obj)
        elif kind is A.Call:
            func = node.func
            arguments = [*node.args, *(k.value for k in node.kwargs)]
            if type(func) is A.Attribute and A.dotted_name(func.obj) not in ("torch", "F", "torch.nn.functional"):
                arguments.append(func.obj)      # a method: its receiver is an operand too
            name = func.id if type(func) is A.Name else func.name
            if name in _LITERAL_CALLS and all(_literal(a) for a in arguments):
                continue
            if name not in _SAFE_CALLS:
                return False
            todo += arguments
        else:
            return False
    return True


def _literal(node) -> bool:
    """A value that cannot depend on the bindings: numbers, slices of them, None, ..."""
    kind = type(node)
    if kind in (A.Number, A.String, A.EllipsisLit):
        return True
    if kind is A.Name:
        return node.id in ("None", "True", "False", "true", "false", "pi", "inf", "nan")
    if kind is A.Unary:
        return _literal(node.operand)
    if kind in (A.ListLit, A.TupleLit):
        return all(_literal(i) for i in node.items)
    if kind is A.Slice:
        return all(p is None or _literal(p) for p in (node.start, node.stop, node.step))
    return False


class Diverged(Exception):
    """A replayed op gave another shape or dtype than the recording: replay no more."""


class Replay:
    """A recorded evaluation: forward steps and backward steps over numbered slots.

    Slot k holds a leaf's array, a constant, or an op's output. A forward step
    is (forward, argument slots, params, output slot, shape, dtype); a backward
    step is (output slot, argument slots, edges), an edge being (vjp,
    its keywords, input shape, slot the gradient goes to).
    """

    __slots__ = ("template", "leaf_slots", "forward_steps", "backward_steps", "output_slot",
                 "grad_fn", "nodes", "grad_slots", "verified", "json_cache")

    def run(self, leaves):
        """Forward only: every slot's array, from the leaves' new arrays."""
        values = self.template.copy()
        for name, slot in self.leaf_slots:
            values[slot] = leaves[name].data
        for forward, arg_slots, params, out_slot, shape, dtype in self.forward_steps:
            out = forward(*[values[i] for i in arg_slots], **params)
            if type(out) is not ndarray:
                out = xp.asarray(out)
            if out.shape != shape or out.dtype != dtype:
                raise Diverged
            values[out_slot] = out
        return values

    def backward(self, values):
        """The leaves' gradients ({slot: array}) by the recorded rules, in the recorded order."""
        sum_to = F.sum_to
        output = values[self.output_slot]
        grads = {self.output_slot: F.ones_like_array(output)}
        for out_slot, arg_slots, edges in self.backward_steps:
            g = grads.pop(out_slot, None)
            if g is None:
                continue
            args = [values[i] for i in arg_slots]
            out = values[out_slot]
            for vjp, vjp_params, shape, target in edges:
                gi = vjp(g, out, *args, **vjp_params)
                if getattr(gi, "shape", None) != shape:
                    gi = sum_to(gi, shape)
                prev = grads.get(target)
                grads[target] = gi if prev is None else prev + gi
        return grads

    def fill(self, result, leaves, values, grads):
        """Put what a full evaluation would have put into `result`."""
        result.value = values[self.output_slot]
        result.grad_fn = self.grad_fn
        result.requires_grad = True
        result.json_cache = self.json_cache
        result.nodes = [NodeInfo(name, grad_fn, shape, values[slot])
                        for name, grad_fn, shape, slot in self.nodes]
        # A fresh copy each, as a leaf's .grad never shares memory with anything.
        result.grads = {name: None if grads.get(slot) is None
                        else xp.array(grads[slot], dtype=leaves[name].data.dtype)
                        for name, slot in self.grad_slots}


def build(trace, leaves, wanted, output, order):
    """A Replay from a recorded run, or None if the run cannot be replayed.

    trace: (op, args, params, result) of each tensor.apply, in order;
    order: the graph's nodes in the order backward visited them.
    """
    if Settings._rng is not None:                      # random numbers were drawn
        return None
    slot_of = {}
    template = []
    derived = set()                                    # slots that depend on the bindings

    def new_slot(value):
        template.append(value)
        return len(template) - 1

    leaf_slots = []
    for name, leaf in leaves.items():
        if leaf.version:
            return None
        slot_of[id(leaf)] = slot = new_slot(None)
        leaf_slots.append((name, slot))
        derived.add(slot)

    def slot_for(a):
        if type(a) is Tensor:
            slot = slot_of.get(id(a))
            return slot if slot is not None else new_slot(a.data)
        return new_slot(a)

    steps = []
    args_of = {}
    node_slot = {}          # id(node) -> the slot of its output (backward has let go of node.out)
    for op, args, params, result in trace:
        if result.version:                             # changed in place
            return None
        arg_slots = tuple(slot_for(a) for a in args)
        data = result.data
        slot_of[id(result)] = out_slot = new_slot(data)
        args_of[out_slot] = arg_slots
        if result.grad_fn is not None:
            node_slot[id(result.grad_fn)] = (out_slot, result)
        if any(s in derived for s in arg_slots):
            derived.add(out_slot)
            template[out_slot] = None
            steps.append((op.forward, arg_slots, params, out_slot, data.shape, data.dtype))
        # else: a constant, computed once, kept in the template
    out_slot = slot_of.get(id(output))
    if out_slot is None or out_slot not in derived or output.grad_fn is None:
        return None

    backward_steps = []
    nodes = []
    for node in order:
        slot, result = node_slot.get(id(node), (None, None))
        if slot is None:
            return None
        nodes.append((result.name, node.op.name, result.data.shape, slot))
        op = node.op
        edges = []
        for i, nxt in enumerate(node.next):
            if nxt is None:
                continue
            target = slot_of.get(id(nxt.variable)) if type(nxt) is AccumulateGrad \
                else node_slot.get(id(nxt), (None,))[0]
            if target is None:
                return None
            vjp, vjp_params = (op.vjps[0], {"i": i, **node.params}) if op.variadic else (op.vjps[i], node.params)
            edges.append((vjp, vjp_params, tuple(node.shapes[i]), target))
        backward_steps.append((slot, args_of[slot], tuple(edges)))

    replay = Replay()
    replay.template = template
    replay.leaf_slots = tuple(leaf_slots)
    replay.forward_steps = tuple(steps)
    replay.backward_steps = tuple(backward_steps)
    replay.output_slot = out_slot
    replay.grad_fn = output.grad_fn.name
    replay.nodes = tuple(reversed(nodes))
    replay.grad_slots = tuple((name, slot) for name, slot in leaf_slots if name in wanted)
    replay.verified = False
    replay.json_cache = {}
    return replay


def same_result(a, b) -> bool:
    """Do two Results hold the same value, graph, gradients and warnings, bit for bit?"""
    def same(x, y):
        if x is None or y is None:
            return x is y
        return x.shape == y.shape and x.dtype == y.dtype and xp.array_equal(x, y, equal_nan=True)
    return (same(a.value, b.value) and a.grad_fn == b.grad_fn and a.warnings == b.warnings
            and [(n.name, n.grad_fn, n.shape) for n in a.nodes] == [(n.name, n.grad_fn, n.shape) for n in b.nodes]
            and a.grads.keys() == b.grads.keys() and all(same(a.grads[k], b.grads[k]) for k in a.grads))
