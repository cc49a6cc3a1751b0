"""A batch's worker processes where the platform forks safely (evaluate/batch.py:
start_method): forked here, each fed through a pipe of its own.

A worker reads a chunk (pickled, its length first) from its task pipe, runs it and
writes what it gives into its result pipe, the same way. The parent keeps each
worker DEPTH chunks ahead, hands the results back in the chunks' order, and never
blocks on a task pipe: a worker busy writing a result must not wait for a parent
busy writing it a task. ProcessPoolExecutor does the same with more machinery (its
imports, two threads in the parent, one result queue that the workers share behind a
lock): with it, two workers took well over half of one process's time
(benchmarks/README.md).
"""
from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
from collections import deque

from ..errors import AgcliError

_LENGTH = struct.Struct("<Q")
DEPTH = 2       # chunks a worker holds: the one it runs and the next
_PROTOCOL = pickle.HIGHEST_PROTOCOL
PIPE_SIZE = 1 << 20     # (Linux's default bound for a process without privileges)


class WorkerLost(Exception):
    """A worker is gone (it died or was killed): `chunks` were sent and not handed back."""

    def __init__(self, chunks):
        super().__init__("a worker process is gone")
        self.chunks = chunks


class _Worker:
    __slots__ = ("pid", "task_fd", "result_fd", "held", "outbox", "writing")

    def __init__(self, pid, task_fd, result_fd):
        self.pid, self.task_fd, self.result_fd = pid, task_fd, result_fd
        self.held = deque()         # the entries of the chunks sent to it, in order
        self.outbox = bytearray()   # task bytes not yet taken by its pipe
        self.writing = False        # registered for the task pipe's room


def forked(chunks, work, jobs: int, in_flight: int):
    """work(chunk) for each of `chunks`, run in `jobs` forked workers, in the chunks' order,
    with at most `in_flight` chunks sent and not yet handed back. `work`'s results must
    pickle. Raises WorkerLost if a worker is gone; the workers end with the generator."""
    workers = _start(work, jobs)
    done = False
    try:
        yield from _run(workers, iter(chunks), in_flight)
        done = True
    finally:
        _end(workers, stop=not done)


def _run(workers, chunks, in_flight):
    selector = selectors.DefaultSelector()
    order = deque()     # [chunk, result, whether it came] for each chunk sent, not handed back
    try:
        for worker in workers:
            selector.register(worker.result_fd, selectors.EVENT_READ, worker)
        more = True
        while True:
            while more and len(order) < in_flight:
                worker = min(workers, key=_load)
                if len(worker.held) >= DEPTH:
                    break
                chunk = next(chunks, None)
                if chunk is None:
                    more = False
                    break
                entry = [chunk, None, False]
                order.append(entry)
                worker.held.append(entry)
                data = pickle.dumps(chunk, _PROTOCOL)
                worker.outbox += _LENGTH.pack(len(data))
                worker.outbox += data
                _send(worker, selector, order)
            if order and order[0][2]:
                yield order.popleft()[1]
                continue
            if not order:
                return
            for key, events in selector.select():
                worker = key.data
                if key.fd == worker.task_fd:
                    _send(worker, selector, order)
                else:
                    _receive(worker, order)
    finally:
        selector.close()


def _load(worker) -> int:
    return len(worker.held)


def _send(worker, selector, order):
    """Write what the worker's task pipe takes of its outbox now; wait for room for the rest."""
    try:
        written = os.write(worker.task_fd, worker.outbox)
    except BlockingIOError:
        written = 0
    except OSError:     # (a broken pipe: the worker is gone)
        raise WorkerLost([entry[0] for entry in order]) from None
    del worker.outbox[:written]
    if worker.outbox and not worker.writing:
        selector.register(worker.task_fd, selectors.EVENT_WRITE, worker)
        worker.writing = True
    elif not worker.outbox and worker.writing:
        selector.unregister(worker.task_fd)
        worker.writing = False


def _receive(worker, order):
    """Read one result of the worker (it writes each whole, at once)."""
    header = _read(worker.result_fd, _LENGTH.size)
    data = None if header is None else _read(worker.result_fd, _LENGTH.unpack(header)[0])
    if data is None or not worker.held:
        raise WorkerLost([entry[0] for entry in order])
    entry = worker.held.popleft()
    entry[1] = pickle.loads(data)
    entry[2] = True


def _read(fd, size):
    """`size` bytes from fd, or None at its end."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    at = 0
    while at < size:
        count = os.readv(fd, [view[at:]])
        if count == 0:
            return None
        at += count
    return buffer


def _start(work, jobs):
    """`jobs` workers, or an AgcliError if the system gives no more processes or pipes
    (the workers started so far ended first)."""
    workers = []
    for _ in range(jobs):
        fds = []
        try:
            fds += os.pipe()
            fds += os.pipe()
            pid = os.fork()
        except OSError as e:
            for fd in fds:
                os.close(fd)
            _end(workers, stop=True)
            raise AgcliError(f"cannot start {jobs} worker processes: {e.strerror or e}", kind="limit",
                             hint="run with fewer --jobs, or --jobs 1") from None
        task_read, task_write, result_read, result_write = fds
        if pid == 0:    # the worker: it never returns into the parent's code
            code = 1
            try:
                for fd in [task_write, result_read] + [fd for w in workers for fd in (w.task_fd, w.result_fd)]:
                    os.close(fd)        # (another worker's pipes held open here would never end)
                _serve(task_read, result_write, work)
                code = 0
            finally:
                os._exit(code)
        os.close(task_read)
        os.close(result_write)
        _widen(result_read)
        _widen(task_write)
        os.set_blocking(task_write, False)
        workers.append(_Worker(pid, task_write, result_read))
    return workers


def _widen(fd):
    """A pipe that holds a whole chunk's result (a few hundred KB) at once: the worker writes
    it in one go, and the parent reads it in one, with no wake-up of either in between."""
    try:
        import fcntl
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError):     # (not Linux, or above the system's bound)
        pass


def _serve(task_fd, result_fd, work):
    # Ctrl-C reaches every process of the terminal's group: the parent stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with open(task_fd, "rb") as tasks:
        while True:
            header = tasks.read(_LENGTH.size)
            if len(header) < _LENGTH.size:
                return          # the parent has no more
            chunk = pickle.loads(tasks.read(_LENGTH.unpack(header)[0]))
            data = pickle.dumps(work(chunk), _PROTOCOL)
            view = memoryview(_LENGTH.pack(len(data)) + data)
            while view:
                view = view[os.write(result_fd, view):]


def _end(workers, stop: bool):
    """Close the task pipes (a worker ends when it reads their end); `stop`: end them now."""
    for worker in workers:
        os.close(worker.task_fd)
        if stop:
            try:
                os.kill(worker.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for worker in workers:
        os.close(worker.result_fd)
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass
