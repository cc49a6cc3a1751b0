"""`agcli graph WORDS...`: the backward graph of an expression, as a tree, DOT,
a picture (Graphviz's `dot` program draws SVG and PNG) or JSON.

The words are `agcli grad`'s (bindings and options), with --format rich,
json, dot, svg or png, --out FILE and --saved (grad.py's `prepare` reads
them). `trace` and `rejected` serve `agcli explain` too.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from ..errors import EXIT_OK, AgcliError
from .arguments import GRAD_OPTIONS
from .grad import asks_for_json, expression_given, prepare
from .sink import Output, crashed

FORMATS = ("rich", "json", "dot", "svg", "png")
PICTURES = ("svg", "png")
SUFFIXES = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot", ".json": "json", ".txt": "rich"}
INSTALL_DOT = ("--format {fmt} needs Graphviz's `dot` program, which is not installed: install Graphviz "
               "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; Windows: winget install "
               "graphviz) or write DOT with --format dot")


def _choice(*allowed):
    def check(option, text):
        if text not in allowed:
            raise AgcliError(f"{option} takes {', '.join(allowed[:-1])} or {allowed[-1]}, got {text!r}",
                             kind="usage")
        return text
    return check


GRAPH_OPTIONS = {**GRAD_OPTIONS, "--format": ("format", _choice(*FORMATS)), "-f": ("format", _choice(*FORMATS)),
                 "--saved": ("saved", None)}


def trace(args, saved):
    """The graph of the parsed words (a bug in agcli becomes the graph's error)."""
    from ..evaluate.graph import Graph, trace
    try:
        return trace(args.expr, args.bindings, wrt=args.wrt, grad_output=args.grad_output,
                     strict=bool(args.strict), saved=saved)
    except Exception as e:
        return Graph(crashed(args.expr, e, args.debug))


def rejected(words, error):
    """The graph of words that were rejected: only the error (for --format json)."""
    from ..evaluate.graph import Graph
    from ..evaluate.result import Result
    result = Result(expression_given(words))
    result.error = error
    return Graph(result)


def run_graph(words) -> int:
    """`agcli graph WORDS...`: returns the exit code."""
    output = Output()
    fmt = "json" if asks_for_json(words) else "rich"
    try:
        args = prepare(words, GRAPH_OPTIONS, where="agcli graph")
        fmt = _format(args)
        if fmt in PICTURES and shutil.which("dot") is None:
            raise AgcliError(INSTALL_DOT.format(fmt=fmt), kind="usage")
        if fmt == "png" and args.out is None and sys.stdout.isatty():
            raise AgcliError("--format png writes a picture, not text for a terminal", kind="usage",
                             hint="--out FILE.png, or redirect the output to a file")
    except AgcliError as e:
        if fmt == "json":       # stdout stays one JSON object
            from ..output.graph_render import graph_json
            sys.stdout.write(graph_json(rejected(words, e)) + "\n")
        output.error(e)
        return e.exit_code
    graph = trace(args, bool(args.saved))
    result = graph.result
    try:
        code = _write(output, graph, fmt, args)
    except AgcliError as e:
        output.warnings(result.warnings)
        output.error(e)
        return e.exit_code
    return output.show_warnings_and_error(result) or code


def _format(args) -> str:
    """--format, else what --out's name says, else rich."""
    if args.format is not None:
        return args.format
    if args.out is None:
        return "rich"
    fmt = SUFFIXES.get(os.path.splitext(args.out)[1].lower())
    if fmt is None:
        raise AgcliError(f"cannot tell which format to write to {args.out!r}", kind="usage",
                         hint="name it .svg, .png, .dot, .json or .txt, or give --format")
    return fmt


def _write(output, graph, fmt, args) -> int:
    from ..output import graph_render as draw
    saved = bool(args.saved)
    if graph.result.error is not None and fmt != "json":
        return EXIT_OK          # nothing to draw: the error is shown next
    if fmt == "rich":
        sections = draw.graph_sections(graph, dtype_default=args.dtype or "float64", saved=saved)
        if args.out is None:
            output.show(sections)
            return EXIT_OK
        from ..output.render import plain_text
        return _save(args.out, (plain_text(sections) + "\n").encode("utf-8"))
    text = draw.graph_json(graph, saved=saved) + "\n" if fmt == "json" else draw.graph_dot(graph, saved=saved)
    data = text.encode("utf-8") if fmt not in PICTURES else render_dot(text, fmt)
    if args.out is not None:
        return _save(args.out, data)
    if fmt in PICTURES:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def render_dot(text: str, fmt: str) -> bytes:
    """The picture Graphviz's `dot` draws of the DOT text."""
    try:
        done = subprocess.run(["dot", "-T" + fmt], input=text.encode("utf-8"), capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise AgcliError(f"Graphviz's dot could not draw the graph: {e}", kind="runtime") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AgcliError("Graphviz's dot could not draw the graph" + (f": {why[0]}" if why else ""),
                         kind="runtime", hint="--format dot shows what it was given")
    return done.stdout


def _save(path: str, data: bytes) -> int:
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise AgcliError(f"cannot write {path}: {e.strerror or e}", kind="usage") from None
    return EXIT_OK
