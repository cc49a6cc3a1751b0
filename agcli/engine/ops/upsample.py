"""Upsampling over the last 1, 2 or 3 dims (F.interpolate): nearest (UpsampleNearest1D/2D/3DBackward0),
nearest-exact (UpsampleNearestExact...), and linear, bilinear, trilinear (UpsampleLinear1DBackward0,
UpsampleBilinear2DBackward0, UpsampleTrilinear3DBackward0), as ATen's CPU kernels compute them; each
gradient an op of its own, which create_graph records as ...BackwardBackward0 (the forward op again
is its gradient: both are linear).

An output index o along a dim of input size n and output size m reads, with s the scale (1 / the
scale factor given, else n / m; (n - 1) / (m - 1) with align_corners):
* nearest: floor(o * s), at most n - 1, nearest-exact: floor((o + 0.5) * s): in float32 with o
  itself when m == n and o >> 1 when m == 2n (nearest) where ATen's channels-last kernel runs and
  in its backward, in the input's dtype without those shortcuts in its generic kernel (so a
  forward and its gradient can pick differently, as PyTorch's do);
* linear: the source r = s * o (align_corners) or max(s * (o + 0.5) - 0.5, 0), the input's dtype;
  i0 = min(floor(r), n - 1), i1 = i0 + 1 but at the edge, weights 1 - l and l = clamp(r - i0, 0, 1)
  (m == n: i0 = i1 = o, weights 1 and 0). Dims combine outermost first: a 2-d output is
  (x[h0, w0] w0 + x[h0, w1] w1) h0 + (x[h1, w0] w0 + x[h1, w1] w1) h1, ATen's generic order, but
  for a 2-d output of at most 128 rows and columns, which ATen's channels-last kernel sums.
The gradient adds each output's share to its sources output by output (row-major), in the
input's dtype, as ATen's backward kernels: nearest its gradient, linear the weights' product
(outermost dim first) times it, to the 2^d sources in order. ATen's CPU build contracts the
linear kernels' a * b + c into FMAs (the source index, each blend, each share added): so here."""
from __future__ import annotations

from itertools import product

from ..backend import host as np  # (NumPy: these kernels run on the host, on_host.py)

from ..op import Op
from ..saved import FIELDS, Param
from ..tensor import Tensor, apply, data
from .on_host import fma, on_host
from ..layouts import follows_channels_last, lay_out

_LINEAR = {1: "Linear1D", 2: "Bilinear2D", 3: "Trilinear3D"}


def _float_scale(n, m, scale):
    """compute_scales_value<float>: 1 / the scale factor given, else n / m."""
    return np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n) / np.float32(m)


def nearest_index(n, m, scale, exact):
    o = np.arange(m)
    if not exact and m == n:
        return o
    if not exact and m == 2 * n:
        return o >> 1
    s = _float_scale(n, m, scale)
    # (nearest: o * s in float; exact: (o + 0.5) * s in double, floorf'd as a float)
    real = o.astype(np.float32) * s if not exact else ((o + 0.5) * float(s)).astype(np.float32)
    return np.minimum(np.floor(real).astype(np.int64), n - 1)


def linear_weights(n, m, scale, align, dtype):
    """(i0, i1, l0, l1) a output index, ATen's compute_source_index_and_lambda."""
    o = np.arange(m)
    if m == n:
        return o, o, np.ones(m, dtype=dtype), np.zeros(m, dtype=dtype)
    t = dtype.type
    if align:
        s = t(n - 1) / t(m - 1) if m > 1 else t(0)
        real = s * o.astype(dtype)
    else:
        s = t(1.0 / scale) if scale is not None and scale > 0 else t(n) / t(m)
        real = np.maximum(fma(np.full(m, s, dtype=dtype), o.astype(dtype) + t(0.5), np.full(m, -0.5, dtype=dtype)),
                          t(0))
    i0 = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), n - 1)     # (floorf)
    l1 = np.minimum(np.maximum(real - i0.astype(dtype), t(0)), t(1)).astype(dtype)
    return i0, i0 + (i0 < n - 1), (t(1) - l1).astype(dtype), l1


