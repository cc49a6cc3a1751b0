"""Running scans: cummax and cummin (the running extreme, and where it was taken: its
gradient goes back there) and logcumsumexp, each scanned as PyTorch's CPU kernel scans.
Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

import math

from ..backend import copy, dtype_name, float_errors_ignored, from_host, host, to_host, xp, zeros
from ..layouts import lay_out, row_major
from ..op import Op
from ..tensor import Tensor, apply, data
from . import tangents as T
from . import writes as W
from .elementary import primitive
from .pointwise import ABS, add, div, exp, log, mul, sub, where
from .scans import cumsum
from .shapes import flip

def running_order(a, dim, greater: bool):
    """Where cummax's (greater) or cummin's running value was taken, along dim: as PyTorch's
    cummax_cummin_helper, an element is taken when it is nan, or when the running value is not
    nan and the element is >= (<=) it (ties: the later one)."""
    if a.ndim == 0 or not a.size:
        return zeros(a.shape, dtype=xp.int64)
    rows = host.moveaxis(to_host(a), dim, 0)
    order = host.zeros(rows.shape, dtype="int64")
    best, at = rows[0], host.zeros(rows.shape[1:], dtype="int64")
    for i in range(rows.shape[0]):
        x = rows[i]
        taken = (x != x) | ((best == best) & ((x >= best) if greater else (x <= best)))
        best, at = host.where(taken, x, best), host.where(taken, i, at)
        order[i] = at
    return from_host(host.moveaxis(order, 0, dim))


def _running_extreme(x, dim, greater):
    return copy(x) if x.ndim == 0 else xp.take_along_axis(x, running_order(x, dim, greater), axis=dim)


def _running_grad(g, x, dim, greater):
    """cummaxmin_backward: zeros(self.sizes()).scatter_add_(dim, indices, grad)."""
    a = data(x)
    if a.ndim == 0 or not a.size:
        return g if a.ndim == 0 else x
    order = running_order(a, dim, greater)
    base = zeros(a.shape, dtype=data(g).dtype)
    if type(g) is Tensor:
        return apply(W.SCATTER_ADD, Tensor(base, device=g.device), g, dim=dim, index=order)
    return W.SCATTER_ADD.forward(base, g, dim=dim, index=order)


CUMMAX = Op("CummaxBackward0", lambda x, dim: _running_extreme(x, dim, True),
            (lambda g, out, x, dim: _running_grad(g, x, dim, True),),
            ("zeros(self.sizes()).scatter_add_(dim, indices, grad)",),
            jvps=(lambda t, out, x, dim: T.gathered(t, x, running_order(data(x), dim, True), dim),))
CUMMIN = Op("CumminBackward0", lambda x, dim: _running_extreme(x, dim, False),
            (lambda g, out, x, dim: _running_grad(g, x, dim, False),),
            ("zeros(self.sizes()).scatter_add_(dim, indices, grad)",),
            jvps=(lambda t, out, x, dim: T.gathered(t, x, running_order(data(x), dim, False), dim),))


def _log_add_exp(x, y):
    """_log_add_exp_helper (aten/src/ATen/native/ReduceOps.cpp), in C's doubles: nan propagates,
    and two equal infinities give x."""
    low = y if y != y else (y if y < x else x)          # (std::min and std::max: the first when nan)
    high = y if y != y else (y if x < y else x)
    if low != high or math.isfinite(low):
        return math.log1p(math.exp(low - high)) + high      # (low <= high: no overflow)
    return x


def _logcumsumexp(x, dim):
    """log(cumsum(exp(x))) along dim, as PyTorch's CPU kernel scans it: from -inf, one
    _log_add_exp a step, in double (float32's results rounded once)."""
    if x.ndim == 0:
        return copy(x)
    rows = host.moveaxis(to_host(x), dim, -1)
    out = []
    for row in rows.reshape(-1, rows.shape[-1]).tolist():
        total = -math.inf
        for i, v in enumerate(row):
            total = row[i] = _log_add_exp(total, v)
        out.append(row)
    scanned = host.asarray(out, dtype="float64").reshape(rows.shape).astype(dtype_name(x.dtype))
    return from_host(host.moveaxis(scanned, -1, dim))


def logcumsumexp(x, dim):
    return apply(LOGCUMSUMEXP, x, dim=dim) if type(x) is Tensor else _logcumsumexp(x, dim)


_abs = primitive(ABS)


def _logcumsumexp_grad(g, out, x, dim):
    """logcumsumexp_backward: the positive and negative parts of grad, each in logs, scanned
    back from the end: exp(reverse_logcumsumexp(log|grad| - result) + self), subtracted."""
    if not data(g).ndim or not data(g).size:
        return g
    lowest = float(host.finfo(dtype_name(data(g).dtype)).min)
    with float_errors_ignored():
        log_abs = log(_abs(g))
        positive = where(data(g) > 0, log_abs, lowest)
        negative = where(data(g) < 0, log_abs, lowest)

        def part(logs):
            return exp(add(flip(logcumsumexp(flip(sub(logs, out), (dim,)), dim), (dim,)), x))
        return sub(part(positive), part(negative))


def _logcumsumexp_tangent(t, out, x, dim):
    """logcumsumexp_jvp: cumsum(exp(self - max) * self_t) / cumsum(exp(self - max)) along dim."""
    a = data(x)
    if not a.ndim:
        return t
    with float_errors_ignored():
        e = xp.exp(a - xp.max(a, axis=dim, keepdims=True))
        axis = dim % a.ndim + T.lead(t, x)
        return div(cumsum(mul(t, e), axis), xp.cumulative_sum(e, axis=dim))


LOGCUMSUMEXP = Op("LogcumsumexpBackward0", _logcumsumexp, (_logcumsumexp_grad,),
                  ("exp(reverse_logcumsumexp(log|grad| - result) + self), its positive part less its negative",),
                  saves_out=True, jvps=(_logcumsumexp_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line


# at::empty of the shape holds these ops' results: row-major (engine/layouts.py).
lay_out(row_major, CUMMAX, CUMMIN, LOGCUMSUMEXP)
