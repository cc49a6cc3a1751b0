"""A leaf's gradient into its .grad, as PyTorch's AccumulateGrad puts it there (backward.py
hands each leaf its gradient here)."""
from __future__ import annotations

from .backend import ON_HOST, asarray, copy, empty, host, setitem, xp
from .op import Op
from .tensor import Tensor, apply, bump_version, set_grad_enabled

# The first gradient accumulated with create_graph=True: PyTorch's clone_obey_contract copies it into
# a new empty tensor (new_empty_strided(...).copy_(g)), so its CopyBackwards has that tensor's edge (None) first.
_COPY_INTO_EMPTY = Op("CopyBackwards", lambda new, src: asarray(src, copy=True),
                      (lambda g, out, new, src: g * 0, lambda g, out, new, src: g), ("zeros_like(grad)", "grad"),
                      saves=False, jvps=(None, lambda t, out, new, src: t))


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
                new = Tensor(empty(g.data.shape, dtype=g.data.dtype), device=g.device)
                tensor.grad = apply(_COPY_INTO_EMPTY, new, g)
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


def as_leaf(g, leaf_data) -> bool:
    """Whether g has the layout PyTorch gives the leaf's .grad (host arrays; a device's are row-major)."""
    if leaf_data.flags.c_contiguous:
        return g.flags.c_contiguous
    return g.strides == leaf_data.strides if _dense(leaf_data) else g.flags.c_contiguous


def laid_out_as(g, leaf_data):
    """A copy of g laid out as the leaf when the leaf is dense (a transposed leaf's .grad is transposed
    too, as PyTorch's), else row-major."""
    if not ON_HOST or leaf_data.flags.c_contiguous or not _dense(leaf_data):
        return copy(g)
    out = host.empty_like(leaf_data)     # (order "K": the leaf's strides)
    out[...] = g
    return out


def _dense(a) -> bool:
    """Whether a's elements fill its memory without gaps or overlaps, in some order of its axes."""
    step = a.itemsize
    for stride, size in sorted((abs(st), n) for st, n in zip(a.strides, a.shape) if n > 1):
        if stride != step:
            return False
        step *= size
    return True
