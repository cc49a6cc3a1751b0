"""The Typer wiring of `agcli plot`: its options and --help text (app.py registers
it after `grad`, whose words it takes). The command hands its words to plot.py,
imported only when it runs.
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .graph_commands import (Color, Debug, Define, Device, DType, Expr, MaxElements, Seed, Strict, Wrt,
                             _PASS_THROUGH, _words)
from .sink import finish

Format = Annotated[Optional[str], typer.Option(
    "--format", "-f", metavar="<rich|json>",
    help="rich: the curves drawn in text (default; plain ASCII in a pipe); json: x, f and df for programs.")]
Out = Annotated[Optional[str], typer.Option(
    "--out", metavar="FILE.png|FILE.svg", help="Write the plot to a PNG or SVG file drawn by matplotlib (an SVG is "
                                               "the same bytes every time) instead of drawing text.")]


def register(app, command_cls):
    """Add `plot` to the Typer app."""

    @app.command(cls=command_cls, **_PASS_THROUGH)
    def plot(ctx: typer.Context, expr: Expr, wrt: Wrt = None, seed: Seed = None, dtype: DType = None,
             format: Format = None, out: Out = None, max_elements: MaxElements = None, device: Device = None,
             define: Define = None, strict: Strict = False, color: Color = None, debug: Debug = False):
        """Plot EXPR and its derivative over a range of one variable.

        \b
        Bind one variable to a range of points (--x "linspace(0, 2*pi, 200)"):
        it is the x axis, and EXPR must give one value per point. The
        derivative is autograd's, as the tutorials compute it without writing
        cos: for an elementwise EXPR one backward with a ones output
        gradient; for any other (cumsum, softmax, x * x.sum()) the diagonal of
        the Jacobian, for at most 4096 points. --wrt picks what is
        differentiated (default: the range's variable); another variable must
        hold one number, and its curve is d f(x_i) / d a at each point.
        Bindings and options are those of `agcli grad`.

        \b
        Drawing needs the optional extra: pip install 'agcli[plot]' (uniplot
        for text, matplotlib for --out); --format json needs neither.

        \b
        Examples:
          agcli plot "sin(x)" --x "linspace(0, 2*pi, 200)"
          agcli plot "sin(x)" --x "linspace(0, 2*pi, 200)" --out sin.svg
          agcli plot "tanh(x)" --x "linspace(-3, 3, 100)" --format json | jq .df
          agcli plot "a * x**3" --x "linspace(-1, 1, 50)" --a 2 --wrt x,a
          agcli plot "softmax(x, 0)" --x "linspace(-2, 2, 40)"
        """
        from .plot import run_plot
        words = _words(expr, (("--wrt", wrt), ("--seed", seed), ("--dtype", dtype), ("--format", format),
                              ("--out", out), ("--max-elements", max_elements), ("--device", device),
                              ("--color", color)),
                       define, (("--strict", strict), ("--debug", debug)), ctx.args)
        raise typer.Exit(finish(run_plot, words))
