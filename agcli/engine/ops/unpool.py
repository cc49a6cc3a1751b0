"""max_unpool2d and max_unpool3d (MaxUnpool2DBackward0, MaxUnpool3DBackward0; F.max_unpool1d is the
2-d one over an unsqueezed last dim, as functional.py writes it): each input value written into a
zero output plane at its index (counted in the output's plane, as max_pool*(return_indices=True)
gives them), input elements in turn, so a repeated index keeps the last, as ATen's CPU kernel.
The gradient is max_pool_double_backward(grad, indices, d): grad's plane gathered at the indices,
composed (view, gather, view) so create_graph records those nodes; forward mode is the unpool
of the tangent (derivatives.yaml: auto_linear). The indices are a parameter: no input of the node."""
from __future__ import annotations

from ..backend import host as np, to_host, xp    # (np: NumPy, the kernel scatters on the host: on_host.py)
from ..layouts import follows_channels_last, lay_out
from ..op import Op
from ..saved import FIELDS, Computed
from ..tensor import Tensor, apply
from .on_host import on_host
from .shapes import reshape
from .writes import gather


def _size(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


@on_host
def unpool(x, indices, output_size):
    d = len(output_size)
    lead = tuple(x.shape[:x.ndim - d])
    indices = np.broadcast_to(indices, x.shape)
    rows = _size(lead)
    out = np.zeros((rows, _size(output_size)), dtype=x.dtype)
    if out.size == 0:
        return np.reshape(out, lead + tuple(output_size))
    at = np.reshape(indices, (rows, -1))
    out[np.arange(rows)[:, None], at] = np.reshape(x, (rows, -1))     # (a repeated index: the last one)
    return np.reshape(out, lead + tuple(output_size))


def last_invalid(indices, output_size):
    """The last index outside the output's plane, in the kernel's order (the one it reports), or None."""
    flat = np.reshape(to_host(indices), (-1,))
    bad = np.nonzero((flat < 0) | (flat >= _size(output_size)))[0]
    return None if bad.shape[0] == 0 else int(flat[bad[-1]])


def _picked(g, indices, output_size):
    """grad.flatten(-d).gather(-1, indices.flatten(-d)).view_as(indices) (g may carry batch dims first)."""
    d = len(output_size)
    shape = tuple(indices.shape)
    lead = tuple(g.shape[:g.ndim - d])
    index = xp.reshape(indices, shape[:len(shape) - d] + (-1,))
    index = xp.broadcast_to(index, lead + tuple(index.shape[-1:]))
    flat = reshape(g, lead + (-1,))
    return reshape(gather(flat, len(lead), index), lead + shape[len(shape) - d:])


def _rule(g, out, x, indices, output_size):
    return _picked(g, indices, output_size)


def _tangent(t, out, x, indices, output_size):
    return apply(_OPS[len(output_size)], t, indices=indices, output_size=output_size) if type(t) is Tensor \
        else unpool(t, indices, output_size)


MAX_UNPOOL_2D = Op("MaxUnpool2DBackward0", unpool, (_rule,), ("max_pool_double_backward(grad, indices, 2)",),
                   saves=False, jvps=(_tangent,))
MAX_UNPOOL_3D = Op("MaxUnpool3DBackward0", unpool, (_rule,), ("max_pool_double_backward(grad, indices, 3)",),
                   saves=False, jvps=(_tangent,))
_OPS = {2: MAX_UNPOOL_2D, 3: MAX_UNPOOL_3D}


def _indices(node):
    return Tensor(node.params["indices"], device=node.out.device)


for _d in (2, 3):
    FIELDS[f"MaxUnpool{_d}DBackward0"] = {"indices": Computed(_indices)}


# ------------------------------------------- batching rules (engine/batching.py)
lay_out(follows_channels_last, MAX_UNPOOL_2D, MAX_UNPOOL_3D)     # (its input's suggested memory format)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
