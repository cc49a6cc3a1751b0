"""Where everything a command shows goes: results on stdout, errors and
warnings on stderr, each error once; what a bug in agcli becomes; and how a
command ends when its reader leaves (`| head`) or the user presses Ctrl-C.

A terminal gets Rich's drawing; a pipe or a file gets plain text of the same
layout, and Rich is not imported (its import is a large part of a short
`agcli grad`). Colour follows --color (auto: a terminal's; always; never),
else NO_COLOR / FORCE_COLOR. Any stream encoding works: what it cannot encode
becomes "?", and rules fall back to ASCII. Nothing here imports the engine: a
command chooses the device before anything does (agcli/device.py).
"""
from __future__ import annotations

import errno
import gc
import os
import sys

from ..errors import EXIT_OK, AgcliError, internal_error

COLOR_MODES = ("auto", "always", "never")
EXIT_INTERRUPTED = 130      # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C

_color = None       # the command's --color, or None: the environment decides (color_mode)


def program_exit(e: AgcliError) -> int:
    """How exit(code) ends `agcli run` and the REPL, as Python ends: a text code on stderr, then the status."""
    if e.message:
        print(e.message, file=sys.stderr)
    return e.exit_code


def set_color(mode: str | None):
    """The command's --color (auto, always, never; None: NO_COLOR / FORCE_COLOR decide)."""
    global _color
    if mode is not None and mode not in COLOR_MODES:
        raise AgcliError(f"--color takes auto, always or never, got {mode!r}", kind="usage")
    _color = mode


def color_mode() -> str:
    """--color if given; else NO_COLOR (no-color.org, set and not empty) says never and
    FORCE_COLOR (set and not empty) always, NO_COLOR winning; else auto."""
    if _color is not None:
        return _color
    if os.environ.get("NO_COLOR", ""):
        return "never"
    if os.environ.get("FORCE_COLOR", ""):
        return "always"
    return "auto"


def prepare_streams():
    """Writing never fails on an encoding (cp1252, latin-1: Windows' redirected
    output): a character the stream cannot encode is written as "?". A stream
    the shell closed (`>&-`, `2>&-`; Python makes it None) is the null device,
    as Python's print() takes it: what goes there is dropped, the exit status still tells."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):  # not a text file of io's (embedded, or closed)
            pass


def reading_terminal(what: str):
    """`-` with a terminal for standard input: say what is awaited and how to end it, where
    otherwise the command would only wait (a pipe or a file says nothing)."""
    if sys.stdin.isatty():
        end = "Ctrl-Z then Enter" if os.name == "nt" else "Ctrl-D"
        sys.stderr.write(f"reading {what} from the terminal; end with {end}\n")
        sys.stderr.flush()


def _encoding(stream) -> str:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "".encode(encoding)
    except LookupError:
        return "ascii"
    return encoding


def unicode_rules(stream) -> bool:
    """Can `stream` show the box-drawing characters of rules and bars (else ASCII)?"""
    try:
        "─━".encode(_encoding(stream))
    except UnicodeEncodeError:
        return False
    return True


class Output:
    """stdout for results, stderr for errors and warnings; a batch's progress
    bar (on stderr, a terminal) is cleared before anything is written there."""

    def __init__(self):
        self._out = self._err = None
        self.bar = None         # cli/progress.py's ProgressBar while a batch draws one

    def _console(self, stream):
        from rich.console import Console
        mode = color_mode()
        terminal = stream.isatty()
        return Console(file=stream, highlight=False, no_color=mode == "never",
                       color_system=None if mode == "never" else "auto",
                       force_terminal=True if mode == "always" else None,
                       width=None if terminal else 10**4)   # a forced colour pipe has no width: never wrap

    @property
    def out(self):
        """Rich's console on stdout (a terminal, or --color always)."""
        if self._out is None:
            self._out = self._console(sys.stdout)
        return self._out

    @property
    def err(self):
        """Rich's console on stderr (a terminal, or --color always)."""
        if self._err is None:
            self._err = self._console(sys.stderr)
        return self._err

    def _clear_bar(self, stream) -> bool:
        """Clear the progress bar before writing on `stream` if they share the terminal."""
        if self.bar is None or not self.bar.shown or (stream is sys.stdout and not stream.isatty()):
            return False
        self.bar.clear()
        return True

    def show(self, sections, *, stderr: bool = False):
        """Write render.py's sections: drawn by Rich on a terminal, plain text otherwise."""
        from ..output import render
        stream = sys.stderr if stderr else sys.stdout
        cleared = self._clear_bar(stream)
        ascii_rules = not unicode_rules(stream)
        if ascii_rules:     # cp1252, latin-1 ...: what the encoding lacks, replaced before the layout
            sections = render.fitted(sections, _encoding(stream))
        if stream.isatty() or color_mode() == "always":
            console = self.err if stderr else self.out
            console.print(*render.to_rich(sections, ascii_rules=ascii_rules), sep="\n")
        else:
            stream.write(render.plain_text(sections, ascii_rules=ascii_rules) + "\n")
        if cleared:
            stream.flush()
            self.bar.draw()

    def error(self, error: AgcliError, where: str | None = None):
        from ..output.render import error_sections
        self.show(error_sections(error, where=where), stderr=True)

    def warnings(self, warnings, where: str = ""):
        from ..output.render import Line
        for w in warnings:
            self.show([Line((f"warning{where}: ", "yellow"), (w, None))], stderr=True)

    def show_warnings_and_error(self, result) -> int:
        """How a command on one expression ends: the result's warnings, then its error;
        the exit code."""
        self.warnings(result.warnings)
        if result.error is not None:
            self.error(result.error)
            return result.error.exit_code
        return EXIT_OK

    def write(self, text: str):
        """Text on stdout at once: a program's print() (its errors follow on
        stderr), a batch's JSON lines as each is done."""
        cleared = self._clear_bar(sys.stdout)
        sys.stdout.write(text)
        sys.stdout.flush()
        if cleared:
            self.bar.draw()


