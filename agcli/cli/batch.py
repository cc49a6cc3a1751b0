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
from ..output.json_lines import json_pieces, result_json_line
from ..output.render import Line, result_sections
from .arguments import parse_line, split_names, split_words
from .sink import Output, crashed, reading_terminal, unicode_rules

# The failure summary names this many failed lines, then counts the rest.
_NAMED_FAILURES = 5
# A batch file of this many bytes on gets the allocator's settings for long runs (evaluate/batch.py).
_LONG_FILE = 64 << 10


def run_batch(file: str, *, device=None, wrt=None, grad_output=None, seed=None, dtype="float64",
              max_elements=10**8, jsonl=False, progress=None, jobs=None, debug=False, cluster=None,
              detect_anomaly=False) -> int:
    """`agcli batch FILE`: returns the exit code (1 if any line failed).
    `cluster`: a Dask scheduler's address, or local:N (evaluate/cluster.py)."""
    output = Output()
    stream = workers = None
    try:
        if cluster is not None and not jsonl:
            raise AgcliError("--cluster writes JSON lines", kind="usage",
                             hint="leave out --format rich (or give --format jsonl)")
        if file == "-" and grad_output is not None and grad_output.strip() == "@-":
            raise AgcliError("--grad-output @- reads standard input, which holds the batch's lines", kind="usage",
                             hint="give the batch as a FILE, or the output gradient as a file: @FILE")
        if file == "-" and sys.stdin is None:     # (`<&-`: the shell closed it)
            raise AgcliError("there is no standard input to read the batch's lines from", kind="usage",
                             hint="give the lines as a FILE, or pipe them in: agcli batch - < lines.txt")
        chosen, _ = choose(device)      # before anything imports the engine
        batch = _batch(wrt, grad_output, seed, dtype, max_elements, debug, stdin_is_the_batch=file == "-",
                       detect_anomaly=detect_anomaly)
        # (a byte that is not UTF-8 is kept as a lone surrogate: its line alone fails, as an argument does)
        if file == "-":
            reading_terminal("the batch's lines")
        stream = _utf8(sys.stdin.buffer) if file == "-" else open(file, encoding="utf-8-sig", errors="surrogateescape")
        _not_utf16(stream, "standard input" if file == "-" else file)
        if file != "-" and _size(stream) >= _LONG_FILE:    # (before workers start: they inherit it)
            from ..evaluate.batch import keep_freed_memory
            from ..output import float_text
            if keep_freed_memory():
                float_text.CHUNK = float_text.CHUNK_KEPT
        if cluster is not None:     # (Dask is imported only here)
            from ..evaluate.cluster import Cluster
            workers = Cluster(cluster, device=chosen)
    except AgcliError as e:
        if stream is not None:
            stream.close()
        output.error(e)
        return e.exit_code
    except OSError as e:
        import os
        hint = (f"agcli batch takes the file's name itself, without grad's @: agcli batch {file[1:]}"
                if file.startswith("@") and os.path.isfile(file[1:]) else None)
        output.error(AgcliError(f"cannot read {file}: {e.strerror or e}", kind="usage", hint=hint))
        return EXIT_INPUT
    # The bar lives on stderr when that is a terminal (--no-progress: never);
    # standard input's lines cannot be counted before they run.
    show_progress = progress is not False and file != "-" and sys.stderr.isatty()
    with stream:
        try:
            total = _count(file) if show_progress else None
            failed = write_results(batch, _numbered(stream), output, jsonl=jsonl, progress=show_progress,
                                   jobs=_jobs(jobs, file, debug, chosen), total=total, cluster=workers)
        except UnicodeDecodeError as e:
            output.error(AgcliError(f"{file} is not UTF-8 text ({e.reason} at byte {e.start})", kind="usage"))
            return EXIT_INPUT
        except AgcliError as e:     # a Dask worker of another agcli version joined mid-run
            output.error(e)
            return e.exit_code
        finally:
            if workers is not None:
                workers.close()
    return EXIT_EVAL if failed else EXIT_OK


def _size(stream) -> int:
    import os
    return os.fstat(stream.fileno()).st_size


def _utf8(binary):
    """Standard input as UTF-8 text, whatever the locale says (a BOM is skipped), line by line as it comes."""
    import io
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape")


