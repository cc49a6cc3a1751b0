"""`import matplotlib.pyplot as plt` in a program: pyplot's state machine, by name.

The functions a program may call are declared here (PYPLOT): figure, subplot,
plot, scatter, xlabel, ylabel, title, legend, grid, show, savefig and close;
`plt.subplot(...)` gives an Axes with the same methods (ax.plot, ax.set_title,
...). They record what the program draws in a Figure, host NumPy data and
keywords from a declared list with plain values, nothing else; drawing is not
done here. `plt.show()` hands each open figure to the sink the front end set
(`draw_with`; cli/plot.py: text drawn by uniplot on stdout) and closes them, as
pyplot does; `plt.savefig(path)` hands the current figure and the path to the
sink (matplotlib writes PNG or SVG), after checking the path: a .png or .svg
file inside the current directory (no absolute path, no `..`, no symbolic
link out of it), so that a pasted program writes only the file it names.
What each call checks, as matplotlib does, is program_pyplot_checks.py.

The state is the process's, as pyplot's is: `agcli run` is one program per
process, and the REPL keeps its figures from one line to the next.
"""
from __future__ import annotations

import os

from ..errors import AgcliError
from ..torchapi import ndarrays as N
from . import program_pyplot_checks as C
from .program_exceptions import raise_python

np = N.host

FIGSIZE, DPI = (6.4, 4.8), 100.0        # matplotlib's defaults
SAVE_FORMATS = ("png", "svg")


class Line:
    """One plotted series: host float arrays x and y, a plot's format, the keywords given."""

    __slots__ = ("x", "y", "kind", "options", "fmt", "line", "marker", "fmt_color")

    def __init__(self, x, y, kind, options, fmt=None):
        self.x, self.y, self.kind, self.options, self.fmt = x, y, kind, options, fmt
        self.fmt_color, self.marker, style = C.format_parts(fmt) if fmt else (None, None, None)
        marker = options.get("marker", self.marker)
        self.marker = marker
        linestyle = options.get("linestyle", options.get("ls", style))
        # A format with a marker and no line style draws markers only, as matplotlib does.
        self.line = kind == "plot" and linestyle not in ("", " ", "None", "none") and not (
            linestyle is None and fmt and self.marker is not None)

    @property
    def label(self):
        label = self.options.get("label")
        return None if label is None or str(label).startswith("_") else str(label)

    @property
    def color(self):
        return self.options.get("color", self.options.get("c", self.fmt_color))


class Axes:
    """One subplot: its lines, title, axis labels, legend and grid."""

    __slots__ = ("position", "lines", "title", "xlabel", "ylabel", "legend_given", "grid_given", "text_options")
    type_name = "Axes"
    program_methods = ("plot", "scatter", "set_title", "set_xlabel", "set_ylabel", "legend", "grid")

    def __init__(self, position):
        self.position = position        # (rows, columns, index), as subplot numbers it
        self.lines = []
        self.title = self.xlabel = self.ylabel = ""
        self.legend_given = None        # legend() was called: (its labels or None, keywords)
        self.grid_given = None          # grid() was called: (on, keywords)
        self.text_options = {}          # "title" / "xlabel" / "ylabel" -> keywords

    def plot(self, *args, **kwargs):
        _plot(self, args, kwargs)

    def scatter(self, x, y, s=None, c=None, **kwargs):
        _scatter(self, x, y, s, c, kwargs)

    def set_title(self, label, **kwargs):
        self._text("title", label, kwargs)

    def set_xlabel(self, xlabel, **kwargs):
        self._text("xlabel", xlabel, kwargs)

    def set_ylabel(self, ylabel, **kwargs):
        self._text("ylabel", ylabel, kwargs)

    def _text(self, field, text, kwargs):
        setattr(self, field, str(text))
        self.text_options[field] = C.keywords(f"plt.{field}", kwargs, C.TEXT_KEYWORDS)

    def legend(self, *args, **kwargs):
        labels = None
        if args:
            if len(args) != 1 or not isinstance(args[0], (list, tuple)):
                raise AgcliError("agcli's legend() takes a list of labels, or none (the lines' label=)",
                                 kind="type")
            labels = [str(a) for a in args[0]]
        self.legend_given = (labels, C.keywords("plt.legend", kwargs, C.LEGEND_KEYWORDS))

    def grid(self, visible=None, **kwargs):
        on = (self.grid_given is None or not self.grid_given[0]) if visible is None and not kwargs else \
            visible is not False        # grid() alone toggles, as matplotlib's does
        self.grid_given = (on, C.keywords("plt.grid", kwargs, C.GRID_KEYWORDS))

    def __repr__(self):
        shown = [f"{name}={value!r}" if name != "title" else f"title={{'center': {value!r}}}"
                 for name, value in (("title", self.title), ("xlabel", self.xlabel), ("ylabel", self.ylabel))
                 if value]
        return f"<Axes: {', '.join(shown)}>"


