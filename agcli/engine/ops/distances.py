"""torch.cdist's two kernels. _cdist_forward (CdistBackward0): ATen's CPU kernel, each pair of rows
reduced over the columns in turn (|a - b| mapped by p: 0, 1, 2, inf or a general p), and its own
backward, _cdist_backward, which adds each row pair's term in turn (PyTorch cannot differentiate
that again: CdistBackwardBackward0 fails, as there). _euclidean_dist (EuclideanDistBackward0): the
matrix-multiply form PyTorch takes for p=2 on more than 25 rows, or when asked; its gradient is
composed (FunctionsManual's _euclidean_dist_backward), so it differentiates again. Neither has a
forward-mode derivative in PyTorch."""
from __future__ import annotations

from ...errors import AgcliError
from ..backend import astype, dtype_name, float_errors_ignored, mm_kernel, swapaxes, xp
from ..op import Op, forward_ad_not_implemented
from ..tensor import Tensor, apply, data
from .linalg import matmul
from .pointwise import div, masked_fill, mul, sub
from .reductions import sum
from .shapes import transpose, unsqueeze


def _mapped(d, p):
    """F::map of |a - b|, each p's (zdist, odist, tdist, idist, pdist)."""
    if p == 0:
        return xp.minimum(xp.ceil(d), xp.ones_like(d))
    if p == 2:
        return d * d
    if p in (1, float("inf")):
        return d
    if dtype_name(d.dtype) == "float32":        # (glibc's powf, correctly rounded: a double's power, rounded)
        return astype(astype(d, "float64") ** p, "float32")
    return d ** p


def _cdist(x1, x2, p):
    """run_parallel_cdist: agg = red(agg, map(|a - b|)) column by column, then finish."""
    d = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
    agg = xp.sum(d[..., :0], axis=-1)      # (zeros, on d's device; no columns: the result's zeros)
    with float_errors_ignored():
        mapped = _mapped(d, p)
        for c in range(d.shape[-1]):
            agg = xp.maximum(agg, mapped[..., c]) if p == float("inf") else agg + mapped[..., c]
        if p == 2:
            return xp.sqrt(agg)
        if p in (0, 1, float("inf")):
            return agg
        if dtype_name(agg.dtype) == "float32":      # (std::pow(float, 1.0 / p): a double's power, rounded)
            return astype(astype(agg, "float64") ** (1.0 / p), "float32")
        return agg ** (1.0 / p)


def _sign(v):
    return xp.sign(v)


def _term(diff, g, dist, p):
    """F::backward for each row pair (grad and dist per pair, broadcast over the columns)."""
    if p == 1:
        return g * _sign(diff)
    if p == float("inf"):
        off = xp.minimum(xp.ones_like(diff), xp.ceil(xp.abs(xp.abs(diff) - dist)))
        return g * _sign(diff) * (1 - off)
    zero = dist == 0
    safe = xp.where(zero, xp.ones_like(dist), dist)
    if p == 2:
        term = g * diff / safe
    elif p < 2:
        term = _sign(diff) * xp.abs(diff) ** (p - 1) * g / safe ** (p - 1)
    else:
        term = diff * xp.abs(diff) ** (p - 2) * g / safe ** (p - 1)
    return xp.where(zero, xp.zeros_like(term), term)


def _cdist_backward(g, x1, x2, out, p):
    """_cdist_backward's kernel: for each row of x1, the terms of x2's rows added in turn from 0."""
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    res = xp.sum(diff[..., :0, :], axis=-2)
    if p == 0:
        return res
    with float_errors_ignored():
        for j in range(diff.shape[-2]):
            res = res + _term(diff[..., j, :], g[..., j, None], out[..., j, None], p)
    return res


def _swap(a):
    return swapaxes(a, -1, -2) if type(a) is not Tensor else transpose(a, -1, -2)


def cdist_backward(g, x1, x2, out, p):
    if type(g) is Tensor or type(x1) is Tensor or type(x2) is Tensor:
        return apply(CDIST_BACKWARD, g, x1, x2, out, p=p)
    return _cdist_backward(g, x1, x2, out, p)


def _no_second(*args, **params):
    raise AgcliError("the derivative for '_cdist_backward' is not implemented.", kind="not_implemented")


_no_forward = forward_ad_not_implemented


CDIST = Op("CdistBackward0", _cdist,
           (lambda g, out, x1, x2, p: cdist_backward(g, x1, x2, out, p),
            lambda g, out, x1, x2, p: cdist_backward(_swap(g), x2, x1, _swap(out), p)),
           ("_cdist_backward(grad.contiguous(), x1, x2, p, result)",
            "_cdist_backward(grad.mT().contiguous(), x2, x1, p, result.mT().contiguous())"),
           saves_out=True, jvps=(_no_forward("_cdist_forward"), _no_forward("_cdist_forward")))
CDIST_BACKWARD = Op("CdistBackwardBackward0", lambda g, x1, x2, out, p: _cdist_backward(g, x1, x2, out, p),
                    (_no_second, _no_second, _no_second, _no_second), ("not implemented",) * 4,
                    jvps=(_no_forward("_cdist_backward"),) * 4)


# ------------------------------------------------------------------------ _euclidean_dist
def _euclidean(x1, x2):
    """[-2 x1, |x1|², 1] @ [x2, 1, |x2|²]ᵀ, clamped at 0, its square root (ATen's steps)."""
    n1 = sum(x1 * x1, (-1,), True)
    n2 = sum(x2 * x2, (-1,), True)
    a = xp.concat([x1 * -2, n1, xp.ones_like(n1)], axis=-1)
    b = xp.concat([x2, xp.ones_like(n2), n2], axis=-1)
    bt = swapaxes(b, -1, -2)
    r = mm_kernel(a, bt) if len(a.shape) == 2 and len(b.shape) == 2 else xp.matmul(a, bt)
    return xp.sqrt(xp.maximum(r, xp.zeros_like(r)))


def _ratio(g, out):
    return masked_fill(div(g, out), data(out) == 0, 0)


def _euclidean_x1(g, out, x1, x2):
    ratio = _ratio(g, out)
    return sub(mul(x1, sum(ratio, (-1,), True)), matmul(ratio, x2))


def _euclidean_x2(g, out, x1, x2):
    ratio = _ratio(g, out)
    return sub(mul(x2, unsqueeze(sum(ratio, (-2,), False), -1)), matmul(_swap(ratio), x1))


EUCLIDEAN_DIST = Op("EuclideanDistBackward0", _euclidean, (_euclidean_x1, _euclidean_x2),
                    ("x1 * ratio.sum(-1, true) - ratio.matmul(x2), ratio = grad / result (0 where result is 0)",
                     "x2 * ratio.sum(-2, false).unsqueeze(-1) - ratio.mT().matmul(x1)"), saves_out=True,
                    jvps=(_no_forward("_euclidean_dist"), _no_forward("_euclidean_dist")))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
