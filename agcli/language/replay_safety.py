"""Which expressions a recording may be replayed for (engine/replay.py replays them).

A replay calls the recorded ops again on new values: it is only right when
nothing in the expression can depend on the values other than through
recorded ops. So: no .item(), no random numbers, no index computed from a
tensor, creation functions only with literal arguments. This is a question
about names and syntax, so it is answered here, where names are resolved,
and the engine never reads an AST.

The whitelists below say which names of torchapi.namespace qualify; they are
meant to become a declared property beside each name there.
"""
from __future__ import annotations

from . import ast as A

# Calls (functions and methods) whose outputs are recorded ops of their inputs.
REPLAY_SAFE_CALLS = frozenset((
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "neg", "negative",
    "reciprocal", "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "remainder", "clamp", "clip", "clamp_min", "clamp_max", "where", "maximum", "minimum", "sum", "mean",
    "max", "min", "amax", "amin", "norm", "logsumexp", "matmul", "mm", "mv", "bmm", "dot", "inner",
    "outer", "ger", "reshape", "view", "flatten", "t", "transpose", "swapaxes", "permute", "squeeze",
    "unsqueeze", "expand", "expand_as", "view_as", "reshape_as", "contiguous", "cat", "concat",
    "concatenate", "stack", "select", "softmax", "log_softmax", "binary_cross_entropy_with_logits",
    "mse_loss", "cross_entropy", "nll_loss", "ones_like", "zeros_like", "clone", "double",
))
# Calls that make constants: safe when every argument is a literal.
LITERAL_CALLS = frozenset(("tensor", "as_tensor", "ones", "zeros", "full", "eye", "arange", "linspace"))
REPLAY_SAFE_ATTRIBUTES = frozenset(("T", "mT", "values"))

_MODULES = ("torch", "F", "torch.nn.functional")        # `torch.exp(x)` is a function, not a method
_LITERAL_NAMES = ("None", "True", "False", "true", "false", "pi", "inf", "nan")


def replayable(program: A.Program) -> bool:
    """Can a recording of `program` be replayed on new values? (See the module doc.)"""
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
        elif kind is A.Attribute and node.name in REPLAY_SAFE_ATTRIBUTES:
            todo.append(node.obj)
        elif kind is A.Index and all(_literal(i) for i in node.items):
            todo.append(node.obj)
        elif kind is A.Call:
            func = node.func
            arguments = [*node.args, *(k.value for k in node.kwargs)]
            if type(func) is A.Attribute and A.dotted_name(func.obj) not in _MODULES:
                arguments.append(func.obj)      # a method: its receiver is an operand too
            name = func.id if type(func) is A.Name else func.name
            if name in LITERAL_CALLS and all(_literal(a) for a in arguments):
                continue
            if name not in REPLAY_SAFE_CALLS:
                return False
            todo += arguments
        else:
            return False
    return True


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