def _not_utf16(stream, name):
    """Refuse a UTF-16 file (Windows' "Unicode", PowerShell's `>`) or a binary one (a program, an
    archive: a NUL in its first block) at once: each line would fail on its NULs, its bytes echoed."""
    start = stream.buffer.peek(2)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        stream.close()
        raise AgcliError(f"{name} is UTF-16 text, not UTF-8", kind="usage",
                         hint="save it as UTF-8: iconv -f utf-16 -t utf-8 FILE > NEW_FILE")
    nul = start.find(b"\0")
    if nul >= 0:
        stream.close()
        line = start.count(b"\n", 0, nul) + 1
        raise AgcliError(f"{name} is not text: it holds a NUL byte (line {line}, byte {nul})", kind="usage",
                         hint="a batch file holds lines of agcli grad's words, as UTF-8 text")


def _batch(wrt, grad_output, seed, dtype, max_elements, debug, stdin_is_the_batch=False, detect_anomaly=False):
    """How every line runs (importing it imports the engine, which may refuse the array backend)."""
    from functools import partial

    from ..evaluate.batch import Batch
    parse = _without_stdin_values if stdin_is_the_batch else parse_line
    return Batch(parse, partial(crashed, debug=debug), wrt=None if wrt is None else split_names(wrt),
                 grad_output=grad_output, seed=seed, dtype=dtype, max_elements=max_elements,
                 detect_anomaly=detect_anomaly, split=None if stdin_is_the_batch else split_words)


