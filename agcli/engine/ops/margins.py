"""soft_margin_loss (SoftMarginLossBackward0): log(1 + exp(-input * target)), reduced, as ATen's
kernel computes it; its gradient as ATen's soft_margin_loss_backward orders it: target * z times
-norm, over 1 + z, times grad (z = exp(-target * input), norm 1 / numel for a mean). The
gradient is composed of the engine's primitives, so it differentiates again (PyTorch records
SoftMarginLossBackwardBackward0 there: the same values, other nodes)."""
from __future__ import annotations

from .. import cpu_kernels as K
from ..op import Op
from ..tensor import data
from . import tangents as T
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


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
