"""The Typer wiring of the calculus commands (jacobian, hessian, jvp, vjp, hvp,
vhp, check): their --help texts and options (app.py registers them after
`grad`, whose words they take). main() runs them without Typer when no --help
is asked; each hands its words to calculus.py, imported only when it runs.
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .graph_commands import (Color, Debug, Define, Device, DType, Expr, MaxElements, Seed, Strict, Wrt,
                             _PASS_THROUGH, _words)
from .sink import finish

Format = Annotated[Optional[str], typer.Option(
    "--format", "-f", metavar="<rich|json>", help="rich for people (default), json for programs.")]
Anomaly = Annotated[bool, typer.Option(
    "--detect-anomaly", help="Stop at the first backward function that returns nan, with PyTorch's message and a "
                             "caret under the operation that made it.")]
Vector = Annotated[Optional[list[str]], typer.Option(
    "--vector", metavar="NAME=VALUE", help="The vector for variable NAME (one per variable differentiated; a "
                                           "scalar variable's defaults to 1).")]
GradOutput = Annotated[Optional[str], typer.Option(
    "--grad-output", metavar="VALUE", help="v, of the output's shape (default: 1 for a scalar output).")]

_BINDINGS = """Bindings and options are those of `agcli grad` (--NAME VALUE, -D NAME=VALUE,
    --wrt, --dtype, --seed, --device); --wrt picks the variables differentiated
    (default: every binding), the others are constants."""

HELP = {
    "jacobian": f"""The Jacobian of EXPR with respect to each variable, as torch.autograd.functional.jacobian.

    \b
    For a variable x the Jacobian has shape output.shape + x.shape: row i is
    d(output[i])/dx, what the tutorials build with one backward(e_i) per row.
    Computed all at once: in forward mode (one evaluation carrying a batch of
    tangents, the rows of an identity), or in reverse mode when the output has
    fewer elements than the variables (one backward pass per output element).
    JSON: "jacobian": {{NAME: nested list}}; rich: one matrix per variable,
    labelled with the output's and the variable's shapes.

    {_BINDINGS}

    \b
    Examples (the tutorials' b from a: the rows [2, 1, 0], [0, 1, 1], [0, 0, 27]):
      agcli jacobian "[a[0]**2 + a[1], a[1] + a[2], a[2]**3]" --a "[1., 2., 3.]"
      agcli jacobian "tanh(W @ x)" --W "randn(3, 3)" --x "ones(3)" --wrt x --seed 0 --format json
      agcli jacobian "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10
    """,
    "hessian": f"""The Hessian of a scalar EXPR, as torch.autograd.functional.hessian with the variables as inputs.

    \b
    For variables x and y the block d²/dx dy has shape x.shape + y.shape;
    JSON: "hessian": {{x: {{x: ..., y: ...}}, y: {{...}}}}. A non-scalar output is
    PyTorch's error.

    {_BINDINGS}

    \b
    Examples:
      agcli hessian "(x**3).sum()" --x "[1., 2., 3.]"
      agcli hessian "((x*w1 + b)*w2).mean()" --x "ones(5)" --w1 2 --w2 3 --b 4 --wrt w1,w2,b
      agcli hessian "(a*b + c*d**2/e)" --a 2 --b 4 --c 6 --d 8 --e 10 --format json
    """,
    "jvp": f"""The Jacobian-vector product J v of EXPR, in forward mode.

    \b
    Each variable carries its vector as a tangent through one evaluation (dual
    numbers, as torch.autograd.forward_ad): J v costs about one more forward
    pass, without a backward. One --vector NAME=VALUE per variable
    differentiated, of its shape (a variable of one element defaults to 1).
    JSON: "jvp": the product, of the output's shape.

    {_BINDINGS}

    \b
    Examples (the tutorials' b from a: the Jacobian's columns, one vector each):
      agcli jvp "[a[0]**2 + a[1], a[1] + a[2], a[2]**3]" --a "[1., 2., 3.]" --vector a="[0, 0, 1]"
      agcli jvp "sin(x) * y" --x "[1., 2.]" --y 3 --vector x="[1, 0]" --vector y=1
    """,
    "vjp": f"""The vector-Jacobian product v^T J of EXPR for each variable, as torch.autograd.functional.vjp.

    \b
    --grad-output V is v, of the output's shape (what `agcli grad --grad-output`
    computes, under the name users search for); a scalar output may leave it out.
    JSON: "vjp": {{NAME: ...}}.

    {_BINDINGS}

    \b
    Examples:
      agcli vjp "(inp+1).pow(2).t()" --inp "eye(4, 5)" --grad-output "ones(5, 4)"
      agcli vjp "x ** 2" --x "[1., 2., 3.]" --grad-output "[0.1, 1.0, 0.0001]"
    """,
    "hvp": f"""The Hessian-vector product H v of a scalar EXPR, as torch.autograd.functional.hvp.

    \b
    One --vector NAME=VALUE per variable differentiated (a scalar variable's
    defaults to 1). JSON: "hvp": {{NAME: ...}}.

    {_BINDINGS}

    \b
    Examples:
      agcli hvp "(x**3).sum()" --x "[1., 2., 3.]" --vector x="[1, 0, 0]"
      agcli hvp "(x*y).sum()**2" --x "[1., 2.]" --y "[3., 4.]" --vector x="[1, 1]" --vector y="[0, 1]"
    """,
    "vhp": f"""The vector-Hessian product v^T H of a scalar EXPR, as torch.autograd.functional.vhp.

    \b
    One --vector NAME=VALUE per variable differentiated (a scalar variable's
    defaults to 1). JSON: "vhp": {{NAME: ...}}.

    {_BINDINGS}

    \b
    Examples:
      agcli vhp "(x**3).sum()" --x "[1., 2., 3.]" --vector x="[1, 0, 0]"
    """,
    "check": f"""Check EXPR's gradients against finite differences, as torch.autograd.gradcheck.

    \b
    Central differences (--eps 1e-6) against backward's Jacobian, element by
    element, in float64 by default, every variable; it passes when
    |analytical - numerical| <= atol + rtol |numerical| everywhere (--atol
    1e-5, --rtol 1e-3). --second-order adds gradgradcheck (its random output
    gradient follows --seed). Exit 0 when it passes, 1 with PyTorch's report
    ("Jacobian mismatch for output 0 with respect to input 0, numerical: ...
    analytical: ...") when it does not. JSON: "ok" and, per variable, the
    largest absolute difference and both matrices.

    {_BINDINGS}

    \b
    Examples:
      agcli check "sigmoid(x) * log(x)" --x "[0.5, 2.]"
      agcli check "relu(x)" --x 0        # fails, as PyTorch's gradcheck does (a kink)
      agcli check "abs(x)" --x 0         # passes, as PyTorch's does
      agcli check "(x*y).sin().sum()" --x "[1., 2.]" --y "[3., 4.]" --second-order --format json
    """,
}


def register(app, command_cls):
    """Add the calculus commands to the Typer app."""

    def common(command, ctx, expr, wrt, seed, dtype, format, max_elements, device, define, strict, color,
               detect_anomaly, debug, extra=(), flags=()):
        words = _words(expr, (("--wrt", wrt), ("--seed", seed), ("--dtype", dtype), ("--format", format),
                              ("--max-elements", max_elements), ("--device", device), ("--color", color),
                              *extra),
                       define, (("--strict", strict), ("--detect-anomaly", detect_anomaly), ("--debug", debug),
                                *flags), ctx.args)
        from .calculus import run_calculus
        raise typer.Exit(finish(run_calculus, command, words))

    def plain(command):
        def fn(ctx: typer.Context, expr: Expr, wrt: Wrt = None, seed: Seed = None, dtype: DType = None,
               format: Format = None, max_elements: MaxElements = None, device: Device = None,
               define: Define = None, strict: Strict = False, color: Color = None, detect_anomaly: Anomaly = False,
               debug: Debug = False):
            common(command, ctx, expr, wrt, seed, dtype, format, max_elements, device, define, strict, color,
                   detect_anomaly, debug)
        return fn

    def with_vectors(command):
        def fn(ctx: typer.Context, expr: Expr, vector: Vector = None, wrt: Wrt = None, seed: Seed = None,
               dtype: DType = None, format: Format = None, max_elements: MaxElements = None, device: Device = None,
               define: Define = None, strict: Strict = False, color: Color = None, detect_anomaly: Anomaly = False,
               debug: Debug = False):
            ctx.args = [w for spec in vector or () for w in ("--vector", spec)] + list(ctx.args)
            common(command, ctx, expr, wrt, seed, dtype, format, max_elements, device, define, strict, color,
                   detect_anomaly, debug)
        return fn

    def vjp(ctx: typer.Context, expr: Expr, grad_output: GradOutput = None, wrt: Wrt = None, seed: Seed = None,
            dtype: DType = None, format: Format = None, max_elements: MaxElements = None, device: Device = None,
            define: Define = None, strict: Strict = False, color: Color = None, detect_anomaly: Anomaly = False,
            debug: Debug = False):
        common("vjp", ctx, expr, wrt, seed, dtype, format, max_elements, device, define, strict, color,
               detect_anomaly, debug, extra=(("--grad-output", grad_output),))

    def check(ctx: typer.Context, expr: Expr,
              eps: Annotated[Optional[float], typer.Option("--eps", help="Finite-difference step (default: 1e-6).")]
              = None,
              atol: Annotated[Optional[float], typer.Option("--atol", help="Absolute tolerance (default: 1e-5).")]
              = None,
              rtol: Annotated[Optional[float], typer.Option("--rtol", help="Relative tolerance (default: 1e-3).")]
              = None,
              second_order: Annotated[bool, typer.Option("--second-order", help="Also run gradgradcheck.")] = False,
              wrt: Wrt = None, seed: Seed = None, dtype: DType = None, format: Format = None,
              max_elements: MaxElements = None, device: Device = None, define: Define = None, strict: Strict = False,
              color: Color = None, detect_anomaly: Anomaly = False, debug: Debug = False):
        common("check", ctx, expr, wrt, seed, dtype, format, max_elements, device, define, strict, color,
               detect_anomaly, debug, extra=(("--eps", eps), ("--atol", atol), ("--rtol", rtol)),
               flags=(("--second-order", second_order),))

    made = {"jacobian": plain("jacobian"), "hessian": plain("hessian"), "jvp": with_vectors("jvp"), "vjp": vjp,
            "hvp": with_vectors("hvp"), "vhp": with_vectors("vhp"), "check": check}
    for name, fn in made.items():
        fn.__doc__ = HELP[name]
        app.command(name=name, cls=command_cls, **_PASS_THROUGH)(fn)
