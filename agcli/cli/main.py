"""The `agcli` entry point and what it prints: the only modules that print are
this one and app.py (the Typer interface).

`agcli grad` is the hot path: main() runs it without importing Typer, whose
start-up costs about a fifth of the whole call; every other command, and any
--help, goes through the Typer app.

Exit codes: 0 success; 1 evaluation failed (shape errors, PyTorch's runtime
errors, any failed line of a batch); 2 the input was rejected (syntax,
unknown names, bad bindings or options).
"""
from __future__ import annotations

import os
import sys

from ..errors import EXIT_INPUT, EXIT_OK, AgcliError, internal_error


class Output:
    """stdout for results, stderr for errors and warnings.

    A terminal gets Rich's drawing (colour unless NO_COLOR is set); a pipe or
    a file gets plain text of the same layout, and Rich is not imported.
    """

    def __init__(self):
        self._out = self._err = None

    @staticmethod
    def _console(stderr: bool):
        from rich.console import Console
        # NO_COLOR (no-color.org: set and not empty): not even bold or dim.
        plain = os.environ.get("NO_COLOR", "") != ""
        return Console(stderr=stderr, highlight=False, no_color=plain,
                       color_system=None if plain else "auto")

    @property
    def out(self):
        """Rich's console on stdout (for a terminal)."""
        if self._out is None:
            self._out = self._console(False)
        return self._out

    @property
    def err(self):
        """Rich's console on stderr (for a terminal)."""
        if self._err is None:
            self._err = self._console(True)
        return self._err

    def show(self, sections, *, stderr: bool = False):
        """Write render.py's sections: drawn by Rich on a terminal, plain text otherwise."""
        from ..output import render
        stream = sys.stderr if stderr else sys.stdout
        if stream.isatty():
            (self.err if stderr else self.out).print(*render.to_rich(sections), sep="\n")
        else:
            stream.write(render.plain_text(sections) + "\n")

    def error(self, error: AgcliError, where: str | None = None):
        from ..output.render import error_sections
        self.show(error_sections(error, where=where), stderr=True)

    def warnings(self, warnings, where: str = ""):
        from ..output.render import Line
        for w in warnings:
            self.show([Line((f"warning{where}: ", "yellow"), (w, None))], stderr=True)


def _asks_for_json(words) -> bool:
    """--format json anywhere in the words, even when they failed to parse."""
    pairs = zip(words, words[1:])
    return "--format=json" in words or any(a in ("--format", "-f") and b == "json" for a, b in pairs)


def run_grad(words) -> int:
    """`agcli grad WORDS...`: evaluate, backward, print; returns the exit code."""
    output = Output()
    fmt = "rich"
    try:
        from .arguments import parse_words
        args = parse_words(words)
        fmt = args.format or "rich"
        if args.out and "value" in args.bindings:
            raise AgcliError("--out saves the output under the key 'value': a variable named 'value' "
                             "would overwrite it", kind="usage", hint="rename the variable")
        from ..evaluate import run as api
        dtype = args.dtype or "float64"
        api.configure(dtype=dtype, seed=args.seed,
                      max_elements=10**8 if args.max_elements is None else args.max_elements)
    except AgcliError as e:
        if fmt == "json" or _asks_for_json(words):  # stdout stays one JSON object
            from ..evaluate.run import Result
            from ..output.render import result_json_line
            rejected = Result(words[0] if words and not words[0].startswith("-") else "")
            rejected.error = e
            sys.stdout.write(result_json_line(rejected) + "\n")
        output.error(e)
        return e.exit_code
    result = _evaluate(api, args.expr, args.bindings, args.wrt, args.grad_output, args.debug, output)
    try:
        _show(output, result, fmt, dtype)
    except Exception as e:  # a result that cannot be shown is a bug too: say so, exit 1
        if args.debug:
            raise
        result = api.Result(args.expr)
        result.error = internal_error(e)
        _show(output, result, fmt, dtype)
    code = EXIT_OK if result.error is None else result.error.exit_code
    output.warnings(result.warnings)
    if result.error is not None:
        output.error(result.error)
    elif args.out:
        code = _save_npz(args.out, result, output)
    return code


def _show(output, result, fmt, dtype):
    if fmt == "json":
        from ..output.render import result_json_line
        sys.stdout.write(result_json_line(result) + "\n")
    else:
        from ..output.render import result_sections
        output.show(result_sections(result, dtype_default=dtype))


def _evaluate(api, expr, bindings, wrt, grad_output, debug, output):
    try:
        return api.evaluate(expr, bindings, wrt=wrt, grad_output=grad_output)
    except Exception as e:  # a bug in agcli: say so plainly, trace only on --debug
        if debug:
            raise
        result = api.Result(expr)
        result.error = internal_error(e)
        return result


def _save_npz(path, result, output) -> int:
    import zipfile
    from ..engine.backend import xp
    arrays = {"value": result.value}
    arrays.update({k: v for k, v in result.grads.items() if v is not None})
    if not path.endswith(".npz"):  # as numpy.savez does
        path += ".npz"
    try:
        # What numpy.savez(path, **arrays) writes, without its keyword
        # arguments: a variable named `file` or `allow_pickle` is just a key.
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for key, array in arrays.items():
                with archive.open(key + ".npy", "w", force_zip64=True) as f:
                    xp.lib.format.write_array(f, xp.asanyarray(array), allow_pickle=False)
    except OSError as e:
        output.error(AgcliError(f"cannot write {path}: {e.strerror or e}", kind="usage"))
        return EXIT_INPUT
    return EXIT_OK


_HELP = ("-h", "--help")


def main():
    argv = sys.argv[1:]
    try:
        if len(argv) > 1 and argv[0] == "grad" and not any(a in _HELP for a in argv[1:]):
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
