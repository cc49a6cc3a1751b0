"""Batching rules: how an op maps a leading batch axis (JAX's vmap rules).

A sweep (evaluate/sweeps.py) evaluates many lines of one expression, with
bindings of the same shapes, as one replay over stacked arrays: every value
that depends on the bindings carries a leading axis of size B, one entry a
line; constants do not. Each op declares, beside its entry in engine/ops/,
the rule that runs its forward kernel and its VJPs on such values
(`Op.batch`), giving exactly what B separate runs give, bit for bit:

- ELEMENTWISE: the kernel and rules work element by element; batched inputs
  get size-1 dims after the batch axis so that they broadcast as each line's
  did, and a gradient is summed back to its input's shape past the batch axis.
- a Reduction (sum, mean of everything): the same reduction over all but the
  batch axis, its gradient spread back.
- Mapped: the op's own batched kernel and VJPs, beside its entry (a view's
  dims shifted by one, a matrix product over stacks).
- LOOP: the op's own kernel and rules line by line (jax.custom_batching's
  sequential_vmap): always right, saves only the per-line bookkeeping.
- UNBATCHED: declared not batchable (random numbers, in-place writes): a
  group that uses it is evaluated line by line.

A rule's forward is `forward(op, args, batched, params, shape, size)`: args
as the kernel takes them, `batched` a flag per arg, `shape` the output's
shape in one line; it returns (size, *shape). Its VJP is `vjp(op, rule, g,
out, args, batched, params, shape, size, sum_to)` and returns the gradient of
the input whose one-line shape is `shape`, as (size, *shape). Whatever a
sweep computes is checked against a line run alone (evaluate/sweeps.py).
"""
from __future__ import annotations

from .backend import asarray, reduce_sum, xp
from .op import Op


class Rule:
    """A batching rule; `name` says which, for the tests and messages."""

    name = "rule"

    def __repr__(self):
        return f"<batching {self.name}>"


class _Unbatched(Rule):
    name = "unbatched"


UNBATCHED = _Unbatched()


def _aligned(args, batched, rank):
    """Batched args with size-1 dims after the batch axis, up to 1 + rank dims."""
    out = []
    for a, b in zip(args, batched):
        if b and a.ndim < rank + 1:
            a = xp.reshape(a, a.shape[:1] + (1,) * (rank + 1 - a.ndim) + a.shape[1:])
        out.append(a)
    return out


def sum_to_batched(g, shape):
    """sum_to (ops/layout.py: sum_to_array) past the batch axis: the same sum over the same axes, shifted by one."""
    shape = tuple(shape)
    size = g.shape[0]
    lead = g.ndim - 1 - len(shape)
    if lead < 0:
        raise ValueError("a batched gradient lost its batch axis")
    axes = tuple(range(1, 1 + lead)) + tuple(1 + lead + i for i, n in enumerate(shape)
                                             if n == 1 and g.shape[1 + lead + i] != 1)
    if axes:
        g = reduce_sum(g, axis=axes, keepdims=True)
    return xp.reshape(g, (size,) + shape)


class _Elementwise(Rule):
    name = "elementwise"

    def forward(self, op, args, batched, params, shape, size):
        return op.forward(*_aligned(args, batched, len(shape)), **params)

    def vjp(self, op, rule, g, out, args, batched, params, shape, size, sum_to):
        rank = g.ndim - 1
        gi = asarray(rule(g, out, *_aligned(args, batched, rank), **params))
        if gi.shape != (size,) + tuple(shape):
            if gi.ndim == 0 or gi.shape[0] != size:
                raise ValueError("a gradient without its batch axis")
            gi = sum_to_batched(gi, shape)
        return gi


ELEMENTWISE = _Elementwise()


class Reduction(Rule):
    """sum or mean of every element: `scale` divides by the element count as the op does
    (forward: the sum / n; VJP: (g / n) expanded)."""

    def __init__(self, scale: bool):
        self.scale = scale
        self.name = "mean of all" if scale else "sum of all"

    def forward(self, op, args, batched, params, shape, size):
        x = args[0]
        out = reduce_sum(x, axis=tuple(range(1, x.ndim)))
        return out / (x.size // size) if self.scale else out

    def vjp(self, op, rule, g, out, args, batched, params, shape, size, sum_to):
        if self.scale:
            g = g / (args[0].size // size)
        g = xp.reshape(g, (size,) + (1,) * len(shape))
        return xp.broadcast_to(g, (size,) + tuple(shape))


class Mapped(Rule):
    """An op's own batched kernel and VJPs, written beside its entry: `forward(args, batched,
    params)` and `vjps[i](g, args, batched, params)`, the batch axis first (dims shifted by one,
    matrix products over stacks, ...); a VJP returns (size, *shape) or its broadcast."""

    def __init__(self, name, forward, vjps):
        self.name, self.kernel, self.rules = name, forward, vjps

    def forward(self, op, args, batched, params, shape, size):
        return self.kernel(args, batched, params)

    def vjp(self, op, rule, g, out, args, batched, params, shape, size, sum_to):
        gi = asarray(self.rules[op.vjps.index(rule)](g, args, batched, params))
        if gi.shape != (size,) + tuple(shape):
            gi = sum_to_batched(gi, shape)
        return gi


class _Loop(Rule):
    name = "loop"

    def forward(self, op, args, batched, params, shape, size):
        kernel = op.forward
        return xp.stack([asarray(kernel(*[a[i, ...] if b else a for a, b in zip(args, batched)], **params))
                         for i in range(size)])

    def vjp(self, op, rule, g, out, args, batched, params, shape, size, sum_to):
        shape = tuple(shape)
        parts = []
        for i in range(size):
            gi = rule(g[i, ...], out[i, ...], *[a[i, ...] if b else a for a, b in zip(args, batched)], **params)
            if getattr(gi, "shape", None) != shape:
                gi = sum_to(gi, shape)
            parts.append(asarray(gi))
        return xp.stack(parts)


LOOP = _Loop()


def declare(rule, *ops):
    """Give each op this batching rule."""
    for op in ops:
        op.batch = rule


def declare_rest(namespace: dict, rule):
    """Give every op of a family module (its upper-case names) that has no rule yet this one."""
    for name, value in namespace.items():
        if isinstance(value, Op) and name.isupper() and value.batch is None:
            value.batch = rule
