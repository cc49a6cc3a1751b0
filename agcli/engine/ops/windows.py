"""Tensor.unfold(dimension, size, step): the windows of `size` along a dim, every `step`, as a new
last dim (a view of its input, UnfoldBackward0); its gradient unfold_backward adds each window's
gradient back where the window lay (UnfoldBackwardBackward0, whose own is grad.unfold again).
Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from ..backend import ON_HOST, arange, copy, getitem, host, setitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply, data
from .shapes import tangent_dim


def _unfold(x, dimension, size, step):
    if x.ndim == 0:
        return xp.reshape(copy(x), (1,))
    d = dimension
    count = (x.shape[d] - size) // step + 1
    shape = tuple(x.shape[:d]) + (count,) + tuple(x.shape[d + 1:]) + (size,)
    if ON_HOST:         # (a view that writes go through, as PyTorch's)
        strides = x.strides[:d] + (x.strides[d] * step,) + x.strides[d + 1:] + (x.strides[d],)
        return host.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)
    starts = arange(count) * step
    picked = xp.take(x, xp.reshape(starts[:, None] + arange(size)[None, :], (-1,)), axis=d)
    picked = xp.reshape(picked, tuple(x.shape[:d]) + (count, size) + tuple(x.shape[d + 1:]))
    return xp.moveaxis(picked, d + 1, -1)


def _unfold_backward(g, shape, dimension, size, step):
    """zeros(input_sizes) with each window's gradient added over the stretch it covers, in order."""
    out = zeros(tuple(shape), dtype=g.dtype)
    if len(shape) == 0:
        return xp.reshape(g, ())
    d = dimension
    for i in range(g.shape[d]):
        window = xp.moveaxis(getitem(g, (slice(None),) * d + (i,)), -1, d)
        key = (slice(None),) * d + (slice(i * step, i * step + size),)
        setitem(out, key, getitem(out, key) + window)
    return out


def unfold(x, dimension, size, step):
    return apply(UNFOLD, x, dimension=dimension, size=size, step=step) if type(x) is Tensor \
        else _unfold(x, dimension, size, step)


def _backward(g, shape, dimension, size, step):
    if type(g) is Tensor:
        return apply(UNFOLD_BACKWARD, g, shape=tuple(shape), dimension=dimension, size=size, step=step)
    return _unfold_backward(g, shape, dimension, size, step)


def _tangent_dim(d, x, t):
    return tangent_dim(d, data(x), data(t)) if data(x).ndim else len(data(t).shape) - 1


UNFOLD = Op("UnfoldBackward0", _unfold,
            (lambda g, out, x, dimension, size, step: _backward(g, data(x).shape, dimension, size, step),),
            ("unfold_backward(grad, self.sizes(), dimension, size, step)",), saves=False, view=True,
            jvps=(lambda t, out, x, dimension, size, step: unfold(t, _tangent_dim(dimension, x, t), size, step),))
UNFOLD_BACKWARD = Op("UnfoldBackwardBackward0", _unfold_backward,
                     (lambda gg, out, g, shape, dimension, size, step: unfold(gg, dimension, size, step),),
                     ("grad.unfold(dimension, size, step)",), saves=False,
                     jvps=(lambda t, out, g, shape, dimension, size, step:
                           _backward(t, tuple(data(t).shape[:len(data(t).shape) - data(g).ndim]) + tuple(shape),
                                     dimension + len(data(t).shape) - data(g).ndim, size, step),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare  # noqa: E402  (after the entries)

declare(LOOP, UNFOLD, UNFOLD_BACKWARD)
