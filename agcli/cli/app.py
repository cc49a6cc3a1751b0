"""The Typer interface: commands, their options and --help texts; each command
calls its module (grad.py, batch.py, run.py, repl.py), imported only when it
runs. main() hands this every call but the plain `agcli grad`, which it runs
itself to skip Typer's import.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from .. import __version__

app = typer.Typer(
    name="agcli",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="""Differentiate an expression and see what PyTorch would tell you:
the value, the grad_fn of every operation and the gradient of every leaf.

\b
  agcli grad "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10
  agcli grad "x @ x" --x "[1, 2, 3]" --format json
  agcli batch samples/seeds.txt --format jsonl
  agcli run samples/seeds/002_basics_and_jacobian.py
  agcli repl

Run `agcli COMMAND --help` for a command's options and examples.

Exit status: 0 success, 1 evaluation failed, 2 the input was rejected.""",
)


class BatchFormat(str, Enum):
    rich = "rich"
    jsonl = "jsonl"


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
    "--max-elements", metavar="N", help="Refuse to create any tensor with more elements.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show a Python traceback for internal errors.")]
# Every command's: one device per process.
DeviceOption = Annotated[Optional[Device], typer.Option(
    "--device", help="Compute on cpu (NumPy) or cuda (CuPy on a CUDA GPU). Default: $AGCLI_DEVICE, else cpu.",
    show_default=False)]


def _value(device) -> str | None:
    """The --device word, or None: agcli/device.py then reads AGCLI_DEVICE."""
    return None if device is None else device.value


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def grad(
    ctx: typer.Context,
    expr: Annotated[str, typer.Argument(help="The expression, e.g. \"a*b + c\".", show_default=False)],
):
    """Evaluate EXPR, run backward, print the value, the graph and the gradients.

    \b
    Bind variables with --NAME VALUE (or --NAME=VALUE, or -D NAME=VALUE).
    VALUE is a constant expression or a file:
      --x 2      --x "[1, 2, 3]"     --x "ones(2, 3)"     --x "randn(5, 3)"
      --x "linspace(0, 6.28, 200)"   --x @data.npy    --x @data.csv   --x @data.json
    Every bound variable is a float leaf that requires grad (unless --wrt
    leaves it out); numbers and literals inside EXPR are constants.

    \b
    Options:
      --wrt NAMES            variables that require grad, comma-separated
                             (default: every bound variable)
      --grad-output VALUE    backward(gradient=VALUE) for a non-scalar output:
                             a vector-Jacobian product, e.g. "ones(3, 3)"
      --seed N               seed for rand/randn
      --dtype float32|float64      floating dtype (default: float64)
      -f, --format rich|json       rich for people (default), json for programs
      --out FILE.npz         also save the value and every leaf gradient
                             (keys: value and the variable names)
      --max-elements N       refuse any tensor with more elements (default: 10^8)
      --device cpu|cuda      compute on NumPy or on a CUDA GPU with CuPy
                             (default: $AGCLI_DEVICE, else cpu)
      -D, --define NAME=VALUE      bind a NAME that clashes with an option
      --debug                show a Python traceback for internal errors

    \b
    Examples:
      agcli grad "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10
      agcli grad "g = a*b; h = c*d**2/e; g + h" --a 2 --b 4 --c 6 --d 8 --e 10
      agcli grad "(inp+1).pow(2).t()" --inp "eye(4, 5)" --grad-output "ones(5, 4)"
      agcli grad "((x*w1 + b)*w2).mean()" --x "ones(5)" --w1 2 --w2 3 --b 4 --wrt x,w1,w2
      agcli grad "F.binary_cross_entropy_with_logits(x @ w + b, y)" --x "ones(5)" \\
          --w "randn(5, 3)" --b "randn(3)" --y "zeros(3)" --wrt w,b --seed 0 --format json
    """
    from .grad import run_grad
    raise typer.Exit(run_grad([expr, *ctx.args]))


@app.command()
def batch(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Batch file, or - for standard input.")],
    wrt: WrtOption = None,
    grad_output: GradOutputOption = None,
    seed: SeedOption = None,
    dtype: DTypeOption = DType.float64,
    format: Annotated[BatchFormat, typer.Option("--format", "-f", help="jsonl: one JSON object per line, "
                                                "written as soon as the line is done; rich: a block per line.")]
    = BatchFormat.rich,
    max_elements: MaxElementsOption = 10**8,
    progress: Annotated[Optional[bool], typer.Option(
        "--progress/--no-progress", help="Progress bar on stderr (default: when stderr is a terminal).")]
    = None,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", metavar="N", min=1,
        help="Worker processes for a FILE of --format jsonl lines (default: one per CPU core; "
             "standard input, rich output and --device cuda run in this process).")] = None,
    device: DeviceOption = None,
    debug: DebugOption = False,
):
    """Run many `agcli grad` calls, one per line of FILE.

    \b
    Each line that is not blank and does not start with # holds the
    arguments of one `agcli grad` call, shell-quoted:
      "a*b + c" --a 2 --b 3 --c 1
      "x @ x" --x "[1, 2, 3]"
      "sum(tanh(w @ x))" --w "randn(3, 4)" --x "ones(4)" --seed 1
    Options given here apply to every line; a line's own --wrt,
    --grad-output, --seed or --dtype win for that line. A bad line gives an
    error for that line and the batch goes on; the exit status is 1 if any
    line failed. An expression repeated with new bindings is parsed once,
    and from its third line on its recorded ops are replayed on raw arrays.
    A FILE of --format jsonl lines runs in worker processes (--jobs), its
    results written in input order.

    \b
    Examples:
      agcli batch samples/seeds.txt
      agcli batch samples/seeds.txt --format jsonl | jq .grads
      cat lines.txt | agcli batch - --format jsonl
      agcli batch big.txt --format jsonl --jobs 1 > out.jsonl   # one process
    """
    from .batch import run_batch
    raise typer.Exit(run_batch(file, device=_value(device), wrt=wrt, grad_output=grad_output, seed=seed,
                               dtype=dtype.value, max_elements=max_elements, jsonl=format is BatchFormat.jsonl,
                               progress=progress, jobs=jobs, debug=debug))


ProgramDTypeOption = Annotated[DType, typer.Option("--dtype", help="Default floating dtype (PyTorch's is float32).")]
MaxIterationsOption = Annotated[int, typer.Option(
    "--max-iterations", metavar="N", help="Stop a loop that runs more than N times.")]


@app.command()
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
    debug: DebugOption = False,
):
    """Run a PyTorch autograd program on agcli's engine; print() prints what PyTorch would.

    \b
    The language is PyTorch's Python: tensors with requires_grad=True,
    backward(), .grad, .grad_fn, torch.no_grad(), detach(), if/elif/else,
    while, for ... in range(n), def/return, try/except, print and f-strings.
    `import torch` and `import torch.nn.functional as F` are accepted.

    \b
    Examples:
      agcli run samples/seeds/002_basics_and_jacobian.py
      agcli run -e "x = torch.ones(2, 2, requires_grad=True); y = (x * x).sum(); y.backward(); print(x.grad)"
      cat program.py | agcli run -
    """
    from .run import run_file
    raise typer.Exit(run_file(file, program, device=_value(device), seed=seed, dtype=dtype.value,
                              max_iterations=max_iterations, max_elements=max_elements, debug=debug))


@app.command()
def repl(
    seed: SeedOption = None,
    dtype: ProgramDTypeOption = DType.float32,
    max_iterations: MaxIterationsOption = 10**6,
    max_elements: MaxElementsOption = 10**8,
    device: DeviceOption = None,
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
    raise typer.Exit(start_repl(device=_value(device), seed=seed, dtype=dtype.value, max_iterations=max_iterations,
                                max_elements=max_elements, version=__version__))
