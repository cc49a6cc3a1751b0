"""A node called as a function, as a program may call a grad_fn (`y.grad_fn(g)`): its
rules on g, one gradient per edge PyTorch lists (None where that input needs none),
without hooks, and as the rules give them: the engine's reduction of a broadcast
gradient and its cast to the input's dtype come after a node, not in it. Recorded
(a graph of its own) when grad mode is on and g or a saved input requires grad, as
PyTorch's rules on tensors are. (A node whose formula computes every input's
gradient at once, cat's, gives PyTorch a gradient where this gives None.)"""
from __future__ import annotations

from ..errors import AgcliError
from ..state import state
from .backend import asarray
from .backward import _check_saved
from .tensor import Tensor


def call_node(node, g: Tensor, positions) -> tuple:
    """node(g): the gradient of each input at `positions` (those with an edge)."""
    op = getattr(node, "op", None)
    if op is not None and op.saves:
        _check_saved(node)
    if op is None or op.vjps is None or node.out is None:
        raise AgcliError(f"agcli cannot call a {node.name} node as a function", kind="not_implemented",
                         hint="run backward() or torch.autograd.grad() instead")
    graph = state.grad_enabled and (g.requires_grad or any(type(a) is Tensor and a.requires_grad
                                                           for a in node.inputs))
    out, args, grad = (node.out, node.inputs, g) if graph else (node.out.data, node.arrays, g.data)
    # (cat's and stack's formula gives every input's part, needed or not)
    grads = tuple(None if node.next[i] is None and not op.variadic else _input_grad(node, op, i, grad, out, args)
                  for i in positions)
    return grads[0] if len(grads) == 1 else grads


def _input_grad(node, op, i, g, out, args):
    vjp, params = (op.vjps[0], {"i": i, **node.params}) if op.variadic else (op.vjps[i], node.params)
    gi = vjp(g, out, *args, **params)
    if gi is None:          # (op.undefined: PyTorch's undefined gradient)
        return None
    return gi if type(gi) is Tensor else Tensor(asarray(gi), device=node.out.device)
