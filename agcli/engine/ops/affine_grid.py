"""affine_grid_generator (AffineGridGeneratorBackward0), as ATen's AffineGridGenerator.cpp: a base
grid of the output's positions (x, y[, z], 1), each coordinate linspace(-1, 1, n), times
(n - 1) / n without align_corners (0 for a size of 1), bmm'd with theta transposed per sample.
Its gradient is affine_grid_generator_backward, composed as ATen composes it:
base.view(N, HW, 3).transpose(1, 2).bmm(grad.view(N, HW, 2)).transpose(1, 2), so create_graph
records those nodes; forward mode is the generator of the tangent (it is linear)."""
from __future__ import annotations

from ..backend import bmm_kernel, dtype_name, from_host, host as np, swapaxes
from ..op import Op
from ..saved import FIELDS, Param
from ..tensor import Tensor, apply, data
from .linalg import bmm
from .on_host import fma
from .shapes import reshape, transpose


def _line(n, align, dtype):
    """linspace_from_neg_one: at::linspace(-1, 1, n) (its halves stepped from each end in FMAs),
    times (n - 1) / n without align_corners."""
    t = np.dtype(dtype).type
    if n <= 1:
        return np.zeros(1, dtype=dtype)
    i = np.arange(n)
    step = t(2) / t(n - 1)
    up = fma(np.full(n, step, dtype), i.astype(dtype), np.full(n, t(-1), dtype))
    down = fma(np.full(n, -step, dtype), (n - 1 - i).astype(dtype), np.full(n, t(1), dtype))
    line = np.where(i < n // 2, up, down).astype(dtype)
    return line if align else line * t(n - 1) / t(n)


def base_grid(size, align, dtype):
    """(N, positions, d + 1): each position's coordinates (x first) and a 1."""
    dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype_name(dtype))     # (a device's dtype)
    spatial = tuple(size[2:])
    d = len(spatial)
    grid = np.empty(tuple(spatial) + (d + 1,), dtype=dtype)
    for k in range(d):          # (x runs along the last dim, y the one before, ...)
        n = spatial[d - 1 - k]
        grid[..., k] = np.reshape(_line(n, align, dtype), (n,) + (1,) * k)
    grid[..., d] = 1
    flat = np.reshape(grid, (1, -1, d + 1))
    return from_host(np.ascontiguousarray(np.broadcast_to(flat, (size[0],) + flat.shape[1:])))


def generate(theta, size, align):
    base = base_grid(size, align, theta.dtype)
    return reshape(bmm_kernel(base, swapaxes(theta, 1, 2)), tuple(size[:1]) + tuple(size[2:]) + (len(size) - 2,))


def _rule(g, out, theta, size, align):
    """affine_grid_generator_backward(grad, size, align_corners)."""
    base = base_grid(size, align, data(g).dtype if type(g) is Tensor else g.dtype)
    flat = reshape(g, (size[0], base.shape[1], len(size) - 2))
    return transpose(bmm(swapaxes(base, 1, 2), flat), 1, 2)


def _tangent(t, out, theta, size, align):
    lead = tuple(t.shape[:t.ndim - 3])
    flat = reshape(t, (-1,) + tuple(t.shape[-2:]))
    sizes = (flat.shape[0],) + tuple(size[1:])
    made = apply(AFFINE_GRID, flat, size=sizes, align=align) if type(flat) is Tensor else generate(flat, sizes, align)
    return reshape(made, lead + tuple(out.shape))


AFFINE_GRID = Op("AffineGridGeneratorBackward0", generate, (_rule,),
                 ("affine_grid_generator_backward_symint(grad, size, align_corners)",), saves=False,
                 jvps=(_tangent,))
FIELDS["AffineGridGeneratorBackward0"] = {"align_corners": Param("align"), "size": Param("size")}


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
