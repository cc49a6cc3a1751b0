"""Replays: an expression evaluated again on new values of the same shapes,
without building a graph.

A batch often repeats one expression with new bindings. Once a line's
expression has been seen with the same bound names, shapes and dtypes, the
next evaluation records each op it applies (tensor.apply) and the order its
backward visited the graph. Later evaluations call the same forward
functions and the same VJP rules on raw arrays, in the same order, through
backward's own loop (`propagate`), so they give the same bits as the graph
would, without Tensor, Node, the lowering's closures or the engine's
bookkeeping.

A recording is only trusted when nothing in it can depend on the values
other than through the recorded ops:
- the language decides which expressions may be recorded at all (no .item(),
  no random numbers, no index computed from a tensor, ...: its plan says);
- the recorded run drew no random numbers and changed nothing in place;
- every replayed op gives the shape and dtype the recording saw;
- the first replay is checked against a full evaluation of the same line
  (value, gradients, warnings); a mismatch retires the recording for good.
Anything unexpected during a replay falls back to the full evaluation.
"""
from __future__ import annotations

from ..state import state
from .backend import asarray, astype, ndarray
from .backend_watch import watch
from .backward import edges_of, ones_like, propagate
from .layouts import laid
from .tensor import AccumulateGrad, Tensor


class Diverged(Exception):
    """A replayed op gave another shape or dtype than the recording: replay no more."""


class Replay:
    """A recorded evaluation: forward steps and backward steps over numbered slots.

    Slot k holds a leaf's array, a constant, or an op's output. A forward step
    is (forward, argument slots, params, cast, output slot, shape, dtype); a
    backward step is (output slot, argument slots, cast, edges), its edges as
    backward.propagate takes them, with slots for keys (its rules read the
    arguments cast, as the graph's node saved them).
    """

    __slots__ = ("template", "leaf_slots", "forward_steps", "backward_steps", "output_slot",
                 "grad_fn", "nodes", "grad_slots", "verified", "json_cache",
                 "ops", "layouts")

    def run(self, leaves):
        """Forward only: every slot's array, from the leaves' new arrays."""
        values = self.template.copy()
        for name, slot in self.leaf_slots:
            values[slot] = leaves[name].data
        for forward, arg_slots, params, cast, out_slot, shape, dtype in self.forward_steps:
            args = [values[i] for i in arg_slots] if cast is None else cast_args(values, arg_slots, cast)
            out = forward(*args, **params)
            if watch is not None:          # a device backend: the inf/nan warnings, checked explicitly
                watch(args, out)
            if type(out) is not ndarray:
                out = asarray(out)
            if out.shape != shape or out.dtype != dtype:
                raise Diverged
            values[out_slot] = out
        return values

    def backward(self, values):
        """The leaves' gradients ({slot: array}) by the recorded rules, in the recorded order."""
        grads = {self.output_slot: ones_like(values[self.output_slot])}
        steps = ((slot, values[slot], [values[i] for i in arg_slots] if cast is None else
                  cast_args(values, arg_slots, cast), edges)
                 for slot, arg_slots, cast, edges in self.backward_steps)
        return propagate(steps, grads)


def cast_args(values, arg_slots, cast):
    """An op's arguments in the dtype it computes in (apply's cast)."""
    return [astype(a, cast) if type(a) is ndarray and a.dtype != cast else a for a in (values[i] for i in arg_slots)]


def build(trace, leaves, wanted, output, order):
    """A Replay from a recorded run, or None if the run cannot be replayed.

    trace: (op, args, params, cast, result) of each tensor.apply, in order;
    order: the graph's nodes in the order backward visited them.
    """
    if state.rng is not None:                          # random numbers were drawn
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
    ops = ([], [])          # each forward step's op, each backward step's (sweeps: engine/sweep_replay.py)
    args_of = {}
    node_slot = {}          # id(node) -> the slot of its output (backward has let go of node.out)
    for op, args, params, cast, result in trace:
        if result.version:                             # changed in place
            return None
        arg_slots = tuple(slot_for(a) for a in args)
        data = result.data
        slot_of[id(result)] = out_slot = new_slot(data)
        args_of[out_slot] = arg_slots, cast
        if result.grad_fn is not None:
            node_slot[id(result.grad_fn)] = (out_slot, result)
        if any(s in derived for s in arg_slots):
            derived.add(out_slot)
            template[out_slot] = None
            steps.append((laid(op.forward, op.layout), arg_slots, params, cast, out_slot, data.shape, data.dtype))
            ops[0].append(op)
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
        edges = []
        for vjp, params, shape, cast, nxt in edges_of(node):
            to = slot_of.get(id(nxt.variable)) if type(nxt) is AccumulateGrad else node_slot.get(id(nxt), (None,))[0]
            if to is None:
                return None
            edges.append((vjp, params, shape, cast, to))
        backward_steps.append((slot, *args_of[slot], tuple(edges)))
        ops[1].append(node.op)

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
    replay.ops = (tuple(ops[0]), tuple(ops[1]))
    replay.layouts = None       # its outputs' layouts in a line run alone, when a sweep asks (engine/sweep_replay.py)
    return replay

