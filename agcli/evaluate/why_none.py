"""Why a variable got no gradient: the words shown instead of a bare None.

Asked only when a gradient is None, so it may parse the expression again.
The reasons are found in the syntax tree: each place a variable is read is
either inside a construct that cuts the graph (detach, .data, an integer
cast, a comparison, a size, ...) or not; the first cut in the text is named.
"""
from __future__ import annotations

from ..language import ast as A
from ..language.syntax import parse

UNUSED = "the expression does not use it"
UNREACHED = "the output does not depend on it"

_INTEGER = "integer tensors carry no gradient"
_NUMBER = "a Python number carries no gradient"
_SHAPE = "it uses only the shape and dtype"
# A called name -> why its result carries no gradient back to its arguments.
_CUTS = {
    "detach": "it returns a tensor outside the graph", "detach_": "it takes the tensor out of the graph",
    "long": _INTEGER, "int": _INTEGER, "short": _INTEGER, "byte": _INTEGER, "char": _INTEGER,
    "bool": "bool tensors carry no gradient",
    "item": _NUMBER, "tolist": _NUMBER, "size": _NUMBER, "numel": _NUMBER, "dim": _NUMBER,
    "argmax": "indices carry no gradient", "argmin": "indices carry no gradient",
    "tensor": "it copies the value without its graph", "as_tensor": "it copies the value without its graph",
    "Tensor": "it copies the value without its graph",
    "zeros_like": _SHAPE, "ones_like": _SHAPE, "full_like": _SHAPE, "rand_like": _SHAPE,
    "randn_like": _SHAPE, "empty_like": _SHAPE,
}
_ATTRIBUTES = {"data": "it shares the value without the graph", "shape": _NUMBER}
_COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}
_INTEGER_DTYPES = {"long", "int", "int64", "int32", "int16", "int8", "uint8", "short", "bool"}


def reasons(expr: str, missing, unused=()) -> dict:
    """{name: why it has no gradient} for each name in `missing`."""
    found = {}
    names = set(missing) - set(unused)
    if names:
        for statement in parse(expr).body:
            _visit(statement, None, names, found)
    return {name: UNUSED if name in unused else found.get(name) or UNREACHED for name in missing}


def _visit(node, cut, names, found):
    if isinstance(node, A.Name):
        if node.id in names and node.id not in found and cut is not None:
            found[node.id] = cut
        return
    inner = _cut_by(node) or cut
    for child in _children(node):
        _visit(child, inner, names, found)


def _cut_by(node):
    """The words for a construct that cuts the graph below it, or None."""
    if isinstance(node, A.Compare) or isinstance(node, A.BinOp) and node.op in _COMPARISONS:
        return "a comparison: bool tensors carry no gradient"
    if isinstance(node, A.Attribute) and node.name in _ATTRIBUTES:
        return f".{node.name}: {_ATTRIBUTES[node.name]}"
    if isinstance(node, A.Call):
        func = node.func
        name = func.id if isinstance(func, A.Name) else func.name if isinstance(func, A.Attribute) else None
        if name in _CUTS:
            method = isinstance(func, A.Attribute) and not _is_module(func.obj)
            shown = f".{name}()" if method else f"{name}()"
            return f"{shown}: {_CUTS[name]}"
        if name in ("to", "type") and any(_names_integer_dtype(a) for a in (*node.args, *node.kwargs)):
            return f".{name}() to an integer dtype: {_INTEGER}"
    return None


def _is_module(node) -> bool:
    return isinstance(node, A.Name) and node.id in ("torch", "F", "nn") or (
        isinstance(node, A.Attribute) and _is_module(node.obj))


def _names_integer_dtype(node) -> bool:
    if isinstance(node, A.Keyword):
        node = node.value
    return isinstance(node, A.Attribute) and node.name in _INTEGER_DTYPES


def _children(node):
    for field in node.__slots__:
        value = getattr(node, field)
        if isinstance(value, A._Record):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, A._Record))
