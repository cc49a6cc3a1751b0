"""`agcli graph`'s pictures of a Graph (evaluate/graph.py): a tree for people
(sections, drawn by Rich on a terminal, plain text in a pipe), Graphviz DOT,
and JSON for programs.

The tree goes from the output down to the leaves in node-id order, a node
shared by several paths drawn once and named where it comes again; DOT gets
the same ids (n0, n1, ...) and the same text, so the same input gives the
same bytes.
"""
from __future__ import annotations

from .render import Line, data_text, encode_json, expression_header, jsonable, shape_text, value_line

TREE_TITLE = "backward graph, from the output down to the leaves"
TREE_LEGEND = "grad: of the output w.r.t. the node's output; <-: what the edge carries back"
_BRANCH, _LAST, _PIPE, _SPACE = "├── ", "└── ", "│   ", "    "


# ---------------------------------------------------------------- JSON
def graph_json(graph, *, saved: bool = False) -> str:
    """One line: {"expr", "value", "root", "nodes", "edges", "warnings", "error"} (README, `agcli graph`)."""
    result = graph.result
    nodes = []
    for node in graph.nodes:
        entry = {"id": node.id, "grad_fn": node.grad_fn, "name": node.name,
                 "shape": None if node.shape is None else list(node.shape),
                 "value": jsonable(node.value), "grad": jsonable(node.grad)}
        if saved:
            entry["saved"] = {k: _saved_json(v) for k, v in (node.saved or {}).items()}
        nodes.append(entry)
    return encode_json({
        "expr": result.expr, "value": jsonable(result.value), "root": graph.root, "nodes": nodes,
        "edges": [{"from": e.source, "to": e.target, "input": e.input, "grad": jsonable(e.grad)} for e in graph.edges],
        "warnings": result.warnings, "error": None if result.error is None else result.error.to_json(),
    })


def _saved_json(value):
    if isinstance(value, tuple):
        return [_saved_json(v) for v in value]
    return jsonable(value)


# ---------------------------------------------------------------- the tree
def graph_sections(graph, *, dtype_default: str, saved: bool = False) -> list:
    """The expression, its value, then the graph as a tree (one Line per line)."""
    result = graph.result
    sections = [expression_header(result.expr)]
    if result.value is not None:
        sections.append(value_line(result, dtype_default))
    if graph.root is None:
        return sections
    sections += [Line(), Line((TREE_TITLE, "bold")), Line((TREE_LEGEND, "dim"))]
    shown = set()
    edges = {(e.source, e.input): e for e in graph.edges}
    stack = [(graph.root, None, "", "")]        # (node id, edge into it, its guide, its children's guide)
    while stack:
        node_id, edge, guide, below = stack.pop()
        node = graph.nodes[node_id]
        again = node_id in shown
        shown.add(node_id)
        children = [] if again else node.inputs
        sections += _node_lines(node, edge, guide, below + (_PIPE if children else _SPACE), again, saved)
        for n, (k, target) in reversed(list(enumerate(children))):
            last = n == len(children) - 1
            stack.append((target, edges[(node_id, k)], below + (_LAST if last else _BRANCH),
                          below + (_SPACE if last else _PIPE)))
    return sections


def _node_lines(node, edge, guide, detail_guide, again, saved) -> list:
    """A node's line: what its edge carries in (<-), id, name, grad_fn, shape, and its
    value and grad on the same line when they are short, else on lines of their own."""
    head = Line((guide, "dim"))
    details = []            # (label, text, style)
    if edge is not None:
        carried = data_text(edge.grad)
        if "\n" in carried:
            details.append(("<-", carried, "magenta"))
        else:
            head.add("<- ", "dim").add(carried, "magenta").add("  ")
    head.add(f"#{node.id} ", "dim")
    if node.name:
        head.add(node.name + " ", "bold green")
    head.add(node.grad_fn, "cyan")
    if again:
        head.add(" (shown above)", "dim")
    else:
        if node.shape is not None:
            head.add("  " + shape_text(node.shape))
        details += [("value", data_text(node.value), None), ("grad", data_text(node.grad), "yellow")]
        if saved and node.saved:
            details += [(f"saved {name}", data_text(value), None) for name, value in node.saved.items()
                        if value is not None]
    if all("\n" not in text for _, text, _ in details) and sum(len(t) + len(n) for n, t, _ in details) <= 64:
        for label, text, style in details:
            head.add(f"  {label} ", "dim").add(text, style)
        return [head]
    lines = [head]
    width = max(len(label) for label, _, _ in details) + 1
    for label, text, style in details:
        for n, part in enumerate(text.split("\n")):
            line = Line((detail_guide, "dim"))
            line.add((label if n == 0 else "").ljust(width), "dim").add(part, style)
            lines.append(line)
    return lines


# ---------------------------------------------------------------- DOT
def graph_dot(graph, *, saved: bool = False) -> str:
    """Graphviz DOT: record boxes { name | grad_fn | shape | value | grad }, arrows the way
    the gradient flows (from a node to its inputs), each labelled with what it carries."""
    out = ["digraph agcli {",
           '  graph [rankdir=TB, fontname="monospace", label=' + _quoted(graph.expr) + ", labelloc=t];",
           '  node [shape=record, fontname="monospace", fontsize=10];',
           '  edge [fontname="monospace", fontsize=9, color="#8a4fb0", fontcolor="#8a4fb0"];']
    for node in graph.nodes:
        fields = ([node.name] if node.name else []) + [node.grad_fn]
        if node.shape is not None:
            fields.append("shape " + shape_text(node.shape))
        fields += [_labelled("value", node.value), _labelled("grad", node.grad)]
        if saved and node.saved:
            fields += [_labelled(f"saved {name}", value) for name, value in node.saved.items() if value is not None]
        style = ', style=filled, fillcolor="#dff0d8"' if node.grad_fn == "AccumulateGrad" else \
            ', style=filled, fillcolor="#d9e8f5"' if node.id == graph.root else ""
        out.append(f'  n{node.id} [label="{{{"|".join(_record_field(f) for f in fields)}}}"{style}];')
    for e in graph.edges:
        out.append(f"  n{e.source} -> n{e.target} [label={_quoted(data_text(e.grad))}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _labelled(label: str, value) -> str:
    """label value, the value's later lines under its first."""
    return label + " " + data_text(value).replace("\n", "\n" + " " * (len(label) + 1))


def _record_field(text: str) -> str:
    """A record field: its special characters and spaces escaped (a record would run
    spaces together); several lines each left-justified."""
    escaped = "".join("\\" + c if c in '{}|<>"\\ ' else c for c in text)
    if "\n" not in escaped:
        return escaped
    return "\\l".join(escaped.split("\n")) + "\\l"


def _quoted(text: str) -> str:
    """A DOT string; several lines each left-justified."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if "\n" in escaped:
        escaped = "\\l".join(escaped.split("\n")) + "\\l"
    return '"' + escaped + '"'
