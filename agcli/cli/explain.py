"""`agcli explain WORDS...`: backward, step by step, in PyTorch's engine order,
each rule in words with the numbers put in (evaluate/explain.py).

The words are `agcli grad`'s (bindings and options) without --out; --format
is rich or json.
"""
from __future__ import annotations

import sys

from ..errors import AgcliError
from .arguments import GRAD_OPTIONS
from .grad import asks_for_json, prepare
from .graph import rejected, trace
from .sink import Output

EXPLAIN_OPTIONS = {option: entry for option, entry in GRAD_OPTIONS.items() if option != "--out"}


def run_explain(words) -> int:
    """`agcli explain WORDS...`: returns the exit code."""
    output = Output()
    fmt = "json" if asks_for_json(words) else "rich"
    try:
        args = prepare(words, EXPLAIN_OPTIONS, where="agcli explain")
        fmt = args.format or "rich"
    except AgcliError as e:
        if fmt == "json":       # stdout stays one JSON object
            from ..output.explain_render import explain_json
            sys.stdout.write(explain_json(rejected(words, e), []) + "\n")
        output.error(e)
        return e.exit_code
    graph = trace(args, saved=True)     # (the rules' numbers are what the nodes saved)
    result = graph.result
    from ..evaluate.explain import steps
    from ..output import explain_render as tell
    done = steps(graph)
    if fmt == "json":
        sys.stdout.write(tell.explain_json(graph, done) + "\n")
    elif result.error is None:
        output.show(tell.explain_sections(graph, done, dtype_default=args.dtype or "float64"))
    return output.show_warnings_and_error(result)
