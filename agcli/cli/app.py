"""The Typer interface: commands, their options and --help texts; each command
calls its module (grad.py, batch.py, run.py, repl.py), imported only when it
runs. main() hands this every call but the plain `agcli grad`, which it runs
itself to skip Typer's import.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand

from .. import __version__
from .calculus_commands import register as register_calculus_commands
from .graph_commands import register as register_graph_commands
from .plot_commands import register as register_plot_command
from .sink import finish, set_color

app = typer.Typer(
    name="agcli",
    add_completion=True,    # --install-completion, --show-completion (bash, zsh, fish, PowerShell)
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="""Differentiate an expression and see what PyTorch would tell you:
the value, the grad_fn of every operation and the gradient of every leaf.

\b
  agcli grad "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10
  agcli grad "x @ x" --x "[1, 2, 3]" --format json
  agcli batch samples/seeds.txt --format jsonl
  agcli hessian "(x**3).sum()" --x "[1., 2., 3.]"
  agcli check "relu(x)" --x 0
  agcli plot "sin(x)" --x "linspace(0, 2*pi, 200)"
  agcli run samples/seeds/002_basics_and_jacobian.py
  agcli repl

Run `agcli COMMAND --help` for a command's options and examples.

Exit status: 0 success (also when the reader of a pipe stops early, as `| head`
does), 1 evaluation failed, 2 the input was rejected, 130 interrupted.""",
)


class _Command(TyperCommand):
    """Usage lines name EXPR and FILE as the help texts do (Typer braces a required argument: {EXPR})."""

    def collect_usage_pieces(self, ctx):
        return [piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
                for piece in super().collect_usage_pieces(ctx)]


class _Once(_Command):
    """A command whose options are each given once, as `agcli grad` holds its own: Click would
    keep the last silently (`agcli run -e A -e B` would drop A)."""

    def parse_args(self, ctx, args):
        options = {name: p for p in self.params if getattr(p, "opts", None) and p.param_type_name == "option"
                   for name in (*p.opts, *p.secondary_opts)}
        seen, words = {}, iter(args)
        for word in words:
            if word == "--":
                break
            name, eq, _ = word.partition("=") if word.startswith("--") else (word, "", "")
            param = options.get(name)
            if param is None:
                continue
            if not param.is_flag and not eq:
                next(words, None)       # (its value, which may look like an option)
            if param.name in seen and not param.multiple and not param.count:
                usage_error = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
                error = usage_error(f"{name} is given twice" if seen[param.name] == name else
                                    f"{seen[param.name]} and {name} are both given", ctx)
                error.hint = ("give the program as one -e (statements separated by ; or new lines), or a FILE"
                              if param.name == "program" else "give each option once")
                raise error
            seen[param.name] = name
        return super().parse_args(ctx, args)


class BatchFormat(str, Enum):
    rich = "rich"
    jsonl = "jsonl"
    json = "json"       # the same JSON Lines: one object per line, as `grad --format json` writes one


class GradFormat(str, Enum):
    rich = "rich"
    json = "json"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class DType(str, Enum):
    float32 = "float32"
    float64 = "float64"


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"


def _version(value: bool):
    if value:
        print(f"agcli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None):
    pass


# Options shared by `grad` and `batch`.
WrtOption = Annotated[Optional[str], typer.Option(
    "--wrt", metavar="NAMES", help="Comma-separated variables that require grad (default: all bound).")]
GradOutputOption = Annotated[Optional[str], typer.Option(
    "--grad-output", metavar="VALUE",
    help="backward(gradient=VALUE) for a non-scalar output: a vector-Jacobian product. "
         "VALUE is a constant expression such as 'ones(3, 3)' or @file.npy.")]
SeedOption = Annotated[Optional[int], typer.Option("--seed", help="Seed for rand/randn.")]
DTypeOption = Annotated[DType, typer.Option("--dtype", help="Floating dtype of variables and literals.")]
MaxElementsOption = Annotated[int, typer.Option(
    "--max-elements", metavar="N", min=1, help="Refuse to create any tensor with more elements.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show a Python traceback for internal errors.")]
# Every command's.
ColorOption = Annotated[Optional[Color], typer.Option(
    "--color", help="Colour and drawing: auto (on a terminal), always (also in a pipe), never. "
                    "Default: never if NO_COLOR is set, always if FORCE_COLOR is, else auto.", show_default=False)]
# Every command's: one device per process.
DeviceOption = Annotated[Optional[Device], typer.Option(
    "--device", help="Compute on cpu (NumPy) or cuda (CuPy on a CUDA GPU). Default: $AGCLI_DEVICE, else cpu.",
    show_default=False)]


AnomalyOption = Annotated[bool, typer.Option(
    "--detect-anomaly", help="Anomaly mode: stop at the first backward function that returns nan, with PyTorch's "
                             "message and a caret under the operation that made it (exit 1).")]


def _value(choice) -> str | None:
    """An option's word (--device, --color), or None: the environment decides."""
    return None if choice is None else choice.value


