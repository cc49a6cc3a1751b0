"""What an op is: one declaration that the engine, replay and the explanations read.

Read the op modules (engine/ops/) like PyTorch's derivatives.yaml: each
entry gives the grad_fn name, the forward kernel, one VJP rule per input and
each rule in words. A rule is `vjp(g, out, *inputs, **params)` and returns
the gradient for its input. Rules are written with the engine's primitives
(unchecked, JAX's `lax`): on raw arrays they compute directly, on tensors
they record, so with create_graph a gradient is itself differentiable. A
rule may return a gradient of the broadcast shape: backward sums it back to
the input's shape in one place.

Beside the VJPs, one forward-mode rule per input (`jvps`: derivatives.yaml's
`result:` formulas, split by input): `jvp(t, out, *inputs, **params)` takes
the tangent t of its input and returns its part of the output's tangent
(engine/forward.py adds the parts, in input order). A tangent may carry
leading batch dims, shape (*batch, *input.shape), and a rule returns
(*batch, *out.shape), or a shape that broadcasts to it from the end: rules
count axes from the end, or shift them by `t.ndim - input.ndim`, so one pass
with a batch of tangents gives a whole Jacobian. An op whose inputs broadcast
elementwise (`broadcasts=True`) gets each tangent with its dims already lined
up with the output's (size-1 dims inserted after the batch dims). Where
PyTorch's formula picks between the inputs' tangents rather than adding terms
(where, clamp by tensors, scatter, cat, ...: a sum would turn a -0.0 it picks
into 0.0), `jvps` is one rule for all the inputs instead,
`jvp(tangents, out, *inputs, **params)`, tangents a list with None for an
input without one (PyTorch's zero tensor).
"""
from __future__ import annotations


class Op:
    """One overload of a PyTorch function, as autograd records it."""

    __slots__ = ("name", "forward", "vjps", "says", "saves", "saves_out", "variadic", "reads", "view", "jvps",
                 "broadcasts", "batch", "layout", "order")

    def __init__(self, name, forward, vjps, says=(), *, saves=True, saves_out=False, variadic=False, reads=None,
                 view=False, jvps=None, broadcasts=False, batch=None, layout=None, order=None):
        self.name = name            # PyTorch's grad_fn name for this overload
        self.forward = forward      # arrays (and params) -> array
        self.vjps = vjps            # one rule per input (None: no gradient for it); None: not differentiable
        self.says = says            # each rule in words, as derivatives.yaml writes it
        self.saves = saves          # False: the rules read shapes only (backward may run twice)
        self.saves_out = saves_out  # its rules read the output too (exp, tanh, softmax, ...)
        self.variadic = variadic    # one rule for any number of inputs (cat, stack): vjps[0](..., i=k)
        self.reads = reads          # per input, the inputs its rule reads (None: all): what is saved
        self.view = view            # its output is a view of its first input (storage and version shared)
        self.jvps = jvps            # forward mode: one rule per input (None: no tangent from it), or one for all
        self.broadcasts = broadcasts    # inputs broadcast elementwise: tangents come lined up with the output
        self.batch = batch          # how it maps a leading batch axis (engine/batching.py); None: undeclared
        self.layout = layout        # how PyTorch lays out its result (engine/layouts.py); None: as the kernel does
        self.order = order          # the inputs in the order PyTorch computes their formulas (None: in order)

    def __repr__(self):
        return f"<op {self.name}>"


def no_forward_derivative(name):
    """The forward-mode rule of an op PyTorch cannot differentiate forward (floor_divide)."""
    def rule(*args, **params):
        from ..errors import AgcliError
        raise AgcliError(f"Trying to use forward AD with aten::{name} that does not support it.",
                         kind="not_implemented")
    return rule


def no_derivative(name):
    """The rule of an op PyTorch records but cannot differentiate (floor_divide)."""
    def rule(*args, **params):
        from ..errors import AgcliError
        raise AgcliError(f"derivative for aten::{name} is not implemented")
    return rule


# What PyTorch's generated code adds to its refusal of forward mode for most ops.
FILE_AN_ISSUE = ("\nPlease file an issue to PyTorch at https://github.com/pytorch/pytorch/issues/new?template="
                 "feature-request.yml so that we can prioritize its implementation or submit a PR adding the "
                 "implementation to derivatives.yaml")


def forward_ad_not_implemented(name, tail=FILE_AN_ISSUE):
    """The JVP of an op PyTorch has no forward-mode formula for: its refusal (`tail`: what follows
    its first sentence, which some of PyTorch's messages leave out)."""
    def tangent(*args, **params):
        from ..errors import AgcliError
        raise AgcliError(f"Trying to use forward AD with {name} that does not support it because it has not been "
                         f"implemented yet.{tail}", kind="not_implemented")
    return tangent


def undefined(*args, **params):
    """The rule of an input the output does not depend on, which PyTorch still counts as an
    input (an edge in next_functions): its gradient is undefined, nothing reaches the input.
    Only for ops with params or more than two inputs (the backward loop's shortcut for the
    others does not look for it)."""
    return None
