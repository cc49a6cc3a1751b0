"""A replay (engine/replay.py) run once for many lines: the leaves' arrays
stacked on a leading axis, each recorded op through its batching rule
(engine/batching.py), backward's rules the same way, in the recorded order.

The caller (evaluate/sweeps.py) checks what comes out against lines run
alone; anything a rule cannot do raises, and the lines run one by one.

A sum or a matrix product adds in an order its operands' layout decides, so
each line of a sweep must hold the layouts it holds alone: a rule that stacks
its lines' results (batching.LOOP) lays out anew what a line alone holds as
a view (an expanded or a strided array), and a sum of it would then add in
another order, with other bits for some values only (which checks of a few
lines can miss). Every op's output is checked against the layouts one line
gives alone (found once per recording); where one differs, the lines run
one by one.
"""
from __future__ import annotations

from types import SimpleNamespace

from .backend import astype, ndarray, ones
from .batching import UNBATCHED
from .ops.shapes import sum_to
from .replay import cast_args


class Unbatchable(Exception):
    """The recording uses an op without a batching rule, or a rule gave an unexpected shape."""


def can_batch(replay) -> bool:
    """Does every op of the recording have a batching rule?"""
    ops = getattr(replay, "ops", None)
    return ops is not None and all(op.batch is not None and op.batch is not UNBATCHED
                                   for family in ops for op in family)


def run_stacked(replay, stacked: dict, size: int):
    """(values, grads) for `size` lines at once: stacked maps each leaf's name to
    its lines' arrays, shape (size, *shape); values[slot] and grads[slot] carry the
    same leading axis (constants, which no line changes, do not)."""
    if replay.layouts is None:
        replay.layouts = alone_layouts(replay, {name: stacked[name][0].copy() for name, _ in replay.leaf_slots})
    values = list(replay.template)
    batched = [False] * len(values)
    for name, slot in replay.leaf_slots:
        values[slot] = stacked[name]
        batched[slot] = True
    for (forward, arg_slots, params, cast, out_slot, shape, dtype), op, layout in zip(
            replay.forward_steps, replay.ops[0], replay.layouts):
        args = [values[i] for i in arg_slots] if cast is None else cast_args(values, arg_slots, cast)
        out = op.batch.forward(op, args, [batched[i] for i in arg_slots], params, shape, size)
        if type(out) is not ndarray or out.shape != (size, *shape) or out.dtype != dtype \
                or line_layout(out[0]) != layout:
            raise Unbatchable(op.name)
        values[out_slot] = out
        batched[out_slot] = True
    first = values[replay.output_slot]
    grads = {replay.output_slot: ones(first.shape, dtype=first.dtype)}
    for (slot, arg_slots, cast, edges), op in zip(replay.backward_steps, replay.ops[1]):
        g = grads.pop(slot, None)
        if g is None:
            continue
        out = values[slot]
        args = [values[i] for i in arg_slots] if cast is None else cast_args(values, arg_slots, cast)
        flags = [batched[i] for i in arg_slots]
        rule = op.batch
        for vjp, params, shape, dtype, target in edges:
            gi = rule.vjp(op, vjp, g, out, args, flags, params, shape, size, sum_to)
            if type(gi) is not ndarray or gi.shape != (size, *shape):
                raise Unbatchable(op.name)
            if dtype is not None and gi.dtype != dtype:
                gi = astype(gi, dtype)
            prev = grads.get(target)
            grads[target] = gi if prev is None else prev + gi
    return values, grads


def alone_layouts(replay, arrays: dict) -> tuple:
    """The layout of each forward step's output in one line run alone (arrays: each leaf's)."""
    values = replay.run({name: SimpleNamespace(data=array) for name, array in arrays.items()})
    return tuple([line_layout(values[out_slot]) for _, _, _, _, out_slot, _, _ in replay.forward_steps])


def line_layout(a) -> tuple:
    """What a sum or a matrix product sees of a line's layout: the strides of its
    dimensions longer than one (a dimension of one may have any stride)."""
    return tuple([s for n, s in zip(a.shape, a.strides) if n > 1])
