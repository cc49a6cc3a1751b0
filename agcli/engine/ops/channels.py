"""Ops of nn's channel-wise layers: prelu (PyTorch's _prelu_kernel, its weight viewed to broadcast
over the channels), glu, pixel_shuffle / pixel_unshuffle, channel_shuffle and rrelu's recorded
node (RreluWithNoiseBackward0: its slopes, the noise, kept with the op). Each entry: grad_fn name,
kernel, one rule per input, the rules in words. Dims count from the end where the op allows it
(glu's dim is kept negative), so a tangent's leading batch dims pass through."""
from __future__ import annotations

from ..backend import ones, swapaxes, xp
from ..op import Op
from ..tensor import Tensor, apply, data
from .layout import slice_key
from .pointwise import mul, sigmoid, sub, where, zeros_like
from .shapes import CAT, SLICE, tangent_dim


# ------------------------------------------------------------------- prelu
def _prelu(x, w):
    """input > 0 ? input : weight * input (ATen's prelu kernel)."""
    return xp.where(x > 0, x, w * x)


def _prelu_grad_x(g, x, w):
    return xp.where(x > 0, g, w * g)


def _prelu_grad_w(g, x, w):
    return xp.where(x > 0, xp.zeros_like(g * x), x * g)


def prelu_grad_x(g, x, w):
    return apply(PRELU_GRAD_X, g, x, w) if Tensor in (type(g), type(x), type(w)) else _prelu_grad_x(g, x, w)


def prelu_grad_w(g, x, w):
    return apply(PRELU_GRAD_W, g, x, w) if Tensor in (type(g), type(x), type(w)) else _prelu_grad_w(g, x, w)


def _at_or_above_zero(x, yes, no):
    """where(self >= 0, yes, no), derivatives.yaml's test in _prelu_kernel_backward's rules."""
    return where(data(x) >= 0, yes, no)


def _positive(x):
    return data(x) > 0


PRELU = Op("PreluKernelBackward0", _prelu,
           (lambda g, out, x, w: prelu_grad_x(g, x, w), lambda g, out, x, w: prelu_grad_w(g, x, w)),
           ("_prelu_kernel_backward(grad, self, weight)[0]: self > 0 ? grad : weight * grad",
            "_prelu_kernel_backward(grad, self, weight)[1]: self > 0 ? 0 : self * grad"),
           jvps=(lambda t, out, x, w: where(_positive(x), t, mul(w, t)),
                 lambda t, out, x, w: where(_positive(x), zeros_like(mul(t, x)), mul(t, x))), broadcasts=True)
# (PyTorch's one node with two outputs, _prelu_kernel_backward: here an op per output, both of its name)
PRELU_GRAD_X = Op("PreluKernelBackwardBackward0", _prelu_grad_x,
                  (lambda gg, out, g, x, w: _at_or_above_zero(x, gg, mul(gg, w)),
                   lambda gg, out, g, x, w: zeros_like(mul(gg, x)),
                   lambda gg, out, g, x, w: _at_or_above_zero(x, zeros_like(mul(gg, g)), mul(gg, g))),
                  ("where(self >= 0, grads[0], grads[0] * weight)", "zeros_like(self)",
                   "where(self >= 0, 0, grads[0] * grad_output)"),
                  jvps=(lambda t, out, g, x, w: prelu_grad_x(t, x, w), lambda t, out, g, x, w: zeros_like(t),
                        lambda t, out, g, x, w: where(_positive(x), zeros_like(mul(t, g)), mul(t, g))),
                  broadcasts=True)
PRELU_GRAD_W = Op("PreluKernelBackwardBackward0", _prelu_grad_w,
                  (lambda gg, out, g, x, w: _at_or_above_zero(x, zeros_like(mul(gg, x)), mul(gg, x)),
                   lambda gg, out, g, x, w: _at_or_above_zero(x, zeros_like(mul(gg, g)), mul(gg, g)),
                   lambda gg, out, g, x, w: zeros_like(mul(gg, g))),
                  ("where(self >= 0, 0, grads[1] * self)", "where(self >= 0, 0, grads[1] * grad_output)",
                   "zeros_like(grad_output)"),
                  jvps=(lambda t, out, g, x, w: prelu_grad_w(t, x, w),
                        lambda t, out, g, x, w: where(_positive(x), zeros_like(mul(t, g)), mul(t, g)),
                        lambda t, out, g, x, w: zeros_like(mul(t, x))),
                  broadcasts=True)


