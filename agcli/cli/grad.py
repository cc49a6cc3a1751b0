"""`agcli grad WORDS...`: evaluate one expression, backward, print.

The hot path: main() calls run_grad without importing Typer, and a pipe
gets plain text without importing Rich (output/render.py).
"""
from __future__ import annotations

import sys

from ..errors import EXIT_INPUT, EXIT_OK, AgcliError
from .sink import COLOR_MODES, Output, crashed, reading_terminal, set_color, started


def asks_for_json(words) -> bool:
    """--format json anywhere in the words, even when they failed to parse."""
    pairs = zip(words, words[1:])
    return "--format=json" in words or any(a in ("--format", "-f") and b == "json" for a, b in pairs)


def expression_given(words) -> str:
    """EXPR as the words give it, for the result of words that were rejected ("" when they
    start with an option)."""
    return words[0] if words and not words[0].startswith("-") else ""


def option_given(words, option):
    """The value of `option` in the words, even when they failed to parse (or None)."""
    for i, word in enumerate(words):
        if word.startswith(option + "="):
            return word[len(option) + 1:]
        if word == option and i + 1 < len(words):
            return words[i + 1]
    return None


def run_grad(words) -> int:
    """`agcli grad WORDS...`: returns the exit code."""
    output = Output()
    fmt = "rich"
    try:
        args = read_words(words, where="agcli grad")
        fmt = args.format or "rich"
        _check_out(args)
        api = start_engine(args)
        started()
        dtype = args.dtype or "float64"
    except AgcliError as e:
        if fmt == "json" or asks_for_json(words):  # stdout stays one JSON object
            from ..evaluate.result import Result    # (host data: it does not import the engine)
            from ..output.json_lines import result_json_line
            rejected = Result(expression_given(words))
            rejected.error = e
            sys.stdout.write(result_json_line(rejected) + "\n")
        output.error(e)
        return e.exit_code
    try:
        result = api.evaluate(args.expr, args.bindings, wrt=args.wrt, grad_output=args.grad_output,
                              strict=bool(args.strict))
    except Exception as e:  # a bug in agcli: an error result (a traceback only with --debug)
        result = crashed(args.expr, e, args.debug)
    try:
        _show(output, result, fmt, dtype)
    except Exception as e:  # a result that cannot be shown is a bug too
        result = crashed(args.expr, e, args.debug)
        _show(output, result, fmt, dtype)
    code = output.show_warnings_and_error(result)
    if code == EXIT_OK and args.out:
        return _save_npz(args.out, result, output)
    return code


def _show(output, result, fmt, dtype):
    if fmt == "json":
        from ..output.json_lines import result_json_line
        sys.stdout.write(result_json_line(result) + "\n")
    else:
        from ..output.render import result_sections
        output.show(result_sections(result, dtype_default=dtype))


def expression_text(word: str) -> str:
    """EXPR as given, or read: `-` from standard input, `@FILE` from a file
    (UTF-8, a BOM skipped; an expression never starts with @)."""
    if word in ("-", "@-"):
        where = "standard input"
        if sys.stdin is None:
            raise AgcliError("there is no standard input to read the expression from", kind="usage")
        reading_terminal("the expression")
        data = sys.stdin.buffer.read()
    elif word.startswith("@"):
        where = word[1:]
        try:
            with open(where, "rb") as f:
                data = f.read()
        except OSError as e:
            raise AgcliError(f"cannot read the expression from {where}: {e.strerror or e}", kind="usage") from None
    else:
        return word
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n").strip()    # Windows' line ends too
    except UnicodeDecodeError as e:
        raise AgcliError(f"the expression in {where} is not UTF-8 text ({e.reason} at byte {e.start})",
                         kind="usage") from None
    if not text:
        raise AgcliError(f"{where} holds no expression", kind="usage")
    return text


def read_words(words, options=None, where="the command"):
    """A command's words parsed as grad's (options: the command's table in GRAD_OPTIONS' form),
    after its --color is applied, so that errors in the other words show in its colours.
    Standard input is read once at most: by EXPR `-`, or one value's @- (raises AgcliError)."""
    from .arguments import GRAD_OPTIONS, parse_words
    if option_given(words, "--color") in COLOR_MODES:
        set_color(option_given(words, "--color"))
    options = GRAD_OPTIONS if options is None else options
    readers = []    # who reads standard input

    def read_expr(word):
        if word in ("-", "@-"):
            readers.append("EXPR")
        return expression_text(word)
    args = parse_words(words, allowed=tuple(options), where=where, read_expr=read_expr, options=options)
    readers += [f"--{name}" for name, value in args.bindings.items() if value.strip() == "@-"]
    readers += [f"--vector {name}" for name, value in (args.vectors or {}).items() if value.strip() == "@-"]
    if args.grad_output is not None and args.grad_output.strip() == "@-":
        readers.append("--grad-output")
    if len(readers) > 1:
        raise AgcliError(f"{' and '.join(readers)} all read standard input, which can be read once",
                         kind="usage", hint="put all but one in files: @FILE")
    return args


def start_engine(args):
    """Choose the words' device, then import the engine (its first import: it may refuse the
    array backend) and apply the words' settings; returns evaluate/run.py."""
    from ..device import choose
    choose(args.device)     # before anything imports the engine
    from ..evaluate import run as api
    api.configure(dtype=args.dtype or "float64", seed=args.seed,
                  max_elements=10**8 if args.max_elements is None else args.max_elements,
                  detect_anomaly=bool(args.detect_anomaly))
    return api


def prepare(words, options, where="the command"):
    """The parsed words of a command that takes grad's, after --color, the device and the
    settings are applied (raises AgcliError for a rejected input)."""
    args = read_words(words, options, where)
    start_engine(args)
    return args


def _check_out(args):
    """--out names the .npz it writes."""
    if args.out:
        if not args.out.lower().endswith(".npz"):
            stem = args.out[:-4] if args.out.lower().endswith(".npy") else args.out
            raise AgcliError(f"--out writes an .npz archive (the value and every gradient), not {args.out!r}",
                             kind="usage", hint=f"--out {stem}.npz; read one array back with @{stem}.npz:value")
        if "value" in args.bindings:
            raise AgcliError("--out saves the output under the key 'value': a variable named 'value' "
                             "would overwrite it", kind="usage", hint="rename the variable")
        _check_writable(args.out)


def _check_writable(path):
    """Refuse an --out that cannot be written before anything is computed or printed."""
    import os
    folder = os.path.dirname(path) or "."
    if os.path.isdir(path):
        raise AgcliError(f"cannot write {path}: it is a folder", kind="usage", hint=f"--out {path.rstrip('/')}/r.npz")
    if not os.path.isdir(folder):
        raise AgcliError(f"cannot write {path}: there is no folder {folder}", kind="usage",
                         hint=f"make it first (mkdir -p {folder}) or name another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise AgcliError(f"cannot write {path}: the folder {folder} is not writable", kind="usage")


def _save_npz(path, result, output) -> int:
    import zipfile

    import numpy    # a Result holds host arrays, whichever device computed them
    arrays = {"value": result.value}
    arrays.update({k: v for k, v in result.grads.items() if v is not None})
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
