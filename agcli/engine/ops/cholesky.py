"""Cholesky factors and triangular solves: linalg.cholesky (LinalgCholeskyExBackward0),
linalg.solve_triangular (LinalgSolveTriangularBackward0) and cholesky_inverse (CholeskyInverseBackward0),
each with FunctionsManual.cpp's rules (recorded so with create_graph).

PyTorch's LAPACK (MKL) was measured (2.13, float64): a triangular solve's row is its right-hand side
less one FMA per solved row, in turn, times the diagonal's reciprocal; that gives its bits for 1, 2 and
4 rows, to rounding otherwise (MKL's kernels take other paths). The factor itself is NumPy's (LAPACK's
potrf): it agrees in the last bit for most small matrices, to rounding otherwise."""
from __future__ import annotations

from ..backend import arange, asarray, copy, eye, float_errors_ignored, swapaxes, to_host, xp, zeros
from ...errors import AgcliError
from ..fma import fma
from .. import mkl_lapack
from ..op import Op
from ..tensor import Tensor, apply
from .arrangements import diag_embed
from .linalg import matmul
from .pointwise import add, mul_scalar, neg, sub
from .shapes import diagonal, transpose
from .triangles import tril, triu


def _mh(x):
    return transpose(x, -2, -1) if type(x) is Tensor else swapaxes(x, -1, -2)


def _column_major(a):
    """LAPACK's layout: each matrix stored by columns (PyTorch's factor is so; its reshape then aliases)."""
    return swapaxes(copy(swapaxes(a, -1, -2)), -1, -2)


# ------------------------------------------------------------------ cholesky
def _leading_minor(m) -> int:
    """The order (1-based) of the first leading minor that is not positive-definite (potrf's info); 0 if none."""
    n = len(m)
    low = [[0.0] * n for _ in range(n)]
    for j in range(n):
        d = m[j][j] - sum(low[j][k] * low[j][k] for k in range(j))
        if not d > 0:
            return j + 1
        low[j][j] = d ** 0.5
        for i in range(j + 1, n):
            low[i][j] = (m[i][j] - sum(low[i][k] * low[j][k] for k in range(j))) / low[j][j]
    return 0


def failed_minors(a):
    """Each matrix's potrf info (0: factored), batch by batch, from the host."""
    host = to_host(a).astype("float64")
    return [_leading_minor(m.tolist()) for m in host.reshape((-1,) + host.shape[-2:])]


def _cholesky(a, upper=False):
    infos = failed_minors(a)
    for i, k in enumerate(infos):
        if k:
            where = f"(Batch element {i}): " if a.ndim > 2 else ""
            raise AgcliError(f"linalg.cholesky: {where}The factorization could not be completed because the input is "
                             f"not positive-definite (the leading minor of order {k} is not positive-definite).",
                             kind="linalg")
    factor = mkl_lapack.cholesky(a, upper)      # (PyTorch's own potrf, with the mkl extra)
    if factor is not None:
        return _column_major(factor)
    with float_errors_ignored():
        factor = xp.linalg.cholesky(a)
    return _column_major(swapaxes(factor, -1, -2) if upper else factor)


def _cholesky_grad(g, out, a, upper=False):
    """cholesky_backward: gA = L^-H (0.5 (S + S.tril(-1)^H)) L^-1, S = (L^H gL).tril()."""
    if upper:
        out, g = _mh(out), _mh(g)
    s = tril(matmul(_mh(out), g), 0)
    s = mul_scalar(add(s, _mh(tril(s, -1))), 0.5)
    s = solve_triangular(_mh(out), s, upper=True, left=True)
    return solve_triangular(out, s, upper=False, left=False)


def _cholesky_tangent(t, out, a, upper=False):
    """cholesky_jvp: dL = L (P.tril() - 0.5 diag(P)), P = L^-1 dA L^-H (upper: dL^H)."""
    if upper:
        return _mh(_cholesky_tangent(t, _mh(out), a))
    p = solve_triangular(out, t, upper=False, left=True)
    p = solve_triangular(_mh(out), p, upper=True, left=False)
    p = sub(tril(p, 0), diag_embed(mul_scalar(diagonal(p, 0, -2, -1), 0.5), 0, -2, -1))
    return matmul(out, p)


CHOLESKY = Op("LinalgCholeskyExBackward0", _cholesky, (_cholesky_grad,), ("cholesky_backward(grad, upper, L)",),
              saves_out=True, reads=((),), jvps=(_cholesky_tangent,))


# ------------------------------------------------------------- solve_triangular
def _forward_substitution(a, b):
    """X with A X = B, A lower-triangular: row by row, one FMA per solved row, times 1/A[i, i]."""
    n = a.shape[-1]
    rows = []
    for i in range(n):
        acc = b[..., i, :]
        for k in range(i):
            acc = fma(-a[..., i, k:k + 1], rows[k], acc)
        rows.append(acc * (asarray(1.0, dtype=a.dtype) / a[..., i, i:i + 1]))
    return xp.stack(rows, axis=-2)


