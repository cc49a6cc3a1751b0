"""Many `agcli grad` calls, one per line: each line's Result, in input order,
in this process or in worker processes.

Nothing here reads a file or prints. The front end (cli/batch.py) hands in
numbered lines, its parser for a line's words and what a bug in agcli
becomes (its --debug decides), and shows what comes back. A failure becomes
that line's error and the batch goes on. Expressions are lowered once per
set of bound names (plan_for caches them), so a file that repeats an
expression with new bindings parses it once, and replays it from its third
line on (run.py).
"""
from __future__ import annotations

import gc
import os
import signal
from contextlib import contextmanager
from functools import partial
from itertools import chain

from ..device import chosen
from ..errors import AgcliError, detached
from . import run as api
from . import sweeps

# Worker processes pay off from this many lines. They take lines in chunks:
# large enough that sending them costs little, small enough that each worker
# gets eight or more (benchmarks/README.md, "Why the code is shaped so").
# Chunks are read as workers need them: at most IN_FLIGHT a worker are
# queued, running or done and not yet written, so memory stays flat
# whatever the file's size.
PARALLEL_MIN_LINES = 200
_CHUNK_LINES = (16, 256)
_CHUNKS_A_WORKER = 8
IN_FLIGHT = 8
# A chunk goes on past its size, up to this many times it, while the lines repeat
# its last line's expression: a worker that has warmed up to an expression (run.py
# checks its first lines run alone, sweeps.py its first sweeps) sweeps the rest,
# instead of the next worker warming up to it again.
_RUN_STRETCH = 4
# The input's last lines go in chunks of an eighth of the size (see chunked): the workers end
# within a small chunk's time of each other.
_TAIL_PARTS = 8

# In one process, a block's lines are written together (their JSON is made at once), but
# never more than this many seconds after the first of them is done.
WRITE_WITHIN = 1.0

# The cyclic garbage collector, during a batch. A line that succeeds leaves
# almost no cyclic garbage (run.py unlinks each line's graph), yet the
# collector's passes over the cached plans would cost a sixth of a distinct
# line's time. A line that fails may leave some (a parse error's objects in
# Lark), and it is young: everything made since the last collection. Every
# COLLECT_EVERY lines the young and middle generations are collected (what
# survives, mostly the caches, moves to the old one, not to be walked again),
# and everything every FULL_EVERY such times.
COLLECT_EVERY = 10000
FULL_EVERY = 10


class _Collector:
    """Runs the collector on the young generation after a failed line, and on
    the young and middle ones every COLLECT_EVERY lines (everything every
    FULL_EVERY times), instead of every few hundred allocations."""

    lines = 0
    periods = 0

    @classmethod
    def done(cls, count: int, failed: bool):
        if failed:
            gc.collect(0)
        cls.lines += count
        if cls.lines >= COLLECT_EVERY:
            cls.lines = 0
            cls.periods += 1
            gc.collect(2 if cls.periods % FULL_EVERY == 0 else 1)


