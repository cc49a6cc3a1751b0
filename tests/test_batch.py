"""agcli batch in-process: what the subprocess tests in test_cli.py cannot see."""
from __future__ import annotations

import gc
import io
from functools import partial

import pytest

from agcli.cli import batch as cli_batch
from agcli.cli.arguments import parse_line
from agcli.cli.sink import Output, crashed
from agcli.evaluate import batch

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
    '"a.sum()" --a "ones(1000, 1000)" --device cpu',             # the device is the whole run's
]


def new_batch(**options) -> batch.Batch:
    """A batch's Batch as `agcli batch` makes it (without --debug)."""
    return batch.Batch(parse_line, crashed, **options)


@pytest.mark.parametrize("line", FAILING)
def test_a_failed_line_leaves_no_cycle_behind(line):
    # A batch runs the cyclic collector rarely: a failed line's error must not
    # hold its frames (and their arrays) in a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        runner = new_batch()
        for _ in range(2):                      # warm caches first
            runner.run(line)
        gc.collect()
        result = runner.run(line)
        assert result.error is not None
        del result
        assert gc.collect() == 0
    finally:
        if collecting:
            gc.enable()


def test_a_line_with_device_says_the_device_is_chosen_once():
    result = new_batch().run('"a*2" --a 1 --device cuda')
    assert result.error.kind == "usage" and result.error.exit_code == 2
    assert "chosen once per run" in result.error.message


def test_results_come_in_input_order_with_their_numbers():
    numbered = [(3, '"a*b" --a 2 --b 3'), (5, '"a +" --a 1'), (9, '"a*b" --a 2 --b 4 --wrt b')]
    got = [(number, r.value, r.error is None, sorted(r.grads))
           for number, r in new_batch(wrt=["a"]).results(numbered)]
    assert got == [(3, 6.0, True, ["a"]), (5, None, False, []), (9, 8.0, True, ["b"])]


def _raises(text):
    raise ValueError("a bug")


def test_a_crash_is_the_lines_internal_error_and_debug_raises_it():
    result = batch.Batch(_raises, crashed).run('"a" --a 1')
    assert result.error.message == "internal error: ValueError: a bug"
    assert result.error.exit_code == 1
    with pytest.raises(ValueError):
        batch.Batch(_raises, partial(crashed, debug=True)).run('"a" --a 1')


def test_a_line_that_cannot_be_written_is_an_internal_error(monkeypatch, capsys):
    real = cli_batch.result_json_line

    def fails_on_line_2(result, number=None):
        if number == 2 and result.error is None:
            raise TypeError("cannot encode")
        return real(result, number)
    monkeypatch.setattr(cli_batch, "result_json_line", fails_on_line_2)
    monkeypatch.setattr(cli_batch, "json_pieces", lambda numbered: range(len(numbered)))   # line by line
    failed = cli_batch.write_results(new_batch(), [(1, '"a" --a 1'), (2, '"a" --a 2'), (3, '"a" --a 3')],
                                     _Quiet(), jsonl=True, progress=False)
    out = capsys.readouterr().out.splitlines()
    assert failed and len(out) == 3
    assert '"internal error: TypeError: cannot encode"' in out[1] and '"error": null' in out[2]


class _Quiet(Output):
    """Results on stdout; nothing on stderr (errors, warnings, the failure summary)."""

    def error(self, e, where=""):
        pass

    def warnings(self, warnings, where=""):
        pass

    def show(self, sections, *, stderr=False):
        if not stderr:
            super().show(sections)


def test_a_batch_gives_the_collector_back(monkeypatch):
    monkeypatch.setattr(batch, "COLLECT_EVERY", 3)
    monkeypatch.setattr(batch._Collector, "lines", 0)
    monkeypatch.setattr(batch._Collector, "periods", 0)
    monkeypatch.setattr(batch, "FULL_EVERY", 2)
    ran = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: ran.append(generation) or 0)
    stream = io.StringIO("".join(f'"a*{i}" --a 2\n' for i in range(7)) + '"a +" --a 1\n')
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert gc.isenabled()
    failed = cli_batch.write_results(new_batch(), cli_batch._numbered(stream), _Quiet(), jsonl=True,
                                     progress=False)
    assert failed
    assert gc.isenabled()
    assert ran == [1, 2, 0]     # the young and middle generations after line 3, all after 6; the young after the bad 8th


@pytest.mark.parametrize("lines, tuned", [(20, False), (4000, True)])
def test_a_long_batch_file_keeps_freed_memory_for_reuse(monkeypatch, tmp_path, capsys, lines, tuned):
    """A batch file of 64 KiB or more sets the allocator's bounds (before any worker forks);
    a short file or standard input leaves them."""
    calls = []
    monkeypatch.setattr(batch, "keep_freed_memory", lambda: calls.append(True) or True)
    from agcli.output import float_text
    monkeypatch.setattr(float_text, "CHUNK", float_text.CHUNK)
    path = tmp_path / "lines.txt"
    path.write_text("".join(f'"sum(a * {i})" --a "[1.5, 2.5, 3.5]"\n' for i in range(lines)))
    assert (path.stat().st_size >= cli_batch._LONG_FILE) == tuned
    assert cli_batch.run_batch(str(path), jsonl=True, jobs=1) == 0
    assert calls == ([True] if tuned else [])
    assert float_text.CHUNK == (float_text.CHUNK_KEPT if tuned else 2048)
    assert capsys.readouterr().out.count("\n") == lines


def test_keep_freed_memory_runs_on_any_platform():
    import platform
    kept = batch.keep_freed_memory()        # (glibc: mallopt; elsewhere: nothing, and no error)
    assert kept == (platform.libc_ver()[0] == "glibc")


def test_a_block_of_slow_lines_is_written_as_they_are_done(monkeypatch):
    """In one process a file's lines come in blocks (written at once), unless a block takes
    longer than WRITE_WITHIN: then what is done is handed on, so slow lines still stream."""
    from agcli.cli.arguments import split_words
    numbered = [(i, f'"sum(v * {i})" --v "[1, {i}]"') for i in range(1, 40)]

    def sizes():
        found = batch.Batch(parse_line, crashed, split=split_words).blocks(iter(numbered))
        return [[number for number, _ in block] for block in found]
    grouped = sizes()
    assert [len(b) for b in grouped] == [1, 2, 4, 8, 16, 8] and sum(grouped, []) == list(range(1, 40))
    monkeypatch.setattr(batch, "WRITE_WITHIN", -1.0)
    assert sizes() == [[i] for i in range(1, 40)]
