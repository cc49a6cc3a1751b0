"""`agcli batch`: one `agcli grad` call per line, results streamed in order.

Each line is parsed and evaluated on its own; a failure becomes that line's
error object and the batch goes on. Expressions are lowered once per set of
bound names (api.plan_for caches them), so a file that repeats an
expression with new bindings parses it once.
"""
from __future__ import annotations

import sys

from . import api
from .arguments import parse_line, split_names
from .errors import AgcliError, internal_error
from .render import result_json_line


def _lines(stream):
    for number, line in enumerate(stream, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            yield number, text


def run_batch(stream, output, *, defaults: dict, jsonl: bool, progress: bool, debug: bool) -> bool:
    """Run every line; write each result as soon as it is done. True if any line failed."""
    lines = _lines(stream)
    bar = None
    if progress:
        lines = list(lines)
        bar = _progress_bar(output, len(lines))
    default_wrt = None if defaults["wrt"] is None else split_names(defaults["wrt"])
    failed = False
    for number, text in lines:
        result = _run_line(text, defaults, default_wrt, debug)
        try:
            _emit(output, number, result, defaults["dtype"], jsonl)
        except Exception as e:  # a line that cannot be shown must not sink the batch either
            if debug:
                raise
            result = api.Result(result.expr)
            result.error = internal_error(e)
            _emit(output, number, result, defaults["dtype"], jsonl)
        failed = failed or result.error is not None
        if bar is not None:
            bar.advance(bar.task_ids[0])
    if bar is not None:
        bar.stop()
    return failed


def _emit(output, number, result, dtype, jsonl):
    if jsonl:
        sys.stdout.write(result_json_line(result, number) + "\n")
        sys.stdout.flush()
    else:
        _print_block(output, number, result, dtype)


def _run_line(text, defaults, default_wrt, debug):
    args = None
    try:
        args = parse_line(text)
        api.configure(dtype=args.dtype or defaults["dtype"],
                      seed=args.seed if args.seed is not None else defaults["seed"],
                      max_elements=defaults["max_elements"])
        return api.evaluate(args.expr, args.bindings,
                            wrt=args.wrt if args.wrt is not None else default_wrt,
                            grad_output=args.grad_output if args.grad_output is not None
                            else defaults["grad_output"])
    except AgcliError as e:
        result = api.Result(text if args is None else args.expr)  # the whole line if it did not split
        result.error = e
        return result
    except Exception as e:  # a bug in agcli must not sink the rest of the batch
        if debug:
            raise
        result = api.Result(text if args is None else args.expr)
        result.error = internal_error(e)
        return result


def _print_block(output, number, result, dtype):
    from .render import result_renderables
    output.out.print(f"── line {number} ──", style="dim", markup=False, highlight=False)
    output.out.print(*result_renderables(result, dtype_default=dtype), sep="\n")
    output.warnings(result.warnings, where=f" (line {number})")
    if result.error is not None:
        output.error(result.error, where=f"batch line {number}")
    output.out.print()


def _progress_bar(output, total):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=output.err, transient=True,
                   redirect_stdout=False, redirect_stderr=False)  # results stay on stdout
    bar.add_task("batch", total=total)
    bar.start()
    return bar
