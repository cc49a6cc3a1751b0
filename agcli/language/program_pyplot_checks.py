"""What a program's plt calls are checked against, as matplotlib checks them:
the keywords each call takes (declared by name, held to plain values), the
data (np.asarray of it; a tensor by Tensor.__array__, with PyTorch's checks),
plot()'s format strings ('r--', 'bo'), and savefig()'s path (inside the
current directory). program_pyplot.py records what passes.
"""
from __future__ import annotations

import os

from ..errors import AgcliError
from ..torchapi import ndarrays as N
from .program_exceptions import raise_python

np = N.host

# Keywords each call takes (their values: a number, a string, a bool, None, or a short tuple of numbers).
LINE_KEYWORDS = frozenset(("color", "c", "label", "linestyle", "ls", "linewidth", "lw", "marker", "markersize",
                           "ms", "alpha", "zorder", "markerfacecolor", "mfc", "markeredgecolor", "mec"))
SCATTER_KEYWORDS = frozenset(("color", "label", "marker", "alpha", "zorder", "linewidths", "edgecolors"))
TEXT_KEYWORDS = frozenset(("fontsize", "loc", "color", "fontweight"))
LEGEND_KEYWORDS = frozenset(("loc", "fontsize", "title", "frameon", "ncol", "ncols"))
GRID_KEYWORDS = frozenset(("which", "axis", "alpha", "linestyle", "ls", "color", "linewidth", "lw"))
SAVE_KEYWORDS = frozenset(("dpi", "format", "bbox_inches", "transparent", "facecolor"))
# plot()'s format string: matplotlib's markers, line styles and one-letter colours.
_MARKERS = frozenset(".,ov^<>12348spP*hHxXDd|_+")
_STYLES = ("--", "-.", "-", ":")
_COLOR_LETTERS = frozenset("bgrcmykw")


def values(v):
    """A series as matplotlib reads it: np.asarray of it (a tensor by Tensor.__array__: PyTorch's checks)."""
    if isinstance(v, (str, bytes)):
        raise AgcliError("agcli's plot() takes numbers, not strings, as data", kind="type")
    v = N.host_value(v)     # (in lists too)
    try:
        a = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise AgcliError(f"agcli's plt cannot plot {N.type_name(v)} values: it takes numbers (arrays, lists, "
                         "tensors)", kind="type") from None
    return a.reshape(1) if a.ndim == 0 else a


def plain_or_values(name, v):
    return v if isinstance(v, (str, int, float)) and not isinstance(v, bool) else values(v).ravel()


def keywords(where, kwargs, allowed):
    """The keywords, checked against the declared ones and held to plain values."""
    for name, value in kwargs.items():
        if name not in allowed:
            raise AgcliError(f"{where}() in agcli does not take {name}=", kind="type",
                             hint="it takes " + ", ".join(f"{k}=" for k in sorted(allowed)))
        if not _plain(value):
            raise AgcliError(f"{where}(): {name}= takes a number, a string or a tuple of numbers", kind="type")
    return {name: (tuple(value) if isinstance(value, list) else value) for name, value in kwargs.items()}


def _plain(value) -> bool:
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    return isinstance(value, (tuple, list)) and len(value) <= 4 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)


def pair(size):
    if not isinstance(size, (tuple, list)) or len(size) != 2 or not all(isinstance(v, (int, float)) for v in size):
        raise AgcliError("figsize= takes (width, height) in inches", kind="type")
    return (float(size[0]), float(size[1]))


def format_parts(fmt):
    """(colour, marker, line style) of a format string such as 'r--' or 'bo', or a colour ('red', 'C1',
    '#ff0000', as matplotlib reads one first); matplotlib's error otherwise."""
    parts, problem = _parsed(fmt)
    if problem is None:
        return parts
    if _colour_like(fmt):
        return fmt, None, None
    raise_python(ValueError(f"'{fmt}' is not a valid format string ({problem})"))


def _parsed(fmt):
    """((colour, marker, line style), None), or (None, what is wrong), as matplotlib's parser says it."""
    color = marker = style = None
    i = 0
    while i < len(fmt):
        two, c = fmt[i:i + 2], fmt[i]
        if two in _STYLES[:2] or c in "-:":
            if style is not None:
                return None, "two linestyle symbols"
            style = two if two in _STYLES[:2] else c
            i += len(style)
        elif c == "C" and i + 1 < len(fmt) and fmt[i + 1].isdigit() or c in _COLOR_LETTERS:
            if color is not None:
                return None, "two color symbols"
            color = fmt[i:i + 2] if c == "C" else c
            i += len(color)
        elif c in _MARKERS:
            if marker is not None:
                return None, "two marker symbols"
            marker, i = c, i + 1
        else:
            return None, f"unrecognized character '{c}'"
    return (color, marker, style), None


def _colour_like(fmt) -> bool:
    """Is the format a colour? matplotlib's answer where it is installed, else its usual spellings."""
    try:
        from matplotlib.colors import is_color_like
    except ImportError:
        return fmt.startswith(("#", "tab:", "xkcd:")) or fmt.replace(".", "", 1).isdigit() or (
            fmt.isalpha() and len(fmt) > 2)
    return bool(is_color_like(fmt))


def inside_current_directory(path, doing="savefig() writes", example="figure.png"):
    """Refuse a path that leaves the current directory (absolute, `..`, or a link pointing out):
    a pasted program reads and writes no other file."""
    path = os.fspath(path)      # (a program's pathlib.Path, as Python's functions take it)
    here = os.path.realpath(os.getcwd())
    target = os.path.realpath(os.path.join(here, path))
    if os.path.isabs(path) or ".." in path.replace("\\", "/").split("/") or \
            os.path.commonpath([here, target]) != here:
        raise AgcliError(f"{doing} inside the current directory only: {path!r} is outside it", kind="value",
                         hint=f"give a relative path such as '{example}' (and run the program in the folder "
                              "it belongs to)")