def started():
    """Start-up is over (what it imported lives on): the cyclic collector runs
    again, on what is made from now on only (main() turned it off)."""
    gc.freeze()
    gc.enable()


def crashed(expr: str, error: Exception, debug: bool = False):
    """A bug in agcli (any exception but AgcliError) while running `expr`, as
    its error result: shown like any error, exit 1, and a batch goes on.
    With --debug it is raised again instead, for its traceback. A closed
    stdout is no bug: it ends the command (finish)."""
    if debug or is_closed_pipe(error):
        raise error
    from ..evaluate.result import Result
    result = Result(expr)
    result.error = internal_error(error)
    return result


def is_closed_pipe(error: BaseException, windows: bool = os.name == "nt") -> bool:
    """Did a write fail because the reader has gone? (Windows may say EINVAL.)"""
    return isinstance(error, BrokenPipeError) or (
        windows and isinstance(error, OSError) and error.errno == errno.EINVAL)


def finish(command, *args, **kwargs) -> int:
    """Run a command; its exit code once stdout is flushed.

    A closed stdout (`agcli batch ... | head`: the reader has what it wanted)
    ends the process quietly with status 0, which a `set -o pipefail` script
    can live with (README, "Exit status"). Ctrl-C ends it with 130 after one
    word on stderr (the command's own `finally` has cleared a progress bar
    and stopped a batch's workers).
    """
    try:
        code = command(*args, **kwargs)
        sys.stdout.flush()
        # What the command made lives until the process ends, next: Python's exit would walk it
        # (30 ms of a short `agcli run`; more once Dask is imported), frozen it need not.
        gc.freeze()
        return code
    except KeyboardInterrupt:
        _quietly(lambda: sys.stdout.flush())
        # On a terminal the cursor is after the echoed ^C: the word goes on a line of its own.
        _quietly(lambda: sys.stderr.write(("\n" if sys.stderr.isatty() else "") + "interrupted\n"))
        _quietly(lambda: sys.stderr.flush())
        # At once: a batch's stopped workers may have left their pool's thread
        # waiting on a message cut short, and Python's exit would wait for it.
        os._exit(EXIT_INTERRUPTED)
    except Exception as e:
        if is_closed_pipe(e):
            reader_left()
        if "--debug" in sys.argv:
            raise
        error = internal_error(e)   # a bug that escaped its command: never a bare traceback
        try:
            Output().error(error)
        except Exception:           # (the bug may be in showing errors)
            _quietly(lambda: sys.stderr.write(f"error: {error.message}\n  hint: {error.hint}\n"))
        return error.exit_code


def reader_left():
    """Exit 0 at once and silently: stdout's reader has gone. What is still
    buffered for it is dropped (pointing stdout at the null device keeps the
    interpreter from complaining when it flushes at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    _quietly(lambda: sys.stderr.flush())
    os._exit(EXIT_OK)


def _quietly(action):
    try:
        action()
    except (OSError, ValueError):
        pass
