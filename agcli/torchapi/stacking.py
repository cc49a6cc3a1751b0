"""Functions learners reach for after cat and stack, built as ATen builds them from agcli's ops (so their
grad_fn names are PyTorch's): repeat_interleave, column_stack, dstack, atleast_1d/2d/3d,
broadcast_tensors, broadcast_shapes, isin and torch.is_floating_point."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from .checks import broadcast_shapes as _two_shapes, dim_index, fail, is_int, ndim_of, numel, shape_of
from .creation import as_tensor
from .ndarrays import type_name
from .scatter import index_select
from .shaping import _tensor_list, cat, expand, flatten, reshape, unsqueeze
from .size import Size


def is_floating_point(input):
    if type(input) is not Tensor:
        fail(f"is_floating_point(): argument 'input' (position 1) must be Tensor, not {type_name(input)}", "type")
    return B.kind(input.data.dtype) == "f"


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element repeated along dim (flattened without one): an int's as ATen's unsqueeze, expand, clone
    and flatten (ViewBackward0); a tensor's counts as index_select (IndexSelectBackward0)."""
    if repeats is None:         # torch.repeat_interleave(counts): the indices, each repeated its count
        return _indices(input)
    x, d = (flatten(input), 0) if dim is None else (input, dim_index(dim, ndim_of(input)))
    if type(repeats) is not Tensor:
        if not is_int(repeats):
            fail(f"repeat_interleave() received an invalid combination of arguments - got ({type_name(input)}, "
                 f"{type_name(repeats)}), but expected one of:\n * (Tensor input, Tensor repeats, int dim = None, *, "
                 "SymInt output_size = None)\n * (Tensor input, SymInt repeats, int dim = None, *, "
                 "SymInt output_size = None)\n", "type")
        if repeats < 0:
            fail("Repeats must be non-negative")
        shape = shape_of(x)
        grown = expand(unsqueeze(x, d + 1), shape[:d + 1] + (int(repeats),) + shape[d + 1:])
        return flatten(apply(S.CLONE, grown, memory_format="contiguous"), d, d + 1)
    size = shape_of(x)[d]
    if repeats.data.ndim == 0 or repeats.data.ndim == 1 and repeats.data.shape[0] == 1:
        repeats = expand(reshape(repeats, (1,)), (size,))
    elif repeats.data.ndim == 1 and repeats.data.shape[0] != size:
        fail(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
             f"{repeats.data.shape[0]} and input.size({d}) = {size}")
    elif repeats.data.ndim > 1:
        fail("repeats must be 0-dim or 1-dim tensor")
    return index_select(x, d, _indices(repeats))


def _indices(repeats):
    if type(repeats) is not Tensor:
        fail(f"repeat_interleave(): argument 'repeats' (position 1) must be Tensor, not {type_name(repeats)}", "type")
    if B.kind(repeats.data.dtype) not in "iu":
        fail(f'"repeat_interleave_cpu" not implemented for \'{torch_type_name(B.dtype_name(repeats.data.dtype))}\'',
             "not_implemented")
    if repeats.data.ndim != 1:
        fail("repeat_interleave only accept 1D vector as repeat")
    counts = B.tolist(repeats.data)
    if any(c < 0 for c in counts):
        fail("repeats can not be negative")
    return Tensor(B.asarray([i for i, c in enumerate(counts) for _ in range(c)], dtype=B.dtype("int64")),
                  device=repeats.device)


def atleast_1d(*tensors):
    return _each(tensors, lambda t: reshape(t, (1,)) if ndim_of(t) == 0 else t)


def atleast_2d(*tensors):
    return _each(tensors, lambda t: reshape(t, (1, 1)) if ndim_of(t) == 0 else unsqueeze(t, 0) if ndim_of(t) == 1
                 else t)


def atleast_3d(*tensors):
    return _each(tensors, _three)


def _three(t):
    n = ndim_of(t)
    return reshape(t, (1, 1, 1)) if n == 0 else unsqueeze(unsqueeze(t, 0), -1) if n == 1 else unsqueeze(t, -1) \
        if n == 2 else t


def _each(tensors, one):
    """One tensor's result alone, a tuple for several (a list or tuple given: a tuple too)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(one(as_tensor(t)) for t in tensors[0])
    if len(tensors) == 1:
        return one(as_tensor(tensors[0]))
    return tuple(one(as_tensor(t)) for t in tensors)


def column_stack(tensors):
    """hstack of the tensors with vectors (and 0-d ones) as columns."""
    ts = [reshape(t, (numel(shape_of(t)), 1)) if ndim_of(t) <= 1 else t
          for t in _tensor_list(tensors, "column_stack")]
    return cat(ts, 1)


def dstack(tensors):
    return cat([_three(t) for t in _tensor_list(tensors, "dstack")], 2)


def broadcast_shapes(*shapes):
    out: tuple = ()
    for k, s in enumerate(shapes):
        s = (s,) if is_int(s) else tuple(s)
        for i in range(1, len(s) + 1):
            if i <= len(out) and s[-i] != 1 and out[-i] != 1 and s[-i] != out[-i]:
                fail(f"Attempting to broadcast a dimension of length {s[-i]} at {-i}! Mismatching argument at index "
                     f"{k} had {s}; but expected shape should be broadcastable to {list(out)}")
        out = _two_shapes(out, s)
    return Size(out)


def broadcast_tensors(*tensors):
    """Each tensor expanded to the shape they broadcast to (ExpandBackward0); one of that shape is itself."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if type(t) is not Tensor:
            fail(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}", "type")
    shape: tuple = ()
    for t in tensors:
        shape = _two_shapes(shape, shape_of(t))
    return tuple(t if shape_of(t) == shape else expand(t, shape) for t in tensors)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element is among test_elements (a bool tensor, no gradient)."""
    e = elements if type(elements) is Tensor else as_tensor(elements)
    t = test_elements if type(test_elements) is Tensor else as_tensor(test_elements)
    found = B.xp.isin(e.data, t.data) if B.ON_HOST else \
        B.xp.any(B.xp.reshape(e.data, (*e.data.shape, 1)) == B.xp.reshape(t.data, (-1,)), axis=-1)
    return Tensor(B.xp.logical_not(found) if invert else found, device=e.device)


BOTH = {"repeat_interleave": repeat_interleave}
FUNCTIONS_ONLY = {"is_floating_point": is_floating_point, "column_stack": column_stack, "dstack": dstack,
                  "atleast_1d": atleast_1d, "atleast_2d": atleast_2d, "atleast_3d": atleast_3d,
                  "broadcast_tensors": broadcast_tensors, "broadcast_shapes": broadcast_shapes, "isin": isin}
