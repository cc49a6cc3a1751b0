"""`agcli batch --cluster ADDRESS`: the lines' chunks run on a Dask cluster's
workers, and come back in input order (pip install 'agcli[cluster]').

Only this flag imports Dask (`distributed`). The lines are read in chunks as
the workers need them, at most IN_FLIGHT chunks a worker thread submitted and
not yet handed back (evaluate/batch.py: chunked, in_order), so memory stays
flat; a chunk's lines go through Batch.run and `encode` as in a local
worker process (`_run_block`), so the output is the same, byte for byte. A worker
that dies mid-chunk loses nothing: the scheduler runs the chunk again
elsewhere. `local:N` starts a LocalCluster of N one-thread worker processes
on the loopback interface, to try it on one machine.

Every worker must run the client's agcli version: a plugin checks each one
as it connects (the client's connect fails on a worker of another version,
with its version in the message) and every chunk checks again (a worker that
joins later runs no chunk of a batch of another version).
"""
from __future__ import annotations

import gc
import pickle
import threading

from .. import __version__
from ..errors import AgcliError

LOCAL = "local"
# Lines a chunk, at most: a Dask task costs its scheduler, worker and client
# several milliseconds, so chunks are twice as large as local workers'
# (benchmarks/README.md, "Why the code is shaped so").
CHUNK_LINES = 512
# The input's last lines go in chunks of a quarter of that (local workers: an eighth): a task
# costs more than a local chunk, and more of them would cost more than the last ones' wait.
TAIL_PARTS = 4
_INSTALL = "pip install 'agcli[cluster]'"


class VersionMismatch(AgcliError):
    """A worker runs another agcli version than the client."""

    def __init__(self, message: str):
        super().__init__(message, kind="usage",
                         hint=f"install agcli {message.split()[-1]} on every worker (the client's version), "
                              "then restart the workers")

    def __reduce__(self):       # raised on a worker, read on the client
        return (VersionMismatch, (self.message,))


def _mismatch(theirs: str) -> str | None:
    """The message a worker running agcli __version__ gives a client running `theirs` (None: they agree)."""
    if theirs == __version__:
        return None
    return f"a Dask worker runs agcli {__version__}, and this batch needs agcli {theirs}"


def _plugin(version: str):
    """A Dask WorkerPlugin that checks each worker's agcli version as it connects."""
    from distributed import WorkerPlugin

    class AgcliVersion(WorkerPlugin):
        name = "agcli-version"

        def __init__(self, version):
            self.version = version

        def setup(self, worker):
            message = _mismatch(self.version)
            if message is not None:
                raise VersionMismatch(message)

    return AgcliVersion(version)


class Cluster:
    """A Dask client (and the LocalCluster it started, if `local:N`), checked:
    reachable, with workers, each running the client's agcli version."""

    def __init__(self, address: str, *, device: str = "cpu", version: str = __version__):
        try:
            import dask
            from distributed import Client
        except ImportError:
            raise AgcliError("--cluster needs Dask's distributed scheduler, which is not installed", kind="usage",
                             hint=f"{_INSTALL}, or run without --cluster") from None
        self.version, self.device = version, device
        self.address = address
        self.local = None
        self.client = None
        timeout = dask.config.get("distributed.comm.timeouts.connect")
        try:
            if address == LOCAL or address.startswith(LOCAL + ":"):
                self.local = _local_cluster(address)
                # Results straight from the workers: through the scheduler, which shares this
                # process, every chunk's output would be received and sent once more.
                self.client = Client(self.local, direct_to_workers=True)
            else:
                seconds = dask.utils.parse_timedelta(timeout)
                refused = _refused(address, seconds, timeout)
                if refused is not None:
                    raise _unreachable(address, refused)
                try:
                    self.client = Client(address, timeout=timeout)
                except TypeError as e:      # a protocol Dask cannot use here (tls:// without keys, ucx://)
                    raise _unreachable(address, f"Dask cannot use its protocol here: {e}") from None
                self.client.wait_for_workers(1, timeout=seconds)
            self.client.register_plugin(_plugin(version))
        except AgcliError:          # a bad local:N, or a worker of another version
            self.close()
            raise
        except ImportError:         # a worker that cannot import agcli to run the check
            self.close()
            raise AgcliError("a Dask worker of this cluster does not have agcli installed", kind="usage",
                             hint=f"install agcli {version} on every worker, then restart the workers") from None
        except (OSError, TimeoutError, ValueError) as e:
            if isinstance(e, ValueError):
                reason = "that is not a scheduler's address"
            elif self.client is not None:
                reason = f"its scheduler has no worker (none joined within {timeout})"
            else:
                reason = f"no scheduler answered within {timeout}"
            self.close()
            raise _unreachable(address, reason) from None
        # What Dask imported and started lives as long as the batch. Left with the collector,
        # its objects (some 60,000) were walked by each full pass in this process.
        gc.freeze()

    def threads(self) -> int:
        """How many chunks the workers run at once (at least 1)."""
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(w.get("nthreads", 1) for w in workers.values()))

    def run(self, batch, numbered, encode):
        """encode([(number, Result) for each line of a chunk]), chunk after chunk in input order."""
        from concurrent.futures import CancelledError

        from distributed.scheduler import KilledWorker

        from .batch import IN_FLIGHT, chunked, in_order
        threads = self.threads()

        def submit(chunk):
            return self.client.submit(_run_block, batch, encode, packed(chunk), self.version, self.device,
                                      pure=False)

        def why(error) -> str:
            if isinstance(error, KilledWorker):
                return "the Dask workers running a chunk of lines died again and again; run without --cluster " \
                       "to find the line"
            return f"the Dask cluster at {self.address} went away"
        yield from in_order(chunked(numbered, threads, CHUNK_LINES, TAIL_PARTS), submit, threads * IN_FLIGHT,
                            (KilledWorker, CancelledError, OSError), why)

    def close(self):
        for part in (self.client, self.local):
            if part is not None:
                try:
                    part.close()
                except Exception:   # (already closed or gone: nothing left to end)
                    pass
        self.client = self.local = None


