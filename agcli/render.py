"""Results as people read them (Rich renderables) and as programs read them (JSON).

Nothing here prints: the CLI hands what these functions build to a console.
"""
from __future__ import annotations

import json
import math

from .backend import xp


# ---------------------------------------------------------------- JSON
def jsonable(value):
    """A number or nested list; nan/inf become the strings "nan", "inf", "-inf"."""
    if value is None:
        return None
    a = xp.asarray(value)
    if a.ndim == 0:                    # the common case, without tolist's machinery
        v = a.item()
        return v if not isinstance(v, float) or math.isfinite(v) else _nonfinite_to_str(v)
    plain = a.tolist()
    if a.dtype.kind == "f" and not bool(xp.isfinite(a).all()):
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


_encode = json.JSONEncoder(separators=(", ", ": "), allow_nan=False).encode


def result_json_line(result, line: int | None = None) -> str:
    """`result.to_json()` (plus `line`) as one line of text.

    What every result of one replay shares (expr, shape, dtype, grad_fn,
    nodes) comes first and is encoded once, in result.json_cache; the rest
    is encoded in one call.
    """
    cache = result.json_cache
    fixed = None if cache is None else cache.get("fixed")
    if fixed is None:
        value = result.value
        fixed = _encode({
            "expr": result.expr, "shape": None if value is None else list(value.shape), "dtype": result.dtype,
            "grad_fn": result.grad_fn,
            "nodes": [{"name": n.name, "grad_fn": n.grad_fn, "shape": list(n.shape)} for n in result.nodes],
        })[:-1] + ", "
        if cache is not None:
            cache["fixed"] = fixed
    rest = {"value": None, "grads": None, "warnings": result.warnings,
            "error": None if result.error is None else result.error.to_json()}
    if line is not None:
        rest["line"] = line
    try:    # most results are finite: encode them as they are, convert only when that fails
        rest["value"] = _plain(result.value)
        rest["grads"] = {k: _plain(v) for k, v in result.grads.items()}
        return fixed + _encode(rest)[1:]
    except ValueError:
        rest["value"] = jsonable(result.value)
        rest["grads"] = {k: jsonable(v) for k, v in result.grads.items()}
        return fixed + _encode(rest)[1:]


# ---------------------------------------------------------------- Rich
def tensor_text(value, *, dtype_default: str, grad_fn=None, requires_grad=False) -> str:
    from .tensor_repr import format_tensor
    return format_tensor(value, dtype=str(value.dtype), default_dtype=dtype_default,
                         grad_fn=grad_fn, requires_grad=requires_grad)


def _data_text(value) -> str:
    from .tensor_repr import format_data
    return format_data(value, dtype=str(value.dtype))


def _shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def result_renderables(result, *, dtype_default: str, show_expr: bool = True, title: str | None = None):
    """The expression, the value as PyTorch prints it, the graph and the gradients."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    parts = []
    if show_expr:
        header = Text()
        if title:
            header.append(title + "  ", style="dim")
        header.append(result.expr, style="bold")
        parts.append(header)
    if result.value is not None:
        parts.append(Text(tensor_text(result.value, dtype_default=dtype_default, grad_fn=result.grad_fn,
                                      requires_grad=result.requires_grad and result.grad_fn is None)))
    if result.nodes:
        graph = Table(title="graph, in execution order", title_justify="left", title_style="bold",
                      box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="dim")
        for column, justify in (("#", "right"), ("name", "left"), ("grad_fn", "left"),
                                ("shape", "left"), ("value", "left")):
            graph.add_column(column, justify=justify, no_wrap=column != "value", overflow="fold")
        for i, node in enumerate(result.nodes, 1):
            # Cells are Text, never markup: "[1, 2]" would read as a style tag.
            graph.add_row(str(i), Text(node.name or ""), Text(node.grad_fn, style="cyan"),
                          Text(_shape_text(node.shape)), Text(_data_text(node.value)))
        parts.append(Text())
        parts.append(graph)
    if result.grads:
        grads = Table(title="gradients", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                      show_edge=False, pad_edge=False, header_style="dim")
        for column in ("leaf", "shape", "grad"):
            grads.add_column(column, no_wrap=column != "grad", overflow="fold")
        for name, g in result.grads.items():
            if g is None:
                grads.add_row(Text(name, style="green"), "", Text("None (the output does not depend on it)",
                                                                  style="dim"))
            else:
                grads.add_row(Text(name, style="green"), Text(_shape_text(g.shape)), Text(_data_text(g)))
        parts.append(Text())
        parts.append(grads)
    return parts


def error_renderables(error, *, where: str | None = None):
    """error: message / the line with a caret under the column / a hint."""
    from rich.text import Text

    out = Text()
    out.append("error", style="bold red")
    if error.origin:
        out.append(f" in {error.origin}", style="bold")
    out.append(": " + error.message, style="bold")
    context = error.context()
    if context is not None:
        line_text, caret = context
        place = "value of " + error.origin if error.origin else "expression"
        if where:
            place = f"{where}: {place}" if where.startswith("batch line") else where
        out.append(f"\n  --> {place}, line {error.line}, column {error.column}\n", style="dim")
        out.append("   | " + line_text + "\n")
        out.append("   | ", style="dim")
        out.append(caret, style="bold red")
    if error.hint:
        out.append("\n  hint: ", style="cyan")
        out.append(error.hint)
    return out
