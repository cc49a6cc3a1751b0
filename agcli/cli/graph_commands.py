"""The Typer wiring of `agcli graph` and `agcli explain`: their options and
--help texts (app.py registers them after `grad`, whose words they take).
Each command hands its words to graph.py / explain.py, imported only when
it runs.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from .sink import finish


class GraphFormat(str, Enum):
    rich = "rich"
    json = "json"
    dot = "dot"
    svg = "svg"
    png = "png"


class ExplainFormat(str, Enum):
    rich = "rich"
    json = "json"


Expr = Annotated[str, typer.Argument(
    metavar="EXPR", show_default=False,
    help='The expression, e.g. "a*b + c"; - reads it from standard input, @FILE from a file.')]
Wrt = Annotated[Optional[str], typer.Option(
    "--wrt", metavar="NAMES", help="Comma-separated variables that require grad (default: all bound).")]
GradOutput = Annotated[Optional[str], typer.Option(
    "--grad-output", metavar="VALUE", help="backward(gradient=VALUE) for a non-scalar output.")]
Seed = Annotated[Optional[int], typer.Option("--seed", help="Seed for rand/randn.")]
DType = Annotated[Optional[str], typer.Option(
    "--dtype", metavar="<float32|float64>", help="Floating dtype of variables and literals (default: float64).")]
MaxElements = Annotated[Optional[int], typer.Option(
    "--max-elements", metavar="N", help="Refuse any tensor with more elements (default: 10^8).")]
Device = Annotated[Optional[str], typer.Option(
    "--device", metavar="<cpu|cuda>", help="Compute on cpu (NumPy) or cuda (CuPy). Default: $AGCLI_DEVICE, else cpu.")]
Define = Annotated[Optional[list[str]], typer.Option(
    "--define", "-D", metavar="NAME=VALUE", help="Bind a NAME that clashes with an option.")]
Strict = Annotated[bool, typer.Option("--strict", help="A binding EXPR does not use is an error.")]
Color = Annotated[Optional[str], typer.Option(
    "--color", metavar="<auto|always|never>",
    help="Colour: auto (on a terminal), always, never. Default: NO_COLOR / FORCE_COLOR, else auto.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show a Python traceback for internal errors.")]

_PASS_THROUGH = {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
                 "options_metavar": "[--NAME VALUE]... [OPTIONS]"}


def _words(expr, options, define, flags, extra) -> list:
    """The command's words again, as `agcli grad` reads them (cli/arguments.py)."""
    words = [expr]
    for option, value in options:
        if value is not None:
            words += [option, str(getattr(value, "value", value))]
    for spec in define or ():
        words += ["-D", spec]
    return words + [flag for flag, on in flags if on] + extra


def register(app, command_cls):
    """Add `graph` and `explain` to the Typer app."""

    @app.command(cls=command_cls, **_PASS_THROUGH)
    def graph(ctx: typer.Context, expr: Expr, wrt: Wrt = None, grad_output: GradOutput = None, seed: Seed = None,
              dtype: DType = None,
              format: Annotated[Optional[GraphFormat], typer.Option(
                  "--format", "-f", show_default=False,
                  help="rich: a tree (default; plain text in a pipe); dot: Graphviz DOT; svg, png: a picture "
                       "drawn by Graphviz's dot program; json: nodes and edges for programs. Default with "
                       "--out: what FILE's name ends in.")] = None,
              out: Annotated[Optional[str], typer.Option(
                  "--out", metavar="FILE", help="Write to FILE (.svg, .png, .dot, .json, .txt) instead of "
                                                      "standard output.")] = None,
              saved: Annotated[bool, typer.Option(
                  "--saved", help="Also show what each node saved for backward (grad_fn._saved_*).")] = False,
              max_elements: MaxElements = None, device: Device = None, define: Define = None,
              strict: Strict = False, color: Color = None, debug: Debug = False):
        """Draw the backward graph of EXPR as PyTorch builds it.

        \b
        One node per grad_fn, plus one AccumulateGrad per leaf that requires
        grad; edges in the order of PyTorch's next_functions. Each node shows
        its grad_fn, its name (a bound variable, or an intermediate named
        with `g = a*b`), shape, value, and grad: the gradient of the output
        with respect to the node's output. Each edge shows what it carries
        back (<- in the tree). A node used twice is drawn once.
        Bindings and options are those of `agcli grad`.

        \b
        Examples:
          agcli graph "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10
          agcli graph "x*x + x" --x 3 --format json
          agcli graph "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10 --out graph.svg
          agcli graph "(w @ x).tanh().sum()" --w "randn(2, 3)" --x "ones(3)" --seed 0 --saved
          agcli graph "F.cross_entropy(x @ w, tensor([1, 0]))" --x "ones(2, 2)" \\
              --w "randn(2, 3)" --seed 0 --format dot | dot -Tpng > graph.png
        """
        from .graph import run_graph
        words = _words(expr, (("--wrt", wrt), ("--grad-output", grad_output), ("--seed", seed), ("--dtype", dtype),
                              ("--format", format), ("--out", out), ("--max-elements", max_elements),
                              ("--device", device), ("--color", color)),
                       define, (("--saved", saved), ("--strict", strict), ("--debug", debug)), ctx.args)
        raise typer.Exit(finish(run_graph, words))

    @app.command(cls=command_cls, **_PASS_THROUGH)
    def explain(ctx: typer.Context, expr: Expr, wrt: Wrt = None, grad_output: GradOutput = None, seed: Seed = None,
                dtype: DType = None,
                format: Annotated[Optional[ExplainFormat], typer.Option(
                    "--format", "-f", show_default=False,
                    help="rich: a worked example for people (default; plain text in a pipe); json: the steps "
                         "for programs.")] = None,
                max_elements: MaxElements = None, device: Device = None, define: Define = None,
                strict: Strict = False, color: Color = None, debug: Debug = False):
        """Explain backward on EXPR step by step: the chain rule with the numbers put in.

        \b
        The steps come in the order PyTorch's engine runs them: among the
        nodes whose gradients have all arrived (and been summed), the one
        created last runs first; a leaf's AccumulateGrad runs as soon as its
        gradient is complete. Each step shows the gradient arriving and, for
        each input, the rule in words (grad * other, grad * (1 - result²),
        ... as PyTorch's derivatives.yaml writes them), the rule with the
        numbers put in, and the gradient it sends on. It ends with each
        leaf's gradient. Bindings and options are those of `agcli grad`.

        \b
        Examples:
          agcli explain "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10
          agcli explain "x*x + x" --x 3
          agcli explain "(x + b).sum()" --x "ones(2, 3)" --b "[1., 2., 3.]"
          agcli explain "sigmoid(x) * log(x)" --x 2 --format json | jq '.steps[].inputs'
        """
        from .explain import run_explain
        words = _words(expr, (("--wrt", wrt), ("--grad-output", grad_output), ("--seed", seed), ("--dtype", dtype),
                              ("--format", format), ("--max-elements", max_elements), ("--device", device),
                              ("--color", color)),
                       define, (("--strict", strict), ("--debug", debug)), ctx.args)
        raise typer.Exit(finish(run_explain, words))
