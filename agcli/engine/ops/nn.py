"""Neural-network ops: softmax, log_softmax and the losses. Each entry:
grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ...errors import AgcliError
from ..backend import arange, astype, float_errors_ignored, getitem, item, reduce_sum, setitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply, data
from .pointwise import div, div_scalar, exp, log, mul, mul_scalar, neg, sigmoid, sub, where, zeros_like
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
    """The loss's elementwise derivative `local` times g, divided by the count for a mean
    (PyTorch's order: the division is DivBackward1 with create_graph)."""
    grad = mul(local, g)
    return div_scalar(grad, _numel(local)) if reduction == "mean" else grad


def _numel(x) -> int:
    n = 1
    for s in data(x).shape:
        n *= s
    return n


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
    return where(hot != 0, mul(g, hot), 0.0)        # PyTorch scatters grad: a nan grad stays at the target


def _softplus(x, beta, threshold):
    """log1p(exp(beta * x)) / beta, and x itself where beta * x > threshold (PyTorch's
    kernel; exp runs only where it is used, so the linear part raises no overflow)."""
    bx = x * beta
    big = bx > threshold
    return xp.where(big, x, xp.log1p(xp.exp(xp.where(big, 0, bx))) / beta)


def _softplus_grad(g, x, beta, threshold):
    big = data(x) * beta > threshold
    z = exp(where(big, 0.0, x) * beta)
    return where(big, g, g * z / (z + 1))


_EPSILON = 9.999999960041972e-13     # the floor under (1 - x) * x in BCE's gradient: 1e-12 as a C float


def _bce(x, t, w, reduction):
    _between_0_and_1(x, t)               # in the kernel, as PyTorch's: a replay checks too
    with float_errors_ignored():         # log(0) is -inf, floored at -100 as PyTorch does
        loss = (t - 1) * xp.maximum(xp.log1p(-x), -100.0) - t * xp.maximum(xp.log(x), -100.0)
    if w is not None:                    # loss.mul_(weight): the loss keeps its dtype
        loss = astype(loss * w, loss.dtype)
    return _reduce(loss, reduction)


def _between_0_and_1(x, t):
    """PyTorch's check, element by element: the first bad element says whether input or target is at fault."""
    bad_x = ~((x >= 0) & (x <= 1))
    bad = bad_x | ~((t >= 0) & (t <= 1))
    if bool(xp.any(bad)):
        first = int(item(xp.argmax(astype(xp.reshape(bad, (-1,)), "int8"))))
        which = "input" if bool(xp.reshape(bad_x, (-1,))[first]) else "target"
        raise AgcliError(f"all elements of {which} should be between 0 and 1")


def _bce_grad(g, x, t, w, reduction):
    floor = (1 - x) * x
    local = g * (x - t) / where(data(floor) < _EPSILON, _EPSILON, floor)
    return _weighted(local, x, w, reduction)


def _bce_target_grad(g, x, t, w, reduction):
    return _weighted(neg(log(x / (1 - x))) * g, x, w, reduction)       # -logit(self) * grad


def _weighted(local, x, w, reduction):
    """A loss gradient times the weight, divided by the count for a mean (PyTorch's order)."""
    if w is not None:
        local = local * w
    return local / data(x).size if reduction == "mean" else local


# softmax, log_softmax, mse_loss and nll_loss call PyTorch's own backward ops
# (below): with create_graph a gradient records SoftmaxBackwardDataBackward0, ...
SOFTMAX = Op("SoftmaxBackward0", _softmax,
             (lambda g, out, x, dim: softmax_backward(g, out, dim),),
             ("result * (grad - (grad * result).sum(dim, keepdim=True))",), saves_out=True, reads=((),))
LOG_SOFTMAX = Op("LogSoftmaxBackward0", _log_softmax,
                 (lambda g, out, x, dim: log_softmax_backward(g, out, dim),),
                 ("grad - result.exp() * grad.sum(dim, keepdim=True)",), saves_out=True, reads=((),))
BCE_LOGITS = Op("BinaryCrossEntropyWithLogitsBackward0",
                lambda z, y, reduction: _reduce(xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z))), reduction),
                (lambda g, out, z, y, reduction: _loss_grad(g, sub(sigmoid(z), y), reduction),
                 lambda g, out, z, y, reduction: _loss_grad(g, -z, reduction)),
                ("grad * (sigmoid(self) - target) [/ numel]", "grad * -self [/ numel]"))
MSE_LOSS = Op("MseLossBackward0",
              lambda x, y, reduction: _reduce((x - y) ** 2, reduction),
              (lambda g, out, x, y, reduction: mse_loss_backward(g, x, y, reduction),
               lambda g, out, x, y, reduction: mse_loss_backward(g, y, x, reduction)),
              ("2 * (self - target) * grad [/ numel]", "2 * (target - self) * grad [/ numel]"))
NLL_LOSS = Op("NllLossBackward0", _nll,
              (lambda g, out, x, target, reduction, ignore_index:
               nll_loss_backward(g, x, target, reduction, ignore_index), None),
              ("nll_loss_backward: -grad at each target's class [/ count]",))
