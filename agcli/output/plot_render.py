"""Figures as people see them and `agcli plot`'s JSON.

A figure is language/program_pyplot.py's Figure (what a program's plt calls
recorded, or `agcli plot`'s f and f', built by `plot_figure`). It is drawn:
- as text by the `uniplot` package (`figure_text`): with colour, the lines in
  their colours in Unicode's Braille dots; without, plain ASCII (a marker
  character per line, `+-|` for the frame), as a pipe gets it;
- as PNG or SVG by matplotlib (`save_figure`), on its object-oriented API (no
  pyplot, no window). An SVG is the same bytes every time: no date
  (metadata Date=None) and ids from a fixed `svg.hashsalt`.
Both packages are the optional extra `plot` (pip install 'agcli[plot]'),
imported here only when a figure is drawn; without one, the error is one line
that says how to install it (MISSING).
"""
from __future__ import annotations

import re

import numpy

from ..errors import AgcliError
from ..language.program_pyplot import Axes, Figure, Line
from .render import encode_json, jsonable

MISSING = "{what} needs the {package} package, which is not installed: pip install 'agcli[plot]'"
SVG_SALT = "agcli"          # matplotlib's svg.hashsalt: the same ids in every SVG of the same figure

# matplotlib's default colour cycle (tab10) and one-letter colours, as the terminal shows them.
_CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf")
_TAB = dict(zip(("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
                 "tab:gray", "tab:olive", "tab:cyan"), _CYCLE))
_LETTERS = {"b": "blue", "g": "green", "r": "red", "c": "cyan", "m": "magenta", "y": "yellow", "k": "black",
            "w": "white"}
_TERMINAL = ("blue", "magenta", "green", "yellow", "cyan", "red", "black", "white")
_MARKERS = ["*", "o", "+", "x", "#", "@", "%", "&"]      # each line's character in plain text
_ASCII_FRAME = str.maketrans("┌┐└┘─│", "++++-|")
_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")

_METHODS = {"backward": "one backward with a ones output gradient (f is elementwise in {axis})",
            "jacobian_diagonal": "the diagonal of the Jacobian d f_i / d {axis}_j (f is not elementwise in {axis})",
            "jacobian_column": "the Jacobian's column d f_i / d {name}"}


# ---------------------------------------------------------------- agcli plot
def plot_figure(result) -> Figure:
    """agcli plot's figure: f and each derivative over the range, titled with the expression."""
    fig = Figure(1)
    axes = fig.gca()
    axes.lines.append(Line(result.x, result.value, "plot", {"label": "f"}))
    for name, df in result.df.items():
        axes.lines.append(Line(result.x, df, "plot", {"label": f"df/d{name}"}))
    axes.title, axes.xlabel = f"f = {result.expr}", result.variable
    axes.legend_given = (None, {})
    axes.grid_given = (True, {"alpha": 0.3})
    return fig


def plot_captions(result) -> list[str]:
    """What the chart does not say: how each derivative was computed."""
    return [f"df/d{name}: " + _METHODS[how].format(axis=result.variable, name=name)
            for name, how in result.method.items()]


def plot_json(result) -> str:
    """`agcli plot --format json`: x, f, df (a list; {NAME: list} when --wrt names several), and the usual fields."""
    failed = result.error is not None
    df = {name: jsonable(v) for name, v in result.df.items()}
    return encode_json({
        "expr": result.expr,
        "variable": result.variable,
        "wrt": list(result.df) if not failed else None,
        "x": None if failed else jsonable(result.x),
        "f": None if failed else jsonable(result.value),
        "df": None if failed else (next(iter(df.values())) if len(df) == 1 else df),
        "method": None if failed else result.method,
        "shape": None if failed or result.value is None else list(result.value.shape),
        "dtype": None if failed else result.dtype,
        "warnings": result.warnings,
        "error": None if result.error is None else result.error.to_json(),
    })


# ---------------------------------------------------------------- text
def figure_text(figure: Figure, *, colour: bool, unicode: bool = True, width: int = 60, height: int = 17) -> str:
    """The figure as text: one chart per subplot, each with its axes' numbers and a legend."""
    try:
        from uniplot import plot_to_string
    except ImportError:
        raise AgcliError(MISSING.format(what="drawing a plot in text", package="uniplot"), kind="usage") from None
    parts = []
    for axes in figure.axes.values():
        if len(figure.axes) > 1:
            parts.append("subplot {}, {}, {}".format(*axes.position))
        parts.append(_axes_text(plot_to_string, axes, colour, unicode, width, height))
    return "\n".join(parts)


