"""The `agcli` entry point: hand argv to a command and exit with its code.

`agcli grad` is the hot path: main() runs it without importing Typer, whose
start-up is a large part of a short call; every other command, and any
--help, goes through the Typer app (app.py).

Exit codes: 0 success (also when stdout's reader left early: `| head`);
1 evaluation failed (shape errors, PyTorch's runtime errors, any failed line
of a batch); 2 the input was rejected (syntax, unknown names, bad bindings or
options); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import gc
import os
import sys

from .sink import finish, prepare_streams, started

_HELP = ("-h", "--help")
_CALCULUS = ("jacobian", "hessian", "jvp", "vjp", "hvp", "vhp", "check")


def main():
    quiet_blas_threads()
    # What start-up imports (agcli's modules, NumPy's) lives as long as the
    # process: the cyclic collector is off while it is made, then leaves it out
    # of its passes (sink.started: grad calls it once the engine is imported).
    # What the command made is frozen as it ends (sink.finish): the collection
    # at exit walks neither.
    gc.disable()
    prepare_streams()
    argv = sys.argv[1:]
    if len(argv) > 1 and argv[0] == "grad" and not any(a in _HELP for a in argv[1:]):
        from .grad import run_grad
        code = finish(run_grad, argv[1:])
    elif len(argv) > 1 and argv[0] in _CALCULUS and not any(a in _HELP for a in argv[1:]):
        from .calculus import run_calculus     # the calculus commands take grad's words: no Typer either
        started()
        code = finish(run_calculus, argv[0], argv[1:])
    elif len(argv) > 1 and argv[0] == "plot" and not any(a in _HELP for a in argv[1:]):
        from .plot import run_plot              # grad's words too (plot_commands.py: its --help)
        started()
        code = finish(run_plot, argv[1:])
    else:
        code = finish(_typer_app)
    sys.exit(code)


def quiet_blas_threads():
    """OpenBLAS's threads, once woken (as NumPy loads it, and after each product it
    shares among them), spin for 2**28 cycles, about a tenth of a second, before
    they sleep: on a small machine the spin takes a core from agcli's own work
    and from a batch's workers (benchmarks/README.md, "Why the code is shaped so").
    OpenBLAS reads this as it loads: 4 (2**4 cycles, its least) lets them sleep at
    once, and wakes them for the next product all the same. A user's own value wins."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")


_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _typer_app() -> int:
    argv = sys.argv[1:]
    if argv and not argv[0].startswith("-") and not argv[0].isidentifier():
        return _expression_first(argv)
    if any(a in ("--show-completion", "--install-completion") and b in _SHELLS for a, b in zip(argv, argv[1:])):
        # `--show-completion bash`: that shell's script. Typer's flag would ignore the name and ask
        # which shell runs agcli, which fails where no shell started it (a script, a service).
        os.environ["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"
    from .app import app
    started()
    try:    # each command ends through finish() itself (Click would make a closed pipe exit 1)
        code = app(standalone_mode=False)
    except Exception as e:      # (Click's classes by name: Typer may carry its own copy of Click)
        kinds = {c.__name__ for c in type(e).__mro__}
        if "Abort" in kinds:    # Ctrl-C while Click reads the words: finish() ends it as any other
            raise KeyboardInterrupt from None
        if "UsageError" not in kinds:
            raise
        if "NoArgsIsHelpError" in kinds:    # `agcli` alone: the help, as Click shows it
            e.show()
        else:
            _usage_error(e)
        return e.exit_code
    return code if isinstance(code, int) else 0


def _usage_error(e) -> None:
    """Click's refusal of a command's words (an unknown option, a value out of its range) worded as
    agcli's errors are: one `error:` line, and where to look."""
    from ..errors import AgcliError
    from .sink import Output
    message = e.format_message().removesuffix(".")
    command = e.ctx.command_path if e.ctx is not None else "agcli"
    argv = sys.argv[1:]
    if command == "agcli" and argv and argv[0] in ("graph", "explain", "batch", "run", "repl", "plot", *_CALCULUS):
        command += " " + argv[0]    # (Click may name the group for a command's option)
    lists = "the commands" if command == "agcli" else "its options"
    hint = getattr(e, "hint", None) or f"{command} --help lists {lists}"
    Output().error(AgcliError(message[:1].lower() + message[1:], kind="usage", hint=hint))


def _expression_first(argv) -> int:
    """`agcli "x*2" --x 1`: an expression where the command goes (Click: "No such command 'x*2'")."""
    import shlex

    from ..errors import EXIT_INPUT, AgcliError
    from .sink import Output
    hint = (f"agcli run {shlex.quote(argv[0])} for a program, agcli batch {shlex.quote(argv[0])} for lines of "
            "grad calls" if os.path.isfile(argv[0]) else
            f"agcli grad {shlex.join(argv)}  (or graph, explain, jacobian, ...: agcli --help lists them)")
    Output().error(AgcliError(f"{argv[0]!r} is not a command: the command comes first", kind="usage", hint=hint))
    return EXIT_INPUT
