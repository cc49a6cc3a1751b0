"""torch.linalg.cholesky, torch.linalg.solve_triangular and torch.cholesky_inverse (x.cholesky_inverse()):
PyTorch's argument checks in its words, then one recorded op each (engine/ops/cholesky.py)."""
from __future__ import annotations

from ..engine.backend import dtype_name, kind
from ..engine.ops import cholesky as CH
from ..engine.tensor import apply
from ..errors import torch_type_name
from .checks import fail, ndim_of, tensors_only
from .devices import to
from .dtypes import DType, result_type


def _matrices(name, A, what="A"):
    if ndim_of(A) < 2:
        fail(f"{name}: The input tensor {what} must have at least 2 dimensions.")


def _square(name, A):
    _matrices(name, A)
    rows, cols = A.data.shape[-2:]
    if rows != cols:
        fail(f"{name}: A must be batches of square matrices, but they are {rows} by {cols} matrices")


def _floating(name, A):
    if kind(A.data.dtype) != "f":
        fail(f"{name}: Expected a floating point or complex tensor as input. Got {torch_type_name(A.data.dtype)}")


def cholesky(A, *, upper=False, out=None):
    """torch.linalg.cholesky: the lower factor L of A = L L^H (upper: L^H) (LinalgCholeskyExBackward0)."""
    tensors_only("linalg_cholesky", A=A)
    _square("linalg.cholesky", A)
    _floating("linalg.cholesky", A)
    return apply(CH.CHOLESKY, A, upper=bool(upper))


def solve_triangular(A, B, *, upper=None, left=True, unitriangular=False, out=None):
    """torch.linalg.solve_triangular: X with A X = B (left=False: X A = B), A triangular
    (LinalgSolveTriangularBackward0)."""
    if upper is None:
        fail('linalg_solve_triangular() missing 1 required positional arguments: "upper"', "type")
    tensors_only("linalg_solve_triangular", A=A, B=B)
    name = "linalg.solve_triangular"
    _matrices(name, A)
    _matrices(name, B, "B")
    rows, cols = A.data.shape[-2:]
    if rows != cols:
        fail(f"{name}: A must be batches of square matrices, but they are {rows} by {cols} matrices")
    b_rows, b_cols = B.data.shape[-2:]
    if (b_rows if left else b_cols) != rows:
        equation = f"AX = B ({rows}x{cols} and {b_rows}x{b_cols})" if left else \
            f"XA = B ({b_rows}x{b_cols} and {rows}x{cols})"
        fail(f"{name}: Incompatible shapes of A and B for the equation {equation}")
    _floating(name, A)
    _floating(name, B)
    if A.data.dtype != B.data.dtype:          # (PyTorch promotes the two)
        common = DType(dtype_name(result_type(A, B)))
        A, B = to(A, common), to(B, common)
    return apply(CH.SOLVE_TRIANGULAR, A, B, upper=bool(upper), left=bool(left), unitriangular=bool(unitriangular))


def cholesky_inverse(L, upper=False, *, out=None):
    """torch.cholesky_inverse: (L L^H)^-1 from a Cholesky factor (CholeskyInverseBackward0)."""
    tensors_only("cholesky_inverse", input=L)
    _square("cholesky_inverse", L)
    _floating("cholesky_inverse", L)
    return apply(CH.CHOLESKY_INVERSE, L, upper=bool(upper))


LINALG = {"cholesky": cholesky, "solve_triangular": solve_triangular}
BOTH = {"cholesky_inverse": cholesky_inverse}
