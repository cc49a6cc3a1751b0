"""A batch's progress bar: one line on stderr, drawn in place, only on a terminal.

It is not Rich's Live display: results go to stdout (often the same
terminal) and errors to stderr between redraws, and the bar must never be
glued to them nor left stale. Output (sink.py) clears it before writing
anything on the terminal and redraws it after; `close` (in a `finally`,
Ctrl-C included) leaves the line empty.
"""
from __future__ import annotations

import os
import sys
import time

_REDRAW_EVERY = 0.05    # seconds: a fast batch would spend its time drawing
_CLEAR = "\r\x1b[2K"    # carriage return, erase the line


class ProgressBar:
    """`batch ━━━━━━━━━━━───────────  120/500` on `stream`."""

    def __init__(self, total: int, stream=None, *, unicode: bool = True):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.shown = False
        self._drawn_at = 0.0
        self._full, self._empty = ("━", "─") if unicode else ("#", "-")

    def advance(self, count: int = 1):
        self.done += count
        if time.monotonic() - self._drawn_at >= _REDRAW_EVERY or self.done >= self.total:
            self.draw()

    def draw(self):
        count = f"  {self.done}/{self.total}"
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        columns = columns or 80     # a terminal that does not say its size (a fresh pseudo-terminal)
        width = max(0, min(40, columns - len("batch ") - len(count) - 1))    # never wraps
        full = width * self.done // self.total if self.total else width
        self._write(_CLEAR + "batch " + self._full * full + self._empty * (width - full) + count)
        self.shown = True
        self._drawn_at = time.monotonic()

    def clear(self):
        if self.shown:
            self._write(_CLEAR)
            self.shown = False

    close = clear

    def _write(self, text: str):
        self.stream.write(text)
        self.stream.flush()
