"""Neural-network ops: softmax, log_softmax and the losses. Each entry:
grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ...errors import AgcliError
from .. import cpu_kernels as K
from .. import backend_softmax as SK
from ..backend import arange, astype, float_errors_ignored, getitem, item, reduce_mean, reduce_sum, setitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply, data
from .pointwise import div_scalar, exp, mask, mul, mul_scalar, neg, sigmoid, sigmoid_backward, where, zeros_like
from . import tangents as T
from .cascade import nll_sums
from .layout import row_major_result
from .reductions import sum
from .shapes import lined_up, unsqueeze


@K.halves_in_float
def _softmax(x, dim):
    if SK.applies(x, dim):
        return SK.softmax(x)
    if not x.size:
        return x + 0        # (an empty softmax is empty: NumPy's max of nothing fails)
    e = K.exp(x - xp.max(x, axis=dim, keepdims=True))     # (float32's rounded from float64, as PyTorch's kernel
    return e / xp.sum(e, axis=dim, keepdims=True)          # along another dim gives them: then a sum and a division)


@K.halves_in_float
def _log_softmax(x, dim):
    if SK.applies(x, dim):
        return SK.log_softmax(x)
    if not x.size:
        return x + 0
    s = x - xp.max(x, axis=dim, keepdims=True)
    return s - xp.log(xp.sum(xp.exp(s), axis=dim, keepdims=True))


def reduced(v, reduction):
    """A loss's raw values reduced as its `reduction=` says ('mean', 'sum' or 'none')."""
    if reduction == "mean":
        return reduce_mean(v)
    if reduction == "sum":
        return reduce_sum(v)
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


def _nll(x, target, reduction, ignore_index, weight=None):
    batched = x.ndim == 2
    xs = x if batched else xp.expand_dims(x, axis=0)
    ts = astype(xp.reshape(target, (-1,)), "int64")       # (a uint8 target compares with -100 too)
    keep = ts != ignore_index
    weights = _sample_weights(ts, keep, weight, x.dtype)
    chosen = getitem(xs, _targets(ts, keep)) * weights
    if reduction == "none":
        picked = xp.where(keep, -chosen, 0)             # an ignored target's loss is 0 (not -0)
        return picked if batched else picked[0]
    loss, total = nll_sums(chosen, weights, keep, x.dtype)      # PyTorch's order of additions
    if reduction == "sum":
        return loss
    return loss / (total if weight is not None else astype(_count(keep), x.dtype))


def _sample_weights(ts, keep, weight, dtype):
    """Each target's class weight (1 without weight=), 0 where it is ignored."""
    if weight is None:
        return astype(keep, dtype)
    return xp.where(keep, getitem(astype(weight, dtype), xp.where(keep, ts, 0)), 0)


def _targets(ts, keep):
    """The (row, class) index of each target (class 0 where it is ignored)."""
    return arange(ts.shape[0]), xp.where(keep, ts, 0)


def _count(keep):
    """How many targets count, as a float64 array."""
    return astype(xp.sum(astype(keep, "int64")), "float64")


def _nll_grad(g, x, target, reduction, ignore_index, weight=None):
    shape = data(x).shape
    ts = astype(xp.reshape(data(target), (-1,)), "int64")
    keep = ts != ignore_index
    dtype = data(x).dtype
    hot = zeros((ts.shape[0], shape[-1]), dtype=dtype)       # -weight[target] (or -1) at each target
    setitem(hot, _targets(ts, keep), -_sample_weights(ts, keep, weight, dtype))
    hot = xp.reshape(hot, shape)
    if reduction == "mean":          # weight * -(grad / total_weight), as PyTorch's kernel
        weights = _sample_weights(ts, keep, weight, dtype)
        total = _count(keep) if weight is None else nll_sums(weights, weights, keep, dtype)[1]
        g = div_scalar(g, float(item(total)))
    if reduction == "none" and len(data(g).shape):
        g = unsqueeze(g, -1)
    return where(hot != 0, mul(g, hot), 0.0)        # PyTorch scatters grad: a nan grad stays at the target


def _softplus(x, beta, threshold):
    """log1p(exp(beta * x)) / beta, and x itself where beta * x > threshold (PyTorch's
    kernel; exp runs only where it is used, so the linear part raises no overflow)."""
    bx = x * beta
    big = bx > threshold
    return xp.where(big, x, xp.log1p(xp.exp(xp.where(big, 0, bx))) / beta)


