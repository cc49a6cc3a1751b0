"""The calculus commands (`agcli jacobian`, `jvp`, `hessian`, `vjp`, `hvp`, `vhp`,
`check`): one function per command, gathered in COMMANDS, which the CLI (cli/calculus.py)
and batch lines read.

Every command has the same shape:

    @command
    def NAME(expr, bindings, *, wrt=None, strict=False, **its_options) -> Calculus

- `expr`, `bindings`, `wrt`, `strict` as `evaluate/run.py: evaluate` takes them; the
  settings (dtype, seed, element limit) are on `state` (`configure` at the CLI's edge,
  `state.using(...)` in the Python API).
- It returns a `Calculus`: a Result (expr, value, dtype, shape, warnings, error, as
  `agcli grad` fills them) plus `answer`, what the command computed (host NumPy
  arrays), which its JSON shows under the key `command` ("jacobian": {NAME: array},
  "jvp": array, ...; output/calculus_render.py). Errors are caught into `.error`
  (`@command` does it), never raised.
- The steps they share (evaluate/prepared.py): `prepare` (the plan, the bound leaves,
  the --wrt names in order, unused bindings warned) and `run_plan` (the expression's
  output, its value and floating-point warnings put in the Result).

The forward-mode work (dual numbers, batched tangents) is engine/forward.py; the
Jacobian's choice of forward or reverse mode is evaluate/jacobians.py.
"""
from __future__ import annotations

from ..device import choose
from ..state import state
from .jacobians import jacobians, jvp_product
from .prepared import errors_kept, need_variables, prepare, run_plan
from .result import Result
from .run import settings

COMMANDS: dict = {}


class Calculus(Result):
    """A calculus command's Result: `answer` is what it computed, shown under `command`."""

    def __init__(self, expr: str, command: str):
        super().__init__(expr)
        self.command = command
        self.answer = None


def command(fn):
    """Register a command; its Result gets any AgcliError (the expression's text attached)."""
    name = fn.__name__

    def run(expr, bindings, **options):
        result = Calculus(expr, name)
        return errors_kept(result, expr, lambda: fn(result, expr, bindings, **options))
    run.__name__, run.__doc__ = name, fn.__doc__
    COMMANDS[name] = run
    return run


# Each command's own keyword options in the Python API (the other keywords are variables).
API_OPTIONS = {"jvp": ("vectors",), "vjp": ("grad_output",), "hvp": ("vectors",), "vhp": ("vectors",),
               "check": ("eps", "atol", "rtol", "second_order")}


def python_api(name):
    """agcli.jacobian, agcli.jvp, ...: `agcli.jacobian("sin(x) * y", x=[1., 2.], y=3).answer`.

    Variables come as keywords (or a `bindings` dict, for names that clash with the
    options); the settings are scoped to the call, as agcli.grad's. Returns the
    Calculus (`answer`, `value`, `warnings`); raises agcli.AgcliError.
    """
    run = COMMANDS[name]
    own = API_OPTIONS.get(name, ())

    def call(expr, bindings=None, /, *, wrt=None, dtype="float64", seed=None, max_elements=10**8, device=None,
             **variables):
        if device is not None:
            choose(device)
        options = {key: variables.pop(key) for key in own if key in variables}
        merged = dict(bindings or {})
        merged.update(variables)
        with state.using(**settings(dtype=dtype, seed=seed, max_elements=max_elements)):
            result = run(expr, merged, wrt=wrt, **options)
        if result.error is not None:
            raise result.error
        return result
    call.__name__ = call.__qualname__ = name
    call.__doc__ = run.__doc__
    return call


@command
def jacobian(result, expr, bindings, *, wrt=None, strict=False):
    """d(output)/d(x) for each variable x, shape output.shape + x.shape
    (torch.autograd.functional.jacobian's), by batched forward or reverse mode."""
    result.answer = jacobians(result, expr, bindings, wrt=wrt, strict=strict)


@command
def jvp(result, expr, bindings, *, vectors=None, wrt=None, strict=False):
    """The Jacobian-vector product J v in forward mode: `vectors` maps each variable
    differentiated to its tangent (a value or binding text); a scalar one may be left out (1)."""
    result.answer = jvp_product(result, expr, bindings, vectors or {}, wrt=wrt, strict=strict)


# -- the reverse-mode commands (their work: calculus_reverse.py, calculus_check.py)
def _reverse_start(result, expr, bindings, wrt, strict, needs_variables=True):
    # (gradcheck runs the expression again and again, drawing anew each time, as PyTorch's does)
    plan, leaves, names = prepare(result, expr, bindings, wrt=wrt, strict=strict, once=needs_variables)
    if needs_variables:         # (check leaves it to gradcheck: PyTorch's own words)
        need_variables(names, wrt)
    run_plan(result, plan, leaves)
    return plan, leaves, names


@command
def vjp(result, expr, bindings, *, grad_output=None, wrt=None, strict=False):
    """The vector-Jacobian product v^T J for each variable (torch.autograd.functional.vjp):
    `grad_output` is v, of the output's shape (a value or binding text; None: a scalar output's 1)."""
    from .calculus_reverse import vjp as vjp_of
    plan, leaves, names = _reverse_start(result, expr, bindings, wrt, strict)
    result.answer = vjp_of(result, plan, leaves, names, grad_output)


@command
def hessian(result, expr, bindings, *, wrt=None, strict=False):
    """{x: {y: d²out/dx dy}} of a scalar output, shape x.shape + y.shape
    (torch.autograd.functional.hessian with the variables as a tuple)."""
    from .calculus_reverse import hessian as hessian_of
    plan, leaves, names = _reverse_start(result, expr, bindings, wrt, strict)
    result.answer = hessian_of(result, plan, leaves, names)


@command
def hvp(result, expr, bindings, *, vectors=None, wrt=None, strict=False):
    """The Hessian-vector product H v of a scalar output, per variable (torch.autograd.functional.hvp)."""
    from .calculus_reverse import second_order_product
    plan, leaves, names = _reverse_start(result, expr, bindings, wrt, strict)
    result.answer = second_order_product(result, plan, leaves, names, vectors, "hvp")


@command
def vhp(result, expr, bindings, *, vectors=None, wrt=None, strict=False):
    """The vector-Hessian product v^T H of a scalar output, per variable (torch.autograd.functional.vhp)."""
    from .calculus_reverse import second_order_product
    plan, leaves, names = _reverse_start(result, expr, bindings, wrt, strict)
    result.answer = second_order_product(result, plan, leaves, names, vectors, "vhp")


@command
def check(result, expr, bindings, *, eps=1e-6, atol=1e-5, rtol=1e-3, second_order=False, wrt=None, strict=False):
    """torch.autograd.gradcheck of the expression in its variables (gradgradcheck too with
    second_order): the answer holds "ok" and every Jacobian; a failure is the error, in PyTorch's words."""
    from .calculus_check import check as check_of
    plan, leaves, names = _reverse_start(result, expr, bindings, wrt, strict, needs_variables=False)
    check_of(result, plan, leaves, names, eps=eps, atol=atol, rtol=rtol, second_order=second_order)
