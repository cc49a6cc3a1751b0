"""`agcli batch`: read FILE's lines, have evaluate/batch.py run them, print
each result as soon as it and those before it are done.

JSON lines go to stdout (encoded in the worker processes of a large file),
or a block per line for people; errors, warnings, the progress bar (a
terminal's only) and a last line counting the failed lines go to stderr.
"""
from __future__ import annotations

import sys

from ..device import choose
from ..errors import EXIT_EVAL, EXIT_INPUT, EXIT_OK, AgcliError
from ..output.render import Line, result_json_line, result_sections
from .arguments import parse_line, split_names
from .sink import Output, crashed, unicode_rules

# The failure summary names this many failed lines, then counts the rest.
_NAMED_FAILURES = 5


def run_batch(file: str, *, device=None, wrt=None, grad_output=None, seed=None, dtype="float64",
              max_elements=10**8, jsonl=False, progress=None, jobs=None, debug=False) -> int:
    """`agcli batch FILE`: returns the exit code (1 if any line failed)."""
    output = Output()
    try:
        if file == "-" and grad_output is not None and grad_output.strip() == "@-":
            raise AgcliError("--grad-output @- reads standard input, which holds the batch's lines", kind="usage",
                             hint="give the batch as a FILE, or the output gradient as a file: @FILE")
        chosen, _ = choose(device)      # before anything imports the engine
        batch = _batch(wrt, grad_output, seed, dtype, max_elements, debug, stdin_is_the_batch=file == "-")
        stream = _utf8(sys.stdin.buffer) if file == "-" else open(file, encoding="utf-8-sig")
    except AgcliError as e:
        output.error(e)
        return e.exit_code
    except OSError as e:
        output.error(AgcliError(f"cannot read {file}: {e.strerror or e}", kind="usage"))
        return EXIT_INPUT
    # The bar lives on stderr when that is a terminal (--no-progress: never);
    # standard input's lines cannot be counted before they run.
    show_progress = progress is not False and file != "-" and sys.stderr.isatty()
    with stream:
        try:
            failed = write_results(batch, _numbered(stream), output, jsonl=jsonl, progress=show_progress,
                                   jobs=_jobs(jobs, file, debug, chosen))
        except UnicodeDecodeError as e:
            output.error(AgcliError(f"{file} is not UTF-8 text ({e.reason} at byte {e.start})", kind="usage"))
            return EXIT_INPUT
    return EXIT_EVAL if failed else EXIT_OK


def _utf8(binary):
    """Standard input as UTF-8 text, whatever the locale says (a BOM is skipped), line by line as it comes."""
    import io
    return io.TextIOWrapper(binary, encoding="utf-8-sig")


def _batch(wrt, grad_output, seed, dtype, max_elements, debug, stdin_is_the_batch=False):
    """How every line runs (importing it imports the engine, which may refuse the array backend)."""
    from functools import partial

    from ..evaluate.batch import Batch
    parse = _without_stdin_values if stdin_is_the_batch else parse_line
    return Batch(parse, partial(crashed, debug=debug), wrt=None if wrt is None else split_names(wrt),
                 grad_output=grad_output, seed=seed, dtype=dtype, max_elements=max_elements)


def _without_stdin_values(text: str):
    """parse_line for a batch read from standard input: no line may read a value from it (@-)."""
    args = parse_line(text)
    for name, value in args.bindings.items():
        if value.strip() == "@-":
            raise AgcliError(f"--{name} @- reads standard input, which holds the batch's lines", kind="usage",
                             hint="give the batch as a FILE, or the value as a file: @FILE")
    if args.grad_output is not None and args.grad_output.strip() == "@-":
        raise AgcliError("--grad-output @- reads standard input, which holds the batch's lines", kind="usage",
                         hint="give the batch as a FILE, or the value as a file: @FILE")
    return args


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


def write_results(batch, numbered, output, *, jsonl: bool, progress: bool, jobs: int = 1) -> list:
    """Run every line and write its result; the numbers of the lines that
    failed (and, if any did, a line on stderr counting them).

    JSON lines of a file of PARALLEL_MIN_LINES lines or more, with jobs > 1:
    worker processes run chunks of lines, and each chunk is written, in
    input order, as soon as it and those before it are done.
    """
    from ..evaluate.batch import PARALLEL_MIN_LINES
    parallel = jobs > 1 and jsonl
    if parallel or progress:
        numbered = list(numbered)
        parallel = parallel and len(numbered) >= PARALLEL_MIN_LINES
    if progress:
        from .progress import ProgressBar
        output.bar = ProgressBar(len(numbered), sys.stderr, unicode=unicode_rules(sys.stderr))
        output.bar.draw()
    try:
        if parallel:
            failed, total = _write_chunks(numbered, batch.in_workers(numbered, jobs, _json_line), output)
        else:
            failed, total = _write_lines(batch.results(numbered), output, batch, jsonl)
    finally:   # Ctrl-C and a closed pipe too: the terminal's line is left empty
        if output.bar is not None:
            output.bar.close()
            output.bar = None
    if failed:
        output.show([_failure_summary(failed, total)], stderr=True)
    return failed


def _failure_summary(failed, total) -> Line:
    named = ", ".join(map(str, failed[:_NAMED_FAILURES]))
    more = f" and {len(failed) - _NAMED_FAILURES} more" if len(failed) > _NAMED_FAILURES else ""
    lines = "line" if len(failed) == 1 else "lines"
    return Line(("batch: ", "bold red"), (f"{len(failed)} of {total} lines failed ({lines} {named}{more})", "bold"))


def _write_lines(results, output, batch, jsonl):
    failed, total = [], 0
    for number, result in results:
        try:
            line_failed = _emit(output, number, result, batch.dtype, jsonl)
        except Exception as e:  # a line that cannot be shown must not sink the batch either
            line_failed = _emit(output, number, batch.crashed(result.expr, e), batch.dtype, jsonl)
        total += 1
        if line_failed:
            failed.append(number)
        if output.bar is not None:
            output.bar.advance()
    return failed, total


def _write_chunks(numbered, chunks, output):
    failed, total = [], 0
    try:
        for chunk in chunks:
            output.write("".join([text for _, text, _ in chunk]))
            failed += [number for number, _, line_failed in chunk if line_failed]
            total += len(chunk)
            if output.bar is not None:
                output.bar.advance(len(chunk))
    except AgcliError as e:     # a worker process died: the lines not written failed
        output.error(e)
        failed += [number for number, _ in numbered[total:]]
        total = len(numbered)
    finally:
        chunks.close()          # Ctrl-C, a closed pipe: the workers stop now (evaluate/batch.py)
    return failed, total


def _json_line(number, result):
    """(number, the line's JSON and a newline, whether it shows an error); an
    internal error if it cannot be written."""
    try:
        return number, result_json_line(result, number) + "\n", result.error is not None
    except Exception as e:  # a line that cannot be shown must not sink the batch either
        return number, result_json_line(crashed(result.expr, e), number) + "\n", True


def _emit(output, number, result, dtype, jsonl) -> bool:
    """Write one line's result; returns whether it shows an error."""
    if jsonl:
        _, text, shows_error = _json_line(number, result)
        output.write(text)
        return shows_error
    output.show([Line((f"── line {number} ──", "dim")), *result_sections(result, dtype_default=dtype)])
    output.warnings(result.warnings, where=f" (line {number})")
    if result.error is not None:
        output.error(result.error, where=f"batch line {number}")
    output.show([Line()])
    return result.error is not None