@app.command(cls=_Command, context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
             options_metavar="[--NAME VALUE]... [OPTIONS]")
def grad(
    ctx: typer.Context,
    expr: Annotated[str, typer.Argument(
        metavar="EXPR", show_default=False,
        help='The expression, e.g. "a*b + c"; - reads it from standard input, @FILE from a file.')],
    wrt: WrtOption = None,
    grad_output: GradOutputOption = None,
    seed: SeedOption = None,
    dtype: Annotated[Optional[DType], typer.Option(
        "--dtype", help="Floating dtype of variables and literals (default: float64).", show_default=False)] = None,
    format: Annotated[Optional[GradFormat], typer.Option(
        "--format", "-f", help="rich for people (default), json for programs.", show_default=False)] = None,
    out: Annotated[Optional[str], typer.Option(
        "--out", metavar="FILE.npz", help="Also save the value and every leaf gradient (keys: value and "
                                          "the variable names; read one back with @FILE.npz:KEY).")] = None,
    max_elements: Annotated[Optional[int], typer.Option(
        "--max-elements", metavar="N", min=1, help="Refuse any tensor with more elements (default: 10^8).")] = None,
    device: DeviceOption = None,
    define: Annotated[Optional[list[str]], typer.Option(
        "--define", "-D", metavar="NAME=VALUE", help="Bind a NAME that clashes with an option.")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="A binding EXPR does not use is an error (default: a warning; a mistyped option "
                         "is always an error).")] = False,
    color: ColorOption = None,
    detect_anomaly: AnomalyOption = False,
    debug: DebugOption = False,
):
    """Evaluate EXPR, run backward, print the value, the graph and the gradients.

    \b
    Bind variables with --NAME VALUE (or --NAME=VALUE, or -D NAME=VALUE).
    VALUE is a constant expression or a file:
      --x 2      --x "[1, 2, 3]"     --x "ones(2, 3)"     --x "randn(5, 3)"
      --x "linspace(0, 6.28, 200)"   --x @data.npy    --x @data.csv   --x @data.json
      --x @res.npz:KEY (one array of an archive)     --x @- (standard input)
    Every bound variable is a float leaf that requires grad (unless --wrt
    leaves it out); numbers and literals inside EXPR are constants.

    \b
    Examples:
      agcli grad "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10
      agcli grad "g = a*b; h = c*d**2/e; g + h" --a 2 --b 4 --c 6 --d 8 --e 10
      agcli grad "(inp+1).pow(2).t()" --inp "eye(4, 5)" --grad-output "ones(5, 4)"
      agcli grad "((x*w1 + b)*w2).mean()" --x "ones(5)" --w1 2 --w2 3 --b 4 --wrt x,w1,w2
      agcli grad "F.binary_cross_entropy_with_logits(x @ w + b, y)" --x "ones(5)" \\
          --w "randn(5, 3)" --b "randn(3)" --y "zeros(3)" --wrt w,b --seed 0 --format json
    """
    # main() runs `agcli grad` itself, without Typer; this is the same call for anyone invoking the app.
    from .grad import run_grad
    words = [expr]
    for option, value in (("--wrt", wrt), ("--grad-output", grad_output), ("--seed", seed),
                          ("--dtype", _value(dtype)), ("--format", _value(format)), ("--out", out),
                          ("--max-elements", max_elements), ("--device", _value(device)),
                          ("--color", _value(color))):
        if value is not None:
            words += [option, str(value)]
    for spec in define or ():
        words += ["-D", spec]
    words += ["--strict"] * strict + ["--detect-anomaly"] * detect_anomaly + ["--debug"] * debug
    raise typer.Exit(finish(run_grad, words + ctx.args))


