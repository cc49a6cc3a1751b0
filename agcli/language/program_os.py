"""`import os` in a program: os.path's names for the files a program saves with torch.save (join, exists,
basename, ...) and os.sep, as checkpoint code and the tutorials' first lines use them. Like torch.save's,
the names that look at files look inside the current directory only; nothing writes, removes or lists
files: what else os has is refused by name (suggestions.missing_from_module)."""
from __future__ import annotations

import os as _os

from .module_value import ModuleValue
from .program_exceptions import ProgramException, python_errors
from .program_objects import Builtin
from .program_pyplot_checks import inside_current_directory

_NAMES = ("join", "basename", "dirname", "splitext")            # (text only)
_LOOKING = ("exists", "isfile", "isdir", "getsize")             # (they look at a file)


def _os_errors(fn, looks):
    """fn, its OSError (a missing file's FileNotFoundError) raised as the program's, in Python's words;
    looks: a path outside the current directory is refused first."""
    checked = python_errors(fn)

    def call(path, *args, **kwargs):
        if looks and isinstance(path, str):
            inside_current_directory(path, f"os.path.{fn.__name__}() looks at files", "model.pth")
        try:
            return checked(path, *args, **kwargs)
        except OSError as e:
            raise ProgramException(e) from None
    return call


def modules() -> dict:
    """{"os": ..., "os.path": ...}, the modules `import os` and `import os.path` give."""
    path = ModuleValue("os.path", {name: Builtin(name, _os_errors(getattr(_os.path, name), name in _LOOKING))
                                   for name in _NAMES + _LOOKING})
    return {"os": ModuleValue("os", {"path": path, "sep": _os.sep}), "os.path": path}
