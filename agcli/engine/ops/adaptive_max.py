"""Adaptive max pooling over the last 2 dims (AdaptiveMaxPool2DBackward0; 1-d pooling is the 2-d
one over an unsqueezed dim, as ATen writes it), and its gradient, which create_graph records as
AdaptiveMaxPool2DBackwardBackward0. Windows as the adaptive average pool's (adaptive.py). As
ATen's CPU kernel: a window's value is its first largest one, or its last nan (the scan keeps a
value greater than the best so far, or a nan), its index counts positions in the input's plane;
the gradient adds each output's grad at its index, output by output."""
from __future__ import annotations

from ..backend import host as np, xp      # (np: NumPy, the kernels run on the host: on_host.py)
from ..op import Op
from ..saved import FIELDS, Arg, Computed
from ..tensor import Tensor, apply, data
from . import tangents as T
from .adaptive import windows
from .on_host import on_host
from .pointwise import zeros_like
from .shapes import reshape
from .writes import gather


def _choose(x, output_size):
    """(values, indices) of each window (indices into the plane of the last 2 dims)."""
    lead = tuple(x.shape[:x.ndim - 2])
    width = x.shape[-1]
    values = np.zeros(lead + tuple(output_size), dtype=x.dtype)
    index = np.zeros(lead + tuple(output_size), dtype=np.int64)
    for position, window, _ in windows(x.shape[x.ndim - 2:], output_size):
        rows = np.arange(window[0].start, window[0].stop, dtype=np.int64)
        cols = np.arange(window[1].start, window[1].stop, dtype=np.int64)
        flat = np.reshape(rows[:, None] * width + cols[None, :], (-1,))
        part = np.reshape(x[(...,) + window], lead + (-1,))
        if flat.shape[0] == 0:
            continue
        nan = np.isnan(part)
        first = np.argmax((part == np.max(np.where(nan, -np.inf, part), axis=-1, keepdims=True)).astype(np.int8),
                          axis=-1)
        last_nan = flat.shape[0] - 1 - np.argmax(np.flip(nan, axis=-1).astype(np.int8), axis=-1)
        pick = np.where(np.any(nan, axis=-1), last_nan, first)
        index[(...,) + position] = np.take(flat, pick)
        values[(...,) + position] = np.take_along_axis(part, pick[..., None], axis=-1)[..., 0]
    return values, index


choose = on_host(_choose)


@on_host
def choose_grad(g, x, output_size):
    """g added at each output's index, output by output."""
    _, index = _choose(x, output_size)
    plane = x.shape[-2] * x.shape[-1]
    planes = 1
    for n in x.shape[:x.ndim - 2]:
        planes *= n
    at = np.reshape(np.reshape(index, (planes, -1)) + np.reshape(np.arange(planes, dtype=np.int64) * plane, (-1, 1)),
                    (-1,))
    out = np.zeros((planes * plane,), dtype=g.dtype)
    np.add.at(out, (at,), np.reshape(g, (-1,)))
    return np.reshape(out, x.shape)


def _picked(t, x, output_size):
    """t (with leading batch dims) at the windows' indices of x: max_pool_double_backward."""
    _, index = choose(data(x), output_size)
    nb = T.lead(t, x)
    shape = tuple(t.shape)
    rows = reshape(t, shape[:len(shape) - 2] + (-1,))
    index = xp.reshape(index, tuple(index.shape[:index.ndim - 2]) + (-1,))
    index = xp.broadcast_to(xp.reshape(index, (1,) * nb + tuple(index.shape)), shape[:len(shape) - 2] +
                            tuple(index.shape[-1:]))
    return reshape(gather(rows, len(shape) - 2, index), shape[:len(shape) - 2] + tuple(output_size))


def _rule(g, out, x, output_size):
    return apply(ADAPTIVE_MAX_POOL_2D_GRAD, g, x, output_size=output_size) if type(g) is Tensor \
        else choose_grad(g, data(x), output_size)


def _grad_tangent(t, out, g, x, output_size):
    nb = T.lead(t, g)
    xs = data(x)
    if nb:
        xs = xp.broadcast_to(xs, tuple(t.shape[:nb]) + tuple(xs.shape))
    return apply(ADAPTIVE_MAX_POOL_2D_GRAD, t, xs, output_size=output_size) if type(t) is Tensor \
        else choose_grad(t, xs, output_size)


ADAPTIVE_MAX_POOL_2D = Op("AdaptiveMaxPool2DBackward0", lambda x, output_size: choose(x, output_size)[0], (_rule,),
                          ("adaptive_max_pool2d_backward(grad, self, result1): grad added at each window's index",),
                          jvps=(lambda t, out, x, output_size: _picked(t, x, output_size),))
ADAPTIVE_MAX_POOL_2D_GRAD = Op(
    "AdaptiveMaxPool2DBackwardBackward0", choose_grad,
    (lambda gg, out, g, x, output_size: _picked(gg, x, output_size), lambda gg, out, g, x, **p: zeros_like(gg)),
    ("max_pool_double_backward(grad, indices, 2)", "zeros_like(self)"), reads=((1,), ()),
    jvps=(_grad_tangent, None))


def _indices(node):
    """The windows' indices (PyTorch's result1), as a tensor."""
    x = node.arrays[0] if node.arrays is not None else data(node.inputs[0])
    return Tensor(choose(x, node.params["output_size"])[1], device=node.out.device)


FIELDS["AdaptiveMaxPool2DBackward0"] = {"result1": Computed(_indices), "self": Arg(0)}


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
