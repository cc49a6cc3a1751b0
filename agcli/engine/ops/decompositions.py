"""Matrix decompositions of the last two dims: linalg.qr (LinalgQrBackward0), linalg.eigh
(LinalgEighBackward0) and linalg.svd (LinalgSvdBackward0), their rules FunctionsManual.cpp's
(linalg_qr_backward / linalg_qr_jvp, linalg_eig_backward / linalg_eig_jvp with is_hermitian,
svd_backward).

PyTorch records one node for all of a decomposition's outputs; here each output is a node of that
name (as slogdet's), its rule the formula with the other outputs' gradients undefined: the formulas
are linear in the gradients, so the sum is PyTorch's, to rounding. A rule wanting the other factors
computes them again from A (recorded, with create_graph: differentiable again).

The factors come from NumPy's LAPACK (OpenBLAS); PyTorch's CPU build calls MKL's. Measured (2.13,
200 random matrices of each dtype): QR's signs always agree, its values to rounding (the last bit
in about one in five in float64); SVD's signs agree for square and tall matrices and for wide ones
gesdd factors without an LQ step first; eigh's eigenvector signs agree for 2 x 2 matrices only
(MKL's syevd orients them otherwise, by no rule found): README's differs list.
"""
from __future__ import annotations

from ..backend import asarray, float_errors_ignored, from_host, host, to_host, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply
from .arrangements import diag_embed
from .linalg import matmul, solve
from .pointwise import add, div, mul, mul_scalar, neg, sub
from .shapes import CAT, diagonal, transpose, unsqueeze
from .triangles import tril, triu


def _mt(x):
    return transpose(x, -2, -1)


def _diag(x):
    n = len(x.shape)
    return diagonal(x, 0, n - 2, n - 1)


def _on_host(kernel, x, *args, name="linalg.eigh", what="eigenvalues"):
    """A NumPy LAPACK kernel on the host copy of x, its results back on the engine's device."""
    with float_errors_ignored():
        try:
            out = kernel(to_host(x), *args)
        except host.linalg.LinAlgError:     # (LAPACK's info, which PyTorch's text goes on to give, is not known here)
            from ...errors import AgcliError
            raise AgcliError(f"{name}: The algorithm failed to converge because the input matrix is ill-conditioned "
                             f"or has too many repeated {what}.", kind="linalg") from None
    return tuple(from_host(host.asarray(o, dtype=o.dtype)) for o in out)


# ---------------------------------------------------------------------- QR
def qr_factors(a, mode):
    """(Q, R) of each matrix; mode 'r': Q empty, as PyTorch's."""
    def kernel(h, mode):
        if h.size == 0:
            m, n = h.shape[-2:]
            k = m if mode == "complete" else min(m, n)
            return host.zeros(h.shape[:-2] + (m, k), h.dtype), host.zeros(h.shape[:-2] + (k, n), h.dtype)
        q, r = host.linalg.qr(h, mode="complete" if mode == "complete" else "reduced")
        return q.astype(h.dtype, copy=False), r.astype(h.dtype, copy=False)
    q, r = _on_host(kernel, a, mode)
    return (zeros((0,), dtype=a.dtype) if mode == "r" else q), r


def _qr_forward(a, mode, part):
    return qr_factors(a, mode)[part]


def qr(a, mode, part):
    return apply(QR[part], a, mode=mode, part=part) if type(a) is Tensor else _qr_forward(a, mode, part)


def _qr_check(a, mode):
    from ...errors import AgcliError
    if mode == "r":
        raise AgcliError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                         "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    if mode == "complete" and a.shape[-2] > a.shape[-1]:
        raise AgcliError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")


def _right_solve_upper_t(g, r):
    """X with X R^H = G (linalg_solve_triangular(R^H, G, upper=False, left=False)), as a solve."""
    return _mt(solve(r, _mt(g)))