class Batch:
    """How every line of one batch runs: the batch's options (a line's own
    --wrt, --grad-output, --seed or --dtype win), the front end's `parse`
    (text -> the words of a grad call: expr, bindings, wrt, grad_output,
    seed, dtype) and `crashed` (expr, exception -> an error Result)."""

    def __init__(self, parse, crashed, *, wrt=None, grad_output=None, seed=None, dtype="float64",
                 max_elements=10**8, detect_anomaly=False, split=None):
        self.parse = parse
        self.crashed = crashed
        self.split = split              # the front end's text -> words, for sweeps (None: line by line);
        # with it, parse(text, words) takes a line's words split already
        self.wrt = wrt                  # a list of names, or None: every binding
        self.grad_output = grad_output
        self.seed = seed
        self.dtype = dtype
        self.max_elements = max_elements
        self.detect_anomaly = detect_anomaly

    def run(self, text: str, words=None):
        """One line's Result (words: split(text), if sweeps split it); its errors, and agcli's
        own, are caught into it."""
        args = None
        try:
            args = self.parse(text) if words is None else self.parse(text, words)
            api.configure(dtype=args.dtype or self.dtype, seed=self.seed if args.seed is None else args.seed,
                          max_elements=self.max_elements,
                          detect_anomaly=bool(self.detect_anomaly or getattr(args, "detect_anomaly", False)))
            wrt = self.wrt if args.wrt is None else args.wrt
            grad_output = self.grad_output if args.grad_output is None else args.grad_output
            command = getattr(args, "command", "grad")
            if command != "grad":   # a line that starts with a calculus command's word
                from .calculus import COMMANDS
                options = {**args.options(), "wrt": wrt}
                if command == "vjp":
                    options["grad_output"] = grad_output
                result = COMMANDS[command](args.expr, args.bindings, **options)
            else:
                result = api.evaluate(args.expr, args.bindings, wrt=wrt, grad_output=grad_output)
            if args.dtype is not None and args.dtype != self.dtype:
                result.line_dtype = args.dtype   # printed as `agcli grad --dtype` prints it (cli/batch.py)
            return result
        except AgcliError as e:
            result = api.Result(text if args is None else args.expr)  # the whole line if it did not split
            result.error = detached(e)
            return result
        except Exception as e:  # a bug in agcli must not sink the rest of the batch
            return self.crashed(text if args is None else args.expr, e)

    def results(self, numbered):
        """(number, Result) for each (number, text), in order (blocks, one by one)."""
        for block in self.blocks(numbered):
            yield from block

    def blocks(self, numbered):
        """Lists of (number, Result) for the (number, text)s, in order, each as soon as its lines
        are done: a line of standard input alone (the next line may not be typed yet), a file's
        lines in blocks of 1, 2, 4, ... lines (sweeps.blocks: the first results come at once),
        the lines of a block done so far whenever WRITE_WITHIN seconds have passed (slow lines)."""
        from time import monotonic
        with _rare_collection():
            blocks = ([line] for line in numbered) if self.split is None else sweeps.blocks(numbered)
            for block in blocks:
                lines = sweeps.results(self, block) if self.split is not None \
                    else ((number, self.run(text)) for number, text in block)
                done, failed, since, line = [], False, monotonic(), None
                for line in lines:
                    done.append(line)
                    failed = failed or line[1].error is not None
                    if monotonic() - since > WRITE_WITHIN:
                        yield done
                        done, since = [], monotonic()
                del line
                if done:
                    yield done
                del done        # a failed line's garbage must be unreachable for done()
                _Collector.done(len(block), failed)

    def in_workers(self, numbered, jobs: int, encode):
        """encode([(number, Result) for each line of a chunk]), chunk after chunk in input order.

        Worker processes run the chunks; `encode` runs there too, so only what
        it gives (the lines' JSON, not their arrays) comes back, and the workers
        share the encoding as well. It must be a module-level function.
        They are forked (forked.py) where the platform forks safely, else
        spawned by a ProcessPoolExecutor (in_order). `numbered` is read as the
        workers need it (chunked); if a worker dies, LinesLost names the lines
        not handed back.
        """
        method = start_method()
        why = "a batch worker process died; run with --jobs 1 to find the line"
        if method == "fork":
            from .forked import WorkerLost, forked
            from ..torchapi import namespace   # noqa: F401 (loaded once here, not once a worker: language/names.py)
            chunks = chunked(numbered, jobs)
            with _rare_collection():    # (before the fork: workers inherit it)
                try:
                    yield from forked(chunks, partial(run_chunk, self, encode), jobs, jobs * IN_FLIGHT)
                except WorkerLost as e:
                    raise LinesLost(why, _numbers(e.chunks, chunks)) from None
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # (spawn: a new interpreter chooses its device from the environment: this one's)
        os.environ["AGCLI_DEVICE"], os.environ["AGCLI_ARRAY_BACKEND"] = chosen()
        with _rare_collection():
            pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method),
                                       initializer=_start_worker, initargs=(self, encode))
            done = False
            try:
                yield from in_order(chunked(numbered, jobs), lambda chunk: pool.submit(_run_chunk, chunk),
                                    jobs * IN_FLIGHT, BrokenProcessPool, lambda _: why)
                done = True
            finally:
                if done:
                    pool.shutdown()
                else:       # Ctrl-C, a closed pipe, a dead worker: the chunks not started are dropped;
                    # spawned workers finish the chunk they run, so that the pool's semaphores are
                    # released (else a POSIX spawn's resource tracker complains once agcli exits)
                    pool.shutdown(wait=True, cancel_futures=True)


class LinesLost(AgcliError):
    """The workers running some lines are gone: `lost` gives the numbers of the
    lines sent to them and not handed back, then of every line not sent (read
    ahead, or not read yet: an iterator, which reads the rest of the input)."""

    def __init__(self, message: str, lost):
        super().__init__(message, kind="internal")
        self.lost = lost


def _numbers(sent, chunks):
    """The line numbers of the chunks `sent`, then of the chunks left in `chunks`."""
    for chunk in chain(sent, chunks):
        for number, _ in chunk:
            yield number


