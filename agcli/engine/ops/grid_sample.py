"""grid_sample over a 4-d input (GridSampler2DBackward0), bilinear or nearest, padding zeros,
border or reflection, as ATen's vectorized CPU kernel (cpu/GridSamplerKernel.cpp) computes it.

A grid value c in [-1, 1] becomes a source position along a dim of size n: (c + 1) * (n - 1) / 2
with align_corners, else fma(c + 1, n / 2, -0.5) (GCC contracts the kernel's a * b - 0.5);
border clamps it to [0, n - 1] (a nan to 0), reflection folds it about the edges first. Bilinear
weighs the four neighbours (nw, ne, sw, se) by the distances' products, summed as
fma(se, w_se, fma(sw, w_sw, fma(ne, w_ne, nw * w_nw))); nearest rounds half to even. A neighbour
outside the input reads 0 (zeros padding).

The gradient, as the kernel's backward: the grid's is summed over the channels in turn
(fma(((se - sw) n + (ne - nw) s), g, acc), as contracted), times the position's d(source)/d(grid)
(0 where border or reflection clamps, a sign where reflection folds); the input's adds each
neighbour's weight times g to it, vector by vector of positions (4 float64s or 8 float32s: the
AVX2 build), in a vector nw for its lanes, then ne, sw, se. Nearest gives the grid no gradient.
create_graph records the gradients as GridSampler2DBackwardBackward0 (PyTorch's one node of two
outputs is two nodes of that name here), differentiable again: the input gradient's rules are
grid_sample of ggI and the backward kernel's grid gradient with ggI for the input (PyTorch's terms),
the grid gradient's are composed here from the bilinear weights' slopes (to rounding; a node
agcli names GridSampler2DDoubleBackward where PyTorch records adds, addcmul, scatter_add and
stack), which agcli cannot differentiate a third time."""
from __future__ import annotations

from ..backend import host as np     # (NumPy: the kernel indexes and scatters on the host, on_host.py)
from ..op import Op, forward_ad_not_implemented, undefined
from ..saved import FIELDS, Arg, Param
from ..tensor import Tensor, apply, data
from .on_host import fma, on_host

_LANES = {4: 8, 8: 4, 2: 16}        # a 32-byte vector's lanes, by itemsize


def _unnormalize(c, size, align):
    t = c.dtype.type
    if align:
        return (c + t(1)) * (t(size - 1) / t(2))
    return fma(c + t(1), np.full_like(c, t(size) / t(2)), np.full_like(c, t(-0.5)))


def _factor(c, size, align):
    t = c.dtype.type
    return t(size - 1) / t(2) if align else t(size) / t(2)


def _reflect(x, size, align):
    """(the folded position, d folded / d position) as reflect_coordinates_get_grad."""
    t = x.dtype.type
    if align and size <= 1:
        return np.zeros_like(x), np.zeros_like(x)
    low = t(0) if align else t(-0.5)
    span = t(size - 1) * t(2) if align else t(size) * t(2)
    moved = x - low
    whole = np.abs(moved)
    extra = whole - np.trunc(whole / span) * span
    back = span - extra
    more = extra > back
    return np.where(more, back, extra) + low, np.where(more ^ (moved < 0), t(-1), t(1))


def _clip(x, size):
    """(x clamped to [0, size - 1], a nan to 0; 1 strictly inside, else 0)."""
    t = x.dtype.type
    low = np.where(np.isnan(x), t(0), np.maximum(x, t(0)))
    out = np.minimum(low, t(size - 1))
    return out, (low != 0) & (out != t(size - 1))


def _locate(c, size, padding, align, grad=False):
    """Source positions of grid values c along a dim of `size` (and d position / d c)."""
    x = _unnormalize(c, size, align)
    mult = np.full_like(x, _factor(c, size, align))
    if padding == "reflection":
        x, sign = _reflect(x, size, align)
        mult = sign * mult
    if padding != "zeros":
        x, inside = _clip(x, size)
        mult = np.where(inside, mult, x.dtype.type(0))
    return (x, mult) if grad else x


