"""Group normalisation (NativeGroupNormBackward0): x of shape (N, C, *) is normalised over each
of its N * G groups (C / G channels and all the trailing dims), then scaled and shifted by a
weight and bias of one number a channel. ATen's kernel takes each group's mean and biased
variance, then computes y = x * s + (beta - s * mean) with s = rstd * gamma a channel.

The rules reuse layer norm's (normalization.py) on x viewed as (N, G, D): with x^ the normalised
x and r the reciprocal deviation, the input's gradient is P(grad * weight), P(c) = r (c - mean(c)
- x^ mean(c x^)) over each group. They are written with the engine's primitives, so every order
differentiates (PyTorch's double backward is composite too: its nodes are views, adds, ...)."""
from __future__ import annotations

from ..backend import host as np  # (NumPy: these kernels run on the host, on_host.py)

from ..op import Op
from ..tensor import data
from .normalization import _dxhat, _normalised, _project
from .pointwise import mul
from .on_host import on_host
from .shapes import reshape, sum_to


def _grouped(shape, groups) -> tuple:
    """x's shape as (N, G, D): D the values of a group."""
    d = 1
    for n in shape[1:]:
        d *= n
    return (shape[0], groups, d // groups)


def _channels(shape) -> tuple:
    """A channel's vector laid out against x: (1, C, 1, ...)."""
    return (1, shape[1]) + (1,) * (len(shape) - 2)


# ---------------------------------------------------------------- forward
@on_host
def group_norm(x, w, b, groups, eps):
    """Each group's mean and rstd (the input's dtype; ATen's RowwiseMoments adds in another order: equal
    to rounding), then s * x + (-s * mean + beta) a channel, or (x - mean) * rstd without weight and bias."""
    shape = tuple(x.shape)
    n, c = shape[0], shape[1]
    rows = np.reshape(x, _grouped(shape, groups))
    mean = np.mean(rows, axis=2)
    rstd = 1.0 / np.sqrt(np.mean((rows - mean[..., None]) ** 2, axis=2) + eps)
    if w is None and b is None:                     # (ATen's kernel: (x - mean) * rstd, group by group)
        return np.reshape(((rows - mean[..., None]) * rstd[..., None]).astype(x.dtype), shape)
    mean, rstd = (np.repeat(v, c // groups, axis=1) for v in (mean, rstd))       # (N, C)
    scale = rstd if w is None else rstd * w
    shift = -scale * mean if b is None else -scale * mean + b
    lay = (n, c) + (1,) * (len(shape) - 2)
    return (np.reshape(scale, lay) * x + np.reshape(shift, lay)).astype(x.dtype)


# ---------------------------------------------------------------- gradients
def _xhat(x, groups, eps):
    """(x^ as (N, G, D), r as (N, G, 1))."""
    return _normalised(reshape(x, _grouped(data(x).shape, groups)), (2,), eps, None)


def _by_x(g, out, x, w, b, groups, eps):
    shape = tuple(data(x).shape)
    xhat, rstd = _xhat(x, groups, eps)
    c = g if w is None else mul(g, reshape(w, _channels(shape)))
    return reshape(_project(reshape(c, _grouped(shape, groups)), xhat, rstd, (2,)), shape)


def _per_channel(v, shape):
    """An x-shaped v summed to one number a channel."""
    return reshape(sum_to(v, _channels(shape)), (shape[1],))


def _by_w(g, out, x, w, b, groups, eps):
    shape = tuple(data(x).shape)
    return _per_channel(mul(g, reshape(_xhat(x, groups, eps)[0], shape)), shape)


def _by_b(g, out, x, w, b, groups, eps):
    return _per_channel(g, tuple(data(x).shape))


# ---------------------------------------------------------------- forward mode
def _lead(t, v):
    return tuple(data(t).shape)[:data(t).ndim - data(v).ndim]


def _tangent_x(t, out, x, w, b, groups, eps):
    shape, lead = tuple(data(x).shape), _lead(t, x)
    xhat, rstd = _xhat(x, groups, eps)
    part = reshape(_dxhat(reshape(t, lead + _grouped(shape, groups)), xhat, rstd, (2,), len(lead)), lead + shape)
    return part if w is None else mul(part, reshape(w, _channels(shape)))


def _tangent_w(t, out, x, w, b, groups, eps):
    shape = tuple(data(x).shape)
    return mul(reshape(_xhat(x, groups, eps)[0], shape), reshape(t, _lead(t, w) + _channels(shape)))


def _tangent_b(t, out, x, w, b, groups, eps):
    return reshape(t, _lead(t, b) + _channels(tuple(data(x).shape)))


GROUP_NORM = Op("NativeGroupNormBackward0", group_norm, (_by_x, _by_w, _by_b),
                ("P(grad * weight) over each group, P(c) = rstd * (c - mean(c) - x^ mean(c x^))",
                 "sum(grad * x^) a channel", "sum(grad) a channel"),
                jvps=(_tangent_x, _tangent_w, _tangent_b))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
