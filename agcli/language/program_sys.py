"""`import sys` in a program: sys.stdout and sys.stderr (write, flush; print(..., file=sys.stderr) writes to
stderr, as scripts report progress or errors there), sys.exit, sys.maxsize and sys.argv (the program's
path alone). Paths and the interpreter's own state stay outside what agcli runs."""
from __future__ import annotations

import sys as _sys

from .program_exceptions import raise_python
from .program_objects import Builtin
from .program_runtime import ProgramExit, current
from .program_values import type_name


class Stream:
    """sys.stdout or sys.stderr: stdout is where the program's print() writes; stderr is the process's."""

    __slots__ = ("name",)
    type_name = "TextIOWrapper"
    pytorch_module = "_io"      # (type(sys.stdout): <class '_io.TextIOWrapper'>)
    program_methods = ("write", "flush")

    def __init__(self, name):
        self.name = name

    def write(self, text):
        if type(text) is not str:
            raise_python(TypeError(f"write() argument must be str, not {type_name(text)}"))
        if self.name == "stdout":
            current().write(text)
        else:
            _sys.stdout.flush()         # (what the program printed before shows first on a terminal)
            _sys.stderr.write(text)
            _sys.stderr.flush()
        return len(text)

    def flush(self):
        return None

    def __repr__(self):
        return f"<_io.TextIOWrapper name='<{self.name}>' mode='w' encoding='utf-8'>"


STDOUT, STDERR = Stream("stdout"), Stream("stderr")


def write_to(file, text: str):
    """print(..., file=file): sys.stdout, sys.stderr or a file the program opened (another value: Python's
    error for it)."""
    if type(file) is not Stream and not getattr(type(file), "program_file", False):
        raise_python(AttributeError(f"'{type_name(file)}' object has no attribute 'write'"))
    file.write(text)


def exit_program(code=None):
    """exit(), quit(), sys.exit()."""
    raise ProgramExit(code)


# sys.argv: the program's path alone (`agcli run` passes it no arguments); cli/run.py names it
ARGV = ["-c"]


def entries() -> dict:
    return {"argv": ARGV, "stdout": STDOUT, "stderr": STDERR, "exit": Builtin("exit", exit_program),
            "maxsize": _sys.maxsize}