class Figure:
    """One figure: its size and its subplots, in the order they were made."""

    __slots__ = ("number", "figsize", "dpi", "axes", "current")
    type_name = "Figure"
    program_methods = ("savefig",)

    def __init__(self, number, figsize=FIGSIZE, dpi=DPI):
        self.number, self.figsize, self.dpi = number, figsize, dpi
        self.axes = {}          # position -> Axes
        self.current = None

    def gca(self) -> Axes:
        if self.current is None:
            self.current = self.axes[(1, 1, 1)] = Axes((1, 1, 1))
        return self.current

    def savefig(self, fname, **kwargs):
        _save(self, fname, kwargs)

    def __repr__(self):
        w, h = self.figsize
        return f"<Figure size {w * self.dpi:g}x{h * self.dpi:g} with {len(self.axes)} Axes>"


class _State:
    """pyplot's: the open figures by number, the current one, and where figures go."""

    def __init__(self):
        self.figures = {}
        self.current = None
        self.sink = None        # .show(figure) and .save(figure, path, format, keywords): the front end's

    def figure(self) -> Figure:
        if self.current is None:
            number = max(self.figures, default=0) + 1
            self.current = self.figures[number] = Figure(number)
        return self.current


STATE = _State()


def draw_with(sink):
    """Where plt.show() and plt.savefig() send figures (cli/plot.py's sink; None: nowhere)."""
    STATE.sink = sink


# ------------------------------------------------------------ the calls
def figure(num=None, figsize=None, dpi=None):
    if num is not None and num in STATE.figures:
        STATE.current = STATE.figures[num]
        return STATE.current
    number = num if isinstance(num, int) and not isinstance(num, bool) else max(STATE.figures, default=0) + 1
    size = FIGSIZE if figsize is None else C.pair(figsize)
    STATE.current = STATE.figures[number] = Figure(number, size, DPI if dpi is None else float(dpi))
    return STATE.current


def subplot(*args):
    """subplot(rows, columns, index) or subplot(RCI): that Axes of the current figure, made if new."""
    if len(args) == 1 and isinstance(args[0], int) and 111 <= args[0] <= 999:
        args = tuple(int(d) for d in str(args[0]))
    if len(args) != 3 or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        raise AgcliError("subplot() takes rows, columns, index (or one three-digit number)", kind="type")
    rows, columns, index = args
    if rows < 1 or columns < 1:
        raise_python(ValueError(f"Number of rows must be a positive integer, not {rows}" if rows < 1 else
                                f"Number of columns must be a positive integer, not {columns}"))
    if not 1 <= index <= rows * columns:
        raise_python(ValueError(f"num must be an integer with 1 <= num <= {rows * columns}, not {index}"))
    fig = STATE.figure()
    axes = fig.axes.get(args)
    if axes is None:
        axes = fig.axes[args] = Axes(args)
    fig.current = axes
    return axes


def _axes() -> Axes:
    return STATE.figure().gca()


def plot(*args, **kwargs):
    _plot(_axes(), args, kwargs)


def scatter(x, y, s=None, c=None, **kwargs):
    _scatter(_axes(), x, y, s, c, kwargs)


def xlabel(xlabel, **kwargs):
    _axes().set_xlabel(xlabel, **kwargs)


