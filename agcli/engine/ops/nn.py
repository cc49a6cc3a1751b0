"""Neural-network ops: softmax, log_softmax and the losses. Each entry:
grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ..backend import arange, astype, getitem, setitem, xp, zeros
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
    xs = x if batched else xp.expand_dims(x, axis=0)
    ts = xp.reshape(target, (-1,))
    keep = ts != ignore_index
    picked = -getitem(xs, _targets(ts, keep)) * astype(keep, x.dtype)
    if reduction == "sum":
        return xp.sum(picked)
    if reduction == "mean":          # divided in float64, as NumPy divides by an integer count
        return astype(astype(xp.sum(picked), "float64") / _count(keep), x.dtype)
    return picked if batched else picked[0]


def _targets(ts, keep):
    """The (row, class) index of each target (class 0 where it is ignored)."""
    return arange(ts.shape[0]), xp.where(keep, ts, 0)


def _count(keep):
    """How many targets count, as a float64 array."""
    return astype(xp.sum(astype(keep, "int64")), "float64")


def _nll_grad(g, x, target, reduction, ignore_index):
    shape = data(x).shape
    ts = xp.reshape(data(target), (-1,))
    keep = ts != ignore_index
    hot = zeros((ts.shape[0], shape[-1]), dtype="float64")
    setitem(hot, _targets(ts, keep), astype(keep, "float64") * -1.0)
    if reduction == "mean":
        hot = hot / _count(keep)
    hot = astype(xp.reshape(hot, shape), data(x).dtype)
    if reduction == "none" and len(data(g).shape):
        g = unsqueeze(g, -1)
    return mul(g, hot)


SOFTMAX = Op("SoftmaxBackward0", _softmax,
             (lambda g, out, x, dim: out * (g - sum(g * out, (dim,), True)),),
             ("result * (grad - (grad * result).sum(dim, keepdim=True))",), saves_out=True, reads=((),))
LOG_SOFTMAX = Op("LogSoftmaxBackward0", _log_softmax,
                 (lambda g, out, x, dim: g - exp(out) * sum(g, (dim,), True),),
                 ("grad - exp(result) * grad.sum(dim, keepdim=True)",), saves_out=True, reads=((),))
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
