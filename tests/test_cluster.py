"""`agcli batch --cluster` on Dask (pip install '.[cluster]'; skipped without it).

Every cluster here is a LocalCluster on the loopback interface, started by
the test or by `--cluster local:N`; nothing is sent anywhere else.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("distributed")

from installed import AGCLI, base_env  # noqa: E402

from agcli import __version__  # noqa: E402

TIMEOUT = 300


def _lines(count: int) -> list[str]:
    """Good lines (repeated expressions, replayed per worker, and distinct ones) among bad ones."""
    lines = []
    for i in range(count):
        if i % 37 == 5:
            lines.append(f'"a * * {i}" --a 1')                                         # syntax error
        elif i % 41 == 7:
            lines.append(f'"(x @ y).sum()" --x "[1., {i}]" --y "[1., 2., 3.]"')        # shape error
        elif i % 3:
            lines.append(f'"(tanh(x) * {i % 5} + x**2).sum()" --x "[{i / 7}, -1.5, 2.25]"')
        else:
            lines.append(f'"sin(a) * b - a / (1 + b**{i % 4})" --a {i / 11} --b -0.{i}')
    return lines


def _agcli(tmp_path, *args, env=None):
    proc = subprocess.run([AGCLI, *map(str, args)], cwd=tmp_path, env=env or base_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_a_local_cluster_writes_byte_for_byte_what_one_process_writes(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("# a comment, then a blank line\n\n" + "\n".join(_lines(300)) + "\n", encoding="utf-8")
    local = _agcli(tmp_path, "batch", path, "--format", "jsonl", "--jobs", "1")
    on_dask = _agcli(tmp_path, "batch", path, "--cluster", "local:2")       # (JSON lines: its default)
    assert local.returncode == on_dask.returncode == 1          # the bad lines
    assert on_dask.stdout == local.stdout
    assert len(on_dask.stdout.splitlines()) == 300
    assert on_dask.stderr.splitlines()[-1] == local.stderr.splitlines()[-1]     # "batch: 17 of 300 lines failed ..."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_cluster_that_cannot_be_reached_is_one_clear_error(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text('"a*b" --a 2 --b 3\n', encoding="utf-8")
    port = _free_port()
    start = time.monotonic()
    proc = _agcli(tmp_path, "batch", path, "--format", "jsonl", "--cluster", f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - start < 20        # refused at once: not after Dask's 30 s of tries
    assert proc.returncode == 2
    assert proc.stdout == ""
    first, hint = proc.stderr.splitlines()
    assert first == (f"error: cannot reach the Dask cluster at tcp://127.0.0.1:{port}: "
                     f"nothing listens at 127.0.0.1:{port} (the connection was refused)")
    assert "dask scheduler" in hint


def test_a_scheduler_reached_by_its_address_runs_the_lines():
    # The address of a scheduler (here a LocalCluster's on the loopback interface), as a user
    # passes one: agcli's first look at the port, then Dask's connect.
    got = _child("""
from distributed import LocalCluster
numbered = list(enumerate(json.loads(sys.argv[1]), 1))
expected = run_chunk(batch, cli_batch._json_chunk, numbered)
local = LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
try:
    workers = cluster.Cluster(local.scheduler_address)
    direct = bool(workers.client.direct_to_workers)     # (Dask's default: its workers may be out of reach)
    try:
        count, text, failed = 0, "", []
        for more, more_text, more_failed in workers.run(batch, iter(numbered), cli_batch._json_chunk):
            count, text, failed = count + more, text + more_text, failed + more_failed
    finally:
        workers.close()
finally:
    local.close()
print(json.dumps([local.scheduler_address.startswith("tcp://127.0.0.1:"), (count, text, failed) == expected,
                  direct]))
