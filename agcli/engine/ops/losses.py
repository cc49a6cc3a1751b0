"""The losses PyTorch computes in one kernel, beside engine/ops/nn.py's: smooth_l1_loss and
huber_loss with PyTorch's own backward ops (so a gradient taken with create_graph records
SmoothL1LossBackwardBackward0, HuberLossBackwardBackward0), nll_loss2d (an (N, C, d1, d2)
input), and binary_cross_entropy_with_logits with weight and pos_weight (its gradients are
PyTorch's formulas in recorded ops). Each entry: grad_fn name, kernel, one rule per input,
the rules in words. The kernels follow PyTorch's float arithmetic element by element (the
same order of operations)."""
from __future__ import annotations

from ...errors import AgcliError, torch_type_name
from ..backend import ON_HOST, astype, clone, dtype, kind, ones, xp
from ..backend_sums_kernel import lanes, vector_loop
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, apply, data
from . import tangents as T
from . import nn as NN
from .activations import log_sigmoid
from .shapes import lined_up, permute, reshape
from .pointwise import add_scalar, div_scalar, mask, mul, neg, sigmoid, sub, zeros_like


_FLOAT32 = dtype("float32")


def _numel(x) -> int:
    n = 1
    for s in data(x).shape:
        n *= s
    return n


def _added(a, b):
    return b if a is None else a if b is None else a + b


def _smooth_l1(x, y, reduction, beta):
    """z < beta ? 0.5 * z * z / beta : z - 0.5 * beta, z = |input - target| (PyTorch's kernel)."""
    z = xp.abs(x - y)
    return NN.reduced(xp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)


def _smooth_l1_backward(g, x, y, reduction, beta):
    """norm * (x <= -beta ? -grad : x >= beta ? grad : x / beta * grad), x = input - target, norm = 1 [/ numel],
    in the order of PyTorch's kernel: its vector op's, or (the values left over) its scalar op's."""
    d = x - y
    norm = 1.0 / max(_numel(d), 1) if reduction == "mean" else 1.0     # (no element: no gradient)
    inside = _in_double(lambda v: v / beta, norm * d * g)
    one_by_one = xp.where(d <= -beta, -norm * g, xp.where(d >= beta, norm * g, inside))
    return _split(one_by_one, lambda: norm * xp.where(xp.abs(d) >= beta, _signs(d), d / beta) * g)


def _huber(x, y, reduction, delta):
    """z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta), z = |input - target| (PyTorch's kernel)."""
    z = xp.abs(x - y)
    loss = NN.reduced(xp.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), reduction)
    return loss if loss.dtype == x.dtype else astype(loss, x.dtype)      # the input's dtype, as PyTorch's kernel


def _huber_backward(g, x, y, reduction, delta):
    """norm * (x <= -delta ? -grad * delta : x >= delta ? grad * delta : x * grad), x = input - target,
    in the order of PyTorch's kernel, as _smooth_l1_backward."""
    d = x - y
    norm = 1.0 / max(_numel(d), 1) if reduction == "mean" else 1.0     # (no element: no gradient)
    one_by_one = xp.where(d <= -delta, _in_double(lambda v: v * delta, -norm * g),
                          xp.where(d >= delta, _in_double(lambda v: v * delta, norm * g), norm * d * g))
    return _split(one_by_one, lambda: norm * xp.where(xp.abs(d) >= delta, _signs(d) * delta, d) * g)


def _signs(d):
    """1 where d > 0, else -1, in d's dtype (the vector op's blend)."""
    return astype(xp.where(d > 0, 1, -1), d.dtype)


def _in_double(fn, v):
    """fn(v) with a C++ double (beta, delta): a float32 v computed in double and rounded once (the scalar op's)."""
    return astype(fn(astype(v, "float64")), v.dtype) if v.dtype == _FLOAT32 else fn(v)


def _split(one_by_one, vectors):
    """cpu_kernel_vec's values: the vector op's (vectors()) where its loop runs them, else the scalar op's.
    (On the host only: a device backend's kernels are not PyTorch's CPU ones.)"""
    if not ON_HOST or kind(one_by_one.dtype) != "f" or one_by_one.size < 2 * lanes(one_by_one.dtype.itemsize):
        return one_by_one
    _, _, in_vectors = vector_loop(one_by_one.size, lanes(one_by_one.dtype.itemsize))
    return xp.where(xp.reshape(in_vectors, one_by_one.shape), vectors(), one_by_one)


