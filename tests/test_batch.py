"""agcli batch in-process: what the subprocess tests in test_cli.py cannot see."""
from __future__ import annotations

import gc
import io

import pytest

from agcli.cli import batch

DEFAULTS = {"dtype": "float64", "seed": None, "max_elements": 10**8, "wrt": None, "grad_output": None}

# One of each way a line fails, each binding a 1000x1000 array that a cycle would keep alive.
FAILING = [
    '"a @ b" --a "ones(1000, 1000)" --b "ones(3)"',              # shape
    '"a @ (b" --a "ones(1000, 1000)" --b "ones(3)"',             # syntax (Lark's own parse)
    '"a @ c" --a "ones(1000, 1000)" --b "ones(3)"',              # unbound name
    '"foo(a)" --a "ones(1000, 1000)"',                           # unknown function
    '"a + b" --a "ones(1000, 1000)" --b "[1, 2"',                # a binding's syntax
    '"a.reshape(7)" --a "ones(1000, 1000)"',                     # runtime
    '"a[5000]" --a "ones(1000, 1000)"',                          # index
    '"a" --a "ones(1000, 1000)"',                                # non-scalar output
    '"a.sum()" --a "ones(1000, 1000)" --wrt q',                  # usage
    '"a.sum()" --a "ones(1000, 1000)" --dtype float16',          # a bad option
]


@pytest.mark.parametrize("line", FAILING)
def test_a_failed_line_leaves_no_cycle_behind(line):
    # A batch runs the cyclic collector rarely: a failed line's error must not
    # hold its frames (and their arrays) in a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(2):                      # warm caches first
            batch._run_line(line, DEFAULTS, None, False)
        gc.collect()
        result = batch._run_line(line, DEFAULTS, None, False)
        assert result.error is not None
        del result
        assert gc.collect() == 0
    finally:
        if collecting:
            gc.enable()


class _Quiet:
    def error(self, e, where=""):
        pass

    def warnings(self, warnings, where=""):
        pass


def test_a_batch_gives_the_collector_back(monkeypatch):
    monkeypatch.setattr(batch, "COLLECT_EVERY", 3)
    monkeypatch.setattr(batch._Collector, "lines", 0)
    ran = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: ran.append(generation) or 0)
    stream = io.StringIO("".join(f'"a*{i}" --a 2\n' for i in range(7)) + '"a +" --a 1\n')
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert gc.isenabled()
    failed = batch.run_batch(stream, _Quiet(), defaults=DEFAULTS, jsonl=True, progress=False, debug=False)
    assert failed
    assert gc.isenabled()
    assert ran == [2, 2, 0]             # after lines 3 and 6; the young generation after the bad 8th
