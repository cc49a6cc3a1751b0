"""Functions of a matrix PyTorch records as one node: linalg.pinv (LinalgPinvBackward0: pinv_backward,
pinv_jvp) and linalg.matrix_exp (LinalgMatrixExpBackward0: linalg_matrix_exp_differential).

pinv is PyTorch's: the SVD's (or, hermitian, eigh's) values above max(atol, rtol * the largest)
inverted, V diag(1 / S) U^H. matrix_exp is ATen's mexp: the Taylor polynomial of degree 1, 2, 4, 8,
12 or 18 that each matrix's 1-norm calls for (Bader, Blanes and Casas), scaled and squared beyond.
Both agree with PyTorch to rounding (their products here NumPy's, there MKL's).
"""
from __future__ import annotations

from ..backend import from_host, host, to_host, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply
from .linalg import matmul
from .pointwise import add, neg, sub
from .shapes import CAT, transpose
from .decompositions import eigh, svd


def _mt(x):
    return transpose(x, -2, -1)


# -------------------------------------------------------------------- pinv
def _pinv(a, atol, rtol, hermitian):
    """linalg_pinv: atol and rtol host arrays (or numbers) broadcast against the batch."""
    m, n = a.shape[-2], a.shape[-1]
    if m * n == 0:
        return zeros(tuple(a.shape[:-2]) + (n, m), dtype=a.dtype)
    dt = to_host(a).dtype
    if not hermitian:
        u, s, vh = svd(a, False, 0), to_host(svd(a, False, 1)), svd(a, False, 2)
        biggest = s[..., :1]
        kept = s > host.maximum(host.asarray(atol)[..., None], host.asarray(rtol)[..., None] * biggest)
    else:
        s, u = to_host(eigh(a, "L", 0)), eigh(a, "L", 1)
        biggest = host.abs(s).max(axis=-1, keepdims=True)
        kept = host.abs(s) > host.maximum(host.asarray(atol)[..., None], host.asarray(rtol)[..., None] * biggest)
    with host.errstate(divide="ignore"):
        inverted = host.where(kept, 1 / s, 0).astype(dt)
    scaled = from_host(inverted[..., None, :])
    if not hermitian:
        return xp.matmul(xp.matrix_transpose(vh) * scaled, xp.matrix_transpose(u))
    return xp.matmul(u * scaled, xp.matrix_transpose(u))


def _pinv_grad(g, out, a, atol, rtol, hermitian):
    """pinv_backward, as FunctionsManual writes it (its products the smaller way round)."""
    m, n = a.shape[-2], a.shape[-1]
    pinv_h, g_h = _mt(out), _mt(g)
    if m <= n:
        k = matmul(g_h, out)
        k_pinv_h = matmul(k, pinv_h)
        grad = sub(add(neg(_mt(matmul(out, k))), k_pinv_h), matmul(matmul(a, out), k_pinv_h))
        return add(grad, matmul(matmul(pinv_h, out), sub(g_h, matmul(k, a))))
    k = matmul(out, g_h)
    pinv_h_k = matmul(pinv_h, k)
    grad = add(neg(_mt(matmul(k, out))), matmul(matmul(sub(g_h, matmul(a, k)), out), pinv_h))
    return sub(add(grad, pinv_h_k), matmul(matmul(pinv_h_k, out), a))


def _pinv_tangent(t, out, a, atol, rtol, hermitian):
    """pinv_jvp: m <= n: pinvA (K - K^H - K A pinvA) + (dA^H - pinvA A dA^H) pinvA^H pinvA, K = pinvA^H dA^H;
    else (K^H - K - pinvA A K^H) pinvA + pinvA pinvA^H (dA^H - dA^H A pinvA), K = pinvA dA."""
    m, n = a.shape[-2], a.shape[-1]
    d_h, pinv_h = _mt(t), _mt(out)
    if m <= n:
        k = matmul(pinv_h, d_h)
        first = matmul(out, sub(sub(k, _mt(k)), matmul(k, matmul(a, out))))
        return add(first, matmul(sub(d_h, matmul(out, matmul(a, d_h))), matmul(pinv_h, out)))
    k = matmul(out, t)
    k_h = _mt(k)
    first = matmul(sub(sub(k_h, k), matmul(matmul(out, a), k_h)), out)
    return add(first, matmul(matmul(out, pinv_h), sub(d_h, matmul(matmul(d_h, a), out))))


