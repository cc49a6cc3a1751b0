"""More of torch's index and split functions, built as ATen builds them from agcli's ops (so their
grad_fn names are PyTorch's): tensor_split, hsplit, vsplit, take_along_dim; result_type, promote_types
and can_cast."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..errors import torch_type_name
from .checks import broadcast_shapes, dim_index, fail, is_int, ndim_of, shape_of
from .dtypes import DType, dtype_of, result_type as _result_type
from .ndarrays import type_name
from .scatter import gather
from .shaping import expand, narrow, reshape


def tensor_split(input, indices_or_sections, dim=0):
    """Pieces of input along dim (views: SliceBackward0 each): n sections, the first size % n of them one
    longer, or cut at the given indices (clamped to the size, as slices are)."""
    d = dim_index(dim, ndim_of(input))
    size = shape_of(input)[d]
    cuts = indices_or_sections
    if type(cuts) is Tensor:
        if B.dtype_name(cuts.data.dtype) != "int64":
            fail(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                 f"{torch_type_name(B.dtype_name(cuts.data.dtype))}")
        if cuts.data.ndim > 1:
            fail(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional "
                 f"tensor, but got a tensor with {cuts.data.ndim} dims")
        cuts = B.item(cuts.data) if cuts.data.ndim == 0 else B.tolist(cuts.data)
    if is_int(cuts):
        if cuts <= 0:
            fail(f"number of sections must be larger than 0, got {cuts}")
        small, extra = divmod(size, cuts)
        bounds, start = [], 0
        for i in range(cuts):
            length = small + (i < extra)
            bounds.append((start, length))
            start += length
    else:
        edges = [0] + [min(max(c + size if c < 0 else c, 0), size) for c in cuts] + [size]
        bounds = [(a, max(b - a, 0)) for a, b in zip(edges, edges[1:])]
    return tuple(narrow(input, d, a, n) for a, n in bounds)


def hsplit(input, indices_or_sections):
    n = ndim_of(input)
    if n == 0:
        fail("torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!")
    return _split_evenly(input, indices_or_sections, 1 if n > 1 else 0, "hsplit")


def vsplit(input, indices_or_sections):
    if ndim_of(input) < 2:
        fail(f"torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with {ndim_of(input)} "
             "dimensions!")
    return _split_evenly(input, indices_or_sections, 0, "vsplit")


def _split_evenly(input, sections, dim, name):
    size = shape_of(input)[dim]
    if is_int(sections) and (sections == 0 or size % sections):
        fail(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension {size} is not "
             f"divisible by the split_size {sections}!")
    return tensor_split(input, sections, dim)


def take_along_dim(input, indices, dim=None):
    """input's values at indices along dim (GatherBackward0; both broadcast as ATen's helper does, each an
    expand), or at flat indices without a dim."""
    if type(indices) is not Tensor:
        fail(f"take_along_dim(): argument 'indices' (position 2) must be Tensor, not {type_name(indices)}", "type")
    if B.dtype_name(indices.data.dtype) not in ("int32", "int64"):
        fail("gather(): Expected dtype int32/int64 for index")
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    if ndim_of(input) != ndim_of(indices):
        fail(f"torch.take_along_dim(): input and indices should have the same number of dimensions, but got "
             f"{ndim_of(input)} dimensions for input, and {ndim_of(indices)} dimensions for indices")
    d = dim_index(dim, ndim_of(input))
    mine, theirs = list(shape_of(input)), list(shape_of(indices))
    index_shape = _broadcast(mine[:d] + [theirs[d]] + mine[d + 1:], theirs)
    input_shape = _broadcast(theirs[:d] + [mine[d]] + theirs[d + 1:], mine)
    return gather(expand(input, input_shape), d, expand(indices, index_shape))


def _broadcast(a, b):
    return broadcast_shapes(tuple(a), tuple(b))


def result_type(tensor, other):
    return DType(B.dtype_name(_result_type(tensor, other)))


_KINDS = {"b": 0, "u": 1, "i": 1, "f": 2}


def promote_types(type1, type2):
    """The higher kind's dtype (bool < int < float: int32 with float16 is float16), within a kind NumPy's."""
    a, b = B.dtype(dtype_of(type1)), B.dtype(dtype_of(type2))
    ka, kb = _KINDS[B.kind(a)], _KINDS[B.kind(b)]
    return DType(B.dtype_name(a if ka > kb else b if kb > ka else B.result_type(a, b)))


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow from_ into to: never to a lower kind (float to int, int to bool)."""
    return _KINDS[B.kind(B.dtype(dtype_of(from_)))] <= _KINDS[B.kind(B.dtype(dtype_of(to)))]


FUNCTIONS_ONLY = {"tensor_split": tensor_split, "hsplit": hsplit, "vsplit": vsplit, "take_along_dim": take_along_dim,
                  "result_type": result_type, "promote_types": promote_types, "can_cast": can_cast}
METHODS_ONLY = {name: FUNCTIONS_ONLY[name] for name in ("tensor_split", "hsplit", "vsplit", "take_along_dim")}