def _softplus_backward(g, x, beta, threshold):
    """softplus_backward: grad * z / (z + 1), z = exp(self * beta); grad where self * beta > threshold."""
    big = x * beta > threshold
    z = K.exp(xp.where(big, 0, x * beta))     # (PyTorch's scalar lines: glibc's exp, float64's rounded once)
    return xp.where(big, g, g * z / (z + 1))


def _softplus_double(gg, x, beta, threshold):
    """softplus_double_backward: sigmoid_backward(grad, sigmoid(self * beta)) * (self * beta < threshold) * beta."""
    bx = mul_scalar(x, beta)
    return mul_scalar(sigmoid_backward(gg, sigmoid(bx)) * mask(data(bx) < threshold, gg), beta)


_EPSILON = 9.999999960041972e-13     # the floor under (1 - x) * x in BCE's gradient: 1e-12 as a C float


def _bce(x, t, w, reduction):
    _between_0_and_1(x, t)               # in the kernel, as PyTorch's: a replay checks too
    with float_errors_ignored():         # log(0) is -inf, floored at -100 as PyTorch does
        loss = (t - 1) * xp.maximum(xp.log1p(-x), -100.0) - t * xp.maximum(xp.log(x), -100.0)
    if w is not None:                    # loss.mul_(weight): the loss keeps its dtype
        loss = astype(loss * w, loss.dtype)
    return reduced(loss, reduction)


def _between_0_and_1(x, t):
    """PyTorch's check, element by element: the first bad element says whether input or target is at fault."""
    bad_x = ~((x >= 0) & (x <= 1))
    bad = bad_x | ~((t >= 0) & (t <= 1))
    if bool(xp.any(bad)):
        first = int(item(xp.argmax(astype(xp.reshape(bad, (-1,)), "int8"))))
        which = "input" if bool(xp.reshape(bad_x, (-1,))[first]) else "target"
        raise AgcliError(f"all elements of {which} should be between 0 and 1")


def _bce_backward(g, x, t, w, reduction):
    """binary_cross_entropy_backward: grad * (self - target) / max((1 - self) * self, 1e-12) [* weight] [/ numel]."""
    floor = (1 - x) * x
    return _weighted(g * (x - t) / xp.where(floor < _EPSILON, _EPSILON, floor), x, w, reduction)


def _bce_target_grad(g, x, t, w, reduction):
    """binary_cross_entropy_target_backward: -logit(self) * grad [* weight] [/ numel]."""
    return _weighted(neg(logit(x)) * g, x, w, reduction)


def _weighted(local, x, w, reduction):
    """A loss gradient times the weight, divided by the count for a mean (PyTorch's order)."""
    if w is not None:
        local = local * w
    return div_scalar(local, data(x).size) if reduction == "mean" else local


# binary_cross_entropy_backward's own rules (FunctionsManual's double backwards; eps = 1e-12, a double)
def _bce_double_grad_output(gg, x, t, w, reduction):
    """(self - target) / ((self + eps) * (1 - self + eps)) * grad [* weight] [/ numel]."""
    return _weighted((x - t) / ((x + 1e-12) * (1 - x + 1e-12)) * gg, x, w, reduction)


def _bce_double_self(gg, g, x, t, w, reduction):
    """(self² - 2 self target + target) / ((self + eps)² (1 - self + eps)²) * grad * grad_output [...]."""
    return _weighted((x * x - 2 * x * t + t) / ((x + 1e-12) ** 2 * (1 - x + 1e-12) ** 2) * (gg * g), x, w,
                     reduction)


def _bce_double_target(gg, g, x, t, w, reduction):
    """-grad * grad_output [* weight] / max((1 - self) * self, eps) [/ numel]."""
    res = -gg * g
    if w is not None:
        res = res * w
    floor = (1 - x) * x
    return _weighted(res / where(data(floor) < 1e-12, 1e-12, floor), x, None, reduction)


def _logit_grad(g, x):
    """PyTorch's (infinitely differentiable) logit backward: grad / (self * (1 - self)), nan outside [0, 1]."""
    a = data(x)
    return where((a >= 0) & (a <= 1), g / (x * (1 - x)), float("nan"))


