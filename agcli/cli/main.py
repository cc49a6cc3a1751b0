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

import sys

from .sink import finish, prepare_streams

_HELP = ("-h", "--help")


def main():
    prepare_streams()
    argv = sys.argv[1:]
    if len(argv) > 1 and argv[0] == "grad" and not any(a in _HELP for a in argv[1:]):
        from .grad import run_grad
        code = finish(run_grad, argv[1:])
    else:
        code = finish(_typer_app)
    sys.exit(code)


def _typer_app() -> int:
    from .app import app
    app()   # each command ends through finish() itself (Click would make a closed pipe exit 1)
    return 0
