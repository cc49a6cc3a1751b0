"""torch.pdist's kernels (DistanceOpsKernel.cpp). _pdist_forward (PdistBackward0): for each pair of
rows i < j in turn, |a - b| mapped by p (0, 1, 2, inf or a general p: distances.py's map) and
reduced by vec::map2_reduce_all, vectors of 4 float64s or 8 float32s (the AVX2 build) added in
turn lane by lane, a short tail into the first lanes, then the lanes folded (float64 in turn,
float32 by halves: lane i + lane i+4, then +2, +1), then finished (sqrt for 2, a power 1 / p).
_pdist_backward (PdistBackwardBackward0), column by column: each row i takes its pairs' terms
(distances.py's F::backward) in turn, its own pairs (i, j) added, the pairs (k, i) before it
subtracted as they come. float64 and float32 values and gradients to the bit for p 0, 1, 2 and
inf; a general p's powers are Sleef's vectorized pow in PyTorch, NumPy's here (to rounding).
PyTorch differentiates neither _pdist_backward nor _pdist_forward in forward mode: neither here."""
from __future__ import annotations

from ...errors import AgcliError
from ..backend import host as np
from ..op import Op, forward_ad_not_implemented
from ..saved import FIELDS, Arg, Param, Result
from ..tensor import Tensor, apply
from .on_host import on_host

_INF = float("inf")


def _mapped(d, p):
    """F::map of |a - b| (distances.py's, on the host)."""
    if p == 0:
        return np.minimum(np.ceil(d), d.dtype.type(1))
    if p == 2:
        return d * d
    if p in (1, _INF):
        return d
    return (d.astype(np.float64) ** p).astype(np.float32) if d.dtype == np.float32 else d ** p


def _term(diff, g, dist, p):
    """F::backward of one pair (distances.py's, on the host)."""
    t = diff.dtype.type
    if p == 1:
        return g * np.sign(diff)
    if p == _INF:
        return g * np.sign(diff) * (1 - np.minimum(t(1), np.ceil(np.abs(np.abs(diff) - dist))))
    if dist == 0:
        return np.zeros_like(diff)
    if p == 2:
        return g * diff / dist
    if p < 2:      # (lttdist: 0 where diff is 0 and p < 1)
        term = np.sign(diff) * np.abs(diff) ** (p - 1) * g / dist ** (p - 1)
        return np.where((diff == 0) & (p < 1), t(0), term)
    return diff * np.abs(diff) ** (p - 2) * g / dist ** (p - 1)


def _pairs(n):
    i, j = np.triu_indices(n, 1)
    return i, j


def _red(a, b, p):
    return np.maximum(a, b) if p == _INF else a + b


def _fold(acc, p):
    """vec_reduce_all of the lanes (the last axis)."""
    if acc.dtype == np.float32 and acc.shape[-1] == 8:
        v = _red(acc, np.concatenate([acc[..., 4:], acc[..., :4]], axis=-1), p)
        v = _red(v, v[..., [2, 3, 0, 1, 6, 7, 4, 5]], p)
        return _red(v, v[..., [1, 0, 3, 2, 5, 4, 7, 6]], p)[..., 0]
    out = acc[..., 0]
    for k in range(1, acc.shape[-1]):
        out = _red(out, acc[..., k], p)
    return out


@on_host
def pdist(x, p):
    n, m = x.shape
    i, j = _pairs(n)
    if i.shape[0] == 0 or m == 0:
        return np.zeros(i.shape[0], dtype=x.dtype)
    lanes = 8 if x.dtype == np.float32 else 4
    with np.errstate(all="ignore"):
        mapped = _mapped(np.abs(x[i] - x[j]), p)
        if m < lanes:
            agg = _fold(mapped, p)
        else:
            full = m - m % lanes
            acc = mapped[:, :lanes]
            for s in range(lanes, full, lanes):
                acc = _red(acc, mapped[:, s:s + lanes], p)
            tail = m - full
            if tail:
                acc = np.concatenate([_red(acc[:, :tail], mapped[:, full:], p), acc[:, tail:]], axis=1)
            agg = _fold(acc, p)
        if p == 2:
            return np.sqrt(agg)
        if p in (0, 1, _INF):
            return agg
        if agg.dtype == np.float32:      # (std::pow(float, 1.0 / p): a double's power, rounded)
            return (agg.astype(np.float64) ** (1.0 / p)).astype(np.float32)
        return agg ** (1.0 / p)


@on_host
def pdist_backward(g, x, out, p):
    n = x.shape[0]
    res = np.zeros_like(x)
    if p == 0 or n < 2 or x.shape[1] == 0:
        return res
    with np.errstate(all="ignore"):
        k = 0
        for a in range(n):
            for b in range(a + 1, n):
                t = _term(x[a] - x[b], g[k], out[k], p)
                res[a] = res[a] + t
                res[b] = res[b] - t
                k += 1
    return res


def _rule(g, out, x, p):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(PDIST_BACKWARD, g, x, out, p=p)
    return pdist_backward(g, x, out, p)


def _no_second(*args, **params):
    raise AgcliError("the derivative for '_pdist_backward' is not implemented.", kind="not_implemented")


_no_forward = forward_ad_not_implemented


PDIST = Op("PdistBackward0", pdist, (_rule,), ("_pdist_backward(grad, self, p, result)",), saves_out=True,
           jvps=(_no_forward("_pdist_forward"),))
PDIST_BACKWARD = Op("PdistBackwardBackward0", lambda g, x, out, p: pdist_backward(g, x, out, p),
                    (_no_second,) * 3, ("not implemented",) * 3, jvps=(_no_forward("_pdist_backward"),) * 3)
FIELDS["PdistBackward0"] = {"p": Param("p"), "result": Result(), "self": Arg(0)}


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
