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


def prepare(result, expr, bindings, wrt=None, strict=False):
    """(plan, leaves by name, the names differentiated, in binding order): `evaluate`'s first steps."""
    plan = plan_for(expr, bindings)
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