register_graph_commands(app, _Command)     # agcli graph, agcli explain: after grad, whose words they take
register_calculus_commands(app, _Command)  # agcli jacobian, hessian, jvp, vjp, hvp, vhp, check: grad's words too
register_plot_command(app, _Command)        # agcli plot: f and f' over a range, grad's words too


@app.command(cls=_Once)
def batch(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Batch file, or - for standard input.")],
    wrt: WrtOption = None,
    grad_output: GradOutputOption = None,
    seed: SeedOption = None,
    dtype: DTypeOption = DType.float64,
    format: Annotated[Optional[BatchFormat], typer.Option(
        "--format", "-f", help="jsonl (or json): one JSON object per line, written as soon as the line is done; "
                               "rich: a block per line. Default: rich, or jsonl with --cluster.")]
    = None,
    max_elements: MaxElementsOption = 10**8,
    progress: Annotated[Optional[bool], typer.Option(
        "--progress/--no-progress", help="Progress bar on stderr, drawn only when stderr is a terminal "
                                         "(default: --progress).")]
    = None,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", metavar="N", min=1,
        help="Worker processes for a FILE of --format jsonl lines (default: one per CPU core; "
             "standard input, rich output and --device cuda run in this process).")] = None,
    cluster: Annotated[Optional[str], typer.Option(
        "--cluster", metavar="ADDRESS",
        help="Run the lines on a Dask cluster: its scheduler's address (tcp://HOST:8786), or local:N to start "
             "N worker processes on this machine; writes JSON lines; needs pip install 'agcli[cluster]'.")] = None,
    device: DeviceOption = None,
    color: ColorOption = None,
    detect_anomaly: AnomalyOption = False,
    debug: DebugOption = False,
):
    """Run many `agcli grad` calls, one per line of FILE.

    \b
    Each line that is not blank and does not start with # holds the
    arguments of one `agcli grad` call, shell-quoted (a # that starts a
    word outside quotes begins a comment):
      "a*b + c" --a 2 --b 3 --c 1
      "x @ x" --x "[1, 2, 3]"
      "sum(tanh(w @ x))" --w "randn(3, 4)" --x "ones(4)" --seed 1
    A line may start with a calculus command's word (jacobian, hessian, jvp,
    vjp, hvp, vhp, check) and then holds that command's arguments:
      hessian "(x**3).sum()" --x "[1., 2.]"
      jacobian "sin(x)" --x "[1, 2]"
    An expression that is just one of those words follows `grad`:
      grad hessian --hessian 2
    Options given here apply to every line; a line's own --wrt,
    --grad-output, --seed, --dtype or --detect-anomaly (and --vector, --eps,
    --atol, --rtol, --second-order) win for that line. A bad line gives an
    error for that line and the batch goes on; the exit status is 1 if any
    line failed, and a last line on stderr counts them. An expression
    repeated with new bindings is parsed once, and from its third line on
    its recorded ops are replayed on raw arrays. A FILE of --format jsonl
    lines runs in worker processes (--jobs), its results written in input
    order.

    \b
    Examples:
      agcli batch samples/seeds.txt
      agcli batch samples/seeds.txt --format jsonl | jq .grads
      cat lines.txt | agcli batch - --format jsonl
      agcli batch samples/big.txt --format jsonl --jobs 1 > out.jsonl   # one process
      agcli batch samples/big.txt --cluster local:2 > out.jsonl         # on Dask
    """
    from .batch import run_batch
    set_color(_value(color))
    raise typer.Exit(finish(run_batch, file, device=_value(device), wrt=wrt, grad_output=grad_output, seed=seed,
                            dtype=dtype.value, max_elements=max_elements,
                            jsonl=format is not BatchFormat.rich if format is not None else cluster is not None,
                            progress=progress, jobs=jobs, debug=debug, cluster=cluster,
                            detect_anomaly=detect_anomaly))