def chunked(numbered, workers: int, largest: int = _CHUNK_LINES[1], tail_parts: int = _TAIL_PARTS):
    """The (number, text) lines in lists for `workers` workers, read as they are asked for.

    A chunk's size comes from the first lines: `largest`, unless the input is
    too short to give each worker _CHUNKS_A_WORKER chunks of it; a chunk goes
    on to the end of its last line's run of one expression (_RUN_STRETCH).
    The first chunks are smaller (1, 2, 4, ... lines), so that the first
    results come back, and are written, at once; so are the last ones (the
    last `size` lines a worker, in `tail_parts` a chunk), so that no worker
    is left running a whole chunk alone at the end.
    """
    from collections import deque
    from itertools import islice
    low = _CHUNK_LINES[0]
    numbered = iter(numbered)
    ramp, sent = 1, 0
    while ramp < low:       # the first chunks, smaller than any size, go as soon as they are read
        chunk = list(islice(numbered, ramp))
        if not chunk:
            return
        yield chunk
        sent += len(chunk)
        ramp *= 2
    ahead = deque(islice(numbered, largest * _CHUNKS_A_WORKER * workers - sent))      # lines read, not yet sent
    size = max(low, min(largest, (sent + len(ahead)) // (_CHUNKS_A_WORKER * workers)))
    tail = size * workers
    window = size * _RUN_STRETCH + tail     # (so the input's end is known before its tail is sent)
    while ahead:
        ahead.extend(islice(numbered, max(0, window - len(ahead))))
        ending = len(ahead) < window        # all the lines left are in `ahead`
        if ramp < size:
            take = ramp
        else:
            take = max(low, size // tail_parts) if ending and len(ahead) <= tail else size
        chunk = [ahead.popleft() for _ in range(min(take, len(ahead)))]
        if take == size:
            most = size * (_RUN_STRETCH - 1)
            _run_on(chunk, ahead, min(most, len(ahead) - tail) if ending else most)
        yield chunk
        ramp *= 2


def _run_on(chunk, ahead, most: int):
    """Move to the chunk the lines of `ahead` (at most `most`) that go on with the expression
    of its last line (the text before its first ` --`)."""
    text = chunk[-1][1]
    end = text.find(" --")
    if end < 0:
        return
    expression = text[:end + 3]
    while most > 0 and ahead and ahead[0][1].startswith(expression):
        chunk.append(ahead.popleft())
        most -= 1


def in_order(chunks, submit, in_flight: int, lost_when, why):
    """What each chunk's future (`submit(chunk)`) gives, in the chunks' order,
    with at most `in_flight` chunks submitted and not yet handed back.

    A future (or a submit) that raises `lost_when` (its workers are gone)
    raises LinesLost, saying why(the exception), with the numbers of every line
    submitted and not handed back, then of those not submitted.
    """
    from collections import deque
    chunks = iter(chunks)
    pending = deque()
    try:
        for chunk in chunks:
            pending.append([chunk, None])
            pending[-1][1] = submit(chunk)
            if len(pending) >= in_flight:
                yield pending[0][1].result()
                pending.popleft()
        while pending:
            yield pending[0][1].result()
            pending.popleft()
    except lost_when as e:
        raise LinesLost(why(e), _numbers([chunk for chunk, _ in pending], chunks)) from None


def start_method() -> str:
    """How worker processes start, with what the platform has: fork (a worker
    starts with agcli imported, in a few milliseconds) where it is safe, else
    spawn (Windows has no fork; on macOS system libraries make it unsafe)."""
    import multiprocessing
    import sys
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin":
        return "fork"
    return "spawn" if "spawn" in methods else methods[0]


@contextmanager
def _rare_collection():
    """The batch's collection policy (_Collector) for a scope, the collector's own after it."""
    gc.freeze()     # what start-up made lives on: the collector need not walk it again and again
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()         # what the batch made (the caches) is left to the process's end, not walked again
        if enabled:
            gc.enable()


# glibc's allocator, for a long batch: it returns freed memory above 128 KiB to the
# system and raises that bound as it sees larger blocks freed, so a batch's blocks
# of results and chunks of lines keep touching fresh pages (a page fault each 4 KiB,
# in every process: a tenth of a swept line's time). Fixed bounds keep the heap's
# freed memory, up to KEEP_FREED, for reuse; blocks from MMAP_FROM on are still
# the system's, and given back when freed.
KEEP_FREED = 16 << 20
MMAP_FROM = 1 << 20


def keep_freed_memory() -> bool:
    """Set those bounds (before the workers fork: they inherit them); whether they are
    set (not where the C library is not glibc's or has no mallopt)."""
    import sys
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        mallopt = ctypes.CDLL(None).mallopt        # (the process's own C library)
        return mallopt(-1, KEEP_FREED) == 1 and mallopt(-3, MMAP_FROM) == 1     # M_TRIM_, M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return False


_worker = None      # (Batch, encode) in a worker process


def _start_worker(batch, encode):
    global _worker
    _worker = (batch, encode)
    # Ctrl-C reaches every process of the terminal's group: the parent stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(chunk):
    return run_chunk(*_worker, chunk)


def run_chunk(batch, encode, chunk) -> list:
    """encode([(number, Result) for each (number, text) of the chunk]), in a worker."""
    lines = sweeps.results(batch, chunk) if batch.split is not None else ((n, batch.run(t)) for n, t in chunk)
    done = list(lines)
    failed = any(result.error is not None for _, result in done)
    encoded = encode(done)
    del done
    _Collector.done(len(chunk), failed)
    return encoded
