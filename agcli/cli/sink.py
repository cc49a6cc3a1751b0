"""Where everything a command shows goes: results on stdout, errors and
warnings on stderr, each error once; and what a bug in agcli becomes.

A terminal gets Rich's drawing (colour unless NO_COLOR is set); a pipe or a
file gets plain text of the same layout, and Rich is not imported (its
import is a large part of a short `agcli grad`). Nothing here imports the engine:
a command chooses the device before anything does (agcli/device.py).
"""
from __future__ import annotations

import os
import sys

from ..errors import AgcliError, internal_error


class Output:
    """stdout for results, stderr for errors and warnings."""

    def __init__(self):
        self._out = self._err = None

    @staticmethod
    def _console(stderr: bool):
        from rich.console import Console
        # NO_COLOR (no-color.org: set and not empty): not even bold or dim.
        plain = os.environ.get("NO_COLOR", "") != ""
        return Console(stderr=stderr, highlight=False, no_color=plain,
                       color_system=None if plain else "auto")

    @property
    def out(self):
        """Rich's console on stdout (for a terminal)."""
        if self._out is None:
            self._out = self._console(False)
        return self._out

    @property
    def err(self):
        """Rich's console on stderr (for a terminal; the batch progress bar draws on it)."""
        if self._err is None:
            self._err = self._console(True)
        return self._err

    def show(self, sections, *, stderr: bool = False):
        """Write render.py's sections: drawn by Rich on a terminal, plain text otherwise."""
        from ..output import render
        stream = sys.stderr if stderr else sys.stdout
        if stream.isatty():
            (self.err if stderr else self.out).print(*render.to_rich(sections), sep="\n")
        else:
            stream.write(render.plain_text(sections) + "\n")

    def error(self, error: AgcliError, where: str | None = None):
        from ..output.render import error_sections
        self.show(error_sections(error, where=where), stderr=True)

    def warnings(self, warnings, where: str = ""):
        from ..output.render import Line
        for w in warnings:
            self.show([Line((f"warning{where}: ", "yellow"), (w, None))], stderr=True)

    @staticmethod
    def write(text: str):
        """A program's print(): on stdout at once (a program's errors follow it on stderr)."""
        sys.stdout.write(text)
        sys.stdout.flush()


def crashed(expr: str, error: Exception, debug: bool = False):
    """A bug in agcli (any exception but AgcliError) while running `expr`, as
    its error result: shown like any error, exit 1, and a batch goes on.
    With --debug it is raised again instead, for its traceback."""
    if debug:
        raise error
    from ..evaluate.result import Result
    result = Result(expr)
    result.error = internal_error(error)
    return result
