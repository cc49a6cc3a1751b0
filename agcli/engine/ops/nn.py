"""Neural-network ops: softmax, log_softmax and the losses. Each entry:
grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ..backend import xp
from ..op import Op
from ..tensor import data
from .pointwise import div, exp, mul, sigmoid, sub
from .reductions import sum
from .shapes import unsqueeze


def _softmax(x, dim):
    e = xp.exp(x - xp.max(x, axis=dim, keepdims=True))
    return e / xp.sum(e, axis=dim, keepdims=True)


def _log_softmax(x, dim):
    s = x - xp.max(x, axis=dim, keepdims=True)
    return s - xp.log(xp.sum(xp.exp(s), axis=dim, keepdims=True))


def _reduce(v, reduction):
    if reduction == "mean":
        return xp.mean(v)
    if reduction == "sum":
        return xp.sum(v)
    return v


def _loss_grad(g, local, reduction):
    """g times the loss's elementwise derivative `local`, divided by the count for a mean."""
    if reduction == "mean":
        n = 1
        for s in data(local).shape:
            n *= s
        return div(mul(g, local), n)
    return mul(g, local)


def _nll(x, target, reduction, ignore_index):
    batched = x.ndim == 2
    xs = x if batched else x[None, :]
    ts = xp.reshape(target, (-1,))
    keep = ts != ignore_index
    picked = -xs[xp.arange(ts.shape[0]), xp.where(keep, ts, 0)] * keep
    if reduction == "sum":
        return xp.sum(picked)
    if reduction == "mean":
        return (xp.sum(picked) / xp.sum(keep)).astype(x.dtype)
    return picked if batched else picked[0]


def _nll_grad(g, x, target, reduction, ignore_index):
    shape = data(x).shape
    ts = xp.reshape(data(target), (-1,))
    keep = ts != ignore_index
    hot = xp.zeros((ts.shape[0], shape[-1]))
    hot[xp.arange(ts.shape[0]), xp.where(keep, ts, 0)] = -1.0 * keep
    if reduction == "mean":
        hot = hot / xp.sum(keep)
    hot = xp.reshape(hot, shape).astype(data(x).dtype)
    if reduction == "none" and len(data(g).shape):
        g = unsqueeze(g, -1)
    return mul(g, hot)


SOFTMAX = Op("SoftmaxBackward0", _softmax,
             (lambda g, out, x, dim: out * (g - sum(g * out, (dim,), True)),),
             ("result * (grad - (grad * result).sum(dim, keepdim=True))",), saves_out=True)
LOG_SOFTMAX = Op("LogSoftmaxBackward0", _log_softmax,
                 (lambda g, out, x, dim: g - exp(out) * sum(g, (dim,), True),),
                 ("grad - exp(result) * grad.sum(dim, keepdim=True)",), saves_out=True)
BCE_LOGITS = Op("BinaryCrossEntropyWithLogitsBackward0",
                lambda z, y, reduction: _reduce(xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z))), reduction),
                (lambda g, out, z, y, reduction: _loss_grad(g, sub(sigmoid(z), y), reduction),
                 lambda g, out, z, y, reduction: _loss_grad(g, -z, reduction)),
                ("grad * (sigmoid(self) - target) [/ numel]", "grad * -self [/ numel]"))
MSE_LOSS = Op("MseLossBackward0",
              lambda x, y, reduction: _reduce((x - y) ** 2, reduction),
              (lambda g, out, x, y, reduction: _loss_grad(g, (x - y) * 2, reduction),
               lambda g, out, x, y, reduction: _loss_grad(g, (x - y) * -2, reduction)),
              ("grad * 2 * (self - target) [/ numel]", "grad * -2 * (self - target) [/ numel]"))
NLL_LOSS = Op("NllLossBackward0", _nll,
              (lambda g, out, x, target, reduction, ignore_index: _nll_grad(g, x, target, reduction, ignore_index),
               None),
              ("-grad at each target's class [/ count]",))