def _inside(gg, x, y, width, reduction):
    """grad * (|self - target| < width) [/ numel]: the double backwards' rule for self."""
    inner = gg * mask(xp.abs(data(x) - data(y)) < width, gg)
    return div_scalar(inner, _numel(x)) if reduction == "mean" else inner


def _smooth_l1_double(gg, x, y, reduction, beta):
    """smooth_l1_loss_double_backward: grad * (|self - target| < beta) / beta [/ numel]."""
    inner = gg * mask(xp.abs(data(x) - data(y)) < beta, gg)
    inner = div_scalar(inner, beta)
    return div_scalar(inner, _numel(x)) if reduction == "mean" else inner


SMOOTH_L1_LOSS = Op("SmoothL1LossBackward0", _smooth_l1,
                    (lambda g, out, x, y, reduction, beta: smooth_l1_loss_backward(g, x, y, reduction, beta),
                     lambda g, out, x, y, reduction, beta: smooth_l1_loss_backward(g, y, x, reduction, beta)),
                    ("smooth_l1_loss_backward(grad, self, target, reduction, beta)",
                     "smooth_l1_loss_backward(grad, target, self, reduction, beta)"),
                    jvps=lambda ts, out, x, y, reduction, beta: T.loss_reduced(
                        _added(smooth_l1_loss_backward(ts[0], x, y, "none", beta) if ts[0] is not None else None,
                               smooth_l1_loss_backward(ts[1], y, x, "none", beta) if ts[1] is not None else None),
                        x, reduction), broadcasts=True)
def _one_dtype(x, y):
    """huber_loss_backward's check: PyTorch's forward kept the input's dtype for a target of another."""
    if data(x).dtype != data(y).dtype:
        raise AgcliError(f"Found dtype {torch_type_name(data(y).dtype)} but expected "
                         f"{torch_type_name(data(x).dtype)}")


def _huber_grads(g, x, y, reduction, delta, which):
    _one_dtype(x, y)
    return huber_loss_backward(g, x, y, reduction, delta) if which == 0 else \
        huber_loss_backward(g, y, x, reduction, delta)


HUBER_LOSS = Op("HuberLossBackward0", _huber,
                (lambda g, out, x, y, reduction, delta: _huber_grads(g, x, y, reduction, delta, 0),
                 lambda g, out, x, y, reduction, delta: _huber_grads(g, x, y, reduction, delta, 1)),
                ("huber_loss_backward(grad, self, target, reduction, delta)",
                 "huber_loss_backward(grad, target, self, reduction, delta)"),
                jvps=lambda ts, out, x, y, reduction, delta: T.loss_reduced(
                    _added(huber_loss_backward(ts[0], x, y, "none", delta) if ts[0] is not None else None,
                           huber_loss_backward(ts[1], y, x, "none", delta) if ts[1] is not None else None),
                    x, reduction), broadcasts=True)

SMOOTH_L1_LOSS_BACKWARD = Op(
    "SmoothL1LossBackwardBackward0", _smooth_l1_backward,
    (lambda gg, out, g, x, y, reduction, beta: smooth_l1_loss_backward(gg, x, y, reduction, beta),
     lambda gg, out, g, x, y, reduction, beta: _smooth_l1_double(gg * g, x, y, reduction, beta),
     lambda gg, out, g, x, y, reduction, beta: -_smooth_l1_double(gg * g, x, y, reduction, beta)),
    ("smooth_l1_loss_backward(grad, self, target, reduction, beta)",
     "smooth_l1_loss_double_backward(grad * grad_output, self, target, reduction, beta)",
     "-smooth_l1_loss_double_backward(grad * grad_output, self, target, reduction, beta)"),
    jvps=(lambda t, out, g, x, y, reduction, beta: smooth_l1_loss_backward(t, x, y, reduction, beta),
          lambda t, out, g, x, y, reduction, beta: _smooth_l1_double(t * g, x, y, reduction, beta),
          lambda t, out, g, x, y, reduction, beta: -_smooth_l1_double(t * g, x, y, reduction, beta)),
    broadcasts=True)
HUBER_LOSS_BACKWARD = Op(
    "HuberLossBackwardBackward0", _huber_backward,
    (lambda gg, out, g, x, y, reduction, delta: huber_loss_backward(gg, x, y, reduction, delta),
     lambda gg, out, g, x, y, reduction, delta: _inside(gg * g, x, y, delta, reduction),
     lambda gg, out, g, x, y, reduction, delta: -_inside(gg * g, x, y, delta, reduction)),
    ("huber_loss_backward(grad, self, target, reduction, delta)",
     "huber_loss_double_backward(grad * grad_output, self, target, reduction, delta): "
     "grad * (|self - target| < delta) [/ numel]",
     "-huber_loss_double_backward(grad * grad_output, self, target, reduction, delta)"),
    jvps=(lambda t, out, g, x, y, reduction, delta: huber_loss_backward(t, x, y, reduction, delta),
          lambda t, out, g, x, y, reduction, delta: _inside(t * g, x, y, delta, reduction),
          lambda t, out, g, x, y, reduction, delta: -_inside(t * g, x, y, delta, reduction)),
    broadcasts=True)


