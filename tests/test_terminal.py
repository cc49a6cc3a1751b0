"""agcli on a terminal (a pseudo-terminal): the batch progress bar, Ctrl-C,
colour, and a terminal whose encoding lacks box-drawing characters.

What a person sees is computed from the bytes: `screen` replays carriage
returns and line erasures as a terminal does, so a bar glued to a result, or
left behind after an error or Ctrl-C, shows up as text on a line.
"""
from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import time

import pytest

from installed import AGCLI, base_env

TIMEOUT = 120
BAR = re.compile(r"batch [━─#\-]* *\d+/\d+")
ANSI = "\x1b["


def in_terminal(tmp_path, *args, env=None, stderr_pipe=False, interrupt_when=None, encoding="utf-8"):
    """Run agcli with stdout (and stderr, unless stderr_pipe) on a pseudo-terminal;
    (exit code, what the terminal received, stderr if piped). interrupt_when(text):
    once true, send SIGINT to the process group, as Ctrl-C in a terminal does."""
    master, slave = pty.openpty()
    try:
        # (Ctrl-C as a terminal's shell leaves it, even when the tests run as a background job,
        # which a shell starts with SIGINT ignored: a child would inherit that)
        proc = subprocess.Popen([AGCLI, *map(str, args)], cwd=tmp_path,
                                env=env or base_env(TERM="xterm-256color"), stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=subprocess.PIPE if stderr_pipe else slave,
                                start_new_session=True, preexec_fn=_default_interrupt)
    finally:
        os.close(slave)
    chunks, interrupted, deadline = [], False, time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:     # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            if interrupt_when and not interrupted and interrupt_when(b"".join(chunks).decode(encoding, "replace")):
                os.killpg(proc.pid, signal.SIGINT)
                interrupted = True
        else:
            raise AssertionError("agcli did not finish")
    finally:
        os.close(master)
        if proc.poll() is None and time.monotonic() >= deadline:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read().decode() if stderr_pipe else None
    return proc.wait(timeout=TIMEOUT), b"".join(chunks).decode(encoding), err


def _default_interrupt():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def screen(raw: str) -> list[str]:
    """The lines a terminal shows after `raw`: \\r goes to column 0, ESC[2K erases
    the line, \\n ends it; colour codes are dropped. The last item is the line
    the cursor is on (where the shell's prompt goes)."""
    raw = re.sub(r"\x1b\[[0-9;]*m", "", raw)
    lines, line, column, i = [], [], 0, 0
    while i < len(raw):
        if raw.startswith("\x1b[2K", i):
            line, i = [" "] * column, i + 4
            continue
        assert raw[i] != "\x1b", f"an escape sequence the test does not know: {raw[i:i + 8]!r}"
        c = raw[i]
        if c == "\r":
            column = 0
        elif c == "\n":
            lines.append("".join(line).rstrip())
            line, column = [], 0
        else:
            line[column:column + 1] = [c]
            column += 1
        i += 1
    return lines + ["".join(line).rstrip()]


def batch_lines(count, *, bad_every=0):
    lines = []
    for i in range(count):
        if bad_every and i % bad_every == 3:
            lines.append(f'"a * * {i}" --a 1')           # a syntax error: error text on stderr
        elif bad_every and i % bad_every == 5:
            lines.append('"a + 1" --a 1 --seed x')      # a usage error: no place in the text
        else:
            lines.append(f'"(x * {i}).sum()" --x "[1., 2.]"')
    return lines


