"""torch.autograd.grad(..., is_grads_batched=True): the first dim of every grad_output is a
batch of vector-Jacobian products. PyTorch vmaps one engine call over it; agcli runs one
autograd.grad per row and stacks the rows (the same values; under create_graph=True the
result's grad_fn is the stack's, not the vmapped formula's), with PyTorch's checks first:
torch/autograd/__init__.py's _make_grads and vmap's own.
"""
from __future__ import annotations

from ..engine.backward import release
from ..engine.tensor import Tensor
from ..errors import AgcliError
from . import creation as C
from . import functions as F


def _size(shape) -> str:
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _batched(outs, gos):
    """The grad_outputs as _make_grads and vmap make them: one tensor or None per output."""
    made = []
    for i, (out, go) in enumerate(zip(outs, gos)):
        if go is None:
            if not out.requires_grad:
                made.append(None)
                continue
            if out.data.size != 1:
                raise AgcliError("grad can be implicitly created only for scalar outputs")
            if out.data.ndim:           # (ones_like(out)'s rows lack its first dim: the engine's check)
                ones = ["1"] * out.data.ndim        # (its one element: every dim is 1)
                raise AgcliError(f"invalid gradient at index {i} - got [{', '.join(ones[1:])}] but expected "
                                 f"shape compatible with [{', '.join(ones)}]")
            go = C.ones_like(out)       # (0-d: vmap refuses it below)
        elif go.data.ndim == 0:
            raise AgcliError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number", kind="index")
        elif go.data.shape[0] == 0:
            raise AgcliError("index 0 is out of bounds for dimension 0 with size 0", kind="index")
        elif tuple(go.data.shape[1:]) != tuple(out.data.shape):
            # (PyTorch reports the shape of grad_output[i][0] past its first dim)
            raise AgcliError("If `is_grads_batched=True`, we interpret the first dimension of each grad_output as "
                             "the batch dimension. The sizes of the remaining dimensions are expected to match the "
                             f"shape of corresponding output, but a mismatch was detected: grad_output[{i}] has a "
                             f"shape of {_size(go.data.shape[2:])} and output[{i}] has a shape of "
                             f"{_size(out.data.shape)}. If you only want some tensors in `grad_output` to be "
                             "considered batched, consider using vmap.")
        made.append(go)
    for go in made:
        if go is not None and go.data.ndim == 0:
            raise AgcliError("vmap(vjp, in_dims=0, ...)(<inputs>): Got in_dim=0 for some input, but that input is "
                             "a Tensor of dimensionality 0 so expected in_dim to satisfy 0 <= in_dim < 0.",
                             kind="value")
    sizes = [go.data.shape[0] for go in made if go is not None]
    if any(s != sizes[0] for s in sizes):
        raise AgcliError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension", kind="value")
    return made, (sizes[0] if sizes else 0)


def grad_batched(grad, outs, inputs, gos, retain_graph, create_graph, allow_unused):
    """`grad(outs, inputs, gos, retain_graph, create_graph, allow_unused)` is the unbatched
    autograd.grad; outs are tensors, gos one tensor or None each."""
    made, rows = _batched(outs, gos)
    if retain_graph is None:
        retain_graph = create_graph
    per_row = []
    for r in range(rows):
        row = [None if go is None else F.select(go, 0, r) for go in made]
        per_row.append(grad(outs, inputs, row, True, create_graph, allow_unused))
    if not retain_graph:
        release([t.grad_fn for t in outs if type(t) is Tensor])
    return tuple(None if per_row[0][i] is None else F.stack([found[i] for found in per_row])
                 for i in range(len(inputs)))
