"""What an op is: one declaration that the engine, replay and the explanations read.

Read the op modules (engine/ops/) like PyTorch's derivatives.yaml: each
entry gives the grad_fn name, the forward kernel, one VJP rule per input and
each rule in words. A rule is `vjp(g, out, *inputs, **params)` and returns
the gradient for its input. Rules are written with the engine's primitives
(unchecked, JAX's `lax`): on raw arrays they compute directly, on tensors
they record, so with create_graph a gradient is itself differentiable. A
rule may return a gradient of the broadcast shape: backward sums it back to
the input's shape in one place.
"""
from __future__ import annotations


class Op:
    """One overload of a PyTorch function, as autograd records it."""

    __slots__ = ("name", "forward", "vjps", "says", "saves", "saves_out", "variadic", "reads", "view")

    def __init__(self, name, forward, vjps, says=(), *, saves=True, saves_out=False, variadic=False, reads=None,
                 view=False):
        self.name = name            # PyTorch's grad_fn name for this overload
        self.forward = forward      # arrays (and params) -> array
        self.vjps = vjps            # one rule per input (None: no gradient for it); None: not differentiable
        self.says = says            # each rule in words, as derivatives.yaml writes it
        self.saves = saves          # False: the rules read shapes only (backward may run twice)
        self.saves_out = saves_out  # its rules read the output too (exp, tanh, softmax, ...)
        self.variadic = variadic    # one rule for any number of inputs (cat, stack): vjps[0](..., i=k)
        self.reads = reads          # per input, the inputs its rule reads (None: all): what is saved
        self.view = view            # its output is a view of its first input (storage and version shared)

    def __repr__(self):
        return f"<op {self.name}>"


def no_derivative(name):
    """The rule of an op PyTorch records but cannot differentiate (floor_divide)."""
    def rule(*args, **params):
        from ..errors import AgcliError
        raise AgcliError(f"derivative for aten::{name} is not implemented")
    return rule
