"""linalg.lstsq's solution and residuals (LinalgLstsqBackward0, a node each here: PyTorch's one),
their rules FunctionsManual's linalg_lstsq_backward and _jvp's, which go by pinv(A).

The solution is the least-squares one of least norm, from NumPy's gelsd with the driver's rank
cut-off (rcond times the largest singular value); PyTorch's CPU default gelsy factors A with column
pivoting instead: the same solution for a matrix of full rank, to rounding."""
from __future__ import annotations

from ..backend import from_host, host, to_host, zeros
from ..op import Op
from ..tensor import Tensor, apply
from .linalg import matmul, vector_rhs
from .matrix_functions import PINV, _pinv_grad, _pinv_tangent
from .pointwise import mul, mul_scalar, sub
from .reductions import sum
from .shapes import squeeze, transpose, unsqueeze


def _mt(x):
    return transpose(x, -2, -1)


def _solve_host(a, b, rcond):
    """Each matrix's solution, rank and singular values (NumPy's gelsd), B as columns."""
    flat_a = a.reshape((-1,) + a.shape[-2:])
    flat_b = b.reshape((-1,) + b.shape[-2:])
    solutions, ranks, values = [], [], []
    for m, rhs in zip(flat_a, flat_b):
        x, _, rank, s = host.linalg.lstsq(m, rhs, rcond=rcond)
        solutions.append(x)
        ranks.append(rank)
        values.append(s)
    lead = a.shape[:-2]
    return (host.asarray(solutions, dtype=a.dtype).reshape(lead + (a.shape[-1], b.shape[-1])),
            host.asarray(ranks, dtype="int64").reshape(lead),
            host.asarray(values, dtype=a.dtype).reshape(lead + (min(a.shape[-2:]),)))


def lstsq_parts(a, b, rcond, driver):
    """(solution, residuals, rank, singular values) as PyTorch's driver gives them (host arrays)."""
    vector = vector_rhs(a, b)
    ha, hb = to_host(a), to_host(b)
    hb = hb[..., None] if vector else hb
    lead = tuple(host.broadcast_shapes(ha.shape[:-2], hb.shape[:-2]))
    ha = host.broadcast_to(ha, lead + ha.shape[-2:])
    hb = host.broadcast_to(hb, lead + hb.shape[-2:])
    m, n = ha.shape[-2:]
    with host.errstate(all="ignore"):
        x, rank, s = _solve_host(ha, hb, rcond)
        residuals = host.zeros((0,), dtype=ha.dtype)
        if driver != "gelsy" and m > n and bool(host.all(rank == n)):
            residuals = ((ha @ x - hb) ** 2).sum(-2)
    if driver == "gels":
        rank = host.zeros((0,), dtype="int64")
    if driver not in ("gelsd", "gelss"):
        s = host.zeros((0,), dtype=ha.dtype)
    return (x[..., 0] if vector else x), residuals, rank, s


def _solution(a, b, rcond, driver):
    return from_host(lstsq_parts(a, b, rcond, driver)[0])


def _residuals(a, b, rcond, driver):
    return from_host(lstsq_parts(a, b, rcond, driver)[1])


def _columns(a, b, x):
    return (unsqueeze(x, -1), True) if vector_rhs(a, b) else (x, False)


def _pinv_of(a):
    """at::linalg_pinv(A) with its default tolerances (recorded, with create_graph)."""
    m, n = a.shape[-2], a.shape[-1]
    dt = to_host(a.data if type(a) is Tensor else a).dtype
    rtol = host.asarray(host.finfo(dt).eps * max(m, n), dtype="float64")
    params = dict(atol=host.asarray(0.0), rtol=rtol, hermitian=False)
    return apply(PINV, a, **params) if type(a) is Tensor else PINV.forward(a, **params), params


