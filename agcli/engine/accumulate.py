"""A leaf's gradient into its .grad, as PyTorch's AccumulateGrad puts it there (backward.py
hands each leaf its gradient here)."""
from __future__ import annotations

from .backend import ON_HOST, asarray, copy, setitem, xp
from .ops.shapes import COPY
from .tensor import Tensor, apply, bump_version, set_grad_enabled


def accumulate_grad(tensor, g, create_graph, copy_it=True, in_place=True):
    """tensor.grad += g, as AccumulateGrad does (a fresh .grad never shares memory);
    g a Tensor, or an array of the tensor's dtype. in_place=False: retain_grad's hook, which
    sets .grad = .grad + g (a new tensor: whoever held the old .grad keeps its values)."""
    if type(g) is not Tensor:
        if tensor.grad is None:         # (most leaves: their first gradient, one Tensor made)
            tensor.grad = Tensor(copy(g) if copy_it else g, device=tensor.device)
            return
        g = Tensor(g, device=tensor.device)
    if tensor.grad is None:
        if create_graph and g.requires_grad:
            with set_grad_enabled(True):    # (the engine's grad mode is create_graph, even under no_grad)
                tensor.grad = apply(COPY, g)   # PyTorch records CopyBackwards here
        else:
            tensor.grad = Tensor(copy(g.data) if copy_it else g.data, device=tensor.device)
    elif create_graph:
        with set_grad_enabled(True):
            tensor.grad = tensor.grad + g
    elif not in_place:
        tensor.grad = tensor.grad + g
    elif _adds_in_place(tensor.grad, g.data):
        # AccumulateGrad's `grad += new_grad`: the same .grad tensor, so whoever holds it sees the sum
        if ON_HOST:
            xp.add(tensor.grad.data, g.data, out=tensor.grad.data)
        else:       # (the array API has no out=)
            setitem(tensor.grad.data, ..., tensor.grad.data + g.data)
        bump_version(tensor.grad)
    else:
        # (asarray: NumPy gives a scalar for 0-d + 0-d, and a .grad must stay an array: .zero_())
        tensor.grad = Tensor(asarray(tensor.grad.data + g.data), device=tensor.device)


def _adds_in_place(grad, g) -> bool:
    """Can `g` be added into the array of the .grad tensor `grad` in place (same shape and
    dtype, writeable)? It may have a graph (a create_graph pass made it): PyTorch adds in place all the same."""
    array = grad.data
    return getattr(array, "shape", None) == g.shape and array.dtype == g.dtype \
        and getattr(getattr(array, "flags", None), "writeable", True)
