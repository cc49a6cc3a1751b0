"""`agcli jacobian | hessian | jvp | vjp | hvp | vhp | check WORDS...`: one
calculus command on an expression (evaluate/calculus.py computes, output/
calculus_render.py shows).

The words are `agcli grad`'s (bindings, --wrt, --dtype, --seed, --device,
--format rich|json, --detect-anomaly, ...) with each command's own options
(cli/arguments.py: COMMAND_OPTIONS: --vector NAME=VALUE, --grad-output,
--eps/--atol/--rtol/--second-order). A new command needs its function in
evaluate/calculus.py, its options there, and its Typer entry in
calculus_commands.py.
"""
from __future__ import annotations

import sys

from ..errors import AgcliError
from .arguments import COMMAND_OPTIONS
from .grad import asks_for_json, expression_given, prepare
from .sink import Output, crashed


def _rejected(command, words, error):
    from ..evaluate.calculus import Calculus
    result = Calculus(expression_given(words), command)
    result.error = error
    return result


def _crashed(command, expr, error, debug):
    result = crashed(expr, error, debug)
    result.command, result.answer = command, None
    return result


def run_calculus(command: str, words) -> int:
    """`agcli COMMAND WORDS...`: returns the exit code."""
    output = Output()
    fmt = "json" if asks_for_json(words) else "rich"
    options = COMMAND_OPTIONS[command]
    try:
        args = prepare(words, options, where=f"agcli {command}")
        fmt = args.format or "rich"
        from ..evaluate.calculus import COMMANDS
    except AgcliError as e:
        if fmt == "json":       # stdout stays one JSON object
            from ..output.calculus_render import calculus_json_line
            sys.stdout.write(calculus_json_line(_rejected(command, words, e)) + "\n")
        output.error(e)
        return e.exit_code
    try:
        result = COMMANDS[command](args.expr, args.bindings, **args.options(command))
    except Exception as e:  # a bug in agcli: an error result (a traceback only with --debug)
        result = _crashed(command, args.expr, e, args.debug)
    dtype = args.dtype or "float64"
    try:
        show(output, result, fmt, dtype)
    except Exception as e:  # a result that cannot be shown is a bug too
        result = _crashed(command, args.expr, e, args.debug)
        show(output, result, fmt, dtype)
    return output.show_warnings_and_error(result)


def show(output, result, fmt, dtype):
    if fmt == "json":
        from ..output.calculus_render import calculus_json_line
        sys.stdout.write(calculus_json_line(result) + "\n")
    else:
        from ..output.calculus_render import calculus_sections
        output.show(calculus_sections(result, dtype_default=dtype))
