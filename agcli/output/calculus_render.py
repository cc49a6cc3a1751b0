"""A calculus command's Result (evaluate/calculus.py: `answer`, under the key
`command`) as JSON and as sections for people.

JSON: the fields of `agcli grad`'s object that apply (expr, shape, dtype,
value, warnings, error), `command`, and the answer under the command's name:
"jacobian" / "vjp" / "hvp" / "vhp": {NAME: nested list}, "hessian":
{NAME_I: {NAME_J: nested list}}, "jvp": a nested list; `agcli check` gives
"ok" and "check": {"first_order": {NAME: {max_abs_diff, numerical,
analytical}}, "second_order": {...}}. A batch line adds `line`.

For people: the expression, its value as PyTorch prints it, then one row per
array of the answer, labelled by the names that lead to it, with its shape.
"""
from __future__ import annotations

from .render import Grid, Line, data_text, encode_json, expression_header, jsonable, shape_text, tensor_text

# What the names in an answer's rows say, per command: the columns before the shape.
_LABELS = {"hessian": ("row", "column"), "check": ("variable",)}


def _tree_json(value):
    if isinstance(value, dict):
        return {k: _tree_json(v) for k, v in value.items()}
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, float):
        return jsonable(value)
    return jsonable(value)


def calculus_json(result) -> dict:
    out = {
        "expr": result.expr,
        "command": result.command,
        "shape": None if result.value is None else list(result.value.shape),
        "dtype": result.dtype,
        "value": jsonable(result.value),
    }
    answer = result.answer
    if result.command == "check":
        out["ok"] = None if answer is None else answer["ok"]
        out["check"] = None if answer is None else _tree_json({k: v for k, v in answer.items() if k != "ok"})
    else:
        out[result.command] = _tree_json(answer)
    out["warnings"] = result.warnings
    out["error"] = None if result.error is None else result.error.to_json()
    return out


def calculus_json_line(result, line: int | None = None) -> str:
    fields = calculus_json(result)
    if line is not None:
        fields["line"] = line
    return encode_json(fields)


def calculus_sections(result, *, dtype_default: str, show_expr: bool = True, title: str | None = None):
    sections = [expression_header(result.expr, title)] if show_expr else []
    if result.value is not None:
        sections.append(Line((tensor_text(result.value, dtype_default=dtype_default), None)))
    if result.answer is None:
        return sections
    if result.command == "check":
        return sections + _check_sections(result.answer)
    if not isinstance(result.answer, dict):         # jvp: one array, of the output's shape
        grid = Grid(result.command, [("shape", "left"), ("value", "left")])
        grid.rows.append([(shape_text(result.answer.shape), None), (data_text(result.answer), None)])
        return sections + [Line(), grid]
    if result.command == "jacobian" and result.value is not None:
        return sections + [Line(), _jacobian_grid(result)]
    labels = _LABELS.get(result.command, ("variable",))
    rows = list(_rows(result.answer, ()))
    depth = max((len(path) for path, _ in rows), default=1)
    labels = labels if len(labels) == depth else ("variable",) * depth
    grid = Grid(_title(result), [(label, "left") for label in labels] + [("shape", "left"), ("value", "left")])
    for path, array in rows:
        cells = [(name, "green") for name in path]
        if array is None:
            grid.rows.append(cells + [("", None), ("None", "dim")])
        else:
            grid.rows.append(cells + [(shape_text(array.shape), None), (data_text(array), None)])
    return sections + [Line(), grid]


def _jacobian_grid(result):
    """One matrix per variable, labelled with the output's and the variable's shapes."""
    out_shape = tuple(result.value.shape)
    grid = Grid("jacobian: d(output)/d(variable), shape output.shape + variable.shape",
                [("variable", "left"), ("output × variable", "left"), ("jacobian", "left")])
    for name, array in result.answer.items():
        shapes = f"{shape_text(out_shape)} × {shape_text(tuple(array.shape)[len(out_shape):])}"
        grid.rows.append([(name, "green"), (shapes, None), (data_text(array), None)])
    return grid


def _title(result) -> str:
    if result.command == "hessian":
        return "hessian: d²(output)/d(row) d(column), shape row.shape + column.shape"
    if result.command == "jacobian":
        return "jacobian: d(output)/d(variable), shape output.shape + variable.shape"
    return _TITLES.get(result.command, result.command)


_TITLES = {"vjp": "vjp: v^T J for each variable (v: --grad-output), the variable's shape",
           "hvp": "hvp: H v for each variable (v: the --vector values), the variable's shape",
           "vhp": "vhp: v^T H for each variable (v: the --vector values), the variable's shape"}


def _rows(tree, path):
    for name, value in tree.items():
        if isinstance(value, dict):
            yield from _rows(value, path + (name,))
        else:
            yield path + (name,), value


def _check_sections(answer):
    sections = []
    for order, title in (("first_order", "gradcheck: analytical (backward) against numerical (central "
                                         "differences) Jacobians"),
                         ("second_order", "gradgradcheck: the same for the gradients' gradients")):
        if order not in answer:
            continue
        grid = Grid(title, [("of", "left"), ("by", "left"), ("max |analytical - numerical|", "right")])
        tree = answer[order] if order == "second_order" else {"output": answer[order]}
        for of, per_input in tree.items():
            for by, found in per_input.items():
                diff = found["max_abs_diff"]
                grid.rows.append([(of, "green"), (by, "green"),
                                  ("-" if diff is None else f"{diff:.3g}", None)])
        sections += [Line(), grid]
    verdict = "passed" if answer["ok"] else "failed"
    sections += [Line(), Line((f"gradient check {verdict}", "bold green" if answer["ok"] else "bold red"))]
    return sections
