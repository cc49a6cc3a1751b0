"""The determinant of each square matrix (the last two dims): linalg.det's LinalgDetBackward0.

PyTorch factors A's transpose (its LAPACK reads a row-major matrix as column-major) by LU with
partial pivoting and multiplies the diagonal in turn, then the permutation's sign. OpenBLAS's
getrf is reproduced as far as measured (2.13, float64): pivots by the largest magnitude, a
reciprocal scaling of each column, each update one FMA; it agrees with PyTorch's value to the
last bit for about nine matrices in ten, to rounding otherwise (its kernels' own paths).
"""
from __future__ import annotations

from ..backend import ON_HOST, asarray, from_host, host, to_host, xp
from ...errors import AgcliError
from ..fma import fma
from ..op import Op
from ..tensor import Tensor, apply
from .arrangements import diag_embed
from .linalg import solve
from .pointwise import mul
from .reductions import sum
from .shapes import diagonal, expand, transpose, unsqueeze


def _lu_det(m):
    """One matrix's determinant, from the LU factors of its transpose (a host array, float)."""
    a = m.T.copy()
    n, sign = a.shape[0], 1.0
    for k in range(n):
        p = k + int(host.argmax(host.abs(a[k:, k])))
        if p != k:
            a[[k, p]] = a[[p, k]]
            sign = -sign
        if a[k, k] != 0:
            a[k + 1:, k] *= 1 / a[k, k]
            low, right, rest = -a[k + 1:, k:k + 1], a[k:k + 1, k + 1:], a[k + 1:, k + 1:]
            a[k + 1:, k + 1:] = fma(host.broadcast_to(low, rest.shape), host.broadcast_to(right, rest.shape), rest) \
                if ON_HOST else low * right + rest        # (the FMA helper runs on the engine's arrays)
    det = a.dtype.type(1)
    for k in range(n):
        det = det * a[k, k]
    return det * a.dtype.type(sign)


def _det(x):
    host_x = to_host(x)
    flat = host_x.reshape((int(host.prod(host_x.shape[:-2])),) + host_x.shape[-2:])
    values = host.asarray([_lu_det(m) for m in flat], dtype=host_x.dtype).reshape(host_x.shape[:-2])
    return from_host(values)


def _cofactors(a):
    """Each matrix's cofactors, from det's own minors (where A^-1 does not exist)."""
    host_a = to_host(a)
    n = host_a.shape[-1]
    out = host.zeros(host_a.shape, dtype=host_a.dtype)
    for i in range(n):
        for j in range(n):
            minor = host.delete(host.delete(host_a, i, axis=-2), j, axis=-1)
            out[..., i, j] = (-1) ** (i + j) * (_det(minor) if n > 1 else 1)
    return from_host(out)


def _det_grad(g, out, a):
    """linalg_det_backward: solve(A^H, diag_embed((grad * det) expanded)^H), the formula PyTorch
    records with create_graph; for a singular matrix without it, PyTorch's zeros (grad * det times
    the cofactors: their signs too)."""
    if type(g) is not Tensor and type(a) is not Tensor:
        if bool(host.all(to_host(out) != 0)):
            scaled = (g * out)[..., None, None]
            try:
                return solve(transpose(a, -2, -1), scaled * asarray(host.eye(a.shape[-1]), dtype=a.dtype))
            except AgcliError:      # (singular to the solver, not to PyTorch's LU: the cofactors)
                return g[..., None, None] * _cofactors(a)
        # a zero determinant: PyTorch's lu_solve of its zero right side, diag(grad * det): zeros, the
        # diagonal's signed as grad * det (as measured)
        eye = asarray(host.eye(a.shape[-1], dtype=bool))
        return xp.where(eye, (g * out)[..., None, None], asarray(0, dtype=a.dtype))
    if bool(host.any(to_host(out.data if type(out) is Tensor else out) == 0)):
        raise AgcliError("agcli differentiates the determinant of a singular matrix once (PyTorch's formula for "
                         "it twice goes by the SVD)", kind="not_implemented")
    d = unsqueeze(mul(g, out), -1)
    d = diag_embed(expand(d, tuple(a.shape[:-1])), 0, -2, -1)
    return solve(transpose(a, -2, -1), transpose(d, -2, -1))


def _det_tangent(t, out, a):
    """det * trace(A^-1 A_t) (linalg_det_jvp), a batch of tangents at once."""
    solved = solve(a, t)
    n = len(solved.shape)
    return mul(sum(diagonal(solved, 0, n - 2, n - 1), (n - 2,)), out)


def det(a):
    return apply(DET, a) if type(a) is Tensor else _det(a)


DET = Op("LinalgDetBackward0", _det, (_det_grad,), ("linalg_det_backward(grad, result, A, LU, pivots)",),
         saves_out=True, jvps=(_det_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)
