"""`agcli batch`: read FILE's lines, have evaluate/batch.py run them, print
each result as soon as it and those before it are done.

JSON lines go to stdout (encoded in the worker processes of a large file),
or a block per line for people; errors, warnings and the progress bar go to
stderr.
"""
from __future__ import annotations

import sys

from ..device import choose
from ..errors import EXIT_EVAL, EXIT_INPUT, EXIT_OK, AgcliError
from ..output.render import Line, result_json_line, result_sections
from .arguments import parse_line, split_names
from .sink import Output, crashed


def run_batch(file: str, *, device=None, wrt=None, grad_output=None, seed=None, dtype="float64",
              max_elements=10**8, jsonl=False, progress=None, jobs=None, debug=False) -> int:
    """`agcli batch FILE`: returns the exit code (1 if any line failed)."""
    output = Output()
    try:
        chosen, _ = choose(device)      # before anything imports the engine
        batch = _batch(wrt, grad_output, seed, dtype, max_elements, debug)
        stream = sys.stdin if file == "-" else open(file, encoding="utf-8")
    except AgcliError as e:
        output.error(e)
        return e.exit_code
    except OSError as e:
        output.error(AgcliError(f"cannot read {file}: {e.strerror or e}", kind="usage"))
        return EXIT_INPUT
    show_progress = (sys.stderr.isatty() if progress is None else progress) and file != "-"
    with stream:
        try:
            failed = write_results(batch, _numbered(stream), output, jsonl=jsonl, progress=show_progress,
                                   jobs=_jobs(jobs, file, debug, chosen))
        except UnicodeDecodeError as e:
            output.error(AgcliError(f"{file} is not UTF-8 text ({e.reason} at byte {e.start})", kind="usage"))
            return EXIT_INPUT
    return EXIT_EVAL if failed else EXIT_OK


def _batch(wrt, grad_output, seed, dtype, max_elements, debug):
    """How every line runs (importing it imports the engine, which may refuse the array backend)."""
    from functools import partial

    from ..evaluate.batch import Batch
    return Batch(parse_line, partial(crashed, debug=debug), wrt=None if wrt is None else split_names(wrt),
                 grad_output=grad_output, seed=seed, dtype=dtype, max_elements=max_elements)


def _numbered(stream):
    """(line number, text) of each line that is neither blank nor a # comment."""
    for number, line in enumerate(stream, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            yield number, text


def _jobs(asked, file, debug, device) -> int:
    """Worker processes: only for a file (standard input streams line by line),
    and only on the CPU (CUDA does not survive a fork)."""
    if file == "-" or debug or device != "cpu":
        return 1
    if asked is not None:
        return asked
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def write_results(batch, numbered, output, *, jsonl: bool, progress: bool, jobs: int = 1) -> bool:
    """Run every line and write its result; True if any line failed.

    JSON lines of a file of PARALLEL_MIN_LINES lines or more, with jobs > 1:
    worker processes run chunks of lines, and each chunk is written, in
    input order, as soon as it and those before it are done.
    """
    from ..evaluate.batch import PARALLEL_MIN_LINES
    parallel = jobs > 1 and jsonl
    if parallel or progress:
        numbered = list(numbered)
        parallel = parallel and len(numbered) >= PARALLEL_MIN_LINES
    bar = _progress_bar(output, len(numbered)) if progress else None
    try:
        if parallel:
            return _write_chunks(batch.in_workers(numbered, jobs, _json_line), output, bar)
        return _write_lines(batch.results(numbered), output, batch, jsonl, bar)
    finally:
        if bar is not None:
            bar.stop()


def _write_lines(results, output, batch, jsonl, bar):
    failed = False
    for number, result in results:
        try:
            line_failed = _emit(output, number, result, batch.dtype, jsonl)
        except Exception as e:  # a line that cannot be shown must not sink the batch either
            line_failed = _emit(output, number, batch.crashed(result.expr, e), batch.dtype, jsonl)
        failed = failed or line_failed
        if bar is not None:
            bar.advance(bar.task_ids[0])
    return failed


def _write_chunks(chunks, output, bar):
    failed = False
    try:
        for chunk in chunks:
            sys.stdout.write("".join([text for text, _ in chunk]))
            sys.stdout.flush()
            failed = failed or any([line_failed for _, line_failed in chunk])
            if bar is not None:
                bar.advance(bar.task_ids[0], len(chunk))
    except AgcliError as e:     # a worker process died
        output.error(e)
        failed = True
    return failed


def _json_line(number, result):
    """(the line's JSON and a newline, whether it shows an error); an internal error if it cannot be written."""
    try:
        return result_json_line(result, number) + "\n", result.error is not None
    except Exception as e:  # a line that cannot be shown must not sink the batch either
        return result_json_line(crashed(result.expr, e), number) + "\n", True


def _emit(output, number, result, dtype, jsonl) -> bool:
    """Write one line's result; returns whether it shows an error."""
    if jsonl:
        text, shows_error = _json_line(number, result)
        sys.stdout.write(text)
        sys.stdout.flush()
        return shows_error
    output.show([Line((f"── line {number} ──", "dim")), *result_sections(result, dtype_default=dtype)])
    output.warnings(result.warnings, where=f" (line {number})")
    if result.error is not None:
        output.error(result.error, where=f"batch line {number}")
    output.show([Line()])
    return result.error is not None


def _progress_bar(output, total):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=output.err, transient=True,
                   redirect_stdout=False, redirect_stderr=False)  # results stay on stdout
    bar.add_task("batch", total=total)
    bar.start()
    return bar