def _neighbours(x, y, H, W):
    """Bilinear's weights and flat indices (nw, ne, sw, se), each with its in-bounds mask."""
    xw, yn = np.floor(x), np.floor(y)
    w = x - xw
    e = 1 - w
    n = y - yn
    s = 1 - n
    ix, iy = xw.astype(np.int64), yn.astype(np.int64)
    corners = ((iy, ix), (iy, ix + 1), (iy + 1, ix), (iy + 1, ix + 1))
    places = [((i > -1) & (i < W) & (j > -1) & (j < H), j * W + i) for j, i in corners]
    return (n, s, w, e), (s * e, s * w, n * e, n * w), places


def _read(flat, ok, at):
    """flat (N, C, H*W) at each sample's indices at (N, P), 0 where not ok: (N, C, P)."""
    N, C = flat.shape[:2]
    got = np.take_along_axis(flat, np.broadcast_to(np.where(ok, at, 0)[:, None, :], (N, C, at.shape[1])), axis=2)
    return np.where(ok[:, None, :], got, flat.dtype.type(0))


def _positions(x, grid, padding, align, grad=False):
    N, C, H, W = x.shape
    P = grid.shape[1] * grid.shape[2]
    gx = _locate(np.reshape(grid[..., 0], (N, P)), W, padding, align, grad)
    gy = _locate(np.reshape(grid[..., 1], (N, P)), H, padding, align, grad)
    return gx, gy


@on_host
def sample(x, grid, mode, padding, align):
    N, C, H, W = x.shape
    Ho, Wo = grid.shape[1:3]
    px, py = _positions(x, grid, padding, align)
    flat = np.reshape(x, (N, C, H * W))
    if mode == "nearest":
        ix, iy = np.rint(px).astype(np.int64), np.rint(py).astype(np.int64)
        out = _read(flat, (ix > -1) & (ix < W) & (iy > -1) & (iy < H), iy * W + ix)
        return np.reshape(out, (N, C, Ho, Wo))
    _, weights, places = _neighbours(px, py, H, W)
    vals = [_read(flat, ok, at) for ok, at in places]
    ws = [v[:, None, :] for v in weights]
    out = fma(vals[1], ws[1], vals[0] * ws[0])
    out = fma(vals[3], ws[3], fma(vals[2], ws[2], out))
    return np.reshape(out, (N, C, Ho, Wo))