PINV = Op("LinalgPinvBackward0", _pinv, (_pinv_grad,), ("pinv_backward(grad, result, self)",), saves_out=True,
          jvps=(_pinv_tangent,))


# -------------------------------------------------------------- matrix_exp
_THETAS = {"float32": (1.192092800768788e-07, 5.978858893805233e-04, 5.116619363445086e-02,
                       5.800524627688768e-01, 1.461661507209034e+00, 3.010066362817634e+00),
           "float64": (2.220446049250313e-16, 2.580956802971767e-08, 3.397168839976962e-04,
                       4.991228871115323e-02, 2.996158913811580e-01, 1.090863719290036e+00)}
_SQRT_177 = 0.1330413469565007072504e+2
_X3 = 2. / 3.
_T8 = (_X3 * ((1. + _SQRT_177) / 88.), _X3 * ((1. + _SQRT_177) / 352.), (-271. + 29. * _SQRT_177) / (315. * _X3),
       (-11. + 11. * _SQRT_177) / (1260. * _X3), (-99. + 11. * _SQRT_177) / (5040. * _X3),
       (89. - _SQRT_177) / (5040. * _X3), (857. - 58. * _SQRT_177) / 630.)
_T12 = ((9.0198e-16, 0.46932117595418237389, -0.20099424927047284052, -0.04623946134063071740),
        (5.31597895759871264183, 1.19926790417132231573, 0.01179296240992997031, 0.01108844528519167989),
        (0.18188869982170434744, 0.05502798439925399070, 0.09351590770535414968, 0.00610700528898058230),
        (-2.0861320e-13, -0.13181061013830184015, -0.02027855540589259079, -0.00675951846863086359))
_T18 = ((0., -1.00365581030144618291e-01, -8.02924648241156932449e-03, -8.92138498045729985177e-04, 0.),
        (0., 3.97849749499645077844e-01, 1.36783778460411720168e+00, 4.98289622525382669416e-01,
         -6.37898194594723280150e-04),
        (-1.09676396052962061844e+01, 1.68015813878906206114e+00, 5.71779846478865511061e-02,
         -6.98210122488052056106e-03, 3.34975017086070470649e-05),
        (-9.04316832390810593223e-02, -6.76404519071381882256e-02, 6.75961301770459654925e-02,
         2.95552570429315521194e-02, -1.39180257516060693404e-05),
        (0., 0., -9.23364619367118555360e-02, -1.69364939002081722752e-02, -1.40086798182036094347e-05))


def _powers(a, count):
    """I, A, A^2, A^3, A^6: the first `count` (ATen's _fill_matrix_powers)."""
    out = [host.eye(a.shape[-1], dtype=a.dtype), a]
    if count > 2:
        out.append(a @ a)
    if count > 3:
        out.append(a @ out[2])
    if count > 4:
        out.append(out[3] @ out[3])
    return out[:count]


def _combination(mats, coeffs):
    """sum_k coeffs[k] * mats[k], added in turn (ATen's _compute_linear_combination)."""
    out = host.zeros_like(mats[0])
    for m, c in zip(mats, coeffs):
        out = out + m * m.dtype.type(c)
    return out


