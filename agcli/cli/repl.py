"""`agcli repl`: the program language, one chunk at a time, names kept between them.

The loop (run_repl) reads through `read_line(prompt)` and writes through
callables handed in, so it can be driven by a terminal or by a test.
"""
from __future__ import annotations

import os

from ..errors import AgcliError
from .sink import Output

BANNER = ("agcli {version}: PyTorch's autograd, interpreted (no torch needed).\n"
          "Blocks end with an empty line; Ctrl-D quits.")


def _needs_more(buffer: list[str]) -> bool:
    """Is the chunk unfinished? A block (a line ending in ':') runs to an empty
    line, as in Python's REPL; otherwise only open brackets continue it."""
    if buffer[0].rstrip().endswith(":"):
        return bool(buffer[-1].strip())
    return _open_brackets("\n".join(buffer)) > 0


def _open_brackets(text: str) -> int:
    depth, quote = 0, None
    for c in text:
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == "#":
            break
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
    return depth


def run_repl(read_line, write, show_error, *, max_iterations: int, version: str) -> int:
    from ..language.program import run_program, value_repr

    write(BANNER.format(version=version) + "\n")
    env: dict = {}

    def show(value):
        write(value_repr(value) + "\n")

    while True:
        buffer = []
        try:
            line = read_line(">>> ")
            if not line.strip():
                continue
            buffer.append(line)
            while _needs_more(buffer):
                buffer.append(read_line("... "))
        except EOFError:
            write("\n")
            return 0
        except KeyboardInterrupt:
            write("\nKeyboardInterrupt\n")
            continue
        source = "\n".join(buffer).rstrip() + "\n"
        try:
            run_program(source, write, max_iterations=max_iterations, env=env, show=show)
        except AgcliError as e:
            show_error(e)
        except KeyboardInterrupt:
            write("\nKeyboardInterrupt\n")


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
    history = _enable_history()
    try:
        return run_repl(input, output.write, lambda e: output.error(e, where="input"),
                        max_iterations=max_iterations, version=version)
    finally:
        if history:
            history()


def _enable_history():
    """Line editing and history when readline exists; returns a function that saves it."""
    try:
        import readline
    except ImportError:
        return None
    path = os.path.join(os.path.expanduser("~"), ".agcli_history")
    try:
        readline.read_history_file(path)
    except OSError:
        pass

    def save():
        try:
            readline.write_history_file(path)
        except OSError:
            pass
    return save
