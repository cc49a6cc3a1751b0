"""torch.linalg's own functions, where they differ from torch's of the same name: the norms
(linalg.norm, vector_norm, matrix_norm, as PyTorch composes them in LinearAlgebra.cpp) and
diagonal. torch.norm and Tensor.norm are vector norms of the flattened input
(reductions.py); linalg.norm of a matrix with an `ord` is a matrix norm. torch.diagonal
takes dims 0 and 1; linalg.diagonal the last two."""
from __future__ import annotations

from ..errors import AgcliError
from .checks import dim_index, dims_tuple, fail, ndim_of
from .reductions import amax, amin, norm
from .shaping import diagonal as _diagonal


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    return norm(x, ord, dim, keepdim, dtype)


def linalg_norm(input, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A matrix norm where input (or `dim`) is two-dimensional and `ord` is given, else the vector 2-norm or
    `ord`-norm. (PyTorch's parser calls the tensor `input`, not A as its docs do.)"""
    if dim is not None and len(_as_tuple(dim)) not in (1, 2):
        fail(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    dims = None if dim is None else dims_tuple(dim, ndim_of(input))
    if dims is None and ord is not None and ndim_of(input) not in (1, 2):
        fail(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {ndim_of(input)}D.")
    if isinstance(ord, str) or ord is not None and (len(dims) == 2 if dims is not None else ndim_of(input) == 2):
        return matrix_norm(input, ord, (0, 1) if dims is None else _as_tuple(dim), keepdim, dtype=dtype)
    return norm(input, 2 if ord is None else ord, dims, keepdim, dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    if ndim_of(A) < 2:
        fail("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if len(_as_tuple(dim)) != 2:
        fail(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, _as_tuple(dim)))}")
    first, second = (dim_index(d, ndim_of(A)) for d in dim)
    if first == second:
        fail(f"linalg.matrix_norm: dims must be different. Got ({first}, {second})")
    if ord == "fro":
        return norm(A, 2, (first, second), keepdim, dtype)
    if ord in ("nuc", 2, -2):
        raise AgcliError(f"agcli does not provide linalg.matrix_norm with ord={ord!r} (it takes singular values)",
                         kind="not_implemented", hint="ord='fro', 1, -1, inf or -inf are provided")
    if isinstance(ord, str) or abs(ord) not in (1, float("inf")):
        fail(f"linalg.matrix_norm: Order {ord} not supported.")
    if abs(ord) == float("inf"):          # the inf norm is the 1 norm of the transposed matrix
        first, second = second, first
    if not keepdim and first < second:    # the first reduction removes a dim before the second
        second -= 1
    sums = norm(A, 1, first, keepdim, dtype)
    return amax(sums, second, keepdim) if ord > 0 else amin(sums, second, keepdim)


def _as_tuple(dim):
    return tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _diagonal(A, offset, dim1, dim2)