def _axes_text(plot_to_string, axes: Axes, colour, unicode, width, height) -> str:
    lines, labels, skipped, partly = [], [], [], []
    for line, label in zip(axes.lines, _labels(axes.lines)):
        finite = numpy.isfinite(line.x) & numpy.isfinite(line.y)     # (inf and nan are not drawn)
        if finite.any():
            lines.append(Line(line.x[finite], line.y[finite], line.kind, line.options, line.fmt))
            labels.append(label)
            if not finite.all():
                count = int((~finite).sum())
                partly.append(f"{label} ({count} point{'s' if count > 1 else ''})")
        else:
            skipped.append(label)
    note = "\n".join(part for part in (
        f"not drawn, no finite value: {', '.join(skipped)}" if skipped else "",
        f"left out where not finite (inf or nan; a line joins across the gap): {', '.join(partly)}" if partly
        else "") if part)
    if not lines:
        return (axes.title + "\n" if axes.title else "") + (note or "(nothing plotted)")
    options = dict(xs=[line.x for line in lines], ys=[line.y for line in lines], lines=[line.line for line in lines],
                   width=width, height=height,
                   legend_labels=labels if len(lines) > 1 or any(line.label for line in lines) else None)
    if axes.title:
        options["title"] = axes.title
    if colour:
        options["color"] = _colours(lines)
        options["character_set"] = "braille" if unicode else "ascii"
    else:
        options.update(color=False, character_set="ascii", force_ascii_characters=_MARKERS[:len(lines)])
    with numpy.errstate(all="ignore"):
        text = plot_to_string(**options)
    text = text if isinstance(text, str) else "\n".join(text)
    if not colour:
        text = _ESCAPE.sub("", text)
    if not colour or not unicode:
        text = text.translate(_ASCII_FRAME)
    text = "\n".join(row.rstrip() for row in text.splitlines())
    named = "   ".join(f"{axis} axis: {label}" for axis, label in (("x", axes.xlabel), ("y", axes.ylabel)) if label)
    return "\n".join(part for part in (text, named, note) if part)


def _labels(lines) -> list:
    """Each line's label, or its colour's name, or `line K` (a legend tells the lines apart)."""
    labels = []
    for k, line in enumerate(lines, 1):     # (the lines of one axes, all of them: `line K` counts each)
        color = line.color
        labels.append(line.label or (_LETTERS.get(color, color) if isinstance(color, str) else f"line {k}"))
    return labels


def _colours(lines) -> list:
    """Each line's colour as uniplot takes it: a terminal colour's name or an RGB triple."""
    colours, cycle = [], 0
    for line in lines:
        c = _terminal_colour(line.color)
        if c is None:
            c, cycle = _rgb(_CYCLE[cycle % len(_CYCLE)]), cycle + 1
        colours.append(c)
    return colours


def _terminal_colour(color):
    if isinstance(color, str):
        c = color.strip().lower()
        c = _LETTERS.get(c, c)
        if c in _TERMINAL:
            return c
        if c in _TAB:
            return _rgb(_TAB[c])
        if re.fullmatch(r"c\d", c):
            return _rgb(_CYCLE[int(c[1])])
        if re.fullmatch(r"#[0-9a-f]{6}", c):
            return _rgb(c)
    elif isinstance(color, tuple) and len(color) in (3, 4) and all(0 <= v <= 1 for v in color):
        return tuple(round(v * 255) for v in color[:3])
    return None


def _rgb(hex_colour: str) -> tuple:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


# ---------------------------------------------------------------- files
def save_figure(figure: Figure, path: str, fmt: str, options=None):
    """Write the figure to `path` as PNG or SVG, drawn by matplotlib (raises AgcliError)."""
    try:
        import matplotlib
        from matplotlib.figure import Figure as Canvas
    except ImportError:
        raise AgcliError(MISSING.format(what=f"writing {fmt.upper()}", package="matplotlib"), kind="usage") from None
    try:
        with matplotlib.rc_context({"svg.hashsalt": SVG_SALT}):
            canvas = Canvas(figsize=figure.figsize, dpi=figure.dpi)
            for position, axes in figure.axes.items():
                _draw_axes(canvas.add_subplot(*position), axes)
            canvas.savefig(path, format=fmt, metadata={"Date": None} if fmt == "svg" else None, **(options or {}))
    except OSError as e:
        raise AgcliError(f"cannot write {path}: {e.strerror or e}", kind="usage") from None
    except (ValueError, TypeError, AttributeError, KeyError) as e:     # a colour or keyword matplotlib refuses
        raise AgcliError(str(e), kind="value") from None


def _draw_axes(ax, axes: Axes):
    for line in axes.lines:
        if line.kind == "plot":
            ax.plot(line.x, line.y, *((line.fmt,) if line.fmt else ()), **line.options)
        else:
            ax.scatter(line.x, line.y, **line.options)
    for field, setter in (("title", ax.set_title), ("xlabel", ax.set_xlabel), ("ylabel", ax.set_ylabel)):
        if getattr(axes, field):
            setter(getattr(axes, field), **axes.text_options.get(field, {}))
    if axes.legend_given is not None:
        labels, options = axes.legend_given
        ax.legend(*([labels] if labels is not None else []), **options)
    if axes.grid_given is not None:
        on, options = axes.grid_given
        ax.grid(on, **options)