def _qr_grad(g, out, a, mode, part):
    """linalg_qr_backward with one of gQ, gR: M = gR R^H or -Q^H gQ; m >= n: (gQ + Q syminvadj(triu(M)))
    R^-H; m < n: pi*(Q tril(-M + M^H) R_1^-H) + Q gR."""
    _qr_check(a, mode)
    q, r = (out, qr(a, mode, 1)) if part == 0 else (qr(a, mode, 0), out)
    m, n = a.shape[-2], a.shape[-1]
    big = matmul(g, _mt(r)) if part == 1 else neg(matmul(_mt(q), g))
    if m >= n:
        upper = triu(big, 0)
        sym = sub(add(upper, _mt(upper)), diag_embed(_diag(upper), 0, -2, -1))     # (its diagonal once)
        grad = matmul(q, sym)
        if part == 0:
            grad = add(grad, g)
        return _right_solve_upper_t(grad, r)
    grad = matmul(q, tril(sub(_mt(big), big), 0))
    grad = _right_solve_upper_t(grad, r[..., :, :m] if type(r) is not Tensor else _first_columns(r, m))
    grad = _zeros_after(grad, -1, n - m)
    return add(grad, matmul(q, g)) if part == 1 else grad


def _first_columns(r, m):
    from .shapes import slice_
    return slice_(r, len(r.shape) - 1, 0, m, 1)


def _qr_tangent(t, out, a, mode, part):
    """linalg_qr_jvp: m >= n: dR = syminv(sym(Q^H dA R^-1)) R, dQ = dA R^-1 - Q syminv(...);
    m < n: dQ = Q triliminv(trilim(Q^H dA_1 R_1^-1)), dR = Q^H dA - (Q^H dQ) R."""
    _qr_check(a, mode)
    q, r = qr(a, mode, 0), qr(a, mode, 1)
    m, n = a.shape[-2], a.shape[-1]
    if m >= n:
        da_rinv = _mt(solve(_mt(r), _mt(t)))           # dA R^-1
        x = matmul(_mt(q), da_rinv)
        upper = triu(add(x, _mt(x)), 0)
        d_r = sub(upper, diag_embed(mul_scalar(_diag(upper), 0.5), 0, -2, -1))
        return sub(da_rinv, matmul(q, d_r)) if part == 0 else matmul(d_r, r)
    qh_da = matmul(_mt(q), t)
    r1 = r[..., :, :m] if type(r) is not Tensor else _first_columns(r, m)
    x = _mt(solve(_mt(r1), _mt(qh_da[..., :, :m] if type(qh_da) is not Tensor else _first_columns(qh_da, m))))
    lower = tril(x, -1)
    d_q = sub(lower, _mt(lower))
    return matmul(q, d_q) if part == 0 else sub(qh_da, matmul(d_q, r))


QR_Q = Op("LinalgQrBackward0", _qr_forward, (_qr_grad,), ("linalg_qr_backward(grad_Q, grad_R, Q, R, mode)",),
          saves_out=True, jvps=(_qr_tangent,))
QR_R = Op("LinalgQrBackward0", _qr_forward, (_qr_grad,), ("linalg_qr_backward(grad_Q, grad_R, Q, R, mode)",),
          saves_out=True, jvps=(_qr_tangent,))
QR = (QR_Q, QR_R)


# -------------------------------------------------------------------- eigh
def _eigh_forward(a, uplo, part):
    def kernel(h, uplo):
        if h.size == 0:
            return host.zeros(h.shape[:-1], h.dtype), host.zeros(h.shape, h.dtype)
        w, v = host.linalg.eigh(h, UPLO=uplo)
        return w.astype(h.dtype, copy=False), v.astype(h.dtype, copy=False)
    return _on_host(kernel, a, uplo)[part]


def eigh(a, uplo, part):
    return apply(EIGH[part], a, uplo=uplo, part=part) if type(a) is Tensor else _eigh_forward(a, uplo, part)