def _solve_triangular(a, b, upper, left, unitriangular):
    if not left:                             # X A = B: A^T X^T = B^T
        return swapaxes(_solve_triangular(swapaxes(a, -1, -2), swapaxes(b, -1, -2), not upper, True,
                                          unitriangular), -1, -2)
    lead = tuple(xp.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    a, b = xp.broadcast_to(a, lead + a.shape[-2:]), xp.broadcast_to(b, lead + b.shape[-2:])
    if unitriangular:
        n = a.shape[-1]
        a = xp.where(eye(n, dtype=a.dtype) == 1, asarray(1.0, dtype=a.dtype), a)
    if upper:                                # reversed rows and columns: a lower-triangular system
        flipped = xp.flip(_forward_substitution(xp.flip(a, axis=(-2, -1)), xp.flip(b, axis=-2)), axis=-2)
        return flipped
    with float_errors_ignored():
        return _forward_substitution(a, b)


def solve_triangular(a, b, upper, left, unitriangular=False):
    if type(a) is Tensor or type(b) is Tensor:
        return apply(SOLVE_TRIANGULAR, a, b, upper=upper, left=left, unitriangular=unitriangular)
    return _solve_triangular(a, b, upper, left, unitriangular)


def _triangle_of(m, upper, unitriangular):
    if upper:
        return triu(m, 1 if unitriangular else 0)
    return tril(m, -1 if unitriangular else 0)


def _solve_triangular_a_grad(g, out, a, b, upper, left, unitriangular):
    """G_A = -G_B X^H (left) or -X^H G_B, kept to A's triangle; G_B = solve_triangular(A^H, grad)."""
    g_b = solve_triangular(_mh(a), g, not upper, left, unitriangular)
    g_a = neg(matmul(g_b, _mh(out)) if left else matmul(_mh(out), g_b))
    return _triangle_of(g_a, upper, unitriangular)


def _solve_triangular_b_grad(g, out, a, b, upper, left, unitriangular):
    return solve_triangular(_mh(a), g, not upper, left, unitriangular)


def _solve_triangular_a_tangent(t, out, a, b, upper, left, unitriangular):
    """linalg_solve_triangular_forward_AD's A part: A^-1 (-(proj(A_t) X)) (left)."""
    proj = _triangle_of(t, upper, unitriangular)
    return solve_triangular(a, neg(matmul(proj, out) if left else matmul(out, proj)), upper, left, unitriangular)


def _solve_triangular_b_tangent(t, out, a, b, upper, left, unitriangular):
    return solve_triangular(a, t, upper, left, unitriangular)


SOLVE_TRIANGULAR = Op("LinalgSolveTriangularBackward0", _solve_triangular,
                      (_solve_triangular_a_grad, _solve_triangular_b_grad),
                      ("-(A^-H grad) X^H, its triangle", "A^-H grad"), saves_out=True,
                      jvps=(_solve_triangular_a_tangent, _solve_triangular_b_tangent))


# ------------------------------------------------------------- cholesky_inverse
def _triangle(m, upper):
    n = m.shape[-1]
    rows, cols = xp.reshape(arange(n), (n, 1)), xp.reshape(arange(n), (1, n))
    return xp.where(rows <= cols if upper else rows >= cols, m, zeros((), dtype=m.dtype))


def _cholesky_inverse(l, upper):
    """(L L^H)^-1 (upper: (U^H U)^-1), of L's triangle alone (LAPACK's potri reads no more)."""
    l = _triangle(l, upper)
    with float_errors_ignored():
        product = xp.matmul(swapaxes(l, -1, -2), l) if upper else xp.matmul(l, swapaxes(l, -1, -2))
        return xp.linalg.inv(product)


def _cholesky_inverse_grad(g, out, l, upper):
    """cholesky_inverse_backward: -(inverse (grad + grad^H) inverse) L (upper: -U (...))."""
    common = matmul(out, matmul(add(g, _mh(g)), out))
    return neg(matmul(l, common) if upper else matmul(common, l))


def _cholesky_inverse_tangent(t, out, l, upper):
    """cholesky_inverse_jvp as PyTorch 2.13 computes it: P + P^H, P = -X dC X C with C = F^H and dC = dF
    (upper: C = F, dC = dF^H). (Finite differences do not confirm it, nor PyTorch's own gradcheck.)"""
    p = neg(matmul(matmul(matmul(out, _mh(t) if upper else t), out), l if upper else _mh(l)))
    return add(p, _mh(p))


CHOLESKY_INVERSE = Op("CholeskyInverseBackward0", _cholesky_inverse, (_cholesky_inverse_grad,),
                      ("cholesky_inverse_backward(grad, self, upper, result)",), saves_out=True,
                      jvps=(_cholesky_inverse_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line
