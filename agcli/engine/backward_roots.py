"""Where a backward pass starts and what it must visit: its roots (each output with its
gradient: backward's `gradient`, ones for a scalar), checked as PyTorch's engine checks them,
and the nodes that must run when the pass is asked for some inputs only (autograd.grad).

Several outputs (autograd.grad's tuple, autograd.backward's list) are one pass, as PyTorch's
GraphRoot hands them all to its engine: a node they share runs once, on the sum of what
reaches it, its hooks called once.
"""
from __future__ import annotations

from operator import attrgetter

from ..errors import AgcliError
from .backend import asarray, astype, ones
from .tensor import Tensor


def ones_like(a):
    """The gradient of a scalar output with respect to itself."""
    if a.ndim == 0:                    # numpy.ones is slow for these
        return asarray(1, dtype=a.dtype)
    return ones(a.shape, dtype=a.dtype)


def more_roots(also, grads, create_graph) -> list:
    """The outputs after the first of a pass over several: each one's node (its grad_fn, or a
    leaf's AccumulateGrad) with its gradient added into grads (in order, as PyTorch's input
    buffer adds an output given twice); returns their nodes."""
    nodes = []
    for i, (t, go) in enumerate(also, 1):
        node = t.grad_fn
        if node is None:
            if not t.requires_grad:
                raise AgcliError(f"element {i} of tensors does not require grad and does not have a grad_fn")
            node = t.edge()
        if go is None:
            if t.data.size != 1:
                raise AgcliError("grad can be implicitly created only for scalar outputs")
            go = ones_like(t.data)
        else:
            go = checked_grad_output(go, t, i)
        if create_graph and type(go) is not Tensor:
            go = Tensor(go, device=t.device)
        elif not create_graph and type(go) is Tensor:
            go = go.data
        prev = grads.get(node)
        grads[node] = go if prev is None else prev + go
        nodes.append(node)
    return nodes


def reachable_from(roots, reachable) -> list:
    """The nodes reachable from any of the roots, in reverse creation order (one pass's order)."""
    seen, nodes = set(), []
    for root in roots:
        for node in reachable(root):
            if node not in seen:
                seen.add(node)
                nodes.append(node)
    nodes.sort(key=attrgetter("seq"), reverse=True)
    return nodes


def checked_grad_output(v, output, i=0):
    """A backward(gradient) checked against the output, the pass's i-th (PyTorch's message on mismatch)."""
    gd = v.data if type(v) is Tensor else asarray(v)
    if gd.shape != output.data.shape:
        given, wanted = (", ".join(map(str, shape)) for shape in (gd.shape, output.data.shape))
        raise AgcliError(f"Mismatch in shape: grad_output[{i}] has a shape of torch.Size([{given}]) "
                         f"and output[{i}] has a shape of torch.Size([{wanted}]).", kind="shape")
    if type(v) is Tensor and v.requires_grad and gd.dtype == output.data.dtype:
        return v        # create_graph differentiates through it too (double backward's trick, gradgradcheck)
    gd = astype(gd, output.data.dtype)
    return Tensor(gd, device=output.device) if type(v) is Tensor else gd


def _leading_to(order, inputs) -> set:
    """Ids of the nodes (of `order`, reverse creation order) whose backward
    leads to some input: the only ones that must run, as in PyTorch (an
    input's own node runs only if another input lies below it)."""
    targets = {t.grad_fn if t.grad_fn is not None else t._accumulator for t in inputs}
    needed = _Needed()
    needed.targets = targets
    for node in reversed(order):        # a node's inputs come before it
        if any(n in needed or n in targets for n in node.next if n is not None):
            needed.add(node)
    return needed


class _Needed(set):
    """The nodes that must run, and `targets`: the inputs' own nodes (PyTorch computes a
    node's gradient for an input only when it leads to one of them)."""

    __slots__ = ("targets",)
