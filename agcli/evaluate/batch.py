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
from contextlib import contextmanager

from ..errors import AgcliError, detached
from . import run as api

# Worker processes pay off from this many lines. They take lines in chunks:
# large enough that sending them costs little, small enough that each worker
# gets eight or more (benchmarks/README.md, "Why the code is shaped so").
PARALLEL_MIN_LINES = 200
_CHUNK_LINES = (16, 64)

# The cyclic garbage collector, during a batch. A line that succeeds leaves
# almost no cyclic garbage (run.py unlinks each line's graph), yet the
# collector's passes over the cached plans would cost a sixth of a distinct
# line's time. A line that fails may leave some (a parse error's objects in
# Lark), and it is young: everything made since the last collection.
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


class Batch:
    """How every line of one batch runs: the batch's options (a line's own
    --wrt, --grad-output, --seed or --dtype win), the front end's `parse`
    (text -> the words of a grad call: expr, bindings, wrt, grad_output,
    seed, dtype) and `crashed` (expr, exception -> an error Result)."""

    def __init__(self, parse, crashed, *, wrt=None, grad_output=None, seed=None, dtype="float64",
                 max_elements=10**8):
        self.parse = parse
        self.crashed = crashed
        self.wrt = wrt                  # a list of names, or None: every binding
        self.grad_output = grad_output
        self.seed = seed
        self.dtype = dtype
        self.max_elements = max_elements

    def run(self, text: str):
        """One line's Result; its errors, and agcli's own, are caught into it."""
        args = None
        try:
            args = self.parse(text)
            api.configure(dtype=args.dtype or self.dtype, seed=self.seed if args.seed is None else args.seed,
                          max_elements=self.max_elements)
            return api.evaluate(args.expr, args.bindings, wrt=self.wrt if args.wrt is None else args.wrt,
                                grad_output=self.grad_output if args.grad_output is None else args.grad_output)
        except AgcliError as e:
            result = api.Result(text if args is None else args.expr)  # the whole line if it did not split
            result.error = detached(e)
            return result
        except Exception as e:  # a bug in agcli must not sink the rest of the batch
            return self.crashed(text if args is None else args.expr, e)

    def results(self, numbered):
        """(number, Result) for each (number, text), in order, each as soon as it
        is done (standard input streams: the next line may not be typed yet)."""
        with _rare_collection():
            for number, text in numbered:
                result = self.run(text)
                failed = result.error is not None
                yield number, result
                del result      # a failed line's garbage must be unreachable for done()
                _Collector.done(1, failed)

    def in_workers(self, numbered: list, jobs: int, encode):
        """[encode(number, Result) for each line of a chunk], chunk after chunk in input order.

        Worker processes run the chunks; `encode` runs there too, so only what
        it gives (a line's JSON, not its arrays) comes back, and the workers
        share the encoding as well. It must be a module-level function.
        """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        low, high = _CHUNK_LINES
        size = max(low, min(high, len(numbered) // (8 * jobs)))
        chunks = [numbered[i:i + size] for i in range(0, len(numbered), size)]
        with _rare_collection():    # before the fork: workers inherit it
            # fork: a worker starts with agcli already imported, in a few milliseconds
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_start_worker, initargs=(self, encode)) as pool:
                try:
                    yield from pool.map(_run_chunk, chunks)
                except BrokenProcessPool:
                    raise AgcliError("a batch worker process died; run with --jobs 1 to find the line",
                                     kind="internal") from None


@contextmanager
def _rare_collection():
    """The batch's collection policy (_Collector) for a scope, the collector's own after it."""
    gc.freeze()     # what start-up made lives on: the collector need not walk it again and again
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_worker = None      # (Batch, encode) in a worker process


def _start_worker(batch, encode):
    global _worker
    _worker = (batch, encode)


def _run_chunk(chunk):
    batch, encode = _worker
    encoded, failed, result = [], False, None
    for number, text in chunk:      # one line's arrays alive at a time
        result = batch.run(text)
        failed = failed or result.error is not None
        encoded.append(encode(number, result))
    del result
    _Collector.done(len(chunk), failed)
    return encoded
