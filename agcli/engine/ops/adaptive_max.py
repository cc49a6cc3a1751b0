"""Adaptive max pooling over the last 2 or 3 dims (AdaptiveMaxPool2DBackward0, AdaptiveMaxPool3DBackward0;
1-d pooling is the 2-d one over an unsqueezed dim, as ATen writes it), and its gradient, which
create_graph records as AdaptiveMaxPool2DBackwardBackward0 (3D...). Windows as the adaptive average
pool's (adaptive.py). As ATen's CPU kernels: a window's value is its first largest one, or its last
nan (the scan keeps a value greater than the best so far, or a nan), its index counts positions in
the input's plane (or volume);
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
from ..layouts import follows_channels_last, lay_out


def _choose(x, output_size):
    """(values, indices) of each window (indices into the plane, or volume, of the last 2 or 3 dims)."""
    d = len(output_size)
    lead = tuple(x.shape[:x.ndim - d])
    sizes = tuple(x.shape[x.ndim - d:])
    values = np.zeros(lead + tuple(output_size), dtype=x.dtype)
    index = np.zeros(lead + tuple(output_size), dtype=np.int64)
    for position, window, _ in windows(sizes, output_size):
        spans = np.meshgrid(*[np.arange(w.start, w.stop, dtype=np.int64) for w in window], indexing="ij")
        flat = np.reshape(np.ravel_multi_index(spans, sizes), (-1,)) if spans[0].size else np.zeros(0, np.int64)
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
    d = len(output_size)
    plane = planes = 1
    for n in x.shape[x.ndim - d:]:
        plane *= n
    for n in x.shape[:x.ndim - d]:
        planes *= n
    at = np.reshape(np.reshape(index, (planes, -1)) + np.reshape(np.arange(planes, dtype=np.int64) * plane, (-1, 1)),
                    (-1,))
    out = np.zeros((planes * plane,), dtype=g.dtype)
    np.add.at(out, (at,), np.reshape(g, (-1,)))
    return np.reshape(out, x.shape)


def _picked(t, x, output_size):
    """t (with leading batch dims) at the windows' indices of x: max_pool_double_backward."""
    _, index = choose(data(x), output_size)
    d = len(output_size)
    nb = T.lead(t, x)
    shape = tuple(t.shape)
    rows = reshape(t, shape[:len(shape) - d] + (-1,))
    index = xp.reshape(index, tuple(index.shape[:index.ndim - d]) + (-1,))
    index = xp.broadcast_to(xp.reshape(index, (1,) * nb + tuple(index.shape)), shape[:len(shape) - d] +
                            tuple(index.shape[-1:]))
    return reshape(gather(rows, len(shape) - d, index), shape[:len(shape) - d] + tuple(output_size))


def _rule(g, out, x, output_size):
    return apply(_GRADS[len(output_size)], g, x, output_size=output_size) if type(g) is Tensor \
        else choose_grad(g, data(x), output_size)


def _grad_tangent(t, out, g, x, output_size):
    nb = T.lead(t, g)
    xs = data(x)
    if nb:
        xs = xp.broadcast_to(xs, tuple(t.shape[:nb]) + tuple(xs.shape))
    return apply(_GRADS[len(output_size)], t, xs, output_size=output_size) if type(t) is Tensor \
        else choose_grad(t, xs, output_size)


def _ops(d):
    pool = Op(f"AdaptiveMaxPool{d}DBackward0", lambda x, output_size: choose(x, output_size)[0], (_rule,),
              (f"adaptive_max_pool{d}d_backward(grad, self, result1): grad added at each window's index",),
              jvps=(lambda t, out, x, output_size: _picked(t, x, output_size),))
    grad = Op(f"AdaptiveMaxPool{d}DBackwardBackward0", choose_grad,
              (lambda gg, out, g, x, output_size: _picked(gg, x, output_size),
               lambda gg, out, g, x, **p: zeros_like(gg)),
              (f"max_pool_double_backward(grad, indices, {d})", "zeros_like(self)"), reads=((1,), ()),
              jvps=(_grad_tangent, None))
    return pool, grad


ADAPTIVE_MAX_POOL_2D, ADAPTIVE_MAX_POOL_2D_GRAD = _ops(2)
ADAPTIVE_MAX_POOL_3D, ADAPTIVE_MAX_POOL_3D_GRAD = _ops(3)
_GRADS = {2: ADAPTIVE_MAX_POOL_2D_GRAD, 3: ADAPTIVE_MAX_POOL_3D_GRAD}


def _indices(node):
    """The windows' indices (PyTorch's result1), as a tensor."""
    x = node.arrays[0] if node.arrays is not None else data(node.inputs[0])
    return Tensor(choose(x, node.params["output_size"])[1], device=node.out.device)


FIELDS["AdaptiveMaxPool2DBackward0"] = FIELDS["AdaptiveMaxPool3DBackward0"] = {"result1": Computed(_indices),
                                                                             "self": Arg(0)}


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line

# a channels_last input (or weight) gives a channels_last result (suggest_memory_format)
lay_out(follows_channels_last, ADAPTIVE_MAX_POOL_2D, ADAPTIVE_MAX_POOL_3D)