def generic_nearest_index(n, m, scale, exact, dtype):
    """ATen's generic kernel (HelperInterpNearest/Exact): the scale in the input's dtype, no shortcut."""
    t = dtype.type if dtype in (np.float32, np.float64) else np.float32
    s = t(1.0 / scale) if scale is not None and scale > 0 else t(n) / t(m)
    o = np.arange(m).astype(t)
    if exact:
        real = np.maximum(fma(np.full(m, s, dtype=t), o + t(0.5), np.full(m, -0.5, dtype=t)), t(0)) + t(0.5)
    else:
        real = s * o
    return np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), n - 1)


def channels_last(out_sizes) -> bool:
    """Does ATen take its channels-last kernel (a 2-d output of at most 128 rows and columns)?"""
    return len(out_sizes) == 2 and out_sizes[0] + out_sizes[1] <= 128


def _tables(x_dtype, mode, in_shape, out_sizes, scales, align, backward=False):
    in_sizes = in_shape[len(in_shape) - len(out_sizes):]
    if mode == "linear":
        return [linear_weights(n, m, s, align, np.dtype(x_dtype)) for n, m, s in zip(in_sizes, out_sizes, scales)]
    exact = mode == "nearest-exact"
    if backward or channels_last(out_sizes):      # (the backward kernel's nearest_idx, whatever the forward's)
        return [nearest_index(n, m, s, exact) for n, m, s in zip(in_sizes, out_sizes, scales)]
    return [generic_nearest_index(n, m, s, exact, np.dtype(x_dtype)) for n, m, s in zip(in_sizes, out_sizes, scales)]


def _lined(w, axis, ndim):
    return np.reshape(w, (-1,) + (1,) * (ndim - axis - 1))


# ---------------------------------------------------------------- forward
@on_host
def upsample(x, mode, in_shape, out_sizes, scales, align):
    d = len(out_sizes)
    first = x.ndim - d
    tables = _tables(x.dtype, mode, in_shape, out_sizes, scales, align)
    if mode != "linear":
        for k, idx in enumerate(tables):
            x = np.take(x, idx, axis=first + k)
        return x

    if channels_last(out_sizes):
        return _channels_last(x, tables)

    def blend(v, k):
        if k == d:
            return v
        i0, i1, l0, l1 = tables[k]
        axis = first + k
        t0, t1 = blend(np.take(v, i0, axis=axis), k + 1), blend(np.take(v, i1, axis=axis), k + 1)
        return fma(t0, _lined(l0, axis, x.ndim), t1 * _lined(l1, axis, x.ndim))
    return blend(x, 0).astype(x.dtype)


def _channels_last(x, tables):
    """ATen's channels-last bilinear kernel (an output of at most 128 rows and columns): the four
    corners' weights h * w, a pixel's channels in vectors of 8 float32 or 4 float64 lanes summed
    x00 w00 + (x01 w01 + (x10 w10 + x11 w11)), the last channels one at a time left to right."""
    (h0, h1, a0, a1), (w0, w1, b0, b1) = tables
    terms = []
    for hi, a in ((h0, a0), (h1, a1)):
        rows = np.take(x, hi, axis=x.ndim - 2)
        for wi, b in ((w0, b0), (w1, b1)):
            terms.append((np.take(rows, wi, axis=x.ndim - 1), a[:, None] * b[None, :]))
    lanes = 8 if x.dtype == np.float32 else 4         # (its AVX2 build: PyTorch registers no AVX512 one)
    channels = x.shape[x.ndim - 3]
    full = channels - channels % lanes
    if full:
        vector = terms[2][0] * terms[2][1]
        for v, w in (terms[3], terms[1], terms[0]):       # (x10 w10 + x11 w11 is fma(x11, w11, x10 w10))
            vector = fma(v, np.broadcast_to(w, v.shape), vector)
    scalar = fma(terms[0][0], np.broadcast_to(terms[0][1], terms[0][0].shape), terms[1][0] * terms[1][1])
    for v, w in terms[2:]:
        scalar = fma(v, np.broadcast_to(w, v.shape), scalar)
    if not full:
        return scalar.astype(x.dtype)
    at = x.ndim - 3
    return (np.concatenate([np.take(vector, np.arange(full), axis=at),
                                  np.take(scalar, np.arange(full, channels), axis=at)], axis=at)).astype(x.dtype)