# softmax, log_softmax, mse_loss and nll_loss call PyTorch's own backward ops
# (below): with create_graph a gradient records SoftmaxBackwardDataBackward0, ...
SOFTMAX = Op("SoftmaxBackward0", row_major_result(_softmax),
             (lambda g, out, x, dim: softmax_backward(g, out, dim),),
             ("result * (grad - (grad * result).sum(dim, keepdim=True))",), saves_out=True, reads=((),),
             jvps=(lambda t, out, x, dim: out * (t - T.logsumexp(t, x, (dim,), True)),))
LOG_SOFTMAX = Op("LogSoftmaxBackward0", row_major_result(_log_softmax),
                 (lambda g, out, x, dim: log_softmax_backward(g, out, dim),),
                 ("grad - result.exp() * grad.sum(dim, keepdim=True)",), saves_out=True, reads=((),),
                 jvps=(lambda t, out, x, dim: t - T.logsumexp(t, x, (dim,), True),))
MSE_LOSS = Op("MseLossBackward0",
              lambda x, y, reduction: reduced((x - y) ** 2, reduction),
              (lambda g, out, x, y, reduction: mse_loss_backward(g, x, y, reduction),
               lambda g, out, x, y, reduction: mse_loss_backward(g, y, x, reduction)),
              ("2 * (self - target) * grad [/ numel]", "2 * (target - self) * grad [/ numel]"),
              jvps=lambda ts, out, x, y, reduction: T.loss_reduced(
                  _added(mse_loss_backward(ts[0], x, y, "none") if ts[0] is not None else None,
                         mse_loss_backward(ts[1], y, x, "none") if ts[1] is not None else None), x, reduction),
              broadcasts=True)
NLL_LOSS = Op("NllLossBackward0", _nll,
              (lambda g, out, x, target, reduction, ignore_index, weight=None:
               nll_loss_backward(g, x, target, reduction, ignore_index, weight), None),
              ("nll_loss_backward: -grad [* weight[target]] at each target's class [/ count or total weight]",),
              jvps=(T.nll, None))
SOFTPLUS = Op("SoftplusBackward0", K.halves_in_float(_softplus),
              (lambda g, out, x, beta, threshold: softplus_backward(g, x, beta, threshold),),
              ("grad * z / (z + 1), z = exp(self * beta); grad where self * beta > threshold",),
              jvps=(lambda t, out, x, beta, threshold: softplus_backward(t, x, beta, threshold),))
BINARY_CROSS_ENTROPY = Op("BinaryCrossEntropyBackward0", _bce,
                          (lambda g, out, x, t, w, reduction: bce_backward(g, x, t, w, reduction),
                           lambda g, out, x, t, w, reduction: _bce_target_grad(g, x, t, w, reduction),
                           None),
                          ("grad * (self - target) / max((1 - self) * self, 1e-12) [* weight] [/ numel]",
                           "-logit(self) * grad [* weight] [/ numel]"),
                          jvps=lambda ts, out, x, y, w, reduction: T.loss_reduced(
                              _added(bce_backward(ts[0], x, y, w, "none") if ts[0] is not None else None,
                                     _bce_target_grad(ts[1], x, y, w, "none") if ts[1] is not None else None),
                              x, reduction), broadcasts=True)


# ----------------------------------------- PyTorch's own backward ops
# On raw arrays the primitives compute directly; on tensors they record, with
# their own rules (derivatives.yaml's), so a third derivative works too.
def _softmax_backward(g, y, dim):
    if SK.applies(y, dim) and g.dtype is y.dtype and g.shape == y.shape:
        return SK.softmax_backward(g, y)
    if not y.ndim:          # (one value: its own sum; g may carry a batch of tangents)
        return y * (g - g * y)
    return y * (g - reduce_sum(g * y, axis=dim, keepdims=True))


def _log_softmax_backward(g, y, dim):
    if SK.applies(y, dim) and g.dtype is y.dtype and g.shape == y.shape:
        return SK.log_softmax_backward(g, y)
    if not y.ndim:
        return g - xp.exp(y) * g
    return g - xp.exp(y) * reduce_sum(g, axis=dim, keepdims=True)