""", json.dumps(_lines(40)))
    assert got == [True, True, False]


def test_a_port_that_never_answers_as_a_scheduler_is_one_clear_error(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text('"a*b" --a 2 --b 3\n', encoding="utf-8")
    env = base_env(DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="1s")      # Dask's own setting: not 30 s
    with socket.socket() as silent:         # accepts connections, says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        address = "tcp://127.0.0.1:%d" % silent.getsockname()[1]
        proc = _agcli(tmp_path, "batch", path, "--format", "jsonl", "--cluster", address, env=env)
    assert proc.returncode == 2
    assert proc.stdout == ""
    first, hint = proc.stderr.splitlines()
    assert first == f"error: cannot reach the Dask cluster at {address}: no scheduler answered within 1s"
    assert "dask scheduler" in hint


@pytest.mark.parametrize("args, message", [
    (["--cluster", "local:two"], "error: --cluster local:N takes a number of workers, not 'two'"),
    (["--cluster", "tls://127.0.0.1:1"],
     "error: cannot reach the Dask cluster at tls://127.0.0.1:1: Dask cannot use its protocol here: TLS expects a "
     "`ssl_context` argument of type ssl.SSLContext (perhaps check your TLS configuration?) Instead got None"),
    (["--cluster", "tcp://127.0.0.1:99999"],
     "error: cannot reach the Dask cluster at tcp://127.0.0.1:99999: 99999 is not a port number (1 to 65535)"),
    (["--cluster", "local:2", "--format", "rich"], "error: --cluster writes JSON lines"),
])
def test_cluster_usage_errors(tmp_path, args, message):
    path = tmp_path / "lines.txt"
    path.write_text('"a*b" --a 2 --b 3\n', encoding="utf-8")
    proc = _agcli(tmp_path, "batch", path, *(["--format", "jsonl"] if "--format" not in args else []), *args)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == message


# The tests of the Python side run in a child process: Dask's client keeps
# an event loop thread, whose garbage must not reach other tests' counts.
_CHILD = """
import json, os, signal, sys
from agcli import __version__
from agcli.cli import batch as cli_batch
from agcli.cli.arguments import parse_line
from agcli.cli.sink import crashed
from agcli.evaluate import cluster
from agcli.evaluate.batch import Batch, run_chunk
batch = Batch(parse_line, crashed)
"""


def _child(code: str, *args):
    proc = subprocess.run([sys.executable, "-c", _CHILD + code, *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TIMEOUT, env=base_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


def test_workers_of_another_agcli_version_refuse_on_connect():
    # The client says it runs another version: each worker's check refuses it.
    refused = _child("""
try:
    cluster.Cluster("local:1", version="0.0.0-other")
    print(json.dumps(None))
except cluster.VersionMismatch as e:
    print(json.dumps([e.exit_code, e.message, e.hint]))
""")
    assert refused is not None, "the cluster was accepted"
    exit_code, message, hint = refused
    assert exit_code == 2
    assert message == f"a Dask worker runs agcli {__version__}, and this batch needs agcli 0.0.0-other"
    assert "install agcli 0.0.0-other on every worker" in hint


def test_a_chunk_checks_the_version_again():
    # A worker that joins after the connect check runs no chunk of another version.
    got = _child("""
chunk = [(1, '"a*b" --a 2 --b 3')]
try:
    cluster._run_block(batch, cli_batch._json_chunk, cluster.packed(chunk), "0.0.0-other", "cpu")
    refused = False
except cluster.VersionMismatch:
    refused = True
same = cluster._run_block(batch, cli_batch._json_chunk, cluster.packed(chunk), __version__, "cpu") == \
    run_chunk(batch, cli_batch._json_chunk, chunk)
print(json.dumps([refused, same]))
""")
    assert got == [True, True]


def test_a_local_cluster_starts_without_waits_of_its_own():
    # Once the cluster is up, what exists (Dask's modules and servers) is frozen: each full pass of
    # the collector in agcli's process would walk it again. What is made after is collected as usual.
    # Each nanny asks its worker whether it has started every 5 ms, not Dask's 50 (a Dask that no
    # longer has that attribute fails here: the start would be slower, not wrong).
    got = _child("""
import gc
from distributed.nanny import WorkerProcess
def tracked(obj):
    return any(o is obj for o in gc.get_objects())
before = []
workers = cluster.Cluster("local:1")
try:
    import distributed.client
    during = []
    print(json.dumps([tracked(before), tracked(vars(distributed.client)), tracked(during),
                      getattr(WorkerProcess, "_init_msg_interval", None)]))
finally:
    workers.close()
""")
    assert got == [False, False, True, 0.005]


def test_a_worker_that_dies_mid_run_loses_no_line():
    got = _child("""
numbered = list(enumerate(json.loads(sys.argv[1]), 1))
expected = run_chunk(batch, cli_batch._json_chunk, numbered)
workers = cluster.Cluster("local:2")
try:
    chunks = workers.run(batch, iter(numbered), cli_batch._json_chunk)
    count, text, failed = next(chunks)
    pids = workers.client.run(os.getpid)
    os.kill(pids[min(pids)], signal.SIGKILL)          # one worker process dies; its nanny starts another
    for more, more_text, more_failed in chunks:
        count, text, failed = count + more, text + more_text, failed + more_failed
    direct = workers.client.direct_to_workers      # results straight from the workers, the dead one's too
finally:
    workers.close()
print(json.dumps([(count, text, failed) == expected, count, direct]))
""", json.dumps(_lines(600)))
    assert got == [True, 600, True]
