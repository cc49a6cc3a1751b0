"""F.pad's reflect and replicate modes over the last 1, 2 or 3 dims (ReflectionPad1D/2D/3DBackward0,
ReplicationPad1D/2D/3DBackward0), and their gradients, which create_graph records as
...BackwardBackward0 (the pad again is its gradient's gradient: both are linear).

An output position j of a dim of size n padded by (before, after) reads the input at j - before,
reflected off the edges (-i for i < 0, 2(n - 1) - i past the end) or clamped to them; the
gradient adds each output's grad to its source, output by output (row-major), as ATen's
cpu_padding_backward."""
from __future__ import annotations

from ..backend import host as np, xp      # (np: NumPy, the kernels run on the host: on_host.py)
from ..op import Op
from ..saved import FIELDS, Arg, Param
from ..tensor import Tensor, apply, data
from .on_host import on_host
from .pointwise import zeros_like

_NAMES = {"reflect": "Reflection", "replicate": "Replication"}


def sources(mode, n, before, after):
    """The input index each output position along one dim reads."""
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    i = np.abs(i)
    return np.where(i > n - 1, 2 * (n - 1) - i, i)


def _tables(mode, sizes, pad):
    """pad as F writes it (the last dim first), a table a padded dim (the first padded dim first)."""
    d = len(pad) // 2
    return [sources(mode, n, pad[2 * (d - 1 - k)], pad[2 * (d - 1 - k) + 1]) for k, n in enumerate(sizes[-d:])]


@on_host
def padded(x, mode, pad):
    d = len(pad) // 2
    for k, table in enumerate(_tables(mode, tuple(x.shape), pad)):
        x = np.take(x, table, axis=x.ndim - d + k)
    return x


@on_host
def padded_grad(g, mode, pad, in_shape):
    """Each output's grad added to its source, output by output (np.add.at adds in order)."""
    d = len(pad) // 2
    in_sizes = tuple(in_shape[len(in_shape) - d:])
    lead = tuple(g.shape[:g.ndim - d])
    planes = 1
    for n in lead:
        planes *= n
    tables = _tables(mode, in_sizes, pad)
    grids = [np.reshape(t, (-1,) + (1,) * (d - k - 1)) for k, t in enumerate(tables)]
    targets = np.ravel_multi_index(np.broadcast_arrays(*grids), in_sizes).ravel()
    size = 1
    for n in in_sizes:
        size *= n
    out = np.zeros((planes, size), dtype=g.dtype)
    np.add.at(out, (slice(None), targets), np.reshape(g, (planes, -1)))
    return np.reshape(out, lead + in_sizes)


def _ops(mode, d):
    name = f"{_NAMES[mode]}Pad{d}DBackward0"

    def forth(v, **p):
        return apply(pad_op, v, **p) if type(v) is Tensor else padded(v, p["mode"], p["pad"])

    def back(v, x, **p):
        """v's gradient op (PyTorch's node has the input as an edge too: its gradient there is zeros)."""
        if type(v) is not Tensor:
            return padded_grad(v, **p)
        lead = v.ndim - len(p["in_shape"])
        if lead:        # (a batch of tangents: the input broadcast over its dims)
            x = xp.broadcast_to(data(x), tuple(v.shape[:lead]) + tuple(data(x).shape))
        return apply(grad_op, v, x, **p)

    pad_op = Op(name, lambda x, mode, pad, in_shape: padded(x, mode, pad), (lambda g, out, x, **p: back(g, x, **p),),
                (f"{mode}_pad{d}d_backward(grad, self, padding): each output's grad added to its source",),
                jvps=(lambda t, out, x, **p: forth(t, **p),))
    grad_op = Op(name.replace("Backward0", "BackwardBackward0"), lambda g, x, **p: padded_grad(g, **p),
                 (lambda gg, out, g, x, **p: forth(gg, **p), lambda gg, out, g, x, **p: zeros_like(gg)),
                 (f"{mode}_pad{d}d(grad, padding)", "zeros_like(self)"), saves=False,
                 jvps=(lambda t, out, g, x, **p: back(t, x, **p), None))
    FIELDS[name] = {"padding": Param("pad"), "self": Arg(0)}
    return pad_op, grad_op


PADS = {}
for _mode, _word in (("reflect", "REFLECTION"), ("replicate", "REPLICATION")):
    for _d in (1, 2, 3):
        PADS[_mode, _d], _grad = _ops(_mode, _d)
        # (the op table lists a module's ops by their upper-case names)
        globals()[f"{_word}_PAD_{_d}D"], globals()[f"{_word}_PAD_{_d}D_GRAD"] = PADS[_mode, _d], _grad


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
