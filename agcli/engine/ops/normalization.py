"""Normalisation: layer_norm (NativeLayerNormBackward0) and batch_norm (NativeBatchNormBackward0),
and their three gradients, which create_graph records as ...BackwardBackward0 (PyTorch's one node
with three outputs; here a node an output, with the inputs PyTorch's node has).

x is normalised over `axes` (params): its mean taken off, divided by sqrt(variance + eps), the
biased variance of the values over those axes; or, for batch_norm in evaluation (`running`), by
the running statistics given. The weight and bias scale and shift it: a layer norm's are shaped as
the normalised dims (the last ones), a batch norm's one number a channel (dim 1), `layout` says
which. With x^ the normalised x, r the reciprocal deviation and P(c) = r (c - mean(c) -
x^ mean(c x^)) (means over the axes), the input's gradient is P(grad * weight). Rules are
written with the engine's primitives, so every order differentiates. Each entry: grad_fn name,
kernel, rules, the rules in words."""
from __future__ import annotations

from .. import backend_batch_norm as BN, backend_layer_norm as LN
from ..backend import astype, reduce_sum, xp
from ..op import Op, undefined
from ..tensor import Tensor, apply, data
from .pointwise import add, mul, pow, sub, zeros_like
from .shapes import expand, reshape, sum_to
from ..layouts import follows_channels_last, lay_out, row_major


def _count(v, axes) -> int:
    total = 1
    for a in axes:
        total *= data(v).shape[a]
    return total


def _mean(v, axes, lead=0):
    """v's mean over `axes` (shifted by `lead` batch dims), the dims kept."""
    axes = tuple(a + lead for a in axes)
    if type(v) is Tensor:
        kept = tuple(1 if i in axes else n for i, n in enumerate(v.shape))
        return mul(sum_to(v, kept), 1.0 / _count(v, axes))
    return xp.mean(v, axis=axes, keepdims=True)


def _spread(v, x, layout, lead=0):
    """A weight-shaped v (with `lead` batch dims first) laid out to broadcast against x."""
    if v is None:
        return None
    shape = tuple(data(v).shape)
    n = data(x).ndim
    if layout == "layer" and lead == 0:
        return v                                    # (it lines up with x's last dims already)
    if layout == "batch":
        middle = (1,) + shape[lead:] + (1,) * (n - 2)
    else:
        middle = (1,) * (n - (len(shape) - lead)) + shape[lead:]
    return reshape(v, shape[:lead] + middle)


def _weight_sum(v, x, layout, axes, lead=0):
    """v (x-shaped, after `lead` batch dims) summed over the dims the weight does not have."""
    n = data(x).ndim
    if layout == "batch":
        dims = tuple(axes)
    else:
        dims = tuple(i for i in range(n) if i not in axes)
    dims = tuple(d + lead for d in dims)
    if not dims:
        return v
    if type(v) is Tensor:
        kept = tuple(1 if i in dims else s for i, s in enumerate(v.shape))
        return reshape(sum_to(v, kept), tuple(s for i, s in enumerate(v.shape) if i not in dims))
    return reduce_sum(v, axis=dims)


def _normalised(x, axes, eps, running):
    """(x^, r): x normalised, and the reciprocal deviation (by the batch's statistics, or the running ones)."""
    if running is None:
        centred = sub(x, _mean(x, axes))
        rstd = pow(add(_mean(mul(centred, centred), axes), eps), -0.5)
    else:
        mean, rstd = running
        centred = sub(x, mean)
    return mul(centred, rstd), rstd


def _project(c, xhat, rstd, axes, lead=0):
    """P(c) = r (c - mean(c) - x^ mean(c x^)): the input's gradient of a gradient c of x^."""
    return mul(rstd, sub(sub(c, _mean(c, axes, lead)), mul(xhat, _mean(mul(c, xhat), axes, lead))))


def _scaled(g, w, x, layout):
    return g if w is None else mul(g, _spread(w, x, layout))