SOFTPLUS = Op("SoftplusBackward0", _softplus,
              (lambda g, out, x, beta, threshold: _softplus_grad(g, x, beta, threshold),),
              ("grad * z / (z + 1), z = exp(self * beta); grad where self * beta > threshold",))
BINARY_CROSS_ENTROPY = Op("BinaryCrossEntropyBackward0", _bce,
                          (lambda g, out, x, t, w, reduction: _bce_grad(g, x, t, w, reduction),
                           lambda g, out, x, t, w, reduction: _bce_target_grad(g, x, t, w, reduction),
                           None),
                          ("grad * (self - target) / max((1 - self) * self, 1e-12) [* weight] [/ numel]",
                           "-logit(self) * grad [* weight] [/ numel]"))


# ----------------------------------------- PyTorch's own backward ops
# On raw arrays the primitives compute directly; on tensors they record, with
# their own rules (derivatives.yaml's), so a third derivative works too.
def _softmax_backward(g, y, dim):
    return y * (g - reduce_sum(g * y, axis=dim, keepdims=True))


def _log_softmax_backward(g, y, dim):
    return g - xp.exp(y) * reduce_sum(g, axis=dim, keepdims=True)


def _mse_backward(g, x, t, reduction):
    """(self - target) * norm * grad, norm = 2, or 2 / numel for a mean (PyTorch's kernel)."""
    d = x - t
    return d * (2.0 / _numel(d) if reduction == "mean" else 2.0) * g


def _mse_double(gg, g, reduction):
    """mse_loss_double_backward(grad * grad_output): 2 * grad [/ numel]."""
    twice = mul_scalar(gg * g, 2)
    return div_scalar(twice, _numel(gg)) if reduction == "mean" else twice


SOFTMAX_BACKWARD = Op("SoftmaxBackwardDataBackward0", _softmax_backward,
                      (lambda gg, out, g, y, dim: softmax_backward(gg, y, dim),
                       lambda gg, out, g, y, dim: g * gg - sum(y * g, (dim,), True) * gg - g * sum(y * gg, (dim,), True)),
                      ("_softmax_backward_data(grad, output, dim)",
                       "grad_output * grad - (output * grad_output).sum(dim) * grad - grad_output * (output * grad).sum(dim)"))
LOG_SOFTMAX_BACKWARD = Op("LogSoftmaxBackwardDataBackward0", _log_softmax_backward,
                          (lambda gg, out, g, y, dim: gg - sum(gg * exp(y), (dim,), True),
                           lambda gg, out, g, y, dim: -sum(g, (dim,), True) * exp(y) * gg),
                          ("grad - (grad * output.exp()).sum(dim, keepdim=True)",
                           "-grad_output.sum(dim, keepdim=True) * output.exp() * grad"))
MSE_LOSS_BACKWARD = Op("MseLossBackwardBackward0", _mse_backward,
                       (lambda gg, out, g, x, t, reduction: mse_loss_backward(gg, x, t, reduction),
                        lambda gg, out, g, x, t, reduction: _mse_double(gg, g, reduction),
                        lambda gg, out, g, x, t, reduction: -_mse_double(gg, g, reduction)),
                       ("mse_loss_backward(grad, self, target)", "2 * grad * grad_output [/ numel]",
                        "-2 * grad * grad_output [/ numel]"))
NLL_LOSS_BACKWARD = Op("NllLossBackwardBackward0", _nll_grad,
                       (lambda gg, out, g, x, target, reduction, ignore_index:
                        nll_loss(gg, target, reduction, ignore_index),
                        lambda gg, out, g, x, target, reduction, ignore_index: zeros_like(gg), None),
                       ("nll_loss(grad, target)", "zeros_like(grad)"), reads=((2,), (), ()))


def softmax_backward(g, y, dim):
    return apply(SOFTMAX_BACKWARD, g, y, dim=dim) if type(g) is Tensor else _softmax_backward(g, y, dim)


def log_softmax_backward(g, y, dim):
    return apply(LOG_SOFTMAX_BACKWARD, g, y, dim=dim) if type(g) is Tensor else _log_softmax_backward(g, y, dim)


def mse_loss_backward(g, x, t, reduction):
    if type(g) is Tensor or type(x) is Tensor or type(t) is Tensor:
        return apply(MSE_LOSS_BACKWARD, g, x, t, reduction=reduction)
    return _mse_backward(g, x, t, reduction)


def nll_loss_backward(g, x, target, reduction, ignore_index):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(NLL_LOSS_BACKWARD, g, x, target, reduction=reduction, ignore_index=ignore_index)
    return _nll_grad(g, x, target, reduction, ignore_index)


def nll_loss(x, target, reduction, ignore_index):
    if type(x) is Tensor:
        return apply(NLL_LOSS, x, target, reduction=reduction, ignore_index=ignore_index)
    return _nll(x, target, reduction, ignore_index)
