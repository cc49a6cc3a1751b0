"""`agcli batch`: one `agcli grad` call per line, results streamed in order.

Each line is parsed and evaluated on its own; a failure becomes that line's
error object and the batch goes on. Expressions are lowered once per set of
bound names (api.plan_for caches them), so a file that repeats an
expression with new bindings parses it once.
"""
from __future__ import annotations

import gc
import sys

from ..evaluate import run as api
from .arguments import parse_line, split_names
from ..errors import AgcliError, detached, internal_error
from ..output.render import result_json_line


def _lines(stream):
    for number, line in enumerate(stream, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            yield number, text


# Worker processes pay off from this many lines. They take lines in chunks:
# large enough that sending them costs little (64 lines: 5% less time than
# 16), small enough that each worker gets eight or more.
PARALLEL_MIN_LINES = 200
_CHUNK_LINES = (16, 64)

# The cyclic garbage collector, during a batch. A line that succeeds leaves
# almost no cyclic garbage (api unlinks each line's graph), yet the collector's
# passes over the cached plans would cost a sixth of a distinct line's time.
# A line that fails may leave some (a parse error's objects in Lark), and it
# is young: everything made since the last collection.
COLLECT_EVERY = 10000


class _Collector:
    """Runs the collector on the young generation after a failed line, and on
    everything every COLLECT_EVERY lines, instead of every few hundred allocations."""

    lines = 0

    @classmethod
    def done(cls, count: int, failed: bool):
        if failed:
            gc.collect(0)
        cls.lines += count
        if cls.lines >= COLLECT_EVERY:
            cls.lines = 0
            gc.collect()


def run_batch(stream, output, *, defaults: dict, jsonl: bool, progress: bool, debug: bool,
              jobs: int = 1) -> bool:
    """Run every line; write each result as soon as it is done. True if any line failed.

    jobs > 1 (JSON lines only): worker processes run chunks of lines, and
    each chunk is written, in input order, as soon as it and those before it
    are done.
    """
    gc.freeze()     # what start-up made lives on: the collector need not walk it again and again
    collecting = gc.isenabled()
    gc.disable()    # _Collector runs it (worker processes inherit this)
    try:
        return _run_lines(stream, output, defaults, jsonl, progress, debug, jobs)
    finally:
        if collecting:
            gc.enable()


def _run_lines(stream, output, defaults, jsonl, progress, debug, jobs):
    lines = _lines(stream)
    default_wrt = None if defaults["wrt"] is None else split_names(defaults["wrt"])
    if jobs > 1 and jsonl:
        lines = list(lines)
        if len(lines) < PARALLEL_MIN_LINES:
            jobs = 1
    bar = None
    if progress:
        lines = list(lines)
        bar = _progress_bar(output, len(lines))
    failed = False
    if jobs > 1 and jsonl:
        try:
            for text, chunk_failed, count in _in_workers(lines, defaults, default_wrt, jobs):
                sys.stdout.write(text)
                sys.stdout.flush()
                failed = failed or chunk_failed
                if bar is not None:
                    bar.advance(bar.task_ids[0], count)
        except AgcliError as e:
            output.error(e)
            failed = True
    else:
        for number, text in lines:
            # Only the flag is kept: a failed line's garbage must be unreachable for done().
            line_failed = _line_result(number, text, defaults, default_wrt, debug, output, jsonl).error is not None
            failed = failed or line_failed
            _Collector.done(1, line_failed)
            if bar is not None:
                bar.advance(bar.task_ids[0])
    if bar is not None:
        bar.stop()
    return failed


def _line_result(number, text, defaults, default_wrt, debug, output, jsonl):
    """Run one line and show it; returns its Result."""
    result = _run_line(text, defaults, default_wrt, debug)
    try:
        _emit(output, number, result, defaults["dtype"], jsonl)
    except Exception as e:  # a line that cannot be shown must not sink the batch either
        if debug:
            raise
        result = api.Result(result.expr)
        result.error = internal_error(e)
        _emit(output, number, result, defaults["dtype"], jsonl)
    return result


def _in_workers(lines, defaults, default_wrt, jobs):
    """(JSON lines text, any failed, line count) per chunk, in input order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    low, high = _CHUNK_LINES
    size = max(low, min(high, len(lines) // (8 * jobs)))
    chunks = [lines[i:i + size] for i in range(0, len(lines), size)]
    # fork: a worker starts with agcli already imported, in a few milliseconds
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_worker, initargs=(defaults, default_wrt)) as pool:
        try:
            yield from pool.map(_run_chunk, chunks)
        except BrokenProcessPool:
            raise AgcliError("a batch worker process died; run with --jobs 1 to find the line",
                             kind="internal") from None


_worker_settings = None


def _start_worker(defaults, default_wrt):
    global _worker_settings
    _worker_settings = (defaults, default_wrt)


def _run_chunk(chunk):
    defaults, default_wrt = _worker_settings
    texts = []
    failed = False
    for number, text in chunk:
        line, line_failed = _json_line(_run_line(text, defaults, default_wrt, False), number)
        texts.append(line)
        failed = failed or line_failed
    _Collector.done(len(chunk), failed)
    return "\n".join(texts) + "\n", failed, len(chunk)


def _json_line(result, number):
    """(the line's JSON, whether it shows an error): an internal error if it cannot be written."""
    try:
        return result_json_line(result, number), result.error is not None
    except Exception as e:  # a line that cannot be shown must not sink the batch either
        shown = api.Result(result.expr)
        shown.error = internal_error(e)
        return result_json_line(shown, number), True


def _emit(output, number, result, dtype, jsonl):
    if jsonl:
        sys.stdout.write(_json_line(result, number)[0] + "\n")
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
        result.error = detached(e)
        return result
    except Exception as e:  # a bug in agcli must not sink the rest of the batch
        if debug:
            raise
        result = api.Result(text if args is None else args.expr)
        result.error = internal_error(e)
        return result


def _print_block(output, number, result, dtype):
    from ..output.render import Line, result_sections
    output.show([Line((f"── line {number} ──", "dim")), *result_sections(result, dtype_default=dtype)])
    output.warnings(result.warnings, where=f" (line {number})")
    if result.error is not None:
        output.error(result.error, where=f"batch line {number}")
    output.show([Line()])


def _progress_bar(output, total):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=output.err, transient=True,
                   redirect_stdout=False, redirect_stderr=False)  # results stay on stdout
    bar.add_task("batch", total=total)
    bar.start()
    return bar