# ---------------------------------------------------------------- the progress bar
@pytest.mark.parametrize("count, options", [
    (40, ("--format", "jsonl", "--jobs", "1")),
    (40, ()),                                    # rich blocks, errors between them
    (260, ("--format", "jsonl", "--jobs", "2")),  # worker processes, chunks at a time
])
def test_progress_bar_is_cleared_before_every_result_and_error(tmp_path, count, options):
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(batch_lines(count, bad_every=10)) + "\n")
    code, raw, _ = in_terminal(tmp_path, "batch", path, *options)
    assert code == 1
    assert BAR.search(raw), "the bar was never drawn"
    shown = screen(raw)
    assert shown[-1] == "", "something is left on the prompt's line"
    assert not [line for line in shown if BAR.search(line)], "\n".join(shown)
    assert "Traceback" not in raw
    failed = [i + 1 for i in range(count) if i % 10 in (3, 5)]
    if "jsonl" in options:
        results = [json.loads(line) for line in shown if line.startswith("{")]
        assert [r["line"] for r in results] == list(range(1, count + 1))
        assert [r["line"] for r in results if r["error"]] == failed
    else:
        headers = [line for line in shown if line.startswith("── line")]
        assert headers == [f"── line {n} ──" for n in range(1, count + 1)]
        assert sum(line.startswith("error") for line in shown) == len(failed)
        assert shown.count("  --> batch line 6") == 1     # a usage error keeps its line number
    assert shown[-2].startswith(f"batch: {len(failed)} of {count} lines failed (lines 4, 6, 14, ")


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(batch_lines(40)) + "\n")
    code, raw, err = in_terminal(tmp_path, "batch", path, "--format", "jsonl", "--progress", stderr_pipe=True)
    assert code == 0
    assert err == ""
    assert len([line for line in screen(raw) if line.startswith("{")]) == 40


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_leaves_no_progress_bar_behind(tmp_path, jobs):
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(batch_lines(30000)) + "\n")

    def running(text):      # the bar is up and results are coming
        return BAR.search(text) is not None and text.count('{"expr"') >= 300
    code, raw, _ = in_terminal(tmp_path, "batch", path, "--format", "jsonl", "--jobs", jobs,
                               interrupt_when=running)
    assert code == 130
    shown = screen(raw)
    assert shown[-2:] == ["interrupted", ""], shown[-3:]
    assert not [line for line in shown if BAR.search(line)]
    for bad in ("Traceback", "KeyboardInterrupt", "Aborted", "Process"):
        assert bad not in raw       # nor a word from the worker processes
    assert len([line for line in shown if line.startswith('{"expr"')]) < 30000


# ---------------------------------------------------------------- colour and encodings
SEED = ("grad", "a*b + c*d**2/e", "--a", "2", "--b", "4", "--c", "6", "--d", "8", "--e", "10")


@pytest.mark.parametrize("env, args, coloured", [
    ({}, (), True),
    ({}, ("--color", "never"), False),
    ({"NO_COLOR": "1"}, (), False),
    ({"NO_COLOR": "1"}, ("--color", "always"), True),     # the option wins
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, (), False),   # NO_COLOR wins over FORCE_COLOR
])
def test_colour_on_a_terminal(tmp_path, env, args, coloured):
    code, raw, _ = in_terminal(tmp_path, *SEED, *args, env=base_env(TERM="xterm-256color", **env))
    assert code == 0
    assert (ANSI in raw) is coloured
    assert "tensor(46.4000, grad_fn=<AddBackward0>)" in raw


def test_a_terminal_without_box_drawing_characters_gets_ascii_rules(tmp_path):
    env = base_env(TERM="xterm-256color", PYTHONIOENCODING="cp1252", NO_COLOR="1")
    code, raw, _ = in_terminal(tmp_path, "grad", "é*b + 中", "--é", "2", "--b", "3", "--中", "1",
                               env=env, encoding="cp1252")
    assert code == 0
    shown = screen(raw)
    assert "é*b + ?" in shown                           # what cp1252 lacks becomes ?
    rules = [line for line in shown if set(line) == {"-"}]
    assert len(rules) == 2 and all(len(rule) > 10 for rule in rules)    # under the two tables' headers
    assert "é      ()      3." in shown and "?      ()      1." in shown     # aligned: ? is one column
