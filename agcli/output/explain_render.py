"""`agcli explain`'s worked example: backward's steps (evaluate/explain.py) as
sections for people (Rich on a terminal, plain text in a pipe) and as JSON.

Each step names the node, the gradient it got (the sum of what reached it,
with the steps that sent it), and for each input the rule in words, the rule
with the numbers put in, and the gradient it sends; a leaf's step is its
AccumulateGrad adding the gradient to .grad. The leaves' gradients close it.
"""
from __future__ import annotations

from .render import (Line, data_text, encode_json, expression_header, gradients_grid, jsonable, shape_text,
                     value_line)

TITLE = "backward, step by step, in the order PyTorch's engine runs it"
LEGEND = ("(of the nodes whose gradients have all arrived, the one created last runs first;\n"
          " the gradients reaching a node are summed before it runs)")


def explain_json(graph, steps) -> str:
    """One line: {"expr", "value", "steps", "grads", "no_grad", "warnings", "error"} (README, `agcli explain`)."""
    result = graph.result
    out = []
    for step in steps:
        node = step.node
        out.append({
            "step": step.number, "node": node.id, "grad_fn": node.grad_fn, "name": node.name,
            "grad_in": jsonable(node.grad),
            "arriving": [{"from": e.source, "input": e.input, "grad": jsonable(e.grad)} for e in step.arriving],
            "inputs": [{"input": e.input, "to": e.target, "rule": rule, "with_numbers": numbers,
                        "grad_out": jsonable(e.grad)} for e, rule, numbers in step.sends],
        })
    return encode_json({
        "expr": result.expr, "value": jsonable(result.value), "steps": out,
        "grads": {k: jsonable(v) for k, v in result.grads.items()}, "no_grad": result.no_grad,
        "warnings": result.warnings, "error": None if result.error is None else result.error.to_json(),
    })


def explain_sections(graph, steps, *, dtype_default: str) -> list:
    """The expression, its value, the steps, and each leaf's gradient."""
    result = graph.result
    sections = [expression_header(result.expr)]
    if result.value is not None:
        sections.append(value_line(result, dtype_default))
    if not steps:
        return sections
    sections += [Line(), Line((TITLE, "bold")), Line((LEGEND, "dim"))]
    number = {step.node.id: step.number for step in steps}
    for step in steps:
        sections.append(Line())
        sections += _step_lines(graph, step, number)
    if result.grads:
        sections += [Line(), gradients_grid(result)]
    return sections


def _who(node) -> list:
    """#id, name and grad_fn, as pieces."""
    pieces = [(f"#{node.id} ", "dim")]
    if node.name:
        pieces.append((node.name + " ", "bold green"))
    return pieces + [(node.grad_fn, "cyan")]


def _step_lines(graph, step, number) -> list:
    node = step.node
    lines = [Line((f"step {step.number}  ", "bold"), *_who(node))]
    summed = _arrived(step, number)
    if node.is_leaf:
        target = f"{node.name}.grad" if node.name else "the leaf's .grad"
        return lines + _equation([(f"  adds to {target}:  ", None)], summed, node.grad)
    note = ""
    if not step.arriving:       # the output's node
        note = "  (backward() starts from " + ("1" if node.grad is not None and node.grad.size == 1 and
                                                node.grad.item() == 1 else "the --grad-output") + ")"
    lines += _equation([("  gets grad = ", None)], summed, node.grad, note=note)
    for edge, rule, numbers in step.sends:
        target = graph.nodes[edge.target]
        intro = [("  -> ", "dim"), *_who(target), (f" (input {edge.input}):  ", "dim")]
        terms = [] if rule is None else [rule]
        summed = edge.raw is not None and getattr(edge.raw, "shape", None) != getattr(edge.grad, "shape", None)
        if numbers is not None and _one_line(numbers) != _one_line(data_text(edge.raw if summed else edge.grad)):
            terms.append(numbers)
        note = ""
        if summed:
            terms.append(data_text(edge.raw))
            note = f"  (summed to the input's shape {shape_text(edge.grad.shape)})"
        lines += _equation(intro, terms, edge.grad, note=note)
    return lines


def _arrived(step, number) -> list:
    """What was summed into the node, when several gradients arrived: each of them, or
    the steps that sent them when they take several lines."""
    if len(step.arriving) < 2:
        return []
    texts = [data_text(e.grad) for e in step.arriving]
    if any("\n" in t for t in texts):
        return ["the sum of what steps " + ", ".join(str(number[e.source]) for e in step.arriving) + " sent"]
    return [" + ".join(f"({t})" if t.startswith("-") and i else t for i, t in enumerate(texts))]


def _equation(intro, terms, value, note="") -> list:
    """intro term = term = ... = value: on one line when every part has one line, else
    each part after the first on lines of its own, under the first."""
    parts = terms + [data_text(value)]
    if all("\n" not in p for p in parts):
        return [Line(*intro).add(" = ".join(parts)).add(note, "dim")]
    pad = " " * sum(len(text) for text, _ in intro)
    first, *rest = parts[0].split("\n")
    lines = [Line(*intro).add(first)]
    lines += [Line((pad + more, None)) for more in rest]
    for part in parts[1:]:
        first, *rest = part.split("\n")
        lines.append(Line((pad + "= " + first, None)))
        lines += [Line((pad + "  " + more, None)) for more in rest]
    lines[-1].add(note, "dim")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())