def _gaps(w):
    """E: w_j - w_i off the diagonal, 1 on it."""
    e = sub(unsqueeze(w, -2), unsqueeze(w, -1))
    n = w.shape[-1]
    one = asarray(host.eye(n), dtype=w.dtype if type(w) is not Tensor else w.data.dtype)
    return add(mul(e, asarray(1 - host.eye(n), dtype=one.dtype)), one)


def _eigh_grad(g, out, a, uplo, part):
    """linalg_eig_backward (hermitian): gL alone: (V * gL) V^H; gV alone: V ((skew(V^H gV) / 2) / E) V^H."""
    if part == 0:
        v = eigh(a, uplo, 1)
        return matmul(mul(v, unsqueeze(g, -2)), _mt(v))
    v, w = out, eigh(a, uplo, 0)
    vhgv = matmul(_mt(v), g)
    skew = mul_scalar(sub(vhgv, _mt(vhgv)), 0.5)
    return matmul(v, matmul(div(skew, _gaps(w)), _mt(v)))


def _eigh_tangent(t, out, a, uplo, part):
    """linalg_eig_jvp (hermitian): dP = V^H dA V; dL = diag(dP); dV = V (dP / E, its diagonal zero)."""
    w, v = eigh(a, uplo, 0), eigh(a, uplo, 1)
    d_p = matmul(matmul(_mt(v), t), v)
    if part == 0:
        return _diag(d_p)
    n = a.shape[-1]
    off = asarray(1 - host.eye(n), dtype=w.dtype if type(w) is not Tensor else w.data.dtype)
    return matmul(v, mul(div(d_p, _gaps(w)), off))


EIGH_VALUES, EIGH_VECTORS = (Op("LinalgEighBackward0", _eigh_forward, (_eigh_grad,),
                                 ("linalg_eig_backward(grads[0], grads[1], eigenvalues, eigenvectors, "
                                  "is_hermitian=true)",), saves_out=True, jvps=(_eigh_tangent,)) for _ in range(2))
EIGH = (EIGH_VALUES, EIGH_VECTORS)


# --------------------------------------------------------------------- SVD
def _svd_forward(a, full_matrices, part):
    def kernel(h, full):
        m, n = h.shape[-2:]
        k = min(m, n)
        if h.size == 0:
            u = host.broadcast_to(host.eye(m, m if full else k, dtype=h.dtype), h.shape[:-2] + (m, m if full else k))
            vh = host.broadcast_to(host.eye(n if full else k, n, dtype=h.dtype), h.shape[:-2] + (n if full else k, n))
            return u.copy(), host.zeros(h.shape[:-2] + (k,), h.dtype), vh.copy()
        if part == 1:
            return (None, host.linalg.svd(h, compute_uv=False).astype(h.dtype, copy=False), None)
        u, s, vh = host.linalg.svd(h, full_matrices=full)
        return tuple(x.astype(h.dtype, copy=False) for x in (u, s, vh))
    out = _on_host(lambda h, full: (kernel(h, full)[part],), a, full_matrices, name="linalg.svd",
                   what="singular values")[0]
    return out


def svd(a, full_matrices, part):
    if type(a) is Tensor:
        return apply(SVD[part], a, full_matrices=full_matrices, part=part)
    return _svd_forward(a, full_matrices, part)


def _narrowed(x, dim, k):
    from .shapes import slice_
    if x.shape[dim] == k:
        return x
    if type(x) is Tensor:
        return slice_(x, dim % len(x.shape), 0, k, 1)
    return x[..., :k] if dim == -1 else x[..., :k, :]