def smooth_l1_loss_backward(g, x, y, reduction, beta):
    if type(g) is Tensor or type(x) is Tensor or type(y) is Tensor:
        return apply(SMOOTH_L1_LOSS_BACKWARD, g, x, y, reduction=reduction, beta=beta)
    return _smooth_l1_backward(g, x, y, reduction, beta)


def huber_loss_backward(g, x, y, reduction, delta):
    if type(g) is Tensor or type(x) is Tensor or type(y) is Tensor:
        return apply(HUBER_LOSS_BACKWARD, g, x, y, reduction=reduction, delta=delta)
    return _huber_backward(g, x, y, reduction, delta)



# ----------------------------------------- nll_loss2d: (N, C, H, W) with targets (N, H, W)
def _classes_last(x):
    """(N, C, d...) as rows of C classes, in (N, d...) order."""
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    return xp.reshape(xp.permute_dims(x, perm), (-1, x.shape[1]))


def _nll2d(x, target, reduction, ignore_index, weight=None):
    out = NN._nll(_classes_last(x), xp.reshape(target, (-1,)), reduction, ignore_index, weight)
    return xp.reshape(out, target.shape) if reduction == "none" else out


def _nll2d_grad(g, x, target, reduction, ignore_index, weight=None):
    rows = _classes_last(x)
    flat_g = xp.reshape(g, (-1,)) if reduction == "none" else g
    grad = NN._nll_grad(flat_g, rows, xp.reshape(target, (-1,)), reduction, ignore_index, weight)
    n = x.ndim
    moved = xp.reshape(grad, (x.shape[0],) + tuple(x.shape[2:]) + (x.shape[1],))
    return clone(xp.permute_dims(moved, (0, n - 1) + tuple(range(1, n - 1))), True)    # contiguous, as PyTorch's


def _nll2d_tangent(t, x, target, reduction, ignore_index, weight):
    """nll_loss2d_forward(self_t, target, ...): the rows of classes of t (batch dims in front) as nll_loss's."""
    nb, a = T.lead(t, x), data(x)
    perm = tuple(range(nb)) + (nb,) + tuple(range(nb + 2, nb + a.ndim)) + (nb + 1,)
    moved = xp.permute_dims(t, perm) if type(t) is not Tensor else permute(t, perm)
    rows = reshape(moved, tuple(t.shape[:nb]) + (-1, a.shape[1]))
    out = T.nll(rows, None, _classes_last(a), xp.reshape(data(target), (-1,)), reduction, ignore_index, weight)
    return reshape(out, tuple(t.shape[:nb]) + tuple(data(target).shape)) if reduction == "none" else out


def _nll2d_grad_tangent(t, x, target, reduction, ignore_index, weight):
    """nll_loss2d_backward is linear in grad: its pattern for a grad of ones, times t lined up (batch dims in front)."""
    a, tg = data(x), data(target)
    pattern = _nll2d_grad(ones(tg.shape if reduction == "none" else (), dtype=a.dtype), a, tg, reduction,
                          ignore_index, weight)
    if reduction == "none":
        nb = len(t.shape) - tg.ndim
        return mul(reshape(t, tuple(t.shape[:nb + 1]) + (1,) + tuple(t.shape[nb + 1:])), pattern)
    return mul(lined_up(t, 0, a.ndim), pattern)


NLL_LOSS2D = Op("NllLoss2DBackward0", _nll2d,
                (lambda g, out, x, target, reduction, ignore_index, weight=None:
                 nll_loss2d_backward(g, x, target, reduction, ignore_index, weight), None),
                ("nll_loss2d_backward: -grad [* weight[target]] at each target's class [/ count or total weight]",),
                jvps=(lambda t, out, x, target, reduction, ignore_index, weight=None:       # linear in self
                      _nll2d_tangent(t, x, target, reduction, ignore_index, weight), None))
