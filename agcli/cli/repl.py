"""`agcli repl`: the program language, one chunk at a time, names kept between them.

The loop (run_repl) reads through `read_line(prompt)` and writes through
callables handed in, so it can be driven by a terminal or by a test.
"""
from __future__ import annotations

import re
import sys

from ..errors import AgcliError, as_uncaught
from .sink import Output, program_exit

BANNER = ("agcli {version}: PyTorch's autograd, interpreted (no torch needed).\n"
          "Blocks end with an empty line; Tab completes names; help for help; exit() or Ctrl-D quits.")
HELP = """Type Python with PyTorch's autograd, as in a script run by `agcli run`:
    x = torch.tensor([1., 2.], requires_grad=True)
    y = (x ** 2).sum(); y.backward(); x.grad
A line's value is shown (as Python's REPL shows it), and kept in _; print() prints.
A line ending in ':' opens a block, which an empty line ends.
Names stay defined until you quit. Tab completes names and, after a dot, methods.
Up-arrow recalls a whole block. exit(), quit() or Ctrl-D quits; Ctrl-C drops the line.
What agcli provides, and where it differs from PyTorch: agcli --help, and the README."""
_EXIT = {"exit()", "quit()"}
_EXIT_NAMES = {"exit", "quit"}      # (named, not called: Python's REPL says how to leave)
_HELP = {"help", "help()"}


def _needs_more(buffer: list[str]) -> bool:
    """Is the chunk unfinished? As in Python's REPL: a compound statement (a line ending in ':',
    comments aside; a decorator; `if x: y` on one line, which an `else:` may follow) runs to an
    empty line (a line of spaces, as an editor leaves inside a pasted function, does not end it);
    otherwise open brackets, a triple-quoted string and a trailing backslash continue it."""
    depth, open_text = _scan("\n".join(buffer))
    if open_text:
        return True
    header = _code(buffer[0]).strip()
    if header.endswith(":") or header.startswith("@") or (_COMPOUND.match(header) and ":" in header):
        return buffer[-1] != ""
    return depth > 0


_COMPOUND = re.compile(r"(?:if|for|while|def|class|with|try|async)\b")


def _code(line: str) -> str:
    """The line without its # comment (a # inside a string stays)."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == "#":
            return line[:i]
    return line


def _scan(text: str) -> tuple[int, bool]:
    """(brackets left open, whether a string or a line is left open: a triple-quoted string not
    closed, or a backslash at the end), strings and comments aside."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            if i < 0:
                break
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if text[i] == "\\":
                    i += 1
                elif text[i] == "\n" and len(quote) == 1:
                    break       # (a one-quote string left open: its syntax error, when the chunk runs)
                i += 1
            if i >= n:
                return depth, len(quote) == 3 or text.endswith("\\")
            i += len(quote) if text[i] != "\n" else 0
            continue
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "\\" and i == n - 1:
            return depth, True
        i += 1
    return depth, False


def run_repl(read_line, write, show_error, *, max_iterations: int, version: str, env=None,
             remember=lambda lines: None, announce=None) -> int:
    """The loop: env holds the session's names; remember(lines) is told each chunk run; announce
    writes the banner and the last line break (Python's REPL: to stderr when its input is a pipe)."""
    from ..language.program import run_program, value_repr

    announce = announce or write
    announce(BANNER.format(version=version) + "\n")
    env = {} if env is None else env

    last = []       # the value `_` was last given (Python's REPL: builtins._)

    def show(value):
        write(value_repr(value) + "\n")
        # `_` is the last value shown, unless the session assigned `_` itself (its own name wins)
        if "_" not in env or (last and env["_"] is last[0]):
            env["_"] = value
            last[:] = [value]

    while True:
        buffer = []
        try:
            line = read_line(">>> ")
            if not line.strip():
                continue
            if line.strip() in _EXIT:
                return 0
            if line.strip() in _EXIT_NAMES:
                write("Use exit() or Ctrl-D (i.e. EOF) to exit\n")
                continue
            if line.strip() in _HELP:
                write(HELP + "\n")
                continue
            buffer.extend(line.split("\n"))    # a block recalled from the history comes whole
            while _needs_more(buffer):
                buffer.append(read_line("... "))
        except EOFError:
            announce("\n")
            if not buffer:
                return 0
            # Ctrl-D in a block ends the block, which runs, and the session goes on, as in Python's
            # REPL (a pipe's next read ends it): a chunk the input ended in runs, or shows its error
            exited = _run_chunk(run_program, buffer, write, show_error, max_iterations, env, show, remember)
            if exited is not None:
                return exited
            continue
        except KeyboardInterrupt:
            write("\nKeyboardInterrupt\n")
            continue
        exited = _run_chunk(run_program, buffer, write, show_error, max_iterations, env, show, remember)
        if exited is not None:
            return exited


