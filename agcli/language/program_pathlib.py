"""Python's `pathlib.Path` in programs: a path's arithmetic (/, name, stem, suffix, parent, with_suffix,
...) by Python's own PurePosixPath, and its questions and writes of the file system (exists, read_text,
write_text, mkdir, glob, open, ...) by Python's Path, for paths inside the current directory only (the
one check of open(), os and torch.save). Shown as Python 3.11 shows it: PosixPath('runs/exp1').
"""
from __future__ import annotations

import pathlib

from .program_exceptions import python_errors, raise_python
from .program_files import _file_errors, file_path, open_file
from .program_objects import Builtin
from .program_values import type_name

_PURE_ATTRIBUTES = ("name", "stem", "suffix", "suffixes", "parts", "anchor", "root", "drive")
_PATH_RESULTS = ("with_suffix", "with_name", "with_stem", "joinpath", "relative_to")


class PosixPath:
    """A program's path: Python's PurePosixPath inside, Python's Path for what touches the disk."""

    __slots__ = ("path",)
    type_name = "PosixPath"
    pytorch_module = "pathlib"
    native_operators = True     # (p / 'x', p == q, sorted(paths): Python's own operators)
    plain_path = True           # (os.path's functions take it, as Python's take an os.PathLike)
    program_str = True
    program_methods = ("with_suffix", "with_name", "with_stem", "joinpath", "relative_to", "as_posix", "is_absolute",
                       "match", "exists", "is_file", "is_dir", "read_text", "write_text", "mkdir", "iterdir", "glob",
                       "rglob", "unlink", "rmdir", "touch", "open", "resolve", "absolute", "is_relative_to",
                       "stat")
    program_attributes = {**{a: f"_{a}" for a in _PURE_ATTRIBUTES}, "parent": "parent", "parents": "parents"}

    def __init__(self, path):
        self.path = pathlib.PurePosixPath(path)

    def __fspath__(self):
        return str(self.path)

    def __str__(self):
        return str(self.path)

    def __repr__(self):
        return f"PosixPath({str(self.path)!r})"

    def __hash__(self):
        return hash(self.path)

    def __eq__(self, other):
        return self.path == other.path if type(other) is PosixPath else NotImplemented

    def __lt__(self, other):
        return self.path < other.path if type(other) is PosixPath else NotImplemented

    def __le__(self, other):
        return self.path <= other.path if type(other) is PosixPath else NotImplemented

    def __gt__(self, other):
        return self.path > other.path if type(other) is PosixPath else NotImplemented

    def __ge__(self, other):
        return self.path >= other.path if type(other) is PosixPath else NotImplemented

    def __truediv__(self, other):
        return PosixPath(self.path / _segment(other)) if isinstance(other, (str, PosixPath)) else NotImplemented

    def __rtruediv__(self, other):
        return PosixPath(other / self.path) if isinstance(other, str) else NotImplemented

    parent = property(lambda self: PosixPath(self.path.parent))
    parents = property(lambda self: _Parents(PosixPath(p) for p in self.path.parents))

    # what touches the disk: inside the current directory only
    def _real(self, doing) -> pathlib.Path:
        return pathlib.Path(file_path(str(self.path), f"Path.{doing}", "data.txt"))

    def exists(self):
        return self._real("exists() looks at files").exists()

    def is_file(self):
        return self._real("is_file() looks at files").is_file()

    def is_dir(self):
        return self._real("is_dir() looks at files").is_dir()

    def read_text(self, encoding=None, errors=None):
        return _file_errors(self._real("read_text() reads files").read_text)(encoding or "utf-8", errors)

    def write_text(self, data, encoding=None, errors=None, newline=None):
        if type(data) is not str:
            raise_python(TypeError(f"data must be str, not {type_name(data)}"))
        return _file_errors(self._real("write_text() writes files").write_text)(data, encoding or "utf-8", errors,
                                                                                newline)

    def stat(self):
        from .program_os import StatResult
        return StatResult(_file_errors(self._real("stat() looks at files").stat)())

    def mkdir(self, mode=0o777, parents=False, exist_ok=False):
        _file_errors(self._real("mkdir() makes folders").mkdir)(mode, parents, exist_ok)

    def touch(self, mode=0o666, exist_ok=True):
        _file_errors(self._real("touch() writes files").touch)(mode, exist_ok)

    def unlink(self, missing_ok=False):
        _file_errors(self._real("unlink() deletes files").unlink)(missing_ok)

    def rmdir(self):
        _file_errors(self._real("rmdir() deletes folders").rmdir)()

    def iterdir(self):
        return (PosixPath(p) for p in _file_errors(self._real("iterdir() reads folders").iterdir)())

    def glob(self, pattern):
        return self._matches("glob", pattern)

    def rglob(self, pattern):
        return self._matches("rglob", pattern)

    def _matches(self, how, pattern):
        if type(pattern) is not str:
            raise_python(TypeError(f"expected str, bytes or os.PathLike object, not {type_name(pattern)}"))
        if pattern.startswith("/"):
            raise_python(NotImplementedError("Non-relative patterns are unsupported"))
        file_path(str(self.path / pattern), f"Path.{how}() reads folders", "*.txt")     # (no '..' in it either)
        found = _file_errors(getattr(self._real(f"{how}() reads folders"), how))(pattern)
        return (PosixPath(p) for p in found)

    def open(self, mode="r", buffering=-1, encoding=None, errors=None, newline=None):
        return open_file(self, mode, buffering, encoding, errors, newline)

    def resolve(self, strict=False):
        return PosixPath(_file_errors(self._real("resolve() looks at files").resolve)(strict))

    def absolute(self):
        return PosixPath(pathlib.Path(str(self.path)).absolute())

    # Python's own pure methods
    def as_posix(self):
        return self.path.as_posix()

    def is_absolute(self):
        return self.path.is_absolute()

    def match(self, pattern):
        return python_errors(self.path.match)(pattern)

    def is_relative_to(self, *other):
        return python_errors(self.path.is_relative_to)(*map(_segment, other))


