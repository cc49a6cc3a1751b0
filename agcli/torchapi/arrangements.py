"""torch.cross / torch.linalg.cross, torch.diag_embed, torch.rot90 (functions and Tensor methods) and
torch.block_diag: PyTorch's checks in its order and words; each records one node
(engine/ops/arrangements.py), with its dims handed on counted from the end."""
from __future__ import annotations

from ..engine.ops import arrangements as A
from ..engine import backend as B
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from ..state import state
from .dtypes import result_type
from .checks import broadcast_shapes, dim_index, fail, is_int, ndim_of, shape_of, tensors_only


def linalg_cross(input, other, *, dim=-1):
    """torch.linalg.cross: the cross product along dim (of size 3 in both), the other dims broadcast."""
    tensors_only("linalg_cross", input=input, other=other)
    n = ndim_of(input)
    if n != ndim_of(other):
        fail("linalg.cross: inputs must have the same number of dimensions.")
    d = dim_index(dim, n)
    if shape_of(input)[d] != 3 or shape_of(other)[d] != 3:
        fail(f"linalg.cross: inputs dimension {dim} must have length 3. Got {shape_of(input)[d]} and "
             f"{shape_of(other)[d]}")
    broadcast_shapes(shape_of(input), shape_of(other))
    if data(input).dtype != data(other).dtype:
        fail(f"expected scalar type {torch_type_name(data(input).dtype)} but found "
             f"{torch_type_name(data(other).dtype)}")
    return A.cross(input, other, d - n)


def cross(input, other, dim=None):
    """torch.cross: linalg.cross, but dim defaults (with PyTorch's warning) to input's first dim of size 3."""
    if dim is None:
        tensors_only("cross", input=input, other=other)
        state.warn("UserWarning: Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
                   "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
                   "change to agree with that of linalg.cross in a future release.")
        dim = next((i for i, s in enumerate(shape_of(input)) if s == 3), None)
        if dim is None:
            fail("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """torch.diag_embed: the last dim's vectors on the offset diagonals of new matrices in dims dim1, dim2."""
    tensors_only("diag_embed", input=input)
    for position, (param, v) in enumerate((("offset", offset), ("dim1", dim1), ("dim2", dim2)), 2):
        if not is_int(v):
            fail(f"diag_embed(): argument '{param}' (position {position}) must be int, not {python_type_name(v)}",
                 "type")
    n = ndim_of(input) + 1
    d1, d2 = dim_index(dim1, n), dim_index(dim2, n)
    if d1 == d2:
        fail(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return A.diag_embed(input, int(offset), d1 - n, d2 - n)


def rot90(input, k=1, dims=(0, 1)):
    """torch.rot90: k quarter turns from dims[0] towards dims[1]."""
    tensors_only("rot90", input=input)
    if not is_int(k):
        fail(f"rot90(): argument 'k' (position 2) must be int, not {python_type_name(k)}", "type")
    dims = tuple(dims)
    n = ndim_of(input)
    if len(dims) != 2:
        fail(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        fail(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = dim_index(dims[0], n), dim_index(dims[1], n)
    if d0 == d1:
        fail(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    return A.rot90(input, int(k), (d0 - n, d1 - n))


def block_diag(*tensors):
    """torch.block_diag: the tensors (numbers as 1x1, vectors as rows) on the diagonal of one matrix,
    in their promoted dtype (BlockDiagBackward0)."""
    for k, t in enumerate(tensors):
        if type(t) is not Tensor:
            fail(f"expected Tensor as element {k} in argument 0, but got {python_type_name(t)}", "type")
        if ndim_of(t) > 2:
            fail(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {k} has {ndim_of(t)} "
                 "dimensions")
    if not tensors:
        return Tensor(B.zeros((1, 0), dtype=B.dtype(state.default_float)))
    dtype = result_type(*tensors)
    return apply(A.BLOCK_DIAG, *tensors, cast=None if all(t.data.dtype == dtype for t in tensors) else dtype)


FUNCTIONS = {"cross": cross, "diag_embed": diag_embed, "rot90": rot90, "block_diag": block_diag}
METHODS = {"cross": cross, "diag_embed": diag_embed, "rot90": rot90}
LINALG = {"cross": linalg_cross}
