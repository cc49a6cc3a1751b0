"""Python's `os` and `os.path` in programs: the path arithmetic training scripts do on strings
(os.path.join(ckpt_dir, 'model.pth')), the questions they ask of the file system (exists, isdir,
listdir, getcwd), the environment (a copy: os.environ['X'] = '1' changes the program's, not
agcli's), and makedirs, mkdir and remove, which write inside the current directory only (the rule
of torch.save and plt.savefig: a pasted program writes no other file).
"""
from __future__ import annotations

import os
import posixpath

from .module_value import ModuleValue
from .program_objects import Builtin
from .program_plain import native_class, plain_function
from .program_pyplot_checks import inside_current_directory

# os.path's functions on strings alone, and its questions of the file system (they read nothing, and ask
# about files inside the current directory only, as torch.save writes them)
_PATH_FUNCTIONS = ("join", "basename", "dirname", "splitext", "split", "normpath", "abspath", "expanduser",
                   "isabs", "relpath", "commonprefix", "exists", "isfile", "isdir", "islink", "getsize",
                   "realpath", "normcase", "splitdrive", "expandvars")
_LOOKING = frozenset(("exists", "isfile", "isdir", "islink", "getsize"))


def _looking(fn):
    """os.path's question fn, asked of a path inside the current directory only."""
    def ask(path, *args, **kwargs):
        if isinstance(path, str):
            inside_current_directory(path, f"os.path.{fn.__name__}() looks at files", "model.pth")
        return fn(path, *args, **kwargs)
    ask.__name__ = fn.__name__
    return ask


# os.stat's result (Path.stat's too): Python's own, its sizes and times read
StatResult = native_class("os.stat_result", "os", (), ("st_size", "st_mtime", "st_atime", "st_ctime", "st_mode"))


def stat(path):
    inside_current_directory(path, "os.stat() looks at files", "model.pth")
    return StatResult(os.stat(path))


def makedirs(name, mode=0o777, exist_ok=False):
    inside_current_directory(name, "os.makedirs() makes folders", "checkpoints")
    os.makedirs(name, exist_ok=exist_ok)


def mkdir(path, mode=0o777):
    inside_current_directory(path, "os.mkdir() makes folders", "checkpoints")
    os.mkdir(path)


def remove(path):
    inside_current_directory(path, "os.remove() deletes files", "model.pth")
    os.remove(path)


def rmdir(path):
    inside_current_directory(path, "os.rmdir() deletes folders", "checkpoints")
    os.rmdir(path)


def listdir(path="."):
    inside_current_directory(path, "os.listdir() reads folders", "checkpoints")
    return os.listdir(path)


def fspath(path):
    if isinstance(path, str) or getattr(type(path), "plain_path", False):
        return os.fspath(path)
    raise TypeError(f"expected str, bytes or os.PathLike object, not {type(path).__name__}")


def getenv(key, default=None):
    return ENVIRON.get(key, default)


ENVIRON: dict = {}


def entries() -> dict:
    ENVIRON.clear()
    ENVIRON.update(os.environ)
    path = {name: plain_function("os.path", name, _looking(getattr(posixpath, name)) if name in _LOOKING else
                                 getattr(posixpath, name)) for name in _PATH_FUNCTIONS}
    path.update(sep="/", curdir=".", pardir="..", extsep=".", pathsep=":")
    os_path = ModuleValue("posixpath", path)
    os_path.spelling = "os.path"
    functions = {"makedirs": makedirs, "mkdir": mkdir, "remove": remove, "unlink": remove, "rmdir": rmdir,
                 "listdir": listdir, "getenv": getenv, "fspath": fspath,
                 "stat": stat}
    module = {name: plain_function("os", name, fn) for name, fn in functions.items()}
    module.update(getcwd=Builtin("getcwd", os.getcwd), cpu_count=Builtin("cpu_count", os.cpu_count),
                  getpid=Builtin("getpid", os.getpid), path=os_path, environ=ENVIRON, sep="/", linesep="\n",
                  name="posix", curdir=".", pardir="..", devnull="/dev/null")
    return {"os": ModuleValue("os", module), "os.path": os_path}