@on_host
def upsample_grad(g, mode, in_shape, out_sizes, scales, align):
    """Each output's share added to its sources, output by output (np.add.at adds in order)."""
    d = len(out_sizes)
    in_sizes = tuple(in_shape[len(in_shape) - d:])
    lead = tuple(g.shape[:g.ndim - d])
    planes = 1
    for n in lead:
        planes *= n
    flat = np.reshape(g, (planes, -1))
    tables = _tables(g.dtype, mode, in_shape, out_sizes, scales, align, backward=True)
    grids = [np.reshape(v, (-1,) + (1,) * (d - k - 1)) for k, v in enumerate(tables)] if mode != "linear" else None
    out = np.zeros((planes, int(np.prod(np.array(in_sizes)))), dtype=g.dtype)
    if mode != "linear":
        targets = np.ravel_multi_index(np.broadcast_arrays(*grids), in_sizes).ravel()
        np.add.at(out, (slice(None), targets), flat)
        return np.reshape(out, lead + tuple(in_sizes))
    targets, weights = [], []
    for corner in product((0, 1), repeat=d):
        index = [np.reshape(tables[k][c], (-1,) + (1,) * (d - k - 1)) for k, c in enumerate(corner)]
        targets.append(np.ravel_multi_index(np.broadcast_arrays(*index), in_sizes).ravel())
        weight = None
        for k, c in enumerate(corner):
            w = np.reshape(tables[k][2 + c], (-1,) + (1,) * (d - k - 1))
            weight = w if weight is None else weight * w
        weights.append(np.broadcast_to(weight, tuple(out_sizes)).ravel())
    order = np.stack(targets, axis=1).ravel()           # (each output's 2^d sources in turn)
    shares = np.ravel(np.stack(weights, axis=1))
    source = np.repeat(np.arange(flat.shape[1]), 2 ** d)
    # acc = fma(weight, grad, acc) a source at a time, in order: round r adds each target's r-th share
    ranked = np.argsort(order, kind="stable")
    starts = np.searchsorted(order[ranked], order[ranked])
    rank = np.empty_like(ranked)
    rank[ranked] = np.arange(len(ranked)) - starts
    for r in range(int(rank.max()) + 1 if len(rank) else 0):
        pick = rank == r
        at = order[pick]
        out[:, at] = fma(np.broadcast_to(shares[pick], (planes, len(at))), flat[:, source[pick]], out[:, at])
    return np.reshape(out, lead + tuple(in_sizes))


# ---------------------------------------------------------------- rules
def _through(op, kernel):
    """v through op (recorded) or its kernel (arrays)."""
    return lambda v, **p: apply(op, v, **p) if type(v) is Tensor else kernel(v, **p)


def _ops(mode, d):
    name = f"Upsample{_LINEAR[d] if mode == 'linear' else 'Nearest' + ('Exact' if mode != 'nearest' else '')}" \
           f"{'' if mode == 'linear' else f'{d}D'}Backward0"
    up = Op(name, upsample, (lambda g, out, x, **p: back(g, **p),),
            ("each output's grad added to its sources, times its weights",), saves=False,
            jvps=(lambda t, out, x, **p: forth(t, **p),))
    grad = Op(name.replace("Backward0", "BackwardBackward0"), upsample_grad,
              (lambda gg, out, g, **p: forth(gg, **p),), ("the upsampling of grad",), saves=False,
              jvps=(lambda t, out, g, **p: back(t, **p),))
    forth, back = _through(up, upsample), _through(grad, upsample_grad)
    fields = {"output_size": Param("out_sizes"), "self_sym_sizes": Param("in_shape")}
    fields.update({"scales" if d == 1 else f"scales_{a}": Param("scales", convert=lambda s, k=k: s[k])
                   for k, a in enumerate("dhw"[3 - d:])})
    if mode == "linear":
        fields["align_corners"] = Param("align")
    FIELDS[name] = dict(sorted(fields.items()))         # (as dir() lists them)
    return up, grad


UPSAMPLE = {}
for _mode, _word in (("nearest", "NEAREST"), ("nearest-exact", "NEAREST_EXACT"), ("linear", "LINEAR")):
    for _d in (1, 2, 3):
        UPSAMPLE[_mode, _d], _grad = _ops(_mode, _d)
        # (the op table lists a module's ops by their upper-case names)
        globals()[f"UPSAMPLE_{_word}_{_d}D"], globals()[f"UPSAMPLE_{_word}_{_d}D_GRAD"] = UPSAMPLE[_mode, _d], _grad


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line

# a channels_last input (or weight) gives a channels_last result (suggest_memory_format)
lay_out(follows_channels_last, *UPSAMPLE.values())