ProgramDTypeOption = Annotated[DType, typer.Option("--dtype", help="Default floating dtype (PyTorch's is float32).")]
MaxIterationsOption = Annotated[int, typer.Option(
    "--max-iterations", metavar="N", help="Stop a loop that runs more than N times.")]


@app.command(cls=_Once)
def run(
    file: Annotated[Optional[str], typer.Argument(metavar="FILE", help="Program file, or - for standard input.")]
    = None,
    program: Annotated[Optional[str], typer.Option("-e", "--exec", metavar="PROGRAM",
                                                   help="Run PROGRAM given as text.")] = None,
    seed: SeedOption = None,
    dtype: ProgramDTypeOption = DType.float32,
    max_iterations: MaxIterationsOption = 10**6,
    max_elements: MaxElementsOption = 10**8,
    device: DeviceOption = None,
    color: ColorOption = None,
    detect_anomaly: AnomalyOption = False,
    debug: DebugOption = False,
):
    """Run a PyTorch autograd program on agcli's engine; print() prints what PyTorch would.

    \b
    The language is PyTorch's Python: tensors with requires_grad=True,
    backward(), .grad, .grad_fn, torch.no_grad(), detach(), if/elif/else,
    while, for ... in range(n), def/return, try/except, print and f-strings.
    `import torch` and `import torch.nn.functional as F` are accepted, and
    `import numpy as np`, `import matplotlib.pyplot as plt` (a subset:
    plt.show() draws in the terminal, plt.savefig() writes PNG or SVG inside
    the current directory; drawing needs pip install 'agcli[plot]').

    \b
    Examples:
      agcli run samples/seeds/002_basics_and_jacobian.py
      agcli run samples/seeds/004_plotting_cell.py
      agcli run -e "x = torch.ones(2, 2, requires_grad=True); y = (x * x).sum(); y.backward(); print(x.grad)"
      cat program.py | agcli run -
    """
    from .run import run_file
    set_color(_value(color))
    raise typer.Exit(finish(run_file, file, program, device=_value(device), seed=seed, dtype=dtype.value,
                            max_iterations=max_iterations, max_elements=max_elements, debug=debug,
                            detect_anomaly=detect_anomaly))


@app.command(cls=_Once)
def repl(
    seed: SeedOption = None,
    dtype: ProgramDTypeOption = DType.float32,
    max_iterations: MaxIterationsOption = 10**6,
    max_elements: MaxElementsOption = 10**8,
    device: DeviceOption = None,
    color: ColorOption = None,
):
    """Type autograd programs interactively; a bare expression prints its value.

    \b
    >>> x = torch.ones(2, 2, requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[2., 2.],
            [2., 2.]])

    Blocks (if, while, for, def, with, try) end with an empty line. History is
    kept in ~/.agcli_history. Ctrl-D quits.
    """
    from .repl import start_repl
    set_color(_value(color))
    raise typer.Exit(finish(start_repl, device=_value(device), seed=seed, dtype=dtype.value,
                            max_iterations=max_iterations, max_elements=max_elements, version=__version__))
