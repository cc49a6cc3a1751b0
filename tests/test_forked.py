"""The forked workers of a batch (evaluate/forked.py): order, bounds, a dead worker, an early end."""
from __future__ import annotations

import os
import sys

import pytest

from agcli.evaluate import batch, forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin",
                                reason="workers are forked only where forking is safe")


def _work(chunk):
    """What a worker gives back for a chunk: its pid, the chunk and a long text (a result
    larger than a pipe holds)."""
    return os.getpid(), chunk, "x" * 100_000 * len(chunk)


def _children() -> set:
    """This process's living (not reaped) children."""
    found = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as f:
            found |= {int(pid) for pid in f.read().split()}
    return found


def test_results_come_in_order_from_every_worker_and_the_workers_end():
    chunks = [[(i, "line")] * (1 + i % 3) for i in range(40)]
    before = _children()
    results = list(forked.forked(chunks, _work, 2, 4))
    assert [chunk for _, chunk, _ in results] == chunks
    assert [len(text) for *_, text in results] == [100_000 * len(c) for c in chunks]
    assert len({pid for pid, _, _ in results}) == 2 and os.getpid() not in {pid for pid, _, _ in results}
    assert _children() == before


def test_tasks_larger_than_a_pipe_do_not_block_the_parent():
    # A task of 2 MB each way: the parent writes what a worker's pipe takes and reads
    # results meanwhile (a blocking write would wait for a worker that waits for it).
    chunks = [[(i, "y" * 200_000)] * 10 for i in range(8)]
    assert [chunk for _, chunk, _ in forked.forked(chunks, _work, 2, 16)] == chunks


def test_no_more_than_in_flight_chunks_are_read_ahead():
    read = []

    def chunks():
        for i in range(50):
            read.append(i)
            yield [(i, "line")]
    results = forked.forked(chunks(), _work, 2, 5)
    for handed, (_, chunk, _) in enumerate(results):
        assert chunk == [(handed, "line")]
        assert len(read) - handed <= 5 + 1       # (+1: the one being handed back)


def _dies_on_7(chunk):
    if chunk[0][0] == 7:
        os._exit(3)
    return _work(chunk)


def test_a_dead_worker_loses_the_chunks_not_handed_back_and_the_other_worker_ends():
    chunks = [[(i, "line")] for i in range(30)]
    before = _children()
    got = []
    with pytest.raises(forked.WorkerLost) as lost:
        for _, chunk, _ in forked.forked(chunks, _dies_on_7, 2, 6):
            got.append(chunk)
    # What was handed back comes first, in order; every chunk after it that was sent is lost,
    # the dead worker's among them (some the other worker ran may be too: not yet handed back).
    assert got == chunks[:len(got)] and len(got) <= 7
    assert lost.value.chunks == chunks[len(got):len(got) + len(lost.value.chunks)]
    assert chunks[7] in lost.value.chunks
    assert _children() == before


def test_an_early_end_stops_the_workers_at_once():
    before = _children()
    results = forked.forked(([(i, "line")] for i in range(1000)), _work, 2, 8)
    next(results)
    assert len(_children() - before) == 2
    results.close()         # Ctrl-C, a closed pipe: the consumer stops
    assert _children() == before


def _crash_on_3(chunk):
    if chunk[0][0] == 3:
        raise RuntimeError("a bug")
    return chunk


def test_a_batch_says_which_lines_a_dead_worker_lost(monkeypatch):
    monkeypatch.setattr(batch, "run_chunk", lambda b, encode, chunk: _crash_on_3(chunk))
    b = batch.Batch(None, None)
    numbered = [(n, "line") for n in range(3, 500)]
    with pytest.raises(batch.LinesLost) as lost:
        list(b.in_workers(iter(numbered), 2, None))
    assert "a batch worker process died; run with --jobs 1 to find the line" in str(lost.value)
    # Every line is accounted for: those sent, those read ahead and not sent, those not read yet.
    assert list(lost.value.lost) == [number for number, _ in numbered]


class _Future:
    def __init__(self, chunk):
        self.chunk = chunk

    def result(self):
        if self.chunk[0][0] >= 40:
            raise OSError("the workers are gone")
        return self.chunk


def test_in_order_counts_every_line_it_did_not_hand_back():
    # The executor's and Dask's path: the lines submitted and not handed back, then the lines
    # that chunked read ahead and those not read yet.
    numbered = [(n, "line") for n in range(1, 3001)]
    handed = []
    with pytest.raises(batch.LinesLost) as lost:
        for chunk in batch.in_order(batch.chunked(iter(numbered), 2), _Future, 16, OSError, str):
            handed += [number for number, _ in chunk]
    assert handed == list(range(1, 64)) and "the workers are gone" in str(lost.value)   # (chunks of 1, 2, ... 32)
    assert list(lost.value.lost) == list(range(64, 3001))


def test_a_system_without_room_for_another_process_is_a_clear_error(monkeypatch):
    from agcli.errors import AgcliError
    forks = []
    real_fork = os.fork

    def fork():
        if forks:
            raise OSError(11, "Resource temporarily unavailable")
        forks.append(1)
        return real_fork()
    before, fds = _children(), set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", fork)
    with pytest.raises(AgcliError) as error:
        list(forked.forked([[(1, "line")]], _work, 2, 4))
    assert error.value.message == "cannot start 2 worker processes: Resource temporarily unavailable"
    assert error.value.hint == "run with fewer --jobs, or --jobs 1" and error.value.exit_code == 1
    assert _children() == before and set(os.listdir("/proc/self/fd")) == fds     # the first worker ended, no pipe left
