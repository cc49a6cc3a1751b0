"""torch.linalg's pinv (torch.pinverse), matrix_rank, cond and matrix_exp (torch.matrix_exp), as
LinearAlgebra.cpp composes or records them (engine/ops/matrix_functions.py: pinv's and matrix_exp's
values and rules)."""
from __future__ import annotations

import math

from ..engine import backend as B
from ..engine import backend as BK     # (lstsq's B is PyTorch's name for its right-hand side)
from ..engine.ops import least_squares as LS, matrix_functions as M
from ..engine.ops.linalg import vector_rhs
from ..engine.tensor import Tensor, apply, data
from ..errors import AgcliError, torch_type_name
from . import functions as F, in_place
from .checks import fail, ndim_of, tensors_only
from .decompositions import eigvalsh, svdvals
from .norms import matrix_norm
from .reductions import ValuesIndices
from .special_math import nan_to_num

_EPS = {"float32": 1.1920928955078125e-07, "float64": 2.220446049250313e-16}
_CPP = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int", "int16": "Short",
        "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _tolerances(name, A, atol, rtol):
    """get_atol_rtol: (atol, rtol) as host arrays; rtol's default eps * max(m, n), or 0 once atol is given > 0."""
    dtype = B.dtype_name(A.data.dtype)
    if dtype not in _EPS:
        fail("This function doesn't handle types other than float and double")
    for param, v in (("atol", atol), ("rtol", rtol)):
        if type(v) is Tensor and B.kind(v.data.dtype) not in "fiub":
            fail(f"{name}: {param} tensor of complex type is not supported. Got {torch_type_name(v.data.dtype)}")
    a = B.host.asarray(0.0 if atol is None else B.to_host(data(atol)) if type(atol) is Tensor else float(atol))
    if rtol is not None:
        r = B.host.asarray(B.to_host(data(rtol)) if type(rtol) is Tensor else float(rtol))
    else:
        default = B.host.asarray(_EPS[dtype] * max(A.data.shape[-1], A.data.shape[-2]))
        r = default if atol is None else B.host.where(a > 0, 0.0, default)
    return a.astype("float64"), B.host.asarray(r, dtype="float64")


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """torch.linalg.pinv: V diag(1 / S) U^H over the singular values above max(atol, rtol * the
    largest) (LinalgPinvBackward0); rcond (deprecated) is rtol with atol 0."""
    tensors_only("linalg_pinv", A=A)
    if ndim_of(A) < 2 or B.kind(A.data.dtype) != "f":
        dims = ", ".join(map(str, A.data.shape))
        fail(f"linalg.pinv({_CPP.get(B.dtype_name(A.data.dtype), '?')}{{[{dims}]}}): expected a tensor with 2 or "
             "more dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:
        atol, rtol = 0.0, rcond
    a, r = _tolerances("torch.linalg.pinv", A, atol, rtol)
    return apply(M.PINV, A, atol=a, rtol=r, hermitian=bool(hermitian))


def pinverse(input, rcond=1e-15):
    """torch.pinverse (Tensor.pinverse): linalg.pinv(input, rcond)."""
    return pinv(input, rcond=rcond)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """torch.linalg.matrix_rank: how many singular values (or |eigenvalues|, hermitian) exceed
    max(atol, rtol * the largest), an int64 tensor; tol (deprecated) is atol with rtol 0."""
    tensors_only("linalg_matrix_rank", A=A)
    if tol is not None and (atol is not None or rtol is not None):
        fail("linalg_matrix_rank() received an invalid combination of arguments - got (Tensor, tol=float, "
             "atol=float), but expected one of:\n * (Tensor input, *, Tensor atol = None, Tensor rtol = None, bool "
             "hermitian = False, Tensor out = None)\n * (Tensor input, *, float atol = None, float rtol = None, bool "
             "hermitian = False, Tensor out = None)\n * (Tensor input, Tensor tol, bool hermitian = False, *, "
             "Tensor out = None)\n * (Tensor input, float tol, bool hermitian = False, *, Tensor out = None)\n",
             "type")
    if ndim_of(A) < 2:
        fail("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    if tol is not None:
        atol, rtol = tol, 0.0
    a, r = _tolerances("torch.linalg.matrix_rank", A, atol, rtol)
    lead = tuple(A.data.shape[:-2])
    if A.data.size == 0:
        return Tensor(B.zeros(lead, dtype=B.dtype("int64")), device=A.device)
    plain = F.detach(A)
    if hermitian:
        s = B.host.abs(B.to_host(eigvalsh(plain).data)).astype("float64")
        biggest = s.max(axis=-1, keepdims=True)
    else:
        s = B.to_host(svdvals(plain).data).astype("float64")
        biggest = s[..., :1]
    count = (s > B.host.maximum(a[..., None], r[..., None] * biggest)).sum(-1).astype("int64")
    return Tensor(B.from_host(B.host.asarray(count, dtype="int64")), device=A.device)


def cond(A, p=None, *, out=None):
    """torch.linalg.cond: p None or +-2 from the singular values (narrow, div, squeeze); 'nuc' their
    sum times their reciprocals' sum; else matrix_norm(A) * matrix_norm(A^-1), nan_to_num'd."""
    tensors_only("linalg_cond", A=A)
    if ndim_of(A) < 2:
        fail("linalg.cond: The input tensor must have at least 2 dimensions.")
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            fail(f"linalg.cond got an invalid norm type: {p}")
    elif p is not None and (isinstance(p, bool) or not isinstance(p, (int, float))
                            or abs(p) not in (1, 2, math.inf)):
        fail(f"linalg.cond got an invalid norm type: {_number(p)}")
    rows, cols = A.data.shape[-2:]
    if p in (None, 2, -2):
        if A.data.size == 0:
            return Tensor(B.zeros(tuple(A.data.shape[:-2]), dtype=A.data.dtype), device=A.device)
        s = svdvals(A)
        first, last = F.narrow(s, -1, 0, 1), F.narrow(s, -1, -1, 1)
        return F.squeeze(F.div(last, first) if p == -2 else F.div(first, last), -1)
    if rows != cols:
        fail(f"linalg.cond(ord={_number(p)}): A must be batches of square matrices, but they are {rows} by {cols} "
             "matrices")
    if A.data.size == 0:
        return Tensor(B.zeros(tuple(A.data.shape[:-2]), dtype=A.data.dtype), device=A.device)
    if p == "nuc":
        s = svdvals(A)
        return F.mul(F.sum(s, -1), F.sum(F.reciprocal(s), -1))
    try:
        inverse = F.inv(A)
        singular = B.zeros(tuple(A.data.shape[:-2]) + (1, 1), dtype=B.dtype("bool"))
    except AgcliError:      # (linalg_inv_ex's info: the inverse of a singular matrix is inf)
        inverse = Tensor(B.full(A.data.shape, math.inf, dtype=A.data.dtype), device=A.device)
        singular = B.ones(tuple(A.data.shape[:-2]) + (1, 1), dtype=B.dtype("bool"))
    # (in place, as PyTorch's: LinalgInvEx's saved output then changed, its backward refused)
    inverse = in_place.masked_fill_(inverse, Tensor(singular, device=A.device), math.inf)
    return nan_to_num(F.mul(matrix_norm(A, p), matrix_norm(inverse, p)), math.inf, math.inf, -math.inf)


def _number(p):
    return f"{p:g}" if isinstance(p, float) and not p.is_integer() or abs(p) == math.inf else str(int(p))


def matrix_exp(A, *, out=None):
    """torch.linalg.matrix_exp (torch.matrix_exp, A.matrix_exp()): LinalgMatrixExpBackward0."""
    tensors_only("linalg_matrix_exp", A=A)
    if ndim_of(A) < 2:
        fail("linalg.matrix_exp: The input tensor A must have at least 2 dimensions.")
    rows, cols = A.data.shape[-2:]
    if rows != cols:
        fail(f"linalg.matrix_exp: A must be batches of square matrices, but they are {rows} by {cols} matrices")
    if B.kind(A.data.dtype) != "f":
        fail(f"linalg.matrix_exp: Expected a floating point or complex tensor as input. Got "
             f"{torch_type_name(A.data.dtype)}")
    return apply(M.MATRIX_EXP, A)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """torch.linalg.lstsq: (solution, residuals, rank, singular_values) as the driver gives them (the
    CPU's default gelsy); solution and residuals LinalgLstsqBackward0."""
    tensors_only("linalg_lstsq", A=A, B=B)
    if driver is not None and driver not in _DRIVERS:
        fail("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    driver = driver or "gelsy"
    if ndim_of(A) < 2:
        fail("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if ndim_of(B) < 1:
        fail("torch.linalg.lstsq: other must have at least 1 dimension.")
    if A.data.dtype != B.data.dtype:
        fail(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's dtype "
             f"{_CPP.get(BK.dtype_name(A.data.dtype))} and other's dtype {_CPP.get(BK.dtype_name(B.data.dtype))}")
    dtype = BK.dtype_name(A.data.dtype)
    if dtype not in _EPS:
        fail("This function doesn't handle types other than float and double")
    vector = vector_rhs(A.data, B.data)
    rows = B.data.shape[-1] if vector else B.data.shape[-2]
    if ndim_of(B) < 2 and not vector or rows != A.data.shape[-2]:
        fail("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    cutoff = _EPS[dtype] * max(A.data.shape[-2:]) if rcond is None else float(rcond)
    solution = apply(LS.SOLUTION, A, B, rcond=cutoff, driver=driver)
    residuals = apply(LS.RESIDUALS, A, B, rcond=cutoff, driver=driver)
    _, _, rank, values = LS.lstsq_parts(A.data, B.data, cutoff, driver)
    rank, values = (Tensor(BK.from_host(v), device=A.device) for v in (rank, values))
    return ValuesIndices((solution, residuals, rank, values), "linalg_lstsq",
                         ("solution", "residuals", "rank", "singular_values"))


LINALG = {"pinv": pinv, "lstsq": lstsq, "matrix_rank": matrix_rank, "cond": cond, "matrix_exp": matrix_exp}
BOTH = {"pinverse": pinverse, "matrix_exp": matrix_exp}
