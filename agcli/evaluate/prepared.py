"""The steps the calculus commands (evaluate/calculus.py) share with `agcli grad`'s
evaluate: the plan, the bound leaves, the variables differentiated; the
expression's output with its value and floating-point warnings in the Result."""
from __future__ import annotations

from ..engine.backend import ON_HOST, to_host
from ..errors import AgcliError, detached
from ..torchapi import creation as C
from .result import tuple_output
from .float_warnings import FloatErrors
from .run import _unused, bind, plan_for
from ..state import state


def prepare(result, expr, bindings, wrt=None, strict=False, once=False):
    """(plan, leaves by name, the names differentiated, in binding order): `evaluate`'s first steps.
    once: the command stands for one evaluation of the expression (torch.autograd.functional's), so
    every run of the plan draws the random numbers its first run drew (SameDraws)."""
    plan = plan_for(expr, bindings)
    if once:
        plan = SameDraws(plan)
    if plan.unused:
        _unused(result, plan.unused, strict)
    leaves = {name: bind(name, value) for name, value in bindings.items()}
    names = list(leaves) if wrt is None else list(dict.fromkeys(wrt))
    unknown = [n for n in names if n not in leaves]
    if unknown:
        raise AgcliError(f"--wrt names {', '.join(sorted(unknown))}, which "
                         f"{'is' if len(unknown) == 1 else 'are'} not bound", kind="usage",
                         hint="bind each with --NAME VALUE")
    return plan, leaves, names


def need_variables(names, wrt):
    """A derivative needs something to differentiate by: an empty list of variables is a usage error
    (torch.autograd.functional's would be an IndexError, or an empty answer)."""
    if not names:
        raise AgcliError("nothing to differentiate: " + ("--wrt names no variable" if wrt is not None else
                                                         "the expression has no variable"), kind="usage",
                         hint="bind one with --NAME VALUE, e.g. --x 1.5" if wrt is None else
                         "give --wrt the names of bound variables, e.g. --wrt x")


def run_plan(result, plan, leaves):
    """The expression's output tensor; its value (host) goes into the Result, and the
    forward's floating-point trouble into its warnings."""
    with FloatErrors(result.warnings).watch():
        value = plan.run(dict(leaves))
    if isinstance(value, tuple):
        tuple_output(value)
    output = C.as_tensor(value)
    result.value = output.data if ON_HOST else to_host(output.data)
    return output


def errors_kept(result, expr, compute):
    """Run compute(); an AgcliError it raises becomes result.error (with the expression's text
    for its caret) and too deep an expression a limit error, never raised. Returns result."""
    try:
        compute()
    except AgcliError as e:
        if e.source is None and e.origin is None and e.span is not None:
            e.source = expr
        result.error = detached(e)
    except RecursionError:
        result.error = AgcliError("the expression is nested too deeply to evaluate", kind="limit")
    return result


class SameDraws:
    """A plan whose every run draws what its first run drew: PyTorch's jacobian, hessian, vjp, jvp,
    hvp and vhp call the function once, where agcli may run it more than once (a probe of the output's
    size, forward then reverse mode, a value then a graph). Each later run starts the default generator
    where the first one started it."""

    __slots__ = ("plan", "started", "seed")

    def __init__(self, plan):
        self.plan = plan
        self.started = None     # the generator's state before the first run, False if it was not made yet
        self.seed = None        # the seed it was made from by the first run, if so

    @property
    def unused(self):
        return self.plan.unused

    def run(self, env):
        if self.started is None:
            self.started = False if state.rng is None else state.rng.state_bytes()
            value = self.plan.run(env)
            if self.started is False and state.rng is not None:
                self.seed = state.rng.initial_seed()
            return value
        if self.started is not False:
            state.rng.set_state_bytes(self.started)
        elif self.seed is not None:
            state.rng.manual_seed(self.seed)
        return self.plan.run(env)
