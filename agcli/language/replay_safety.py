"""Which expressions a recording may be replayed for (engine/replay.py replays them).

A replay calls the recorded ops again on new values: it is only right when
nothing in the expression can depend on the values other than through
recorded ops. So: no .item(), no random numbers, no index computed from a
tensor, creation functions only with literal arguments. This is a question
about names and syntax, so it is answered here, where names are resolved,
and the engine never reads an AST.

Which names qualify is declared beside each name, in torchapi.namespace.
"""
from __future__ import annotations

from . import ast as A
from .names import namespace


_MODULES = ("torch", "F", "torch.nn.functional")        # `torch.exp(x)` is a function, not a method
_LITERAL_NAMES = ("None", "True", "False", "true", "false", "pi", "inf", "nan")


def replayable(program: A.Program) -> bool:
    """Can a recording of `program` be replayed on new values? (See the module doc.)"""
    N = namespace()
    REPLAY, SAFE, LITERAL = N.REPLAY, N.SAFE, N.LITERAL     # (what it declares of each name)
    # A worklist, not recursion: an expression may be a chain of 100,000 ops.
    todo = [s.value if isinstance(s, A.Assign) else s for s in program.body]
    while todo:
        node = todo.pop()
        kind = type(node)
        if kind in (A.Name, A.Number, A.String):
            continue
        if kind in (A.ListLit, A.TupleLit):
            todo.extend(node.items)
        elif kind is A.Unary:
            todo.append(node.operand)
        elif kind is A.BinOp:
            todo += (node.left, node.right)
        elif kind is A.Attribute and REPLAY.get(node.name) == SAFE:
            todo.append(node.obj)
        elif kind is A.Index and all(_literal(i) for i in node.items):
            todo.append(node.obj)
        elif kind is A.Call:
            func = node.func
            arguments = [*node.args, *(k.value for k in node.kwargs)]
            if type(func) is A.Attribute and A.dotted_name(func.obj) not in _MODULES:
                arguments.append(func.obj)      # a method: its receiver is an operand too
            name = func.id if type(func) is A.Name else func.name
            decision = REPLAY.get(name)
            if decision == LITERAL and all(_literal(a) for a in arguments):
                continue
            if decision != SAFE or _value_dependent(name, node):
                return False
            todo += arguments
        else:
            return False
    return True


def _value_dependent(name, call) -> bool:
    """A SAFE function given an argument its output depends on outside recorded ops
    (namespace.VALUE_ARGUMENTS: nll_loss's class weights, ...); None does not count."""
    watched = namespace().VALUE_ARGUMENTS.get(name)
    if not watched:
        return False
    given = [k.value for k in call.kwargs if k.name in watched]
    given += [a for i, a in enumerate(call.args) if i in watched.values()]
    return any(not (type(a) is A.Name and a.id == "None") for a in given)


def _literal(node) -> bool:
    """A value that cannot depend on the bindings: numbers, slices of them, None, ..."""
    kind = type(node)
    if kind in (A.Number, A.String, A.EllipsisLit):
        return True
    if kind is A.Name:
        return node.id in _LITERAL_NAMES
    if kind is A.Unary:
        return _literal(node.operand)
    if kind in (A.ListLit, A.TupleLit):
        return all(_literal(i) for i in node.items)
    if kind is A.Slice:
        return all(p is None or _literal(p) for p in (node.start, node.stop, node.step))
    return False
