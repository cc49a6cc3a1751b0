"""open() in programs: text files inside the current directory (the rule of os, torch.save and
plt.savefig: a pasted program reads and writes no other file), read, written and appended as
Python's own text files (a real one underneath: Python's buffering, newlines and errors), iterated
by lines, closed by `with`, written by print(..., file=f). Binary mode is refused by name: a
program's values hold no bytes. json.dump and json.load write and read these files.
"""
from __future__ import annotations

import io
import os

from ..errors import AgcliError
from .program_exceptions import ProgramException, raise_python
from .program_pyplot_checks import inside_current_directory
from .program_values import type_name

_MODE_LETTERS = frozenset("rwaxt+")


def file_path(path, doing, example="notes.txt") -> str:
    """A path a program gives (a str or a Path) as a str inside the current directory, else Python's
    TypeError or agcli's refusal."""
    if hasattr(type(path), "__fspath__") and type(path).__module__.startswith("agcli"):
        path = path.__fspath__()
    if isinstance(path, int) and not isinstance(path, bool):
        raise AgcliError("agcli's open() opens files by their path, not by a file descriptor", kind="type",
                         hint="give a relative path such as 'notes.txt'")
    if not isinstance(path, str):
        raise_python(TypeError(f"expected str, bytes or os.PathLike object, not {type_name(path)}"))
    inside_current_directory(path, doing, example)
    return path


def _file_errors(fn):
    """fn, with what Python's file raises (FileNotFoundError, a closed file's ValueError, ...) the program's."""
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (OSError, ValueError, TypeError, LookupError) as e:     # (LookupError: an unknown encoding)
            raise ProgramException(e) from None
    call.__name__ = fn.__name__
    return call


def open_file(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    """open(): a text file inside the current directory (Python's errors for a bad mode or a missing file)."""
    if type(mode) is not str:
        raise_python(TypeError(f"open() argument 'mode' must be str, not {type_name(mode)}"))
    if "b" in mode:
        raise AgcliError(f"agcli's open() reads and writes text files only, not binary mode {mode!r}", kind="value",
                         hint="open the file in text mode ('r', 'w' or 'a'); save tensors with torch.save")
    if opener is not None or closefd is not True:
        raise AgcliError("agcli's open() takes no opener= or closefd=", kind="type")
    if not set(mode) <= _MODE_LETTERS:
        raise_python(ValueError(f"invalid mode: '{mode}'"))
    doing = "open() reads files" if set(mode) <= set("rt") else "open() writes files"
    path = file_path(file, doing)
    return TextFile(_file_errors(open)(path, mode, buffering, encoding or "utf-8", errors, newline),
                    encoding or "UTF-8")


class TextFile:
    """A program's open text file: Python's own underneath, shown as Python shows it."""

    __slots__ = ("file", "shown_encoding")
    type_name = "TextIOWrapper"
    pytorch_module = "_io"
    native_iterator = True
    program_file = True
    program_methods = ("read", "readline", "readlines", "write", "writelines", "close", "flush", "seek", "tell",
                       "readable", "writable", "seekable")
    program_attributes = {"name": "name", "mode": "mode", "closed": "closed", "encoding": "encoding"}

    def __init__(self, file: io.TextIOWrapper, shown_encoding: str):
        self.file, self.shown_encoding = file, shown_encoding

    name = property(lambda self: self.file.name)
    mode = property(lambda self: self.file.mode)
    closed = property(lambda self: self.file.closed)
    encoding = property(lambda self: self.shown_encoding)

    def write(self, text):
        if type(text) is not str:
            raise_python(TypeError(f"write() argument must be str, not {type_name(text)}"))
        return _file_errors(self.file.write)(text)

    def writelines(self, lines):
        from .program_iteration import iterate
        for line in iterate(lines):
            self.write(line)

    def read(self, size=-1):
        return _file_errors(self.file.read)(size)

    def readline(self, size=-1):
        return _file_errors(self.file.readline)(size)

    def readlines(self, hint=-1):
        return _file_errors(self.file.readlines)(hint)

    def close(self):
        self.file.close()

    def flush(self):
        _file_errors(self.file.flush)()

    def seek(self, offset, whence=os.SEEK_SET):
        return _file_errors(self.file.seek)(offset, whence)

    def tell(self):
        return _file_errors(self.file.tell)()

    def readable(self):
        return _file_errors(self.file.readable)()

    def writable(self):
        return _file_errors(self.file.writable)()

    def seekable(self):
        return _file_errors(self.file.seekable)()

    def __iter__(self):
        _file_errors(self.file.__iter__)()
        return self

    def __next__(self):
        return _file_errors(self.file.__next__)()

    def __enter__(self):
        _file_errors(self.file.__enter__)()
        return self

    def __exit__(self, *exc):
        self.file.close()
        return False

    def __repr__(self):
        return f"<_io.TextIOWrapper name={self.file.name!r} mode={self.file.mode!r} encoding={self.shown_encoding!r}>"