def _mse_backward(g, x, t, reduction):
    """(self - target) * norm * grad, norm = 2, or 2 / numel for a mean (PyTorch's kernel)."""
    d = x - t
    return d * (2.0 / max(_numel(d), 1) if reduction == "mean" else 2.0) * g     # (no element: no gradient)


def _added(a, b):
    """The sum of a loss's tangent terms, a missing one left out."""
    return b if a is None else a if b is None else a + b


def _mse_twice(tg, x, reduction):
    """mse_loss_double_backward(t * grad_output, self): 2 * it [/ self.numel()]."""
    twice = mul_scalar(tg, 2)
    return div_scalar(twice, _numel(x)) if reduction == "mean" else twice


def _from_end(dim, y) -> int:
    """dim counted from the end: a batched tangent has more dims in front (a 0-d y's dim: -1, unused)."""
    return dim % len(y.shape) - len(y.shape) if len(y.shape) else -1


def _summed(v, dim, y):
    """v summed along y's dim, kept (v may carry batch dims in front). A 0-d y's one value is its dim."""
    if not len(y.shape):
        return v
    d = len(v.shape) + _from_end(dim, y)
    return sum(v, (d,), True)


def _mse_double(gg, g, reduction):
    """mse_loss_double_backward(grad * grad_output): 2 * grad [/ numel]."""
    twice = mul_scalar(gg * g, 2)
    return div_scalar(twice, _numel(gg)) if reduction == "mean" else twice


SOFTMAX_BACKWARD = Op("SoftmaxBackwardDataBackward0", _softmax_backward,
                      (lambda gg, out, g, y, dim: softmax_backward(gg, y, dim),
                       lambda gg, out, g, y, dim: g * gg - _summed(y * g, dim, y) * gg - g * _summed(y * gg, dim, y)),
                      ("_softmax_backward_data(grad, output, dim)",
                       "grad_output * grad - (output * grad_output).sum(dim) * grad - grad_output * (output * grad).sum(dim)"),
                      jvps=(lambda t, out, g, y, dim: softmax_backward(t, y, _from_end(dim, y)),
                            lambda t, out, g, y, dim: t * (g - _summed(g * y, dim, y)) - y * _summed(g * t, dim, y)))
LOG_SOFTMAX_BACKWARD = Op("LogSoftmaxBackwardDataBackward0", _log_softmax_backward,
                          (lambda gg, out, g, y, dim: gg - _summed(gg * exp(y), dim, y),
                           lambda gg, out, g, y, dim: -_summed(g, dim, y) * exp(y) * gg),
                          ("grad - (grad * output.exp()).sum(dim, keepdim=True)",
                           "-grad_output.sum(dim, keepdim=True) * output.exp() * grad"),
                          jvps=(lambda t, out, g, y, dim: log_softmax_backward(t, y, _from_end(dim, y)),
                                lambda t, out, g, y, dim: -(exp(y) * t) * _summed(g, dim, y)))
MSE_LOSS_BACKWARD = Op("MseLossBackwardBackward0", _mse_backward,
                       (lambda gg, out, g, x, t, reduction: mse_loss_backward(gg, x, t, reduction),
                        lambda gg, out, g, x, t, reduction: _mse_double(gg, g, reduction),
                        lambda gg, out, g, x, t, reduction: -_mse_double(gg, g, reduction)),
                       ("mse_loss_backward(grad, self, target)", "2 * grad * grad_output [/ numel]",
                        "-2 * grad * grad_output [/ numel]"),
                       jvps=(lambda t, out, g, x, y, reduction: mse_loss_backward(t, x, y, reduction),
                             lambda t, out, g, x, y, reduction: _mse_twice(t * g, x, reduction),
                             lambda t, out, g, x, y, reduction: -_mse_twice(t * g, x, reduction)), broadcasts=True)
NLL_LOSS_BACKWARD = Op("NllLossBackwardBackward0", _nll_grad,
                       (lambda gg, out, g, x, target, reduction, ignore_index, weight=None:
                        nll_loss(gg, target, reduction, ignore_index, weight),
                        lambda gg, out, g, x, target, reduction, ignore_index, weight=None: zeros_like(gg), None),
                       ("nll_loss(grad, target)", "zeros_like(grad)"), reads=((2,), (), ()),
                       jvps=(lambda t, out, g, x, target, reduction, ignore_index, weight=None:      # linear in grad
                             _nll_grad(t if reduction == "none" else lined_up(t, 0, len(x.shape)), x, target,
                                       reduction, ignore_index, weight),
                             lambda t, out, g, x, target, reduction, ignore_index, weight=None: zeros_like(t),
                             None))

