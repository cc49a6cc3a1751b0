"""soft_margin_loss (SoftMarginLossBackward0): log(1 + exp(-input * target)), reduced, as ATen's
kernel computes it; its gradient as ATen's soft_margin_loss_backward orders it: target * z times
-norm, over 1 + z, times grad (z = exp(-target * input), norm 1 / numel for a mean). The
gradient is composed of the engine's primitives, so it differentiates again (PyTorch records
SoftMarginLossBackwardBackward0 there: the same values, other nodes)."""
from __future__ import annotations

from .. import cpu_kernels as K
from ..backend import host as np  # (NumPy: these kernels run on the host, on_host.py)

from ..op import Op, no_derivative, no_forward_derivative
from ..tensor import Tensor, apply, data
from . import tangents as T
from .on_host import on_host
from .reductions import MEAN, SUM
from .pointwise import add_scalar, div, exp, mul, mul_scalar, neg


def _numel(x) -> int:
    n = 1
    for s in data(x).shape:
        n *= s
    return n


def soft_margin(x, t, reduction):
    """The elementwise loss, then apply_loss_reduction's mean() or sum() (their kernels' order)."""
    v = K.log1p(K.exp(-x * t))          # (PyTorch's CPU kernels' values: cpu_kernels)
    return MEAN.forward(v) if reduction == "mean" else SUM.forward(v) if reduction == "sum" else v


def _factor(x, t, reduction):
    """-norm * target * z / (1 + z): the loss's derivative by the input, ATen's order."""
    z = exp(mul(neg(t), x))
    norm = 1.0 / _numel(x) if reduction == "mean" else 1.0
    return div(mul_scalar(mul(t, z), -norm), add_scalar(z, 1))


def _rule(g, out, x, t, reduction):
    return mul(_factor(x, t, reduction), g)


def _tangent(tt, out, x, t, reduction):
    part = mul(tt, _factor(x, t, "none"))
    return T.loss_reduced(part, x, reduction)


SOFT_MARGIN_LOSS = Op("SoftMarginLossBackward0", soft_margin, (_rule, None),
                      ("soft_margin_loss_backward(grad, self, target, reduction)",), jvps=(_tangent, None))


# ---------------------------------------------------------------- multi_margin_loss
def _rows(x):
    return np.reshape(x, (-1, x.shape[-1] if x.ndim else 1))


def _margins(x, target, margin):
    """(rows, z, live): z = margin - x[target] + x[d] a row and class, in the input's dtype; live
    where it counts (z > 0, d not the target)."""
    rows = _rows(x)
    t = np.reshape(target, (-1,))
    picked = np.take_along_axis(rows, t[:, None], axis=1)
    z = (rows.dtype.type(margin) - picked) + rows
    live = (z > 0) & (np.arange(rows.shape[1])[None, :] != t[:, None])
    return rows, t, z, live


@on_host
def multi_margin(x, target, weight, p, margin, reduction):
    """ATen's CPU kernel: a row's terms added in class order, over the class count; the rows'
    sums added in double (its accumulate type) for a mean or sum."""
    rows, t, z, live = _margins(x, target, margin)
    h = z if p == 1 else z * z
    if weight is not None:
        h = h * np.take(weight, t)[:, None]
    total = np.zeros(rows.shape[0], dtype=rows.dtype)
    for d in range(rows.shape[1]):
        total = total + np.where(live[:, d], h[:, d], rows.dtype.type(0))
    total = total / rows.dtype.type(rows.shape[1])
    if reduction == "none" and np.ndim(target) > 0:
        return total
    acc = 0.0
    for v in total.tolist():
        acc += v
    if reduction == "mean":
        acc /= rows.shape[0]
    return np.asarray(acc, dtype=rows.dtype)


@on_host
def multi_margin_grad(g_out, x, target, weight, p, margin, reduction):
    rows, t, z, live = _margins(x, target, margin)
    n, dim = rows.shape
    g = rows.dtype.type(1.0 / (n * dim) if reduction == "mean" else 1.0 / dim)
    h = np.broadcast_to(g, z.shape) if p == 1 else rows.dtype.type(2) * g * z
    if weight is not None:
        h = h * np.take(weight, t)[:, None]
    h = np.where(live, h, rows.dtype.type(0))
    at_target = np.zeros(n, dtype=rows.dtype)
    for d in range(dim):                    # (the target's share: less each live term, in class order)
        at_target = at_target - h[:, d]
    grad = h.copy()
    grad[np.arange(n), t] = at_target
    scale = np.reshape(g_out, (-1, 1)) if np.ndim(g_out) and reduction == "none" else g_out
    return np.reshape(grad * scale, x.shape)


def _multi_rule(g, out, x, **p):
    if type(g) is Tensor:       # (PyTorch cannot differentiate multi_margin_loss_backward: its node's one edge, self)
        return apply(MULTI_MARGIN_LOSS_GRAD, x, g_out=data(g), **p)
    return multi_margin_grad(g, data(x), **p)


MULTI_MARGIN_LOSS = Op("MultiMarginLossBackward0", multi_margin, (_multi_rule,),
                       ("multi_margin_loss_backward(grad, self, target, p, margin, weight, reduction)",),
                       jvps=(no_forward_derivative("multi_margin_loss"),))
MULTI_MARGIN_LOSS_GRAD = Op("NotImplemented", lambda x, g_out, **p: multi_margin_grad(g_out, x, **p),
                            (no_derivative("multi_margin_loss_backward"),), ("not differentiable",),
                            jvps=(no_forward_derivative("multi_margin_loss_backward"),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
