"""An expression's call of PyTorch's native functions checked, when it is lowered, as PyTorch's
argument parser would check it (argument_errors.py): where the arguments' types are known then
(literals, and the bound variables, which are tensors), sum(x, dim='a') is PyTorch's TypeError
rather than what agcli's sum says of a dim it cannot read."""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError

# (name, is_method, the arguments' types) -> PyTorch's words, or None where its parser takes them
_verdicts: dict = {}
_UNKNOWN = object()
# The kinds of argument, beside names, whose type lowering may know (_stand_in says which it does)
KNOWABLE = frozenset((A.Number, A.String, A.Unary, A.Attribute, A.TupleLit))
_DTYPES = frozenset(f"torch.{n}" for n in ("float32", "float64", "float16", "float", "double", "half", "int64", "long",
                                            "int32", "int", "bool", "int16", "short", "int8", "uint8"))


def refused(lowering, node, error):
    """The error lowering a call raised, in PyTorch's argument parser's words where it refuses the call."""
    return _refused(lowering, node, error, False)


def when_run(lowering, node, closure):
    """The closure of a call whose positional arguments are names or literals, one at least a literal or a
    keyword given (lower_Call's test): where lowering knows the keywords' types too, its errors when run
    are checked as PyTorch's parser would check the call."""
    if not all(type(k.value) is A.Name or type(k.value) in KNOWABLE for k in node.kwargs):
        return closure

    def checked(env):
        try:
            return closure(env)
        except AgcliError as e:
            raise _refused(lowering, node, e, True) from None
    return checked


def _refused(lowering, node, error, running):
    """PyTorch's parser's error for the call, if it refuses it, else `error`; never for an error of
    another call inside it (its own, or its receiver's: those fail first)."""
    if getattr(error, "parser_checked", False):
        return error
    error.parser_checked = True
    try:
        name, kind, span, _, module = lowering.callee(node)
    except AgcliError:
        return error
    if running and error.span not in (None, span):
        return error
    if kind == "Tensor" or kind == "function" and module not in (None, "torch"):
        return error
    is_method = kind == "method"
    args = [_stand_in(lowering, a) for a in node.args]
    kwargs = {k.name: _stand_in(lowering, k.value) for k in node.kwargs}
    if _UNKNOWN in args or _UNKNOWN in kwargs.values():
        return error
    key = (name, is_method, tuple(map(_key, args)), tuple((k, _key(v)) for k, v in kwargs.items()))
    if key not in _verdicts:
        from .argument_errors import pytorch_error      # (its signatures are read at the first such error)
        _verdicts[key] = pytorch_error(name, is_method, args, kwargs)
    message = _verdicts[key]
    for k in node.kwargs:       # (the caret under the keyword it names, if it names one)
        if message is not None and (f"'{k.name}'" in message or f" {k.name}=" in message):
            span = (k.span[0], k.span[0] + len(k.name))
    return error if message is None else lowering.error(message, span, "call" if error.kind == "call" else "type")


def _key(v):
    return (type(v), *map(_key, v)) if type(v) in (tuple, list) else type(v)


_TENSOR = []


def _stand_in(lowering, node):
    """A value of the type the argument will have, _UNKNOWN where lowering cannot tell."""
    t = type(node)
    if t is A.Number or t is A.String:
        return node.value
    if t is A.Unary and type(node.operand) is A.Number:
        return -node.operand.value if node.op == "-" else node.operand.value
    if t is A.Name:
        if node.id in lowering.variables:       # (a binding is a tensor; one that needs grad is never a number)
            if not _TENSOR:
                from ..torchapi.creation import zeros
                _TENSOR.append(zeros(1, requires_grad=True))
            return _TENSOR[0]
        if node.id in lowering.constants and node.id not in lowering.assigned:
            value = lowering.constants[node.id]
            return value if value is None or type(value) in (bool, int, float) else _UNKNOWN
        return _UNKNOWN
    if t is A.Attribute and A.dotted_name(node) in _DTYPES:      # torch.float64
        from ..torchapi.namespace import MODULE_ATTRIBUTES
        return MODULE_ATTRIBUTES[node.name]
    if t is A.TupleLit:      # (a list is a tensor literal where a tensor is taken: unknown)
        items = [_stand_in(lowering, i) for i in node.items]
        return _UNKNOWN if _UNKNOWN in items else tuple(items)
    return _UNKNOWN
