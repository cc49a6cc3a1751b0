"""Adaptive average pooling over the last 2 or 3 dims (AdaptiveAvgPool2DBackward0, 3D), and its
gradient, which create_graph records as ...BackwardBackward0. Output position o of n along an
input dim of size m averages the inputs from floor(o m / n) to ceil((o + 1) m / n), as ATen's
start_index/end_index; its CPU kernel adds a window's values in order (in the input's dtype) and
divides by its two (three) sizes in turn, and adds each output's share back output by output."""
from __future__ import annotations

from itertools import product

from ..backend import copy, getitem, setitem, xp, zeros
from ...errors import AgcliError
from ..op import Op
from ..saved import FIELDS, Arg
from ..tensor import Tensor, apply, data
from .pointwise import zeros_like
from .pooling import grad_tangent
from ..layouts import follows_channels_last, lay_out


def windows(sizes, out_sizes):
    """For each output position (in order), its window: a slice a dim, and the window's sizes."""
    spans = [[(o * m // n, -(-(o + 1) * m // n)) for o in range(n)] for m, n in zip(sizes, out_sizes)]
    for position in product(*map(range, out_sizes)):
        bounds = [span[o] for span, o in zip(spans, position)]
        yield position, tuple(slice(a, b) for a, b in bounds), tuple(b - a for a, b in bounds)


def average(x, output_size):
    d = len(output_size)
    lead = tuple(x.shape[:x.ndim - d])
    out = zeros(lead + tuple(output_size), dtype=x.dtype)
    for position, window, lengths in windows(x.shape[x.ndim - d:], output_size):
        count = 1
        for n in lengths:
            count *= n
        values = xp.reshape(getitem(x, (...,) + window), lead + (count,))
        total = xp.cumulative_sum(values, axis=-1)[..., -1] if values.shape[-1] else zeros(lead, dtype=x.dtype)
        for n in lengths:
            total = total / n
        setitem(out, (...,) + position, total)
    return out


def average_grad(g, x, output_size):
    """Each output's g over its window's sizes (divided in turn), added to its window, output by output."""
    d = len(output_size)
    out = zeros(tuple(x.shape), dtype=g.dtype)
    for position, window, lengths in windows(x.shape[x.ndim - d:], output_size):
        share = getitem(g, (...,) + position)
        for n in lengths:
            share = share / n
        key = (...,) + window
        setitem(out, key, getitem(out, key) + xp.reshape(share, tuple(share.shape) + (1,) * d))
    return copy(out)


def _rule(g, out, x, output_size):
    shape = tuple(data(g).shape)
    empty = [i for i in range(len(shape) - len(output_size) - 1, len(shape)) if shape[i] == 0]
    if empty:           # (ATen's backward refuses an empty output)
        raise AgcliError(f"adaptive_avg_pool{len(output_size)}d_backward(): Expected grad_output to have non-zero "
                         f"size for non-batch dimensions, but grad_output has sizes {list(shape)} with dimension "
                         f"{empty[0]} being empty")
    if type(g) is Tensor:
        return apply(_GRADS[len(output_size)], g, x, output_size=output_size)
    return average_grad(g, data(x), output_size)


def _tangent(t, out, x, output_size):
    return apply(AVERAGES[len(output_size)], t, output_size=output_size) if type(t) is Tensor \
        else average(t, output_size)


def _ops(d):
    pool = Op(f"AdaptiveAvgPool{d}DBackward0", average, (_rule,),
              (f"_adaptive_avg_pool{d}d_backward(grad, self): each output's grad over its window's size, added to "
               "its window",), jvps=(_tangent,))
    grad = Op(f"AdaptiveAvgPool{d}DBackwardBackward0", average_grad,
              (lambda gg, out, g, x, output_size: _tangent(gg, None, x, output_size),
               lambda gg, out, g, x, output_size: zeros_like(gg)),
              (f"_adaptive_avg_pool{d}d(grad, output_size)", "zeros_like(self)"), saves=False,
              jvps=(lambda t, out, g, x, output_size: grad_tangent(t, g, x, _GRADS[d], {"output_size": output_size}),
                    None))
    FIELDS[pool.name] = {"self": Arg(0)}
    return pool, grad


ADAPTIVE_AVG_POOL_2D, ADAPTIVE_AVG_POOL_2D_GRAD = _ops(2)
ADAPTIVE_AVG_POOL_3D, ADAPTIVE_AVG_POOL_3D_GRAD = _ops(3)
AVERAGES = {2: ADAPTIVE_AVG_POOL_2D, 3: ADAPTIVE_AVG_POOL_3D}
_GRADS = {2: ADAPTIVE_AVG_POOL_2D_GRAD, 3: ADAPTIVE_AVG_POOL_3D_GRAD}


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line

# a channels_last input (or weight) gives a channels_last result (suggest_memory_format)
lay_out(follows_channels_last, ADAPTIVE_AVG_POOL_2D, ADAPTIVE_AVG_POOL_3D)