# ---------------------------------------------------------------- forward
def normalise(x, w, b, layout, axes, eps, running):
    """(x r - mean r) w + b, as ATen's kernels order it; in float64 for a float32 batch norm's
    statistics (ATen accumulates them in double); a float32 one's exactly as ATen's kernels do
    (backend_batch_norm.py, backend_layer_norm.py)."""
    if layout == "batch" and BN.follows_aten(x):
        if running is None:
            mean, var_sum = BN.statistics(x)
            invstd = BN.inverse_deviation(var_sum, x.size // x.shape[1], eps)
        else:
            mean, invstd = (v.reshape(-1) for v in running)
        return BN.affine(x, mean, invstd, w, b)
    if layout == "layer" and LN.follows_aten(x):
        return LN.layer_norm(x, len(axes), w, b, eps)
    wide = x if layout == "layer" or x.dtype == xp.float64 else astype(x, xp.float64)
    if running is None:
        mean = xp.mean(wide, axis=axes, keepdims=True)
        rstd = 1.0 / xp.sqrt(xp.mean((wide - mean) ** 2, axis=axes, keepdims=True) + eps)
    else:
        mean, rstd = running
    if layout == "batch":                           # (batch_norm_cpu_transform_input: alpha, beta per channel)
        alpha = rstd if w is None else rstd * _spread(astype(w, rstd.dtype), x, layout)
        beta = (0.0 if b is None else _spread(astype(b, alpha.dtype), x, layout)) - mean * alpha   # (0 - 0 is +0)
        return astype(x * astype(alpha, x.dtype) + astype(beta, x.dtype), x.dtype)
    y = x * astype(rstd, x.dtype) + astype(-rstd * mean, x.dtype)
    if w is not None:
        y = y * w
    return y + (0.0 if b is None else b)          # (ATen adds a bias of 0: -0. comes out +0.)


# ---------------------------------------------------------------- first order
def _input_grad(g, x, w, layout, axes, eps, running):
    xhat, rstd = _normalised(x, axes, eps, running)
    c = _scaled(g, w, x, layout)
    return mul(c, rstd) if running is not None else _project(c, xhat, rstd, axes)


def _weight_grad(g, x, layout, axes, eps, running):
    return _weight_sum(mul(g, _normalised(x, axes, eps, running)[0]), x, layout, axes)


def _rules(ops):
    """The forward op's rules: each gradient computed, or recorded as its gradient op."""
    grad_x, grad_w, grad_b = ops

    def by_x(g, out, x, w, b, **p):
        if type(g) is Tensor:
            return apply(grad_x, *_grad_args(g, x, w, b, p), **p)
        return _aten_rows(g, x, w, p)[0] if _takes_rows(g, x, p) else _input_grad(g, x, w, **p)

    def by_w(g, out, x, w, b, **p):
        if type(g) is Tensor:
            return apply(grad_w, *_grad_args(g, x, w, b, p), **p)
        return _aten_rows(g, x, w, p)[1] if _takes_rows(g, x, p) else _weight_grad(g, x, **p)

    def by_b(g, out, x, w, b, **p):
        if type(g) is Tensor:
            return apply(grad_b, *_grad_args(g, x, w, b, p), **p)
        return _aten_rows(g, x, w, p)[2] if _takes_rows(g, x, p) else _weight_sum(g, x, p["layout"], p["axes"])

    return by_x, by_w, by_b


def _takes_rows(g, x, p):
    """A float32 (N, C) batch norm's training gradients: ATen's channels-last kernel (backend_batch_norm.py)."""
    return p["layout"] == "batch" and p["running"] is None and BN.takes_rows(x, g)


def _aten_rows(g, x, w, p):
    return BN.rows_backward(x, g, w, p["eps"])


def _grad_args(g, x, w, b, p):
    """The gradient ops' inputs, as PyTorch's node lists them: (grad, input, mean, rstd, weight,
    bias) for a layer norm, (grad, input, weight, running_mean, running_var) for a batch norm
    (the statistics are no edges: they do not require grad)."""
    if p["layout"] == "layer":
        return g, x, None, None, w, b
    return g, x, w, None, None


def _parts(args, layout):
    """(g, x, w) of a gradient op's inputs."""
    if layout == "layer":
        g, x, _, _, w, _ = args
    else:
        g, x, w, _, _ = args
    return g, x, w


# ---------------------------------------------------------------- second order
def _grad_x_by_g(gg, out, *args, layout, axes, eps, running):
    """P(gg) * weight (P is its own adjoint)."""
    g, x, w = _parts(args, layout)
    xhat, rstd = _normalised(x, axes, eps, running)
    part = mul(gg, rstd) if running is not None else _project(gg, xhat, rstd, axes)
    return part if w is None else mul(part, _spread(w, x, layout))


def _grad_x_by_w(gg, out, *args, layout, axes, eps, running):
    g, x, w = _parts(args, layout)
    xhat, rstd = _normalised(x, axes, eps, running)
    part = mul(gg, rstd) if running is not None else _project(gg, xhat, rstd, axes)
    return _weight_sum(mul(g, part), x, layout, axes)


def _grad_x_by_x(gg, out, *args, layout, axes, eps, running):
    """d/dx of <gg, P(a)>, a = grad * weight: -r^2 x^ (m(gg a) - m(a) m(gg) - m(a x^) m(gg x^))
    - r P(a) m(gg x^) - r^2 m(a x^) (gg - m(gg) - x^ m(gg x^)), m the mean over the axes."""
    g, x, w = _parts(args, layout)
    xhat, rstd = _normalised(x, axes, eps, running)
    a = _scaled(g, w, x, layout)
    r2 = mul(rstd, rstd)
    a_mean, gg_mean = _mean(a, axes), _mean(gg, axes)
    a_xhat, gg_xhat = _mean(mul(a, xhat), axes), _mean(mul(gg, xhat), axes)
    first = mul(mul(r2, xhat), sub(sub(_mean(mul(gg, a), axes), mul(a_mean, gg_mean)), mul(a_xhat, gg_xhat)))
    second = mul(mul(rstd, _project(a, xhat, rstd, axes)), gg_xhat)
    third = mul(mul(r2, a_xhat), sub(sub(gg, gg_mean), mul(xhat, gg_xhat)))
    return sub(sub(mul(first, -1.0), second), third)


def _grad_w_by_g(gg, out, *args, layout, axes, eps, running):
    g, x, w = _parts(args, layout)
    return mul(_spread(gg, x, layout), _normalised(x, axes, eps, running)[0])


def _grad_w_by_x(gg, out, *args, layout, axes, eps, running):
    g, x, w = _parts(args, layout)
    xhat, rstd = _normalised(x, axes, eps, running)
    c = mul(g, _spread(gg, x, layout))
    return mul(c, rstd) if running is not None else _project(c, xhat, rstd, axes)


def _grad_b_by_g(gg, out, *args, layout, **p):
    g, x, w = _parts(args, layout)
    spread = _spread(gg, x, layout)
    return expand(spread, data(g).shape) if type(spread) is Tensor else xp.broadcast_to(spread, data(g).shape)


def _grad_x_by_x_rule(gg, out, *args, **p):
    """By the running statistics (constants), the input's gradient is linear in grad: zeros."""
    return zeros_like(gg) if p["running"] is not None else _grad_x_by_x(gg, out, *args, **p)


# ---------------------------------------------------------------- forward mode
def _dxhat(t, xhat, rstd, axes, lead):
    """The tangent of x^ for a tangent t of x: r (t - m(t)) - x^ r m(x^ t)."""
    return sub(mul(rstd, sub(t, _mean(t, axes, lead))), mul(mul(xhat, rstd), _mean(mul(xhat, t), axes, lead)))


def _tangent_x(t, out, x, w, b, layout, axes, eps, running):
    lead = data(t).ndim - data(x).ndim
    xhat, rstd = _normalised(x, axes, eps, running)
    part = mul(t, rstd) if running is not None else _dxhat(t, xhat, rstd, axes, lead)
    return part if w is None else mul(part, _spread(w, x, layout))


def _tangent_w(t, out, x, w, b, layout, axes, eps, running):
    lead = data(t).ndim - data(w).ndim
    return mul(_normalised(x, axes, eps, running)[0], _spread(t, x, layout, lead))


def _tangent_b(t, out, x, w, b, layout, axes, eps, running):
    return _spread(t, x, layout, data(t).ndim - data(b).ndim)


def _tangent_parts(t, args, layout, axes, eps, running, of):
    """(g, x, w, lead, x^, r) for a gradient op's rule given a tangent of its input `of`."""
    g, x, w = _parts(args, layout)
    xhat, rstd = _normalised(x, axes, eps, running)
    return g, x, w, data(t).ndim - data({"g": g, "x": x, "w": w}[of]).ndim, xhat, rstd


def _grad_x_tangent_g(t, out, *args, layout, axes, eps, running):
    """P(t * weight): linear in grad."""
    g, x, w, lead, xhat, rstd = _tangent_parts(t, args, layout, axes, eps, running, "g")
    c = _scaled(t, w, x, layout)
    return mul(c, rstd) if running is not None else _project(c, xhat, rstd, axes, lead)


def _grad_x_tangent_x(t, out, *args, layout, axes, eps, running):
    """d P(a) = -r m(x^ t) P(a) - r (m(a x^) dx^ + x^ m(a dx^)), a = grad * weight (zero by the
    running statistics, constants)."""
    g, x, w, lead, xhat, rstd = _tangent_parts(t, args, layout, axes, eps, running, "x")
    if running is not None:
        return mul(t, 0.0)
    a = _scaled(g, w, x, layout)
    d = _dxhat(t, xhat, rstd, axes, lead)
    shift = mul(mul(rstd, _mean(mul(xhat, t), axes, lead)), _project(a, xhat, rstd, axes))
    spread = add(mul(_mean(mul(a, xhat), axes), d), mul(xhat, _mean(mul(a, d), axes, lead)))
    return sub(mul(shift, -1.0), mul(rstd, spread))


def _grad_x_tangent_w(t, out, *args, layout, axes, eps, running):
    """P(grad * t)."""
    g, x, w, lead, xhat, rstd = _tangent_parts(t, args, layout, axes, eps, running, "w")
    c = mul(g, _spread(t, x, layout, lead))
    return mul(c, rstd) if running is not None else _project(c, xhat, rstd, axes, lead)


def _grad_w_tangent_g(t, out, *args, layout, axes, eps, running):
    g, x, w, lead, xhat, rstd = _tangent_parts(t, args, layout, axes, eps, running, "g")
    return _weight_sum(mul(t, xhat), x, layout, axes, lead)


def _grad_w_tangent_x(t, out, *args, layout, axes, eps, running):
    """sum(grad * dx^)."""
    g, x, w, lead, xhat, rstd = _tangent_parts(t, args, layout, axes, eps, running, "x")
    d = mul(t, rstd) if running is not None else _dxhat(t, xhat, rstd, axes, lead)
    return _weight_sum(mul(g, d), x, layout, axes, lead)


def _grad_b_tangent_g(t, out, *args, layout, axes, eps, running):
    g, x, w = _parts(args, layout)
    return _weight_sum(t, x, layout, axes, data(t).ndim - data(g).ndim)


def _ops(name):
    """(forward op, its three gradient ops), PyTorch's names."""
    twice = name.replace("Backward0", "BackwardBackward0")
    layer = name.startswith("NativeLayer")

    def gradient_op(forward, rules, says, jvps):
        # (a layer norm's node: grad, input, mean, rstd, weight, bias; a batch norm's: grad, input,
        # weight, running_mean, running_var; the rules see them in that order)
        order = (0, 1, None, None, 2, None) if layer else (0, 1, 2, None, None)
        return Op(twice, lambda *arrays, **p: forward(*_parts(arrays, p["layout"]), **p),
                  tuple(undefined if k is None else rules[k] for k in order),
                  tuple("undefined" if k is None else says[k] for k in order),
                  jvps=tuple(None if k is None else jvps[k] for k in order))

    grad_x = gradient_op(lambda g, x, w, **p: _input_grad(g, x, w, **p),
                         (_grad_x_by_g, _grad_x_by_x_rule, _grad_x_by_w),
                         ("P(grad) * weight", "d/dinput <grad, P(grad_out * weight)>", "sum(grad_out * P(grad))"),
                         (_grad_x_tangent_g, _grad_x_tangent_x, _grad_x_tangent_w))
    grad_w = gradient_op(lambda g, x, w, **p: _weight_grad(g, x, **p), (_grad_w_by_g, _grad_w_by_x, undefined),
                         ("grad * x^", "P(grad_out * grad)", "undefined"),
                         (_grad_w_tangent_g, _grad_w_tangent_x, None))
    grad_b = gradient_op(lambda g, x, w, layout, axes, **p: _weight_sum(g, x, layout, axes),
                         (_grad_b_by_g, undefined, undefined), ("grad expanded", "undefined", "undefined"),
                         (_grad_b_tangent_g, None, None))
    forward = Op(name, normalise, _rules((grad_x, grad_w, grad_b)),
                 ("P(grad * weight), P(c) = rstd * (c - mean(c) - x^ mean(c x^))", "sum(grad * x^)", "sum(grad)"),
                 jvps=(_tangent_x, _tangent_w, _tangent_b))
    return forward, grad_x, grad_w, grad_b


LAYER_NORM, LAYER_NORM_GRAD_X, LAYER_NORM_GRAD_W, LAYER_NORM_GRAD_B = _ops("NativeLayerNormBackward0")
BATCH_NORM, BATCH_NORM_GRAD_X, BATCH_NORM_GRAD_W, BATCH_NORM_GRAD_B = _ops("NativeBatchNormBackward0")


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line

# a channels_last input (or weight) gives a channels_last result (suggest_memory_format)
lay_out(follows_channels_last, BATCH_NORM)
lay_out(row_major, LAYER_NORM)       # (LEGACY_CONTIGUOUS_MEMORY_FORMAT, whatever the input's layout)