class _Parents(tuple):
    """p.parents: a sequence of paths, shown as Python shows it."""

    __slots__ = ()
    type_name = "_PathParents"

    def __repr__(self):
        return "<PosixPath.parents>"


def _segment(v):
    """A path segment as Python's pathlib takes it (str or Path), else its TypeError."""
    if isinstance(v, PosixPath):
        return v.path
    if type(v) is not str:
        raise_python(TypeError(f"expected str, bytes or os.PathLike object, not {type_name(v)}"))
    return v


def _pure_result(name):
    def call(self, *args):
        return PosixPath(python_errors(getattr(self.path, name))(*map(_segment, args) if name in (
            "joinpath", "relative_to") else args))
    call.__name__ = name
    return call


for _name in _PATH_RESULTS:
    setattr(PosixPath, _name, _pure_result(_name))
for _name in _PURE_ATTRIBUTES:
    setattr(PosixPath, f"_{_name}", property(lambda self, n=_name: getattr(self.path, n)))


def make_path(*segments):
    """Path(...) (or PosixPath(...)): Python's TypeError for a segment that is not a path."""
    return PosixPath(pathlib.PurePosixPath(*map(_segment, segments)))


def cwd():
    return PosixPath(pathlib.Path.cwd())


def _home():
    from ..errors import AgcliError
    raise AgcliError("agcli's programs read and write inside the current directory only, not the home folder",
                     kind="name", hint="'Path.home' is outside what agcli runs")


def entries(builtin_class) -> dict:
    methods = {"cwd": Builtin("cwd", cwd), "home": Builtin("home", _home)}
    return {"Path": builtin_class("Path", "pathlib", PosixPath, make_path, methods),
            "PosixPath": builtin_class("PosixPath", "pathlib", PosixPath, make_path, methods)}
