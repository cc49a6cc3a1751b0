"""The `agcli` entry point: hand argv to a command and exit with its code.

`agcli grad` is the hot path: main() runs it without importing Typer, whose
start-up is a large part of a short call; every other command, and any
--help, goes through the Typer app (app.py).

Exit codes: 0 success; 1 evaluation failed (shape errors, PyTorch's runtime
errors, any failed line of a batch); 2 the input was rejected (syntax,
unknown names, bad bindings or options).
"""
from __future__ import annotations

import os
import sys

from ..errors import EXIT_OK

_HELP = ("-h", "--help")


def main():
    argv = sys.argv[1:]
    try:
        if len(argv) > 1 and argv[0] == "grad" and not any(a in _HELP for a in argv[1:]):
            from .grad import run_grad
            code = run_grad(argv[1:])
        else:
            from .app import app
            app()
            code = EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = 130
    except BrokenPipeError:  # `agcli batch ... | head`: the reader left; that is fine
        os._exit(EXIT_OK)
    sys.stdout.flush()
    sys.exit(code)
