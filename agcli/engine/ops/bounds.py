"""Ops that pick between values: clamp (by numbers and by tensors), maximum and
minimum. Each entry: grad_fn name, kernel, one rule per input, the rules in
words, and the forward-mode rules (engine/op.py)."""
from __future__ import annotations

from ..backend import asarray, astype, ones, xp
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import data
from .pointwise import div_scalar, masked_fill, or_zero, where


def within(x, lo, hi):
    """Where lo <= x <= hi (either bound may be None): clamp's gradient mask."""
    x = data(x)
    keep = ones(x.shape, dtype="bool")
    if lo is not None:
        keep = keep & (x >= lo)
    if hi is not None:
        keep = keep & (x <= hi)
    return keep


def _clamp(x, min=None, max=None):
    """min(max(x, min), max), as PyTorch computes it: a min above the max gives the max, nan
    stays nan, and x where it equals a bound (clamp(-0., min=0.) is -0.; the array API's clip
    may refuse a min above the max)."""
    out = x if min is None else xp.where(x == min, x, xp.maximum(min, x))     # (x on a tie: -0. stays)
    return out if max is None else xp.where(out == max, out, xp.minimum(max, out))


CLAMP = Op("ClampBackward1", _clamp,
           (lambda g, out, x, min=None, max=None: where(within(x, min, max), g, 0.0),),
           ("where(min <= self <= max, grad, 0)",),
           jvps=(lambda t, out, x, min=None, max=None: where(within(x, min, max), t, 0.0),))
CLAMP_MIN = Op("ClampMinBackward0", lambda x, min: _clamp(x, min),        # x.clamp_min(min)
               (lambda g, out, x, min: where(within(x, min, None), g, 0.0),), ("where(self >= min, grad, 0)",),
               jvps=(lambda t, out, x, min: where(within(x, min, None), t, 0.0),))
CLAMP_MAX = Op("ClampMaxBackward0", lambda x, max: _clamp(x, max=max),        # x.clamp_max(max)
               (lambda g, out, x, max: where(within(x, None, max), g, 0.0),), ("where(self <= max, grad, 0)",),
               jvps=(lambda t, out, x, max: where(within(x, None, max), t, 0.0),))
# Tensor bounds (clamp.Tensor, clamp_min.Tensor, clamp_max.Tensor; broadcast, nan propagates):
# a bound's gradient is grad where it is the result; a min above the max has none.
_CLAMP_MIN_RULES = ((lambda g, out, x, lo: where(data(x) >= data(lo), g, 0.0),
                     lambda g, out, x, lo: where(data(x) < data(lo), g, 0.0)),
                    ("where(self >= min, grad, 0)", "where(self < min, grad, 0)"))
_CLAMP_MAX_RULES = ((lambda g, out, x, hi: where(data(x) <= data(hi), g, 0.0),
                     lambda g, out, x, hi: where(data(x) > data(hi), g, 0.0)),
                    ("where(self <= max, grad, 0)", "where(self > max, grad, 0)"))
# clamp(x, min=t) and clamp(x, max=t): PyTorch's node has the three inputs of clamp(x, t, u), one of them
# None (an edge to nothing in next_functions; its rule is never called)
def _absent_bound(g, out, x, lo, hi):
    return None


CLAMP_T_MIN = Op("ClampBackward0", lambda x, lo, hi: xp.maximum(x, lo),
                 (lambda g, out, x, lo, hi: _CLAMP_MIN_RULES[0][0](g, out, x, lo),
                  lambda g, out, x, lo, hi: _CLAMP_MIN_RULES[0][1](g, out, x, lo), _absent_bound),
                 _CLAMP_MIN_RULES[1] + ("(no max)",),
                 jvps=lambda ts, out, x, lo, hi:      # clamp_jvp: where(self > min, self_t, min_t)
                 where(data(x) > data(lo), or_zero(ts[0]), or_zero(ts[1])), broadcasts=True, order=(1, 0))
CLAMP_T_MAX = Op("ClampBackward0", lambda x, lo, hi: xp.minimum(x, hi),
                 (lambda g, out, x, lo, hi: _CLAMP_MAX_RULES[0][0](g, out, x, hi), _absent_bound,
                  lambda g, out, x, lo, hi: _CLAMP_MAX_RULES[0][1](g, out, x, hi)),
                 (_CLAMP_MAX_RULES[1][0], "(no min)", _CLAMP_MAX_RULES[1][1]),
                 jvps=lambda ts, out, x, lo, hi: where(data(x) < data(hi), or_zero(ts[0]), or_zero(ts[2])),
                 broadcasts=True, order=(2, 0))