def _taylor(a, degree):
    t = a.dtype.type
    if degree == 1:
        return host.eye(a.shape[-1], dtype=a.dtype) + a
    if degree == 2:
        i, a1, a2 = _powers(a, 3)
        return (i + a1) + a2 / t(2)
    if degree == 4:
        ps = _powers(a, 3)
        a2 = ps[2] @ _combination(ps, (1 / 2.0, 1 / 6.0, 1 / 24.0))
        return _combination([ps[0], ps[1], ps[2], a2], (1.0, 1.0, 0.0, 1.0))
    if degree == 8:
        x1, x2, x3, x4, x5, x6, x7, y2 = _T8[0], _T8[1], _X3, *_T8[2:]
        ps = _powers(a, 3)
        a4 = ps[2] @ _combination(ps[1:3], (x1, x2))
        a8 = _combination([ps[2], a4], (x3, 1.0)) @ _combination(ps + [a4], (x4, x5, x6, x7))
        return _combination(ps + [a4, a8], (1.0, 1.0, y2, 0.0, 1.0))
    if degree == 12:
        ps = _powers(a, 4)
        bs = [_combination(ps, row) for row in _T12]
        bs[2] = bs[2] + bs[3] @ bs[3]
        return bs[0] + (bs[1] + bs[2]) @ bs[2]
    ps = _powers(a, 5)
    bs = [_combination(ps, row) for row in _T18]
    bs[3] = bs[3] + bs[0] @ bs[4]
    return bs[1] + (bs[2] + bs[3]) @ bs[3]


def _one_exp(a, thetas):
    norm = float(host.abs(a).sum(-2).max())
    for degree, theta in zip((1, 2, 4, 8, 12), thetas):
        if norm <= theta:
            return _taylor(a, degree)
    s = max(0, int(host.ceil(host.log2(a.dtype.type(norm) / a.dtype.type(thetas[-1])))))
    out = _taylor(a / a.dtype.type(2 ** s), 18)
    for _ in range(s):
        out = out @ out
    return out


def _matrix_exp(x):
    h = to_host(x)
    if h.shape[-1] == 1:
        return xp.exp(x)
    flat = h.reshape((-1,) + h.shape[-2:])
    thetas = _THETAS[h.dtype.name]
    with host.errstate(all="ignore"):
        out = [_one_exp(m, thetas) for m in flat]
    return from_host(host.asarray(out, dtype=h.dtype).reshape(h.shape))


def matrix_exp(a):
    return apply(MATRIX_EXP, a) if type(a) is Tensor else _matrix_exp(a)


def _block(a, g):
    """[[A, G], [0, A]] (linalg_matrix_exp_differential's meta matrix)."""
    zero = zeros(tuple(g.shape), dtype=g.data.dtype if type(g) is Tensor else g.dtype)
    n = len(a.shape)
    if type(a) is Tensor or type(g) is Tensor:
        top = apply(CAT, a, g, dim=n - 1)
        bottom = apply(CAT, Tensor(zero), a, dim=n - 1)
        return apply(CAT, top, bottom, dim=n - 2)
    return xp.concat([xp.concat([a, g], axis=-1), xp.concat([zero, a], axis=-1)], axis=-2)


def _corner(x, n):
    from .shapes import slice_
    if type(x) is Tensor:
        d = len(x.shape)
        return slice_(slice_(x, d - 2, 0, n, 1), d - 1, n, 2 * n, 1)
    return x[..., :n, n:]


def _matrix_exp_grad(g, out, a):
    """linalg_matrix_exp_differential(A, grad, adjoint): the top right block of exp([[A^H, G], [0, A^H]])."""
    return _corner(matrix_exp(_block(_mt(a), g)), a.shape[-1])


def _matrix_exp_tangent(t, out, a):
    """The same with A and dA: exp([[A, dA], [0, A]])'s top right block (a batch of tangents each)."""
    lead = tuple(t.shape[:len(t.shape) - len(a.shape)])
    base = a if not lead else _expand(a, lead + tuple(a.shape))
    return _corner(matrix_exp(_block(base, t)), a.shape[-1])


def _expand(a, shape):
    from .shapes import expand
    return expand(a, shape) if type(a) is Tensor else xp.broadcast_to(a, shape)


MATRIX_EXP = Op("LinalgMatrixExpBackward0", _matrix_exp, (_matrix_exp_grad,),
                ("linalg_matrix_exp_differential(self, grad, adjoint=true)",), jvps=(_matrix_exp_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)