def _chunks(grid, lanes):
    """Each output position's (vector, lane), as grid_sample_2d_grid_slice_iterator walks the grid:
    the positions in turn when the grid (or its [H, W] plane of each coordinate) is contiguous,
    else row by row."""
    Ho, Wo = grid.shape[1:3]
    st = tuple(s // grid.itemsize for s in grid.strides[1:]) if grid.size else (Wo * 2, 2, 1)
    flat = st == (Wo * 2, 2, 1) or ((st[1] == 1 or Wo == 1) and (st[0] == Wo or Ho == 1))
    p = np.arange(Ho * Wo)
    if flat:
        return p // lanes, p % lanes
    w = p % Wo
    return (p // Wo) * -(-Wo // lanes) + w // lanes, w % lanes


@on_host
def sample_grads(g, x, grid, mode, padding, align):
    """(the input's gradient, the grid's) for the output's gradient g."""
    N, C, H, W = x.shape
    P = grid.shape[1] * grid.shape[2]
    (px, mx), (py, my) = _positions(x, grid, padding, align, grad=True)
    go = np.reshape(g, (N, C, P)).astype(x.dtype)
    base = (np.arange(N)[:, None] * C + np.arange(C)[None, :])[:, :, None] * (H * W)      # (N, C, 1)
    gin = np.zeros(N * C * H * W, dtype=x.dtype)
    if mode == "nearest":
        ix, iy = np.rint(px).astype(np.int64), np.rint(py).astype(np.int64)
        ok = np.broadcast_to(((ix > -1) & (ix < W) & (iy > -1) & (iy < H))[:, None, :], go.shape)
        np.add.at(gin, (base + (iy * W + ix)[:, None, :])[ok], go[ok])
        return np.reshape(gin, x.shape), np.zeros_like(grid)
    (n, s, w, e), weights, places = _neighbours(px, py, H, W)
    chunk, lane = _chunks(grid, _LANES[x.itemsize])
    key = (chunk[:, None] * 4 + np.arange(4)[None, :]) * _LANES[x.itemsize] + lane[:, None]      # (P, 4)
    order = np.argsort(np.reshape(key.T, (-1,)), kind="stable")          # (corner-major, then sorted)
    at = np.stack([base + a[:, None, :] for _, a in places], axis=2)                   # (N, C, 4, P)
    ok = np.broadcast_to(np.stack([k for k, _ in places], axis=1)[:, None], at.shape)
    share = np.stack([v[:, None, :] * go for v in weights], axis=2)

    def ordered(a):
        return np.reshape(a, (N, C, 4 * P))[:, :, order]
    keep = ordered(ok)
    np.add.at(gin, ordered(at)[keep], ordered(share)[keep])
    flat = np.reshape(x, (N, C, H * W))
    nw, ne, sw, se = (_read(flat, k, a) for k, a in places)
    gx = np.zeros((N, P), dtype=x.dtype)
    gy = np.zeros((N, P), dtype=x.dtype)
    for c in range(C):
        gx = fma(fma(se[:, c] - sw[:, c], n, (ne[:, c] - nw[:, c]) * s), go[:, c], gx)
        gy = fma(fma(se[:, c] - ne[:, c], w, (sw[:, c] - nw[:, c]) * e), go[:, c], gy)
    return np.reshape(gin, x.shape), np.reshape(np.stack([gx * mx, gy * my], axis=-1), grid.shape)


@on_host
def grid_grad_grads(gg, g, x, grid, mode, padding, align):
    """The grid gradient's own gradients for gg (the grid's shape): (for g, for x, for grid). Bilinear's
    weights are linear in each coordinate: d2/dx2 is 0, d2/dxdy is +1 (nw, se) or -1 (ne, sw)."""
    N, C, H, W = x.shape
    P = grid.shape[1] * grid.shape[2]
    if mode == "nearest":
        return np.zeros_like(g), np.zeros_like(x), np.zeros_like(grid)
    (px, mx), (py, my) = _positions(x, grid, padding, align, grad=True)
    sides, _, places = _neighbours(px, py, H, W)
    n, s, w, e = (v[:, None, :] for v in sides)
    go = np.reshape(g, (N, C, P)).astype(x.dtype)
    ax = (np.reshape(gg[..., 0], (N, P)) * mx)[:, None, :]
    ay = (np.reshape(gg[..., 1], (N, P)) * my)[:, None, :]
    nw, ne, sw, se = (_read(np.reshape(x, (N, C, H * W)), k, a) for k, a in places)
    d_g = ax * ((ne - nw) * s + (se - sw) * n) + ay * ((sw - nw) * e + (se - ne) * w)
    d_x = np.zeros(N * C * H * W, dtype=x.dtype)
    base = (np.arange(N)[:, None] * C + np.arange(C)[None, :])[:, :, None] * (H * W)
    for (ok, at), share in zip(places, (-(ax * s + ay * e), ax * s - ay * w, ay * e - ax * n, ax * n + ay * w)):
        keep = np.broadcast_to(ok[:, None, :], go.shape)
        np.add.at(d_x, (base + at[:, None, :])[keep], (go * share)[keep])
    cross = np.sum(go * (nw - ne - sw + se), axis=1)
    d_grid = np.stack([mx * ay[:, 0] * cross, my * ax[:, 0] * cross], axis=-1)
    return np.reshape(d_g, g.shape), np.reshape(d_x, x.shape), np.reshape(d_grid, grid.shape)


def _rule(which):
    def rule(g, out, x, grid, **p):
        if type(g) is Tensor:
            return apply(GRID_GRADS[which], g, x, grid, **p)
        return sample_grads(g, data(x), data(grid), **p)[which]
    return rule


def _input_grad_rules():
    """gin = sum of weights * g at the corners: linear in g, free of x; the grid's part is the
    backward kernel's grid gradient with ggI for the input (PyTorch's GridSampler2DBackwardBackward0)."""
    def for_g(gg, out, g, x, grid, **p):
        return apply(GRID_SAMPLER_2D, gg, grid, **p) if type(gg) is Tensor else sample(gg, data(grid), **p)

    def for_grid(gg, out, g, x, grid, **p):
        if type(gg) is Tensor:
            return apply(GRID_SAMPLER_2D_GRID_GRAD, g, gg, grid, **p)
        return sample_grads(data(g), gg, data(grid), **p)[1]
    return for_g, undefined, for_grid


def _grid_grad_rule(which):
    def rule(gg, out, g, x, grid, **p):
        if type(gg) is Tensor:
            return apply(DOUBLE[which], gg, g, x, grid, **p)
        return grid_grad_grads(gg, data(g), data(x), data(grid), **p)[which]
    return rule


_no_tangent = forward_ad_not_implemented("grid_sampler_2d")


def _no_third(*args, **params):
    from ...errors import AgcliError
    raise AgcliError("agcli cannot differentiate grid_sample a third time (PyTorch can)", kind="not_implemented")


GRID_SAMPLER_2D = Op("GridSampler2DBackward0", sample, (_rule(0), _rule(1)),
                     ("grid_sampler_2d_backward(grad, input, grid, ...)[0]: each neighbour's weight times grad",
                      "grid_sampler_2d_backward(grad, input, grid, ...)[1]: the neighbours' differences, summed"),
                     jvps=(_no_tangent, _no_tangent))
GRID_SAMPLER_2D_INPUT_GRAD = Op(
    "GridSampler2DBackwardBackward0", lambda *a, **p: sample_grads(*a, **p)[0], _input_grad_rules(),
    ("grid_sampler_2d(ggI, grid)", "(none: the input's gradient does not read the input)",
     "grid_sampler_2d_backward(grad_output, ggI, grid)[1]"), jvps=(_no_tangent,) * 3)
GRID_SAMPLER_2D_GRID_GRAD = Op(
    "GridSampler2DBackwardBackward0", lambda *a, **p: sample_grads(*a, **p)[1],
    tuple(_grid_grad_rule(i) for i in range(3)),
    ("ggGrid times the source positions' slopes times the neighbours' differences",
     "grad_output times ggGrid's slopes of each neighbour's weight, added to it",
     "ggGrid's other coordinate times the weights' cross slope (nw - ne - sw + se) summed over channels"),
    jvps=(_no_tangent,) * 3)
GRID_GRADS = (GRID_SAMPLER_2D_INPUT_GRAD, GRID_SAMPLER_2D_GRID_GRAD)
GRID_SAMPLER_2D_DOUBLE_G, GRID_SAMPLER_2D_DOUBLE_X, GRID_SAMPLER_2D_DOUBLE_GRID = DOUBLE = tuple(
    Op("GridSampler2DDoubleBackward", lambda *a, which=i, **p: grid_grad_grads(*a, **p)[which], (_no_third,) * 4,
       ("(not differentiated again here)",) * 4, jvps=(_no_tangent,) * 4) for i in range(3))

_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}
FIELDS["GridSampler2DBackward0"] = {
    "align_corners": Param("align"), "grid": Arg(1), "input": Arg(0),
    "interpolation_mode": Param("mode", convert=_MODES.get), "padding_mode": Param("padding", convert=_PADDINGS.get)}


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