CLAMP_MIN_T = Op("ClampMinBackward1", xp.maximum, *_CLAMP_MIN_RULES,             # x.clamp_min(t)
                 jvps=lambda ts, out, x, lo: where(data(x) >= data(lo), or_zero(ts[0]), or_zero(ts[1])),
                 broadcasts=True, order=(1, 0))
CLAMP_MAX_T = Op("ClampMaxBackward1", xp.minimum, *_CLAMP_MAX_RULES,             # x.clamp_max(t)
                 jvps=lambda ts, out, x, hi: where(data(x) <= data(hi), or_zero(ts[0]), or_zero(ts[1])),
                 broadcasts=True, order=(1, 0))
CLAMP_T = Op("ClampBackward0", lambda x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),  # clamp(x, t, u)
             (lambda g, out, x, lo, hi: where((data(x) >= data(lo)) & (data(x) <= data(hi)), g, 0.0),
              lambda g, out, x, lo, hi: where((data(x) < data(lo)) & (data(lo) < data(hi)), g, 0.0),
              lambda g, out, x, lo, hi: where((data(x) > data(hi)) | (data(hi) < data(lo)), g, 0.0)),
             ("where(min <= self <= max, grad, 0)", "where(self < min and min < max, grad, 0)",
              "where(self > max or max < min, grad, 0)"),
             # clamp_jvp: where(min > max, max_t, where(self < min, min_t, where(self > max, max_t, self_t)))
             jvps=lambda ts, out, x, lo, hi: _clamp_tangent(ts, x, lo, hi), broadcasts=True, order=(1, 2, 0))


def _clamp_tangent(ts, x, lo, hi):
    """clamp_jvp: where(min > max, max_t, where(self < min, min_t, where(self > max, max_t, self_t)))."""
    a, lo, hi = data(x), data(lo), data(hi)
    tx, tlo, thi = (or_zero(t) for t in ts)
    return where(lo > hi, thi, where(a < lo, tlo, where(a > hi, thi, tx)))


def _tie_split(g, x, y, keep):
    """maximum/minimum: the winner takes g, a tie splits it (PyTorch's rule, nan included)."""
    a, b = data(x), data(y)
    loses = (a < b) if keep == "greater" else (a > b)
    return masked_fill(where(a == b, div_scalar(g, 2), g), loses, 0)


def _picked(ts, x, y, out, keep):
    """other_t + where(self == other, 0.5, self > other) * (self_t - other_t) (< for minimum),
    a missing tangent's terms left out."""
    tx, ty = ts
    share = _share(x, y, out, keep)
    if ty is None:
        return tx * share
    return ty + (-ty if tx is None else tx - ty) * share


def _share(x, y, out, keep):
    """maximum/minimum's forward weight of self: 1 where it wins, 0.5 at a tie, 0 else (nan: 0)."""
    a, b = data(x), data(y)
    wins = (a > b) if keep == "greater" else (a < b)
    dtype = data(out).dtype
    return xp.where(a == b, asarray(0.5, dtype=dtype), astype(wins, dtype))


def _first_on_ties(fn):
    """maximum/minimum as PyTorch's kernels give them: a nan wins, and where the two are equal
    (-0. and 0.) the first (NumPy's loops give either, by dtype and length)."""
    return lambda a, b: xp.where(a == b, a, fn(a, b))


MAXIMUM = Op("MaximumBackward0", _first_on_ties(xp.maximum),
             (lambda g, out, x, y: _tie_split(g, x, y, "greater"),
              lambda g, out, x, y: _tie_split(g, y, x, "greater")),
             ("where(self == other, grad / 2, grad).masked_fill(self < other, 0)",
              "where(self == other, grad / 2, grad).masked_fill(self > other, 0)"),
             jvps=lambda ts, out, x, y: _picked(ts, x, y, out, "greater"), broadcasts=True, order=(1, 0))
MINIMUM = Op("MinimumBackward0", _first_on_ties(xp.minimum),
             (lambda g, out, x, y: _tie_split(g, x, y, "less"),
              lambda g, out, x, y: _tie_split(g, y, x, "less")),
             ("where(self == other, grad / 2, grad).masked_fill(self > other, 0)",
              "where(self == other, grad / 2, grad).masked_fill(self < other, 0)"),
             jvps=lambda ts, out, x, y: _picked(ts, x, y, out, "less"), broadcasts=True, order=(1, 0))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, CLAMP, CLAMP_MIN, CLAMP_MAX, CLAMP_T_MIN, CLAMP_T_MAX, CLAMP_MIN_T, CLAMP_MAX_T, CLAMP_T, MAXIMUM,
       MINIMUM)
