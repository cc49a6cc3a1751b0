"""The determinant of each square matrix (the last two dims): linalg.det's LinalgDetBackward0, and
linalg.slogdet's sign and log|det| (LinalgSlogdetBackward0).

PyTorch factors A's transpose (its LAPACK reads a row-major matrix as column-major) by LU with
partial pivoting and multiplies the diagonal in turn, then the permutation's sign. OpenBLAS's
getrf is reproduced as far as measured (2.13, float64): pivots by the largest magnitude, a
reciprocal scaling of each column, each update one FMA; it agrees with PyTorch's value to the
last bit for about nine matrices in ten, to rounding otherwise (its kernels' own paths).
"""
from __future__ import annotations

from ..backend import ON_HOST, asarray, float_errors_ignored, from_host, host, reduce_sum, to_host, xp, zeros
from ...errors import AgcliError
from ..fma import fma
from .. import mkl_lapack
from ..op import Op, undefined
from ..tensor import Tensor, apply
from .arrangements import diag_embed
from .linalg import solve
from .pointwise import mul
from .reductions import sum
from .shapes import diagonal, expand, transpose, unsqueeze


def _lu_det(m, transposed):
    """One matrix's determinant, from the LU factors of it or its transpose (a host array, float)."""
    a, sign = _lu(m, transposed)
    det = a.dtype.type(1)
    for k in range(a.shape[0]):
        det = det * a[k, k]
    return det * a.dtype.type(sign)


def _lu(m, transposed):
    """The LU factors of m's transpose (of m itself if not `transposed`) in one array, and the row swaps'
    sign. PyTorch factors a contiguous A's transpose (its memory read by columns, no copy) and A itself
    otherwise: det and slogdet pass `transposed` as the input is laid out."""
    found = mkl_lapack.lu_factors(m, transposed)        # (PyTorch's own getrf, with the mkl extra)
    if found is not None:
        return found
    a = m.T.copy() if transposed else m.copy()
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
    return a, sign


def _det(x):
    host_x = to_host(x)
    flat = host_x.reshape((int(host.prod(host_x.shape[:-2])),) + host_x.shape[-2:])
    transposed = bool(host_x.flags.c_contiguous)
    values = host.asarray([_lu_det(m, transposed) for m in flat], dtype=host_x.dtype).reshape(host_x.shape[:-2])
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


# ---------------------------------------------------------------- slogdet
def _slogdet(x, part):
    """slogdet's sign (part 0: the diagonal's signs and the swaps') or log|det| (part 1: the sum of
    the diagonal's log magnitudes), from the same LU factors as det."""
    host_x = to_host(x)
    flat = host_x.reshape((int(host.prod(host_x.shape[:-2])),) + host_x.shape[-2:])
    values = []
    transposed = bool(host_x.flags.c_contiguous)
    for m in flat:
        a, sign = _lu(m, transposed)
        diagonal_ = host.diagonal(a).copy()
        values.append(host.prod(host.sign(diagonal_)) * sign if part == 0 else
                      to_host(reduce_sum(from_host(host.log(host.abs(diagonal_))))))
    return from_host(host.asarray(values, dtype=host_x.dtype).reshape(host_x.shape[:-2]))


def _logabsdet_grad(g, out, a, part):
    """slogdet_backward: solve(A^H, diag_embed(grad expanded)^H), as PyTorch records it with
    create_graph."""
    if type(g) is not Tensor and type(a) is not Tensor:
        try:
            return solve(transpose(a, -2, -1), g[..., None, None] * asarray(host.eye(a.shape[-1]), dtype=a.dtype))
        except AgcliError:      # (a singular matrix: infinities, as PyTorch's lu_solve gives)
            with float_errors_ignored():
                return g[..., None, None] * _cofactors(a) / _det(a)[..., None, None]
    d = diag_embed(expand(unsqueeze(g, -1), tuple(a.shape[:-1])), 0, -2, -1)
    return solve(transpose(a, -2, -1), transpose(d, -2, -1))


def _logabsdet_tangent(t, out, a, part):
    """trace(A^-1 A_t) (slogdet_jvp's real part)."""
    solved = solve(a, t)
    n = len(solved.shape)
    return sum(diagonal(solved, 0, n - 2, n - 1), (n - 2,))


def _zero_tangent(t, out, a, part):
    """The sign's tangent: zeros (PyTorch's zero tensor for a real input)."""
    data_ = t.data if type(t) is Tensor else t
    zero = zeros(tuple(data_.shape[:-2]), dtype=data_.dtype)
    return Tensor(zero) if type(t) is Tensor else zero


# Its two outputs: nodes of one name (PyTorch records one); the sign's gradient is none (real inputs).
SLOGDET_SIGN = Op("LinalgSlogdetBackward0", _slogdet, (undefined,), ("(none: a real input's sign is constant)",),
                  saves=False, jvps=(_zero_tangent,))
SLOGDET_LOGABS = Op("LinalgSlogdetBackward0", _slogdet, (_logabsdet_grad,),
                    ("slogdet_backward(grad_sign, grad_logabsdet, A, sign, LU, pivots)",), jvps=(_logabsdet_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)