def _solution_grad_a(g, out, a, b, rcond, driver):
    """pinv_backward(gX B^H, pinv(A), A)."""
    g_x, _ = _columns(a, b, g)
    b_cols, _ = _columns(a, b, b)
    pinv, params = _pinv_of(a)
    return _pinv_grad(matmul(g_x, _mt(b_cols)), pinv, a, **params)


def _solution_grad_b(g, out, a, b, rcond, driver):
    """pinv(A)^H gX."""
    g_x, vector = _columns(a, b, g)
    grad = matmul(_mt(_pinv_of(a)[0]), g_x)
    return squeeze(grad, -1) if vector else grad


def _solution_tangent_a(t, out, a, b, rcond, driver):
    """pinv_jvp(A, pinv(A), dA) B."""
    pinv, params = _pinv_of(a)
    b_cols, vector = _columns(a, b, b)
    d_x = matmul(_pinv_tangent(t, pinv, a, **params), b_cols)
    return squeeze(d_x, -1) if vector else d_x


def _solution_tangent_b(t, out, a, b, rcond, driver):
    """pinv(A) dB."""
    t_cols, vector = _columns(a, b, t)
    d_x = matmul(_pinv_of(a)[0], t_cols)
    return squeeze(d_x, -1) if vector else d_x


def _residual(a, b, rcond, driver):
    """r = A X - B (X recorded again from A and B, with create_graph)."""
    x = apply(SOLUTION, a, b, rcond=rcond, driver=driver) if type(a) is Tensor or type(b) is Tensor \
        else _solution(a, b, rcond, driver)
    x_cols, _ = _columns(a, b, x)
    b_cols, _ = _columns(a, b, b)
    return sub(matmul(a, x_cols), b_cols), x_cols


def _residuals_grad_a(g, out, a, b, rcond, driver):
    """2 (gL r) X^H; nothing when there are no residuals."""
    if out.shape[-1:] == (0,) and len(out.shape) == 1:
        return None
    r, x = _residual(a, b, rcond, driver)
    return mul_scalar(matmul(mul(unsqueeze(g, -2), r), _mt(x)), 2.0)


def _residuals_grad_b(g, out, a, b, rcond, driver):
    """-2 gL r."""
    if out.shape[-1:] == (0,) and len(out.shape) == 1:
        return None
    r, _ = _residual(a, b, rcond, driver)
    grad = mul(mul_scalar(unsqueeze(g, -2), -2.0), r)       # (-2 * gL) * r, as PyTorch's
    return squeeze(grad, -1) if vector_rhs(a, b) else grad


def _residuals_tangent(ts, out, a, b, rcond, driver):
    """2 sum(r * (dA X - dB), -2)."""
    if out.shape[-1:] == (0,) and len(out.shape) == 1:
        k = 0 if ts[0] is not None else 1
        given, x = ts[k], (a, b)[k]
        lead = tuple(given.shape[:len(given.shape) - len(x.shape)])       # (a batch of tangents: theirs)
        empty = zeros(lead + (0,), dtype=out.data.dtype if type(out) is Tensor else out.dtype)
        return Tensor(empty) if type(given) is Tensor else empty
    r, x = _residual(a, b, rcond, driver)
    d_r = 0.0
    if ts[0] is not None:
        d_r = matmul(ts[0], x)
    if ts[1] is not None:
        t_b, _ = _columns(a, b, ts[1])
        d_r = sub(d_r, t_b)
    product = mul(r, d_r)
    return mul_scalar(sum(product, (len(product.shape) - 2,)), 2.0)


SOLUTION = Op("LinalgLstsqBackward0", _solution, (_solution_grad_a, _solution_grad_b),
              ("pinv_backward(gX B^H, pinv(A), A)", "pinv(A)^H gX"),
              jvps=(_solution_tangent_a, _solution_tangent_b))
RESIDUALS = Op("LinalgLstsqBackward0", _residuals, (_residuals_grad_a, _residuals_grad_b),
               ("2 (gL r) X^H", "-2 gL r"), saves_out=True, jvps=_residuals_tangent)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)