def _run_chunk(run_program, buffer, write, show_error, max_iterations, env, show, remember):
    """Run one chunk; the exit status if it called exit() (the session ends, as Python's REPL does)."""
    source = "\n".join(buffer).rstrip() + "\n"
    remember(buffer)
    try:
        run_program(source, write, max_iterations=max_iterations, env=env, show=show, places=False)
    except AgcliError as e:
        if e.kind == "exit":
            return program_exit(e)
        show_error(as_uncaught(e))
    except KeyboardInterrupt:
        write("\nKeyboardInterrupt\n")


def _to_stderr(text):
    sys.stderr.write(text)
    sys.stderr.flush()


def _piped_line(prompt):
    """A line of piped input, its prompt on stderr (as Python's REPL), so that stdout holds the results only.
    UTF-8 whatever the locale says, as `agcli run -` reads (a byte that is not is kept, for the
    program's check to point at); a BOM is skipped; a closed standard input (`<&-`) is its end."""
    _to_stderr(prompt)
    line = sys.stdin.buffer.readline() if sys.stdin is not None else b""
    if not line:
        raise EOFError
    return line.decode("utf-8", "surrogateescape").removeprefix("\ufeff").rstrip("\r\n")


def _typed_line(prompt):
    """A line typed on the terminal. Bytes the locale's encoding cannot read (PYTHONIOENCODING=ascii, LC_ALL=C
    without UTF-8 mode) arrive kept (surrogateescape) and are read as UTF-8, as a pipe's are; never a crash."""
    line = input(prompt)
    if re.search("[\udc80-\udcff]", line):
        try:
            return line.encode(sys.stdin.encoding, "surrogateescape").decode("utf-8")
        except (UnicodeError, LookupError):
            pass        # (not UTF-8 either: the program's check points at the byte)
    return line


def start_repl(*, device=None, seed=None, dtype="float32", max_iterations=10**6, max_elements=10**8,
               version: str = "") -> int:
    """`agcli repl` on the terminal (line editing and history when readline exists): the exit code."""
    from .run import program_setup
    output = Output()
    try:
        program_setup(output, device, dtype, seed, max_elements)
    except AgcliError as e:
        output.error(e)
        return e.exit_code
    from ..language.warning_places import once_per_place
    from ..state import state
    state.warn = once_per_place(state.warn, None, "<stdin>")     # (as Python's REPL shows them)
    from ..language.forward_stacks import stack_of_program
    state.forward_stack = stack_of_program("<stdin>", None)       # (anomaly mode's traceback of each node)
    state.watch_nodes = state.watched()
    from .repl_readline import Readline
    env: dict = {}
    interactive = sys.stdin is not None and sys.stdin.isatty()
    history = Readline.start(env) if interactive else None
    if interactive:
        try:
            sys.stdin.reconfigure(errors="surrogateescape")
        except (AttributeError, ValueError, OSError):     # (not io's text file)
            pass
    try:
        return run_repl(_typed_line if interactive else _piped_line, output.write,
                        lambda e: output.error(e, where="input"),
                        max_iterations=max_iterations, version=version, env=env,
                        remember=history.remember if history else (lambda lines: None),
                        announce=None if interactive else _to_stderr)
    finally:
        if history:
            history.save()