def _refused(address: str, seconds: float, timeout) -> str | None:
    """Why a TCP scheduler address cannot be reached, if its first bytes say so: nothing
    listens there, no host has that name, or what listens says nothing (a scheduler speaks
    first: Dask's own connect would wait for it for ever, at a dashboard's port say); None
    when the other end speaks, or cannot be asked here (Dask's connect then decides)."""
    import socket
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    host, colon, port = rest.rpartition(":")
    if scheme != "tcp" or not colon or not port.isdigit():
        return None
    if not 0 < int(port) < 65536:
        return f"{port} is not a port number (1 to 65535)"
    host = host.strip("[]")
    try:
        with socket.create_connection((host, int(port)), timeout=seconds) as probe:
            if not probe.recv(1):
                return f"what listens at {rest} closed the connection: it is not a Dask scheduler"
    except ConnectionRefusedError:
        return f"nothing listens at {rest} (the connection was refused)"
    except socket.gaierror:
        return f"no host is named '{host}'"
    except TimeoutError:
        return f"no scheduler answered within {timeout}"
    except OSError:         # no route, and the like: Dask's own tries decide
        return None
    return None


def _unreachable(address: str, reason: str) -> AgcliError:
    return AgcliError(f"cannot reach the Dask cluster at {address}: {reason}", kind="usage",
                      hint="start one with `dask scheduler` and `dask worker SCHEDULER_ADDRESS`, and pass "
                           "the scheduler's address (tcp://HOST:8786), or try --cluster local:2")


def _local_cluster(address: str):
    """`local:N`: N worker processes of one thread each, on the loopback
    interface, started with fork where it is safe (a worker starts with agcli
    imported, in a fraction of the time a new interpreter takes)."""
    import logging

    import dask
    from distributed import LocalCluster
    from distributed.nanny import WorkerProcess

    from .batch import start_method
    count = address[len(LOCAL) + 1:] if address != LOCAL else ""
    if count and not (count.isdigit() and int(count) > 0):
        raise AgcliError(f"--cluster local:N takes a number of workers, not {count!r}", kind="usage",
                         hint="e.g. --cluster local:2")
    workers = int(count) if count else None
    method = "fork" if start_method() == "fork" else "spawn"
    # A nanny asks its worker process whether it has started every 50 ms (Dask's class attribute,
    # not a setting). A forked worker is up in about 0.1 s, and local:2's second nanny saw its
    # worker up 50 ms after it was, at its next ask. Every 5 ms here.
    if hasattr(WorkerProcess, "_init_msg_interval"):
        WorkerProcess._init_msg_interval = 0.005
    # Dask's statistical profiler samples each worker's stack every few milliseconds,
    # and its scheduler, nannies and workers wake many times a second to check their
    # event loop, a worker's memory and the system: CPU taken from the lines (the
    # scheduler shares the workers' cores), for a dashboard that a local batch does
    # not have. The checks wake seldom here (benchmarks/README.md).
    with dask.config.set({"distributed.worker.multiprocessing-method": method,
                          "distributed.worker.profile.enabled": False,
                          "distributed.admin.tick.interval": "500ms",
                          "distributed.admin.system-monitor.interval": "5s",
                          "distributed.worker.memory.monitor-interval": "1s"}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.ERROR,
                            # (its HTTP server, which the scheduler starts anyway: loopback, any free port)
                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


def packed(chunk: list) -> bytes:
    """A chunk's (number, text) lines as one argument of a task: its pickle. The client
    would walk a list argument item by item, looking for futures in it; and bytes reach
    a worker of any agcli version, whose version check then refuses the chunk (an
    object of agcli's own would fail to load there first)."""
    return pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)


_one_at_a_time = threading.Lock()     # agcli's settings and caches are per process


def _run_block(batch, encode, chunk: bytes, version: str, device: str):
    """One chunk on a Dask worker: its lines' encoded results, in order.

    The worker's collector then runs as a batch's does (evaluate/batch.py:
    _Collector, every so many lines), from the first chunk on: its passes
    over agcli's caches between chunks would cost as much as the lines.
    """
    message = _mismatch(version)
    if message is not None:
        raise VersionMismatch(message)
    from ..device import choose
    with _one_at_a_time:
        choose(device)              # before anything imports the engine
        from .batch import run_chunk
        if gc.isenabled():
            gc.freeze()
            gc.disable()
        return run_chunk(batch, encode, pickle.loads(chunk))
