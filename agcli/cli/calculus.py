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

from ..errors import EXIT_OK, AgcliError
from .arguments import COMMAND_OPTIONS, parse_words
from .grad import asks_for_json, expression_text, option_given
from .sink import COLOR_MODES, Output, crashed, set_color


def prepare(command, words, options):
    """The parsed words, after --color, the device and the settings are applied (raises AgcliError)."""
    if option_given(words, "--color") in COLOR_MODES:     # (errors in the other words show in its colours)
        set_color(option_given(words, "--color"))
    readers = []

    def read_expr(word):
        if word in ("-", "@-"):
            readers.append("EXPR")
        return expression_text(word)
    args = parse_words(words, allowed=tuple(options), read_expr=read_expr, options=options,
                       where=f"agcli {command}")
    readers += [f"--{name}" for name, value in args.bindings.items() if value.strip() == "@-"]
    readers += [f"--vector {name}" for name, value in (args.vectors or {}).items() if value.strip() == "@-"]
    if args.grad_output is not None and args.grad_output.strip() == "@-":
        readers.append("--grad-output")
    if len(readers) > 1:
        raise AgcliError(f"{' and '.join(readers)} all read standard input, which can be read once",
                         kind="usage", hint="put all but one in files: @FILE")
    from ..device import choose
    choose(args.device)     # before anything imports the engine
    from ..evaluate import run as api
    api.configure(dtype=args.dtype or "float64", seed=args.seed,
                  max_elements=10**8 if args.max_elements is None else args.max_elements,
                  detect_anomaly=bool(args.detect_anomaly))
    return args


def _rejected(command, words, error):
    from ..evaluate.calculus import Calculus
    result = Calculus(words[0] if words and not words[0].startswith("-") else "", command)
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
        args = prepare(command, words, options)
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
    output.warnings(result.warnings)
    if result.error is not None:
        output.error(result.error)
        return result.error.exit_code
    return EXIT_OK


def show(output, result, fmt, dtype):
    if fmt == "json":
        from ..output.calculus_render import calculus_json_line
        sys.stdout.write(calculus_json_line(result) + "\n")
    else:
        from ..output.calculus_render import calculus_sections
        output.show(calculus_sections(result, dtype_default=dtype))