# --------------------------------------------------------------------- glu
def _half(x, dim, second):
    """The first or second half of x along dim (a negative dim: counted from the end)."""
    n = x.data.shape[dim] if type(x) is Tensor else x.shape[dim]
    d = (x.data.ndim if type(x) is Tensor else x.ndim) + dim
    start, stop = (n // 2, n) if second else (0, n // 2)
    if type(x) is Tensor:
        return apply(SLICE, x, dim=d, start=start, stop=stop, step=1)
    return x[tuple(slice_key(d, start, stop, 1)) + (Ellipsis,)]     # (the array API wants the rest named)


def _join(p, q, dim):
    if type(p) is Tensor or type(q) is Tensor:
        return apply(CAT, p, q, dim=(p.data.ndim if type(p) is Tensor else p.ndim) + dim)
    return xp.concat((p, q), axis=dim)


def _glu(x, dim):
    """a * (1 / (1 + exp(-b))), a and b x's halves along dim (glu_cpu's kernel)."""
    return _half(x, dim, False) * sigmoid(_half(x, dim, True))


def _glu_backward(g, x, dim):
    """(sigmoid(b) * grad, (1 - sigmoid(b)) * sigmoid(b) * a * grad), as glu_backward_cpu."""
    a, s = _half(x, dim, False), sigmoid(_half(x, dim, True))
    return _join(mul(s, g), mul(mul(mul(sub(1, s), s), a), g), dim)


def glu_backward(g, x, dim):
    return apply(GLU_BACKWARD, g, x, dim=dim) if type(g) is Tensor or type(x) is Tensor else _glu_backward(g, x, dim)


def _glu_tangent(t, x, dim):
    """glu_jvp: ta * sigmoid(b) + tb * a * sigmoid(b) * (1 - sigmoid(b))."""
    a, s = _half(x, dim, False), sigmoid(_half(x, dim, True))
    return mul(_half(t, dim, False), s) + mul(mul(_half(t, dim, True), a), mul(s, sub(1, s)))


def _glu_double_x(u, g, x, dim):
    """glu_double_backward: d(glu_backward)/dself applied to u (a gradient, or a tangent: the Hessian
    is symmetric), in FunctionsManual's order: (ub * grad * s(1-s), ub * a * grad * (s(1-s)(1-s) - s s(1-s))
    + ua * grad * s(1-s)), s = sigmoid(b)."""
    a, s = _half(x, dim, False), sigmoid(_half(x, dim, True))
    ua, ub = _half(u, dim, False), _half(u, dim, True)
    one_minus = sub(1, s)
    sos = mul(s, one_minus)
    second_order = sub(mul(sos, one_minus), mul(s, sos))
    first = mul(mul(ub, g), sos)
    second = mul(mul(mul(ub, a), g), second_order) + mul(mul(ua, g), sos)
    return _join(first, second, dim)


def _glu_double_g(gg, x, dim):
    """glu_double_backward_grad_output: tmp = gg * glu_backward(ones, self), its halves added."""
    a = _half(x, dim, False)
    unit = ones(a.data.shape if type(a) is Tensor else a.shape, dtype=(a.data if type(a) is Tensor else a).dtype)
    tmp = mul(gg, glu_backward(unit, x, dim))
    return _half(tmp, dim, False) + _half(tmp, dim, True)


GLU = Op("GluBackward0", _glu, (lambda g, out, x, dim: glu_backward(g, x, dim),),
         ("glu_backward(grad, self, dim)",), jvps=(lambda t, out, x, dim: _glu_tangent(t, x, dim),))
GLU_BACKWARD = Op("GluBackwardBackward0", _glu_backward,
                  (lambda gg, out, g, x, dim: _glu_double_g(gg, x, dim),
                   lambda gg, out, g, x, dim: _glu_double_x(gg, g, x, dim)),
                  ("glu_double_backward_grad_output(grad, self, dim)",
                   "glu_double_backward(grad, grad_output, self, dim)"),
                  jvps=(lambda t, out, g, x, dim: glu_backward(t, x, dim),
                        lambda t, out, g, x, dim: _glu_double_x(t, g, x, dim)))


# ------------------------------------------------------- pixel and channel shuffles
def _pixel_shuffle(x, r):
    """(*, C r², H, W) -> (*, C, H r, W r)."""
    *lead, c, h, w = x.shape
    y = xp.reshape(x, (*lead, c // (r * r), r, r, h, w))
    n = len(lead)
    y = xp.permute_dims(y, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return xp.reshape(y, (*lead, c // (r * r), h * r, w * r))


def _pixel_unshuffle(x, r):
    """(*, C, H r, W r) -> (*, C r², H, W)."""
    *lead, c, h, w = x.shape
    y = xp.reshape(x, (*lead, c, h // r, r, w // r, r))
    n = len(lead)
    y = xp.permute_dims(y, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return xp.reshape(y, (*lead, c * r * r, h // r, w // r))


def pixel_shuffle(x, r):
    return apply(PIXEL_SHUFFLE, x, upscale_factor=r) if type(x) is Tensor else _pixel_shuffle(x, r)


def pixel_unshuffle(x, r):
    return apply(PIXEL_UNSHUFFLE, x, downscale_factor=r) if type(x) is Tensor else _pixel_unshuffle(x, r)


PIXEL_SHUFFLE = Op("PixelShuffleBackward0", lambda x, upscale_factor: _pixel_shuffle(x, upscale_factor),
                   (lambda g, out, x, upscale_factor: pixel_unshuffle(g, upscale_factor),),
                   ("pixel_unshuffle(grad, upscale_factor)",), saves=False,
                   jvps=(lambda t, out, x, upscale_factor: pixel_shuffle(t, upscale_factor),))
PIXEL_UNSHUFFLE = Op("PixelUnshuffleBackward0", lambda x, downscale_factor: _pixel_unshuffle(x, downscale_factor),
                     (lambda g, out, x, downscale_factor: pixel_shuffle(g, downscale_factor),),
                     ("pixel_shuffle(grad, downscale_factor)",), saves=False,
                     jvps=(lambda t, out, x, downscale_factor: pixel_unshuffle(t, downscale_factor),))


def _channel_shuffle(x, groups, dim=1):
    """(N, g, C/g, *) transposed to (N, C/g, g, *): channel k*g + i of the output is channel i*(C/g) + k."""
    shape = x.shape
    c = shape[dim]
    y = xp.reshape(x, (*shape[:dim], groups, c // groups, *shape[dim + 1:]))
    return xp.reshape(swapaxes(y, dim, dim + 1), shape)


def channel_shuffle(x, groups, dim=1):
    return apply(CHANNEL_SHUFFLE, x, groups=groups, dim=dim) if type(x) is Tensor else \
        _channel_shuffle(x, groups, dim)


CHANNEL_SHUFFLE = Op("ChannelShuffleBackward0", _channel_shuffle,
                     (lambda g, out, x, groups, dim=1: channel_shuffle(g, x.shape[dim] // groups, dim),),
                     ("channel_shuffle(grad, grad.size(1) / groups)",), saves=False,
                     jvps=(lambda t, out, x, groups, dim=1: channel_shuffle(t, groups, tangent_dim(dim, x, t)),))


# ------------------------------------------------------------------- rrelu
def _rrelu(x, noise, negative_slope):
    """Training: input * noise (noise 1 where input > 0, the drawn slope elsewhere); evaluation
    (noise None): leaky_relu with the slopes' mean."""
    if noise is None:
        return xp.where(x > 0, x, x * negative_slope)
    return x * noise


def _rrelu_backward(g, x, noise, negative_slope):
    """rrelu_with_noise_backward: noise * grad in training, leaky_relu_backward with the slopes' mean else."""
    return g * noise if noise is not None else xp.where(x > 0, g, g * negative_slope)


def rrelu_backward(g, x, noise, negative_slope):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(RRELU_BACKWARD, g, x, noise=noise, negative_slope=negative_slope)
    return _rrelu_backward(g, x, noise, negative_slope)


RRELU = Op("RreluWithNoiseBackward0", _rrelu,
           (lambda g, out, x, noise, negative_slope: rrelu_backward(g, x, noise, negative_slope),),
           ("rrelu_with_noise_backward(grad, self, noise, lower, upper, training, false)",),
           jvps=(lambda t, out, x, noise, negative_slope: rrelu_backward(t, x, noise, negative_slope),))
RRELU_BACKWARD = Op("RreluWithNoiseBackwardBackward0", _rrelu_backward,
                    (lambda gg, out, g, x, noise, negative_slope: rrelu_backward(gg, x, noise, negative_slope),
                     lambda gg, out, g, x, noise, negative_slope: zeros_like(gg)),
                    ("rrelu_with_noise_backward(grad, self, noise, lower, upper, training, false)",
                     "zeros_like(grad)"),
                    jvps=(lambda t, out, g, x, noise, negative_slope: rrelu_backward(t, x, noise, negative_slope),
                          lambda t, out, g, x, noise, negative_slope: zeros_like(t)))


_NEGATIVE_SLOPE_IN_PLACE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is "
    "caused by calling in-place forward function with a negative slope, please call out-of-place version instead. "
    "File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward "
    "calculation with negative slope")


def _of_result(g, out, noise, negative_slope):
    """rrelu_with_noise_backward(grad, result, ..., self_is_result=true): the result's sign is the input's
    (evaluation's slope >= 0; PyTorch refuses the others here, in backward)."""
    if noise is None and negative_slope < 0:
        from ...errors import AgcliError
        raise AgcliError(_NEGATIVE_SLOPE_IN_PLACE)
    return rrelu_backward(g, out, noise, negative_slope)


RRELU_ = Op("RreluWithNoiseBackward1", _rrelu,
            (lambda g, out, x, noise, negative_slope: _of_result(g, out, noise, negative_slope),),
            ("rrelu_with_noise_backward(grad, result, noise, lower, upper, training, true)",), saves_out=True,
            reads=((),), jvps=(lambda t, out, x, noise, negative_slope: _of_result(t, out, noise, negative_slope),))


# --------------------------------------------------------------- trilinear
def _spread(a, expand, ndim):
    """An input of _trilinear with size-1 dims put in at `expand` (of the ndim dims all share); leading
    dims beyond those (a tangent's batch) kept in front."""
    lead = a.ndim - (ndim - len(expand))
    for e in sorted(expand):
        a = xp.expand_dims(a, lead + e)
    return a


def _trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, ndim):
    """_trilinear: the three inputs spread to ndim dims and multiplied, summed over sumdim as ATen sums:
    a slice of dim 1 (its unrolled dim) at a time, i1 * i2 first over the summed dims i3 lacks, then
    times i3 over the others, then the slices added in order; each sum a running one (a dot's order)."""
    rest = tuple(d for d in sumdim if d != 1)
    first = tuple(d for d in rest if d in expand3)
    product = _spread(i1, expand1, ndim) * _spread(i2, expand2, ndim)
    product = _running_sum(product, first, ndim) * _spread(i3, expand3, ndim)
    product = _running_sum(product, tuple(d for d in rest if d not in expand3), ndim)
    return _running_sum(product, (1,), ndim) if 1 in sumdim else product


def _running_sum(a, dims, ndim):
    """a summed over dims (kept, size 1), one term after another (a dot product's order)."""
    for d in dims:
        axis = d - ndim
        if a.shape[axis] == 0:
            a = xp.sum(a, axis=axis, keepdims=True)
            continue
        lead = (slice(None),) * (a.ndim + axis)
        total = a[lead + (slice(0, 1), Ellipsis)]
        for k in range(1, a.shape[axis]):
            total = total + a[lead + (slice(k, k + 1), Ellipsis)]
        a = total
    return a


def _squeezed(a, sumdim, ndim):
    return xp.squeeze(a, axis=tuple(d - ndim for d in sumdim)) if sumdim else a


def trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, ndim):
    if Tensor in (type(i1), type(i2), type(i3)):
        return apply(TRILINEAR, i1, i2, i3, expand1=expand1, expand2=expand2, expand3=expand3, sumdim=sumdim,
                     ndim=ndim)
    return _squeezed(_trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, ndim), sumdim, ndim)


def _trilinear_tangent(ts, out, i1, i2, i3, expand1, expand2, expand3, sumdim, ndim):
    """Linear in each input: the three terms, each with one input's tangent (absent ones left out)."""
    parts = [trilinear(ts[0], i2, i3, expand1, expand2, expand3, sumdim, ndim) if ts[0] is not None else None,
             trilinear(i1, ts[1], i3, expand1, expand2, expand3, sumdim, ndim) if ts[1] is not None else None,
             trilinear(i1, i2, ts[2], expand1, expand2, expand3, sumdim, ndim) if ts[2] is not None else None]
    total = None
    for part in parts:
        if part is not None:
            total = part if total is None else total + part
    return total


TRILINEAR = Op("TrilinearBackward0", lambda i1, i2, i3, expand1, expand2, expand3, sumdim, ndim: _squeezed(
    _trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, ndim), sumdim, ndim),
               (lambda g, out, i1, i2, i3, expand1, expand2, expand3, sumdim, ndim:
                trilinear(g, i2, i3, sumdim, expand2, expand3, expand1, ndim),
                lambda g, out, i1, i2, i3, expand1, expand2, expand3, sumdim, ndim:
                trilinear(i1, g, i3, expand1, sumdim, expand3, expand2, ndim),
                lambda g, out, i1, i2, i3, expand1, expand2, expand3, sumdim, ndim:
                trilinear(i1, i2, g, expand1, expand2, sumdim, expand3, ndim)),
               ("_trilinear(grad, i2, i3, sumdim, expand2, expand3, expand1)",
                "_trilinear(i1, grad, i3, expand1, sumdim, expand3, expand2)",
                "_trilinear(i1, i2, grad, expand1, expand2, sumdim, expand3)"),
               jvps=_trilinear_tangent)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does
