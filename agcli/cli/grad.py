"""`agcli grad WORDS...`: evaluate one expression, backward, print.

The hot path: main() calls run_grad without importing Typer, and a pipe
gets plain text without importing Rich (output/render.py).
"""
from __future__ import annotations

import sys

from ..errors import EXIT_INPUT, EXIT_OK, AgcliError
from .sink import Output, crashed


def _asks_for_json(words) -> bool:
    """--format json anywhere in the words, even when they failed to parse."""
    pairs = zip(words, words[1:])
    return "--format=json" in words or any(a in ("--format", "-f") and b == "json" for a, b in pairs)


def run_grad(words) -> int:
    """`agcli grad WORDS...`: returns the exit code."""
    output = Output()
    fmt = "rich"
    try:
        from .arguments import parse_words
        args = parse_words(words)
        fmt = args.format or "rich"
        if args.out and "value" in args.bindings:
            raise AgcliError("--out saves the output under the key 'value': a variable named 'value' "
                             "would overwrite it", kind="usage", hint="rename the variable")
        from ..device import choose
        choose(args.device)     # before anything imports the engine
        from ..evaluate import run as api   # the engine's first import: it may refuse the array backend
        dtype = args.dtype or "float64"
        api.configure(dtype=dtype, seed=args.seed,
                      max_elements=10**8 if args.max_elements is None else args.max_elements)
    except AgcliError as e:
        if fmt == "json" or _asks_for_json(words):  # stdout stays one JSON object
            from ..evaluate.result import Result    # (host data: it does not import the engine)
            from ..output.render import result_json_line
            rejected = Result(words[0] if words and not words[0].startswith("-") else "")
            rejected.error = e
            sys.stdout.write(result_json_line(rejected) + "\n")
        output.error(e)
        return e.exit_code
    try:
        result = api.evaluate(args.expr, args.bindings, wrt=args.wrt, grad_output=args.grad_output)
    except Exception as e:  # a bug in agcli: an error result (a traceback only with --debug)
        result = crashed(args.expr, e, args.debug)
    try:
        _show(output, result, fmt, dtype)
    except Exception as e:  # a result that cannot be shown is a bug too
        result = crashed(args.expr, e, args.debug)
        _show(output, result, fmt, dtype)
    output.warnings(result.warnings)
    if result.error is not None:
        output.error(result.error)
        return result.error.exit_code
    if args.out:
        return _save_npz(args.out, result, output)
    return EXIT_OK


def _show(output, result, fmt, dtype):
    if fmt == "json":
        from ..output.render import result_json_line
        sys.stdout.write(result_json_line(result) + "\n")
    else:
        from ..output.render import result_sections
        output.show(result_sections(result, dtype_default=dtype))


def _save_npz(path, result, output) -> int:
    import zipfile

    import numpy    # a Result holds host arrays, whichever device computed them
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
                    numpy.lib.format.write_array(f, numpy.asanyarray(array), allow_pickle=False)
    except OSError as e:
        output.error(AgcliError(f"cannot write {path}: {e.strerror or e}", kind="usage"))
        return EXIT_INPUT
    return EXIT_OK