SOFTPLUS_BACKWARD = Op("SoftplusBackwardBackward0", _softplus_backward,
                       (lambda gg, out, g, x, beta, threshold: softplus_backward(gg, x, beta, threshold),
                        lambda gg, out, g, x, beta, threshold: _softplus_double(gg * g, x, beta, threshold)),
                       ("softplus_backward(grad, self, beta, threshold)",
                        "softplus_double_backward(grad * grad_output, self, beta, threshold)"),
                       jvps=(lambda t, out, g, x, beta, threshold: softplus_backward(t, x, beta, threshold),
                             lambda t, out, g, x, beta, threshold: _softplus_double(t * g, x, beta, threshold)),
                       broadcasts=True)
BCE_BACKWARD = Op("BinaryCrossEntropyBackwardBackward0", _bce_backward,
                  (lambda gg, out, g, x, t, w, reduction: _bce_double_grad_output(gg, x, t, w, reduction),
                   lambda gg, out, g, x, t, w, reduction: _bce_double_self(gg, g, x, t, w, reduction),
                   lambda gg, out, g, x, t, w, reduction: _bce_double_target(gg, g, x, t, w, reduction), None),
                  ("binary_cross_entropy_double_backward_grad_output(grad, self, target, weight)",
                   "binary_cross_entropy_double_backward(grad_output, grad, self, target, weight)",
                   "binary_cross_entropy_double_backward_target(grad, grad_output, self, target, weight)"),
                  jvps=(lambda t, out, g, x, y, w, reduction: bce_backward(t, x, y, w, reduction),   # linear in grad
                        lambda t, out, g, x, y, w, reduction: _bce_double_self(t, g, x, y, w, reduction),
                        lambda t, out, g, x, y, w, reduction: _bce_double_target(t, g, x, y, w, reduction), None),
                  broadcasts=True)
LOGIT = Op("LogitBackward0", lambda x: xp.log(x / (1 - x)), (lambda g, out, x: _logit_grad(g, x),),
           ("where(0 <= self <= 1, grad / (self * (1 - self)), nan)",),     # inside BCE's target gradient
           jvps=(lambda t, out, x: _logit_grad(t, x),))


def softplus_backward(g, x, beta, threshold):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(SOFTPLUS_BACKWARD, g, x, beta=beta, threshold=threshold)
    return _softplus_backward(g, x, beta, threshold)


def bce_backward(g, x, t, w, reduction):
    if type(g) is Tensor or type(x) is Tensor or type(t) is Tensor:
        return apply(BCE_BACKWARD, g, x, t, w, reduction=reduction)
    return _bce_backward(g, x, t, w, reduction)


def logit(x):
    return apply(LOGIT, x) if type(x) is Tensor else xp.log(x / (1 - x))


def softmax_backward(g, y, dim):
    return apply(SOFTMAX_BACKWARD, g, y, dim=dim) if type(g) is Tensor else _softmax_backward(g, y, dim)


def log_softmax_backward(g, y, dim):
    return apply(LOG_SOFTMAX_BACKWARD, g, y, dim=dim) if type(g) is Tensor else _log_softmax_backward(g, y, dim)


def mse_loss_backward(g, x, t, reduction):
    if type(g) is Tensor or type(x) is Tensor or type(t) is Tensor:
        return apply(MSE_LOSS_BACKWARD, g, x, t, reduction=reduction)
    return _mse_backward(g, x, t, reduction)


def nll_loss_backward(g, x, target, reduction, ignore_index, weight=None):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(NLL_LOSS_BACKWARD, g, x, target, reduction=reduction, ignore_index=ignore_index,
                     **({} if weight is None else {"weight": weight}))
    return _nll_grad(g, x, target, reduction, ignore_index, weight)


def nll_loss(x, target, reduction, ignore_index, weight=None):
    if type(x) is Tensor:
        return apply(NLL_LOSS, x, target, reduction=reduction, ignore_index=ignore_index,
                     **({} if weight is None else {"weight": weight}))
    return _nll(x, target, reduction, ignore_index, weight)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does