NLL_LOSS2D_BACKWARD = Op("NllLoss2DBackwardBackward0", _nll2d_grad,
                         (lambda gg, out, g, x, target, reduction, ignore_index, weight=None:
                          nll_loss2d(gg, target, reduction, ignore_index, weight),
                          lambda gg, out, g, x, target, reduction, ignore_index, weight=None: zeros_like(gg), None),
                         ("nll_loss2d(grad, target)", "zeros_like(grad)"), reads=((2,), (), ()),
                         jvps=(lambda t, out, g, x, target, reduction, ignore_index, weight=None:
                               _nll2d_grad_tangent(t, x, target, reduction, ignore_index, weight),
                               lambda t, out, g, x, target, reduction, ignore_index, weight=None: zeros_like(t),
                               None))


def _weight_param(weight):
    return {} if weight is None else {"weight": weight}


def nll_loss2d(x, target, reduction, ignore_index, weight=None):
    if type(x) is Tensor:
        return apply(NLL_LOSS2D, x, target, reduction=reduction, ignore_index=ignore_index, **_weight_param(weight))
    return _nll2d(x, target, reduction, ignore_index, weight)


def nll_loss2d_backward(g, x, target, reduction, ignore_index, weight=None):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(NLL_LOSS2D_BACKWARD, g, x, target, reduction=reduction, ignore_index=ignore_index,
                     **_weight_param(weight))
    return _nll2d_grad(g, x, target, reduction, ignore_index, weight)



# ----------------------------------------- binary_cross_entropy_with_logits (weight, pos_weight)
def _bce_logits(z, y, w, pw, reduction):
    """(1 - target) * input - log_sigmoid(input) [* ((pos_weight - 1) * target + 1)], [* weight] (PyTorch's order),
    its steps in place as PyTorch's: the loss kept in the target's dtype, log_sigmoid in the input's."""
    log_sigmoid = xp.minimum(z, 0) - xp.log1p(xp.exp(-xp.abs(z)))
    if pw is not None:
        log_sigmoid = astype(log_sigmoid * ((pw - 1) * y + 1), z.dtype)
    loss = astype((1 - y) * z, y.dtype)
    loss = astype(loss - log_sigmoid, y.dtype)
    if w is not None:
        loss = astype(loss * w, y.dtype)
    return NN.reduced(loss, reduction)


def _bce_logits_grad(g, z, y, w, pw, reduction):
    """binary_cross_entropy_with_logits_backward: ((pos_weight * target + 1 - target) * sigmoid(self)
    - pos_weight * target), or sigmoid(self) - target; times grad [* weight] [/ numel]."""
    if pw is not None:
        t = mul(pw, y)
        local = sub(mul(sub(add_scalar(t, 1), y), sigmoid(z)), t)
    else:
        local = sub(sigmoid(z), y)
    return _scaled(mul(local, g), z, w, reduction)


def _bce_logits_target_grad(g, z, y, w, pw, reduction):
    """binary_cross_entropy_with_logits_target_backward: (log_sigmoid(-self) - log_sigmoid(self) * pos_weight),
    or -self; times grad [* weight] [/ numel]."""
    if pw is not None:
        local = sub(log_sigmoid(neg(z)), mul(log_sigmoid(z), pw))
    else:
        local = neg(z)
    return _scaled(mul(local, g), z, w, reduction)


def _scaled(grad, z, w, reduction):
    if w is not None:
        grad = mul(grad, w)
    return div_scalar(grad, _numel(z)) if reduction == "mean" else grad


BCE_LOGITS = Op("BinaryCrossEntropyWithLogitsBackward0", _bce_logits,
                (lambda g, out, z, y, w, pw, reduction: _bce_logits_grad(g, z, y, w, pw, reduction),
                 lambda g, out, z, y, w, pw, reduction: _bce_logits_target_grad(g, z, y, w, pw, reduction),
                 None, None),
                ("grad * ((pos_weight * target + 1 - target) * sigmoid(self) - pos_weight * target) [* weight] "
                 "[/ numel] (pos_weight 1: sigmoid(self) - target)",
                 "grad * (log_sigmoid(-self) - log_sigmoid(self) * pos_weight) [* weight] [/ numel] "
                 "(no pos_weight: -self)"),
                # apply_loss_reduction(the unreduced backward formulas with the tangents as grad, added)
                jvps=lambda ts, out, z, y, w, pw, reduction: T.loss_reduced(
                    _added(_bce_logits_grad(ts[0], z, y, w, pw, "none") if ts[0] is not None else None,
                           _bce_logits_target_grad(ts[1], z, y, w, pw, "none") if ts[1] is not None else None),
                    z, reduction), broadcasts=True)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does


# With reduction='none', TensorIterator lays these losses out as their inputs (engine/layouts.py).
lay_out(iterated, SMOOTH_L1_LOSS, HUBER_LOSS, BCE_LOGITS)