def _without_stdin_values(text: str):
    """parse_line for a batch read from standard input: no line may read a value from it (@-)."""
    args = parse_line(text)
    values = [(f"--{name} @-", value) for name, value in args.bindings.items()]
    values += [(f"--vector {name}=@-", value) for name, value in (args.vectors or {}).items()]
    for shown, value in values:
        if value.strip() == "@-":
            raise AgcliError(f"{shown} reads standard input, which holds the batch's lines", kind="usage",
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


def _count(file) -> int:
    """How many lines of FILE run (for the progress bar): a pass of its own, so
    that the lines need not be held while they run."""
    with open(file, encoding="utf-8-sig", errors="surrogateescape") as stream:
        return sum(1 for _ in _numbered(stream))


def _jobs(asked, file, debug, device) -> int:
    """Worker processes: only for a file (standard input streams line by line),
    and only on the CPU (CUDA does not survive a fork)."""
    if file == "-" or debug or device != "cpu":
        return 1
    if asked is not None:
        return asked
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def write_results(batch, numbered, output, *, jsonl: bool, progress: bool, jobs: int = 1, total=None,
                  cluster=None):
    """Run every line and write its result; the lines that failed (Failures:
    false if none did; if any did, a line on stderr counts them).

    JSON lines of a file of PARALLEL_MIN_LINES lines or more, with jobs > 1:
    worker processes run chunks of lines, and each chunk is written, in
    input order, as soon as it and those before it are done. The lines are
    read as they are needed, so memory does not grow with the file; the
    progress bar needs `total` (else the lines are counted here, held).
    With a `cluster` (evaluate/cluster.py), its workers run every chunk.
    """
    from itertools import chain, islice

    from ..evaluate.batch import PARALLEL_MIN_LINES
    if progress and total is None:
        numbered = list(numbered)
        total = len(numbered)
    numbered = iter(numbered)
    parallel = jobs > 1 and jsonl
    if parallel:
        head = list(islice(numbered, PARALLEL_MIN_LINES))
        parallel = len(head) >= PARALLEL_MIN_LINES
        numbered = chain(head, numbered)
    if progress:
        from .progress import ProgressBar
        output.bar = ProgressBar(total, sys.stderr, unicode=unicode_rules(sys.stderr))
        output.bar.draw()
    failed = Failures()
    try:
        if cluster is not None:
            _write_chunks(numbered, cluster.run(batch, numbered, _json_chunk), output, failed)
        elif parallel:
            _write_chunks(numbered, batch.in_workers(numbered, jobs, _json_chunk), output, failed)
        else:
            _write_blocks(batch.blocks(numbered), output, batch, jsonl, failed)
    finally:   # Ctrl-C and a closed pipe too: the terminal's line is left empty
        if output.bar is not None:
            output.bar.close()
            output.bar = None
    if failed:
        output.show([_failure_summary(failed)], stderr=True)
    return failed


class Failures:
    """How many lines ran and failed, and the numbers of the first failed
    ones (the summary names _NAMED_FAILURES): a count, not a list, so that a
    file of millions of failing lines does not fill memory. False if none failed."""

    def __init__(self):
        self.total = 0
        self.count = 0
        self.named = []

    def add(self, number: int, failed: bool = True):
        self.total += 1
        if failed:
            self.count += 1
            if len(self.named) < _NAMED_FAILURES:
                self.named.append(number)

    def add_lines(self, count: int, failed_numbers: list):
        """Count `count` lines, of which those numbered `failed_numbers` failed."""
        self.total += count
        self.count += len(failed_numbers)
        self.named += failed_numbers[:_NAMED_FAILURES - len(self.named)]

    def __bool__(self):
        return self.count > 0


def _failure_summary(failed: Failures) -> Line:
    named = ", ".join(map(str, failed.named))
    more = f" and {failed.count - _NAMED_FAILURES} more" if failed.count > _NAMED_FAILURES else ""
    lines = "line" if failed.count == 1 else "lines"
    return Line(("batch: ", "bold red"),
                (f"{failed.count} of {failed.total} lines failed ({lines} {named}{more})", "bold"))


def _write_blocks(blocks, output, batch, jsonl, failed: Failures):
    for block in blocks:
        if jsonl:       # (a block's JSON lines are encoded together, and written at once)
            _write_encoded(_json_chunk(block), output, failed)
        else:
            for number, result in block:
                try:
                    line_failed = _emit(output, number, result, batch.dtype)
                except Exception as e:  # a line that cannot be shown must not sink the batch either
                    line_failed = _emit(output, number, batch.crashed(result.expr, e), batch.dtype)
                failed.add(number, line_failed)
        if output.bar is not None:
            output.bar.advance(len(block))


def _write_chunks(numbered, chunks, output, failed: Failures):
    """Write each chunk of JSON lines as it comes; if a worker dies, the lines
    not written (in flight, and those not read yet) count as failed."""
    from ..evaluate.batch import LinesLost
    try:
        for chunk in chunks:
            _write_encoded(chunk, output, failed)
            if output.bar is not None:
                output.bar.advance(chunk[0])
    except LinesLost as e:
        output.error(e)
        for number in e.lost:
            failed.add(number)
        for number, _ in numbered:
            failed.add(number)
    finally:
        chunks.close()          # Ctrl-C, a closed pipe: the workers stop now (evaluate/batch.py)


def _write_encoded(chunk, output, failed: Failures):
    """Write a _json_chunk, and count its lines."""
    count, text, failed_numbers = chunk
    output.write(text)
    failed.add_lines(count, failed_numbers)


def _json_chunk(numbered) -> tuple:
    """The JSON lines of a list of (number, Result), as (how many, their text, the numbers of
    those that show an error): a worker sends back one string, not an object per line. The
    quiet lines' numbers are written together (output/json_lines.py), the others one by one."""
    try:
        pieces = json_pieces(numbered)
    except Exception:       # (then each line is written, or fails, on its own)
        pieces = range(len(numbered))
    texts, failed = [], []
    for piece in pieces:
        if type(piece) is str:
            texts.append(piece)
            continue
        number, text, bad = _json_line(*numbered[piece])
        texts.append(text)
        if bad:
            failed.append(number)
    return len(numbered), "".join(texts), failed


def _json_line(number, result):
    """(number, the line's JSON and a newline, whether it shows an error); an
    internal error if it cannot be written."""
    try:
        return number, _line_json(result, number) + "\n", result.error is not None
    except Exception as e:  # a line that cannot be shown must not sink the batch either
        return number, result_json_line(crashed(result.expr, e), number) + "\n", True


def _line_json(result, number) -> str:
    """grad's JSON object, or a calculus command's (a line that starts with its word)."""
    if getattr(result, "command", "grad") != "grad":
        from ..output.calculus_render import calculus_json_line
        return calculus_json_line(result, number)
    return result_json_line(result, number)


def _emit(output, number, result, dtype) -> bool:
    """Write one line's result for people; returns whether it shows an error."""
    dtype = getattr(result, "line_dtype", dtype)    # the line's own --dtype: its default, as in `agcli grad`
    if getattr(result, "command", "grad") != "grad":     # a calculus command's line
        from ..output.calculus_render import calculus_sections
        sections = calculus_sections(result, dtype_default=dtype)
    else:
        sections = result_sections(result, dtype_default=dtype)
    output.show([Line((f"── line {number} ──", "dim")), *sections])
    output.warnings(result.warnings, where=f" (line {number})")
    if result.error is not None:
        output.error(result.error, where=f"batch line {number}")
    output.show([Line()])
    return result.error is not None