def _svd_grad(g, out, a, full_matrices, part):
    """svd_backward with one of gU, gS, gVh (full_matrices: U's and Vh's first k columns / rows)."""
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    u = _narrowed(out if part == 0 else svd(a, full_matrices, 0), -1, k)
    s = out if part == 1 else svd(a, full_matrices, 1)
    vh = _narrowed(out if part == 2 else svd(a, full_matrices, 2), -2, k)
    if part == 1:
        return matmul(u, mul(unsqueeze(g, -1), vh)) if m >= n else matmul(mul(u, unsqueeze(g, -2)), vh)
    g = _narrowed(g, -1 if part == 0 else -2, k)
    s2 = mul(s, s)
    e = _gaps(s2)
    if part == 0:
        uhgu = matmul(_mt(u), g)
        inner = mul(div(sub(uhgu, _mt(uhgu)), e), unsqueeze(s, -2))
        if m > n:
            g_sinv = div(g, unsqueeze(s, -2))
            grad = sub(add(matmul(u, inner), g_sinv), matmul(u, matmul(_mt(u), g_sinv)))
            return matmul(grad, vh)
    else:
        vhgv = matmul(vh, _mt(g))
        inner = mul(unsqueeze(s, -1), div(sub(vhgv, _mt(vhgv)), e))
        if m < n:
            sinv_gvh = div(g, unsqueeze(s, -1))
            grad = sub(add(matmul(inner, vh), sinv_gvh), matmul(matmul(sinv_gvh, _mt(vh)), vh))
            return matmul(u, grad)
    return matmul(u, matmul(inner, vh)) if m >= n else matmul(matmul(u, inner), vh)


def _svd_tangent(t, out, a, full_matrices, part):
    """linalg_svd_jvp (real): dP = U^H dA V, dS = diag(dP), dX = dP - diag(dS); dU = U (sym(dX S) / E)
    (m > n: + (I - U U^H) dA V S^-1); dVh = (sym(dX (-S)) / E) Vh (m < n: + S^-1 U^H dA (I - V V^H));
    full_matrices: the extra columns' (rows') tangents zeros."""
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    u = _narrowed(svd(a, full_matrices, 0), -1, k)
    s = svd(a, full_matrices, 1)
    vh = _narrowed(svd(a, full_matrices, 2), -2, k)
    v = _mt(vh)
    d_p = matmul(_mt(u), matmul(t, v)) if m < n else matmul(matmul(_mt(u), t), v)
    d_s = _diag(d_p)
    if part == 1:
        return d_s
    d_p = sub(d_p, diag_embed(d_s, 0, -2, -1))
    e = _gaps(mul(s, s))
    if part == 0:
        x = mul(d_p, unsqueeze(s, -2))
        d_u = matmul(u, div(add(x, _mt(x)), e))
        if m > n:
            da_v_sinv = matmul(t, div(v, unsqueeze(s, -2)))
            d_u = sub(add(d_u, da_v_sinv), matmul(u, matmul(_mt(u), da_v_sinv)))
            if full_matrices:
                d_u = _zeros_after(d_u, -1, m - n)
        return d_u
    x = mul(d_p, unsqueeze(neg(s), -1))
    d_vh = matmul(div(add(x, _mt(x)), e), vh)
    if m < n:
        uh_da_sinv = matmul(div(_mt(u), unsqueeze(s, -1)), t)
        d_vh = sub(add(d_vh, uh_da_sinv), matmul(matmul(uh_da_sinv, v), vh))
        if full_matrices:
            d_vh = _zeros_after(d_vh, -2, n - m)
    return d_vh


def _zeros_after(x, dim, count):
    """x with `count` zeros appended along dim (cat with new_zeros)."""
    shape = list(x.shape)
    shape[dim] = count
    pad = zeros(tuple(shape), dtype=x.data.dtype if type(x) is Tensor else x.dtype)
    if type(x) is Tensor:
        return apply(CAT, x, Tensor(pad), dim=dim % len(shape))
    return xp.concat([x, pad], axis=dim)


SVD_U, SVD_S, SVD_VH = (Op("LinalgSvdBackward0", _svd_forward, (_svd_grad,),
                           ("svd_backward(grad_U, grad_S, grad_Vh, U, S, Vh)",), saves_out=True,
                           jvps=(_svd_tangent,)) for _ in range(3))
SVD = (SVD_U, SVD_S, SVD_VH)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)
