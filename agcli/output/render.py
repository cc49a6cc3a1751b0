"""Results as people read them (sections, drawn by Rich or as plain text) and
as programs read them (JSON).

Nothing here prints: the CLI writes what these functions build.
"""
from __future__ import annotations

import math

import numpy as np


# ---------------------------------------------------------------- JSON
def jsonable(value):
    """A number or nested list; nan/inf become the strings "nan", "inf", "-inf"."""
    if value is None:
        return None
    a = np.asarray(value)
    if a.ndim == 0:                    # the common case, without tolist's machinery
        v = a.item()
        return v if not isinstance(v, float) or math.isfinite(v) else _nonfinite_to_str(v)
    plain = a.tolist()
    if a.dtype.kind == "f" and not bool(np.isfinite(a).all()):
        return _nonfinite_to_str(plain)
    return plain


def _plain(value):
    """A number or nested list, nan/inf left as they are (the encoder refuses them)."""
    return value.tolist() if hasattr(value, "tolist") else value


def _nonfinite_to_str(v):
    if isinstance(v, list):
        return [_nonfinite_to_str(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if v != v else ("inf" if v > 0 else "-inf")
    return v


_encoder = _quote = None


def encode_json(value) -> str:
    """JSON text (json is imported at the first use: a result shown as text needs none)."""
    return "".join((_encoder or _json_tools()[0])(value, 0))


def _string_json(text: str) -> str:
    """A string as encode_json writes it."""
    return (_quote or _json_tools()[1])(text)


def _json_tools():
    """json's C encoder, made once: JSONEncoder.encode makes it anew on every call (in
    iterencode's Python), which cost as much as encoding a small object. markers=None:
    no check for circular references (what is encoded here holds none). And the
    encoder's quoting of strings, for what is written out directly."""
    global _encoder, _quote
    import json
    from json import encoder
    plain = json.JSONEncoder(separators=(", ", ": "), allow_nan=False)
    _quote = encoder.encode_basestring_ascii
    try:        # (private: its arguments are those JSONEncoder.iterencode passes it since 3.2)
        _encoder = encoder.c_make_encoder(None, plain.default, _quote, None,
                                          plain.key_separator, plain.item_separator, False, False, False)
    except TypeError:       # no _json (c_make_encoder is None), or other arguments: the Python encoder
        _encoder = lambda value, _level: plain.iterencode(value)   # noqa: E731
    return _encoder, _quote


def result_json(result) -> dict:
    """A Result as the JSON object `--format json` prints (README, "For scripts")."""
    return {
        "expr": result.expr,
        "shape": None if result.value is None else list(result.value.shape),
        "dtype": result.dtype,
        "grad_fn": result.grad_fn,
        "nodes": [{"name": n.name, "grad_fn": n.grad_fn, "shape": list(n.shape)} for n in result.nodes],
        "value": jsonable(result.value),
        "grads": {k: jsonable(v) for k, v in result.grads.items()},
        "no_grad": result.no_grad,
        "warnings": result.warnings,
        "error": None if result.error is None else result.error.to_json(),
    }


# ---------------------------------------------------------------- for people
# What a result or an error shows is described once, as sections: a Line of
# (text, style) pieces, or a Grid (a titled table whose last column may hold
# several lines). A terminal gets them drawn by Rich (to_rich); a pipe or a
# file gets the same layout as plain text (plain_text), without importing Rich,
# whose import is a large part of a short `agcli grad`.

class Line:
    __slots__ = ("pieces",)

    def __init__(self, *pieces):
        self.pieces = list(pieces)      # (text, style or None)

    def add(self, text, style=None):
        self.pieces.append((text, style))
        return self


class Grid:
    __slots__ = ("title", "columns", "rows")

    def __init__(self, title, columns):
        self.title = title
        self.columns = columns          # (header, "left" or "right"); only the last one wraps
        self.rows = []                  # one (text, style) cell per column


def tensor_text(value, *, dtype_default: str, grad_fn=None, requires_grad=False) -> str:
    from ..torchapi.printing import format_tensor
    return format_tensor(value, dtype=str(value.dtype), default_dtype=dtype_default,
                         grad_fn=grad_fn, requires_grad=requires_grad)


def data_text(value) -> str:
    """A value as PyTorch prints a tensor's numbers (long ones summarized), or a number or sizes."""
    if value is None:
        return "None"
    if isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(data_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    from ..torchapi.printing import format_data
    return format_data(value, dtype=str(value.dtype))


def shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def result_sections(result, *, dtype_default: str, show_expr: bool = True, title: str | None = None):
    """The expression, the value as PyTorch prints it, the graph and the gradients."""
    sections = [expression_header(result.expr, title)] if show_expr else []
    if result.value is not None:
        sections.append(value_line(result, dtype_default))
    if result.nodes:
        graph = Grid("graph, in execution order",
                     [("#", "right"), ("name", "left"), ("grad_fn", "left"), ("shape", "left"), ("value", "left")])
        for i, node in enumerate(result.nodes, 1):
            graph.rows.append([(str(i), None), (node.name or "", None), (node.grad_fn, "cyan"),
                               (shape_text(node.shape), None), (data_text(node.value), None)])
        sections += [Line(), graph]
    if result.grads:
        sections += [Line(), gradients_grid(result)]
    return sections


def expression_header(expr: str, title: str | None = None) -> Line:
    """The expression in bold, after a dim title (a batch's line number)."""
    header = Line()
    if title:
        header.add(title + "  ", "dim")
    return header.add(expr, "bold")


def value_line(result, dtype_default: str) -> Line:
    """The result's value as PyTorch prints the tensor (its grad_fn, or requires_grad for a leaf)."""
    return Line((tensor_text(result.value, dtype_default=dtype_default, grad_fn=result.grad_fn,
                             requires_grad=result.requires_grad and result.grad_fn is None), None))


def gradients_grid(result) -> Grid:
    """Each leaf's gradient, or why it has none."""
    grads = Grid("gradients", [("leaf", "left"), ("shape", "left"), ("grad", "left")])
    for name, g in result.grads.items():
        if g is None:
            why = result.no_grad.get(name, "the output does not depend on it")
            grads.rows.append([(name, "green"), ("", None), (f"None ({why})", "dim")])
        else:
            grads.rows.append([(name, "green"), (shape_text(g.shape), None), (data_text(g), None)])
    return grads


def error_sections(error, *, where: str | None = None):
    """error: message / the line with a caret under the column / a hint."""
    out = Line(("error", "bold red"))
    if error.origin:
        out.add(f" in {error.origin}", "bold")
    out.add(": " + error.message.rstrip("\n"), "bold")     # (PyTorch's list of signatures ends with one)
    context = error.context()
    if context is not None:
        line_text, caret = context
        place = "value of " + error.origin if error.origin else "expression"
        if where:
            place = f"{where}: {place}" if where.startswith("batch line") else where
        out.add(f"\n  --> {place}, line {error.line}, column {error.column}\n", "dim")
        out.add("   | " + line_text + "\n")
        out.add("   | ", "dim")
        out.add(caret, "bold red")
    elif where and where.startswith("batch line"):    # no place in the text: the line's number still
        out.add(f"\n  --> {where}", "dim")
    if error.hint:
        out.add("\n  hint: ", "cyan")
        out.add(error.hint)
    return [out]


# A stream whose encoding lacks box-drawing characters gets ASCII rules (and tree guides: agcli graph).
_ASCII_RULES = str.maketrans("─━├└│", "--+`|")


def fitted(sections, encoding: str):
    """The sections with every text as `encoding` can write it: rules become -,
    anything else it lacks ? (before the layout, so that columns stay aligned)."""
    def fit(text):
        return text.translate(_ASCII_RULES).encode(encoding, "replace").decode(encoding)
    out = []
    for section in sections:
        if type(section) is Line:
            out.append(Line(*[(fit(text), style) for text, style in section.pieces]))
        else:
            grid = Grid(fit(section.title), [(fit(header), justify) for header, justify in section.columns])
            grid.rows = [[(fit(text), style) for text, style in row] for row in section.rows]
            out.append(grid)
    return out


def to_rich(sections, *, ascii_rules: bool = False):
    """Rich renderables for the sections (cells are Text, never markup: "[1, 2]"
    would read as a style tag); ascii_rules: tables ruled with -, not ─."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    def text(pieces):
        t = Text()
        for piece, style in pieces:
            t.append(piece, style=style)
        return t

    head_rule = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True) if ascii_rules \
        else box.SIMPLE_HEAD

    drawn = []
    for section in sections:
        if type(section) is Line:
            drawn.append(text(section.pieces))
            continue
        table = Table(title=section.title, title_justify="left", title_style="bold", box=head_rule,
                      show_edge=False, pad_edge=False, header_style="dim")
        last = len(section.columns) - 1
        for i, (header, justify) in enumerate(section.columns):
            table.add_column(header, justify=justify, no_wrap=i != last, overflow="fold")
        for row in section.rows:
            table.add_row(*(text([cell]) for cell in row))
        drawn.append(table)
    return drawn


def plain_text(sections, *, ascii_rules: bool = False) -> str:
    """The sections as text: the layout Rich gives them, without styles or
    trailing spaces, and never wrapped (a pipe has no width); ascii_rules:
    tables ruled with -, not ─."""
    lines = []
    for section in sections:
        if type(section) is Line:
            lines += "".join(piece for piece, _ in section.pieces).split("\n")
        else:
            lines += _plain_grid(section)
    text = "\n".join(line.rstrip() for line in lines)
    return text.translate(_ASCII_RULES) if ascii_rules else text


def _plain_grid(grid):
    cells = [[text.split("\n") for text, _ in row] for row in grid.rows]
    widths = [max([_width(header)] + [_width(line) for row in cells for line in row[i]])
              for i, (header, _) in enumerate(grid.columns)]
    justify = [j for _, j in grid.columns]

    def line(texts):
        return "   ".join(t.rjust(w - _width(t) + len(t)) if j == "right" else t.ljust(w - _width(t) + len(t))
                          for t, w, j in zip(texts, widths, justify))
    out = [grid.title, line([header for header, _ in grid.columns]), "─" * (sum(widths) + 3 * (len(widths) - 1))]
    for row in cells:
        for k in range(max(len(c) for c in row)):
            out.append(line([c[k] if k < len(c) else "" for c in row]))
    return out


def _width(text: str) -> int:
    """Columns a terminal gives `text`: two for wide (East Asian) characters."""
    if text.isascii():
        return len(text)
    from unicodedata import east_asian_width
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
