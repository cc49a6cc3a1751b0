"""torch.linalg's decompositions: qr (and torch.qr), eigh, eigvalsh, svd, svdvals (and torch.svd),
each a named tuple of PyTorch's fields (engine/ops/decompositions.py: their values and rules)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import decompositions as D
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from ..state import state
from .checks import fail, ndim_of, tensors_only
from .reductions import ValuesIndices
from .shaping import transpose

_QR_MODES = ("reduced", "r", "complete")
_warned = set()


def _matrices(name, A, square=False, kernel=None):
    """PyTorch's checks of a decomposition's input: at least 2 dims, (square), floating point."""
    if ndim_of(A) < 2:
        fail(f"{name}: The input tensor A must have at least 2 dimensions.")
    rows, cols = A.data.shape[-2:]
    if square and rows != cols:
        fail(f"{name}: A must be batches of square matrices, but they are {rows} by {cols} matrices")
    if B.kind(A.data.dtype) != "f":
        if kernel is not None:
            fail(f'"{kernel}" not implemented for \'{torch_type_name(A.data.dtype)}\'', "not_implemented")
        fail(f"{name}: Expected a floating point or complex tensor as input. Got {torch_type_name(A.data.dtype)}")


def qr(A, mode="reduced", *, out=None, _name="linalg_qr"):
    """torch.linalg.qr: (Q, R), LinalgQrBackward0; mode 'r': Q empty."""
    tensors_only("linalg_qr", A=A)
    if not isinstance(mode, str):
        fail(f"linalg_qr(): argument 'mode' (position 2) must be str, not {type(mode).__name__}", "type")
    if mode not in _QR_MODES:
        fail(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'")
    _matrices("linalg.qr", A)
    pair = apply(D.QR_Q, A, mode=mode, part=0), apply(D.QR_R, A, mode=mode, part=1)
    return ValuesIndices(pair, _name, ("Q", "R"))


def torch_qr(input, some=True, *, out=None):
    """torch.qr (Tensor.qr): linalg.qr(A, 'reduced' if some else 'complete'), with PyTorch's one warning."""
    tensors_only("qr", input=input)
    if "qr" not in _warned:
        _warned.add("qr")
        state.warn("UserWarning: torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
                   "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'."
                   "\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = torch.linalg.qr(A, 'reduced' if some "
                   "else 'complete')")
    return qr(input, "reduced" if some else "complete", _name="qr")


def _uplo(UPLO):
    if not isinstance(UPLO, str) or UPLO.upper() not in ("L", "U") or len(UPLO) != 1:
        fail(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def eigh(A, UPLO="L", *, out=None):
    """torch.linalg.eigh: (eigenvalues ascending, eigenvectors as columns), LinalgEighBackward0."""
    tensors_only("linalg_eigh", A=A)
    uplo = _uplo(UPLO)
    _matrices("linalg.eigh", A, True, "linalg_eigh_cpu")
    pair = apply(D.EIGH_VALUES, A, uplo=uplo, part=0), apply(D.EIGH_VECTORS, A, uplo=uplo, part=1)
    return ValuesIndices(pair, "linalg_eigh", ("eigenvalues", "eigenvectors"))


def eigvalsh(A, UPLO="L", *, out=None):
    """torch.linalg.eigvalsh: eigh's eigenvalues (LinalgEighBackward0 when A requires grad)."""
    tensors_only("linalg_eigvalsh", A=A)
    uplo = _uplo(UPLO)
    _matrices("linalg.eigh", A, True, "linalg_eigh_cpu")
    return apply(D.EIGH_VALUES, A, uplo=uplo, part=0)


def _finite(name, A):
    if not bool(B.item(B.xp.all(B.xp.isfinite(A.data)))):
        fail(f"{name}: The algorithm failed to converge because the input matrix contained non-finite values.",
             "linalg")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """torch.linalg.svd: (U, S, Vh), LinalgSvdBackward0; full_matrices: U m x m, Vh n x n."""
    tensors_only("linalg_svd", A=A)
    _matrices("linalg.svd", A)
    _finite("linalg.svd", A)
    full = bool(full_matrices)
    parts = tuple(apply(op, A, full_matrices=full, part=k) for k, op in enumerate(D.SVD))
    return ValuesIndices(parts, "linalg_svd", ("U", "S", "Vh"))


def svdvals(A, *, driver=None, out=None):
    """torch.linalg.svdvals: the singular values, descending (LinalgSvdBackward0 when A requires grad)."""
    tensors_only("linalg_svdvals", A=A)
    _matrices("linalg.svd", A)
    _finite("linalg.svd", A)
    return apply(D.SVD_S, A, full_matrices=False, part=1)


def torch_svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd (Tensor.svd): (U, S, V) with V = Vh.mH (TransposeBackward0); compute_uv=False: U and V
    zeros of m x m and n x n."""
    tensors_only("svd", input=input)
    if ndim_of(input) < 2:
        fail(f"linalg.svd: input should have at least 2 dimensions, but has {ndim_of(input)} dimensions instead")
    if not compute_uv:
        s = svdvals(input)
        m, n = input.data.shape[-2:]
        lead = tuple(input.data.shape[:-2])
        zeros = (Tensor(B.zeros(lead + (k, k), dtype=input.data.dtype), device=input.device) for k in (m, n))
        u, v = zeros
        return ValuesIndices((u, s, v), "svd", ("U", "S", "V"))
    u, s, vh = svd(input, full_matrices=not some)
    return ValuesIndices((u, s, transpose(vh, -2, -1)), "svd", ("U", "S", "V"))


def _field(name):
    """A decomposition's named field in an expression (result.Q, .eigenvalues, ...)."""
    def get(x):
        if not isinstance(x, ValuesIndices) or name not in x.fields:
            fail(f"unknown attribute '.{name}'", "name")
        return x[x.fields.index(name)]
    return get


FIELDS = {name: _field(name) for name in ("Q", "R", "eigenvalues", "eigenvectors", "U", "S", "Vh", "V", "sign",
                                          "logabsdet", "solution", "residuals", "rank", "singular_values",
                                          "mantissa", "exponent")}       # (frexp's: torchapi/own_nodes.py)
LINALG = {"qr": qr, "eigh": eigh, "eigvalsh": eigvalsh, "svd": svd, "svdvals": svdvals}
FUNCTIONS = {"qr": torch_qr, "svd": torch_svd}
METHODS = {"qr": torch_qr, "svd": torch_svd}
