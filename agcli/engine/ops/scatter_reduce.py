"""scatter_reduce (ScatterReduceBackward0): src's values reduced into a copy of self where index
says along dim, by sum, prod, mean, amax or amin, self's own value counted or not (include_self).
Each target takes its values in src's order, as PyTorch's CPU loop does. The rule is
scatter_reduce_backward's, case by case. Each entry: grad_fn name, kernel, rules, the rules in words."""
from __future__ import annotations

from ..backend import astype, from_host, host, to_host, xp
from ..op import Op, no_derivative, no_forward_derivative
from ..tensor import Tensor, apply, data
from .pointwise import div, masked_fill, mask, mul, where
from .writes import SCATTER_ADD, SCATTER_VALUE, _scatter_add, _scatter_value, gather

_UFUNCS = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    info = host.finfo(dtype) if dtype.kind == "f" else host.iinfo(dtype)
    low, high = (-host.inf, host.inf) if dtype.kind == "f" else (info.min, info.max)
    return low if reduce == "amax" else high


def _host_along(index, dim):
    """writes.along on the host: index along dim, each other dim's positions."""
    key = []
    for d in range(index.ndim):
        shape = [1] * index.ndim
        shape[d] = index.shape[d]
        key.append(index if d == dim else host.arange(index.shape[d]).reshape(shape))
    return tuple(key)


def _scatter_reduce(x, src, dim, index, reduce, include_self=True):
    out, s, i = to_host(x).copy(), to_host(src), to_host(index)
    lone = out.ndim == 0
    if lone:
        out = out.reshape(1)
    key = _host_along(i, dim) if i.size else None
    if key is not None:
        part = s[tuple(slice(0, n) for n in i.shape)] if s.ndim else s
        if not include_self:
            out[key] = _identity(reduce, out.dtype)
        getattr(host, _UFUNCS[reduce]).at(out, key, part)
        if reduce == "mean":
            count = host.ones_like(out) if include_self else host.zeros_like(out)
            host.add.at(count, key, host.ones_like(part))
            count[count == 0] = 1
            out = out / count if out.dtype.kind == "f" else host.floor_divide(out, count)
    return from_host(out.reshape(()) if lone else out)


def _scatter(x, src, dim, index, reduce, include_self):
    if type(x) is Tensor or type(src) is Tensor:
        return apply(SCATTER_REDUCE, x, src, dim=dim, index=index, reduce=reduce, include_self=include_self)
    return _scatter_reduce(x, src, dim, index, reduce, include_self)


def _add(base, src, dim, index):
    if type(base) is Tensor or type(src) is Tensor:
        return apply(SCATTER_ADD, base if type(base) is Tensor else Tensor(base), src, dim=dim, index=index)
    return _scatter_add(base, src, dim, index)


def _zero_at(g, dim, index):
    if type(g) is Tensor:
        return apply(SCATTER_VALUE, g, dim=dim, index=index, value=0)
    return _scatter_value(g, dim, index, 0)


def _grads(g, out, x, src, dim, index, reduce, include_self):
    """scatter_reduce_backward: (grad_self, grad_src)."""
    a = data(x)
    if reduce == "sum":
        grad_self, grad_src = g, gather(g, dim, index)
    elif reduce == "mean":
        n = xp.ones_like(data(g)) if include_self else xp.zeros_like(data(g))
        n = _scatter_add(n, xp.ones_like(data(src)), dim, index)
        n = xp.where(n == 0, xp.ones_like(n), n)
        grad_self, grad_src = div(g, n), div(gather(g, dim, index), gather(n, dim, index))
    elif reduce in ("amax", "amin"):
        value = gather(data(out), dim, index)
        self_is = astype(a == data(out), a.dtype)
        src_is = astype(data(src) == value, a.dtype)
        distributed = div(g, _scatter_add(self_is, src_is, dim, index))
        grad_self = mul(mask(a == data(out), g), distributed)
        grad_src = mul(mask(data(src) == value, g), gather(distributed, dim, index))
    else:
        masked_self = masked_fill(x, a == 0, 1)
        masked_self_result = _scatter(masked_self, src, dim, index, reduce, include_self)
        grad_self = div(mul(g, masked_self_result), masked_self)
        src_zero = data(src) == 0
        zeros = _scatter_add(xp.zeros_like(a), astype(src_zero, a.dtype), dim, index)
        single = src_zero & (gather(zeros, dim, index) == 1)
        masked_src = masked_fill(src, single, 1)
        masked_src_result = _scatter(x, masked_src, dim, index, reduce, include_self)
        grad_src = where(single, gather(mul(g, masked_src_result), dim, index),
                         div(gather(mul(g, out), dim, index), masked_fill(src, src_zero, 1)))
    if not include_self:
        grad_self = _zero_at(grad_self, dim, index)
    return grad_self, grad_src


def _no_tangent(*args, **params):
    """(PyTorch has forward-mode rules for sum, mean, amax and amin; agcli not yet.)"""
    from ...errors import AgcliError
    raise AgcliError("agcli has no forward-mode (JVP) rule for scatter_reduce yet", kind="not_implemented",
                     hint="use reverse mode (backward, torch.autograd.grad) for it")


SCATTER_REDUCE = Op("ScatterReduceBackward0", _scatter_reduce,
                    (lambda g, out, x, src, **p: _grads(g, out, x, src, **p)[0],
                     lambda g, out, x, src, **p: _grads(g, out, x, src, **p)[1]),
                    ("scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self, result)",) * 2,
                    saves_out=True, jvps=(_no_tangent, _no_tangent))

# x.scatter(dim, index, src, reduce='add'/'multiply') and scatter_: a node without a derivative in PyTorch
SCATTER_REDUCED, SCATTER_REDUCED_ = (Op("NotImplemented", _scatter_reduce, (no_derivative(name),) * 2, saves=False,
                                        jvps=(no_forward_derivative(name),) * 2) for name in ("scatter", "scatter_"))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare  # noqa: E402  (after the entries)

declare(LOOP, SCATTER_REDUCE, SCATTER_REDUCED, SCATTER_REDUCED_)