def ylabel(ylabel, **kwargs):
    _axes().set_ylabel(ylabel, **kwargs)


def title(label, **kwargs):
    _axes().set_title(label, **kwargs)


def legend(*args, **kwargs):
    _axes().legend(*args, **kwargs)


def grid(visible=None, **kwargs):
    _axes().grid(visible, **kwargs)


def show(block=None):
    """Every open figure to the sink, in order; then they are closed (pyplot's show, non-interactive)."""
    figures = [STATE.figures[n] for n in sorted(STATE.figures)]
    STATE.figures.clear()
    STATE.current = None
    if STATE.sink is not None:
        for fig in figures:
            STATE.sink.show(fig)


def savefig(fname, **kwargs):
    _save(STATE.figure(), fname, kwargs)


def close(fig=None):
    if fig in (None, "all") or fig is STATE.current:
        if fig == "all":
            STATE.figures.clear()
        elif STATE.current is not None:
            STATE.figures.pop(STATE.current.number, None)
        STATE.current = None
        return
    number = fig.number if isinstance(fig, Figure) else fig
    STATE.figures.pop(number, None)


PYPLOT = {fn.__name__: fn for fn in (figure, subplot, plot, scatter, xlabel, ylabel, title, legend, grid, show,
                                     savefig, close)}


# ------------------------------------------------------------ what the calls record
def _plot(axes, args, kwargs):
    options = C.keywords("plt.plot", kwargs, C.LINE_KEYWORDS)
    groups, rest = [], list(args)
    while rest:         # matplotlib's grouping: [x], y, [fmt], repeated
        this, rest = rest[:2], rest[2:]
        if rest and isinstance(rest[0], str):
            this.append(rest.pop(0))
        groups.append(this)
    for group in groups:
        fmt = group.pop() if len(group) > 1 and isinstance(group[-1], str) else None
        if fmt is not None:
            C.format_parts(fmt)      # (checked now, where matplotlib checks it)
        if len(group) == 1:
            y = C.values(group[0])
            x = np.arange(y.shape[0], dtype=float)
        else:
            x, y = C.values(group[0]), C.values(group[1])
        if x.shape[:1] != y.shape[:1]:
            raise_python(ValueError(f"x and y must have same first dimension, but have shapes {x.shape} "
                                    f"and {y.shape}"))
        if x.ndim > 2 or y.ndim > 2:
            raise_python(ValueError(f"x and y can be no greater than 2D, but have shapes {x.shape} and {y.shape}"))
        columns = [y] if y.ndim < 2 else [y[:, k] for k in range(y.shape[1])]
        for column in columns:
            axes.lines.append(Line(x if x.ndim < 2 else x[:, 0], column, "plot", dict(options), fmt))


def _scatter(axes, x, y, s, c, kwargs):
    options = C.keywords("plt.scatter", kwargs, C.SCATTER_KEYWORDS)
    x, y = C.values(x).ravel(), C.values(y).ravel()
    if x.size != y.size:
        raise_python(ValueError("x and y must be the same size"))
    if s is not None:
        options["s"] = C.plain_or_values("s", s)
    if c is not None:
        options["c"] = C.plain_or_values("c", c)
    axes.lines.append(Line(x, y, "scatter", options))


# ------------------------------------------------------------ saving
def _save(fig, fname, kwargs):
    options = C.keywords("plt.savefig", kwargs, C.SAVE_KEYWORDS)
    if not isinstance(fname, str):
        raise AgcliError("agcli's savefig() takes a file name (a string)", kind="type")
    suffix = os.path.splitext(fname)[1].lower().lstrip(".")
    fmt = options.pop("format", None) or suffix or "png"
    if fmt not in SAVE_FORMATS:
        raise AgcliError(f"agcli's savefig() writes PNG or SVG, not {fmt!r}", kind="value",
                         hint="name the file .png or .svg")
    path = fname if suffix else f"{fname}.{fmt}"
    C.inside_current_directory(path)
    if STATE.sink is None:
        raise AgcliError("plt.savefig() writes files only under `agcli run` and `agcli repl`", kind="value")
    STATE.sink.save(fig, path, fmt, options)

