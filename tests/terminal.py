"""`agcli repl` on a pseudo-terminal, for the tests that type into it."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from installed import AGCLI, base_env

TIMEOUT = 60


class Terminal:
    """`agcli repl` on a pseudo-terminal: type lines, read what it shows."""

    def __init__(self, tmp_path: Path, *args: str):
        master, slave = pty.openpty()
        env = base_env(HOME=str(tmp_path), TERM="dumb", NO_COLOR="1")
        try:
            self.proc = subprocess.Popen([AGCLI, "repl", *args], cwd=tmp_path, env=env,
                                         stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        finally:
            os.close(slave)
        self.master = master
        self.seen = ""          # everything shown so far (\r\n as \n)
        self.mark = 0           # where the next expect() starts looking
        self.closed = False

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:         # EIO: the child closed the terminal
            data = b""
        if not data:
            self.closed = True
            return False
        self.seen += data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")
        return True

    def expect(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until `text` is shown after the mark; returns what was shown up to it."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.seen.find(text, self.mark)
            if found >= 0:
                shown = self.seen[self.mark:found + len(text)]
                self.mark = found + len(text)
                return shown
            if self.closed or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not shown; the terminal shows:\n{self.seen}")
            self._read(min(0.5, max(0.0, deadline - time.monotonic())))

    def type(self, line: str):
        os.write(self.master, line.encode() + b"\n")

    def send(self, raw: bytes):
        os.write(self.master, raw)

    def finish(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self._read(0.5)
            if self.proc.poll() is not None and not select.select([self.master], [], [], 0)[0]:
                break
        return self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        os.close(self.master)


@pytest.fixture
def repl(tmp_path):
    """`agcli repl` on a pseudo-terminal, at its first prompt (test_repl.py, test_shell_edges.py)."""
    t = Terminal(tmp_path)
    t.expect(">>> ")
    yield t
    t.close()
