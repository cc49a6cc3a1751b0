"""`agcli repl`: the program language, one chunk at a time, names kept between them.

The loop reads through `read_line(prompt)` and writes through callables the
CLI hands in, so it can be driven by a terminal or by a test.
"""
from __future__ import annotations

from .errors import AgcliError

BANNER = ("agcli {version}: PyTorch's autograd, interpreted (no torch needed).\n"
          "Blocks end with an empty line; Ctrl-D quits.")


def _needs_more(buffer: list[str]) -> bool:
    """Is the chunk unfinished? (an open block, or input that ends mid-expression)"""
    from .syntax import parse
    if buffer[0].rstrip().endswith(":") or (len(buffer) > 1 and buffer[-1].strip()):
        # A block ends with an empty line, as in Python's REPL.
        return bool(buffer[-1].strip())
    try:
        parse("\n".join(buffer))
    except AgcliError as e:
        return e.message == "unexpected end of input"
    return False


def run_repl(read_line, write, show_error, *, max_iterations: int, version: str) -> int:
    from .program import run_program, value_repr

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
