"""torch._weight_norm, torch._weight_norm_interface and torch.norm_except_dim, as ATen's WeightNorm.cpp
has them: over dim 0 the fused kernel (engine/ops/weight_norm.py, WeightNormInterfaceBackward0), over
another dim but the last (or -1: the whole tensor) v * (g / norm_except_dim(v, 2, dim)). The fused kernel
over the last dim sums its rows in an order that depends on PyTorch's thread count: agcli refuses it."""
from __future__ import annotations

from ..engine.backend import xp
from ..engine.ops.weight_norm import WEIGHT_NORM, norms
from ..engine.tensor import Tensor, apply
from ..errors import AgcliError
from . import functions as T


def _tensor(x, name):
    if type(x) is not Tensor:
        raise AgcliError(f"_weight_norm(): argument '{name}' (position {1 if name == 'v' else 2}) must be Tensor, "
                         f"not {type(x).__name__}", kind="type")
    return x


def norm_except_dim(v, pow=2, dim=0):
    ndim = _tensor(v, "v").data.ndim
    if dim == -1:
        return T.norm(v, pow)
    if dim == 0:
        n = v.data.shape[0]
        rows = T.view(T.contiguous(v), (n, v.data.size // n if n else 0))
        return T.view(T.norm(rows, pow, 1), (n,) + (1,) * (ndim - 1))
    if dim == ndim - 1:
        n = v.data.shape[-1]
        columns = T.view(T.contiguous(v), (v.data.size // n if n else 0, n))
        return T.view(T.norm(columns, pow, 0), (1,) * (ndim - 1) + (n,))
    return T.transpose(norm_except_dim(T.transpose(v, 0, dim), pow, 0), 0, dim)


def _fused(v, g, dim):
    if dim != 0:
        raise AgcliError("agcli's weight norm over the last dim is not there: PyTorch's kernel sums its rows in an "
                         "order that depends on its thread count", kind="not_implemented",
                         hint="weight norm over dim 0 (the default), another inner dim, or dim=None")
    return apply(WEIGHT_NORM, T.contiguous(v), T.contiguous(g))


def _weight_norm(v, g, dim=0):
    ndim = _tensor(v, "v").data.ndim
    _tensor(g, "g")
    if dim == 0 or dim == ndim - 1:
        return _fused(v, g, dim)
    v, g = T.contiguous(v), T.contiguous(g)
    return T.mul(v, T.div(g, norm_except_dim(v, 2, dim)))


def _weight_norm_interface(v, g, dim=0):
    """(w, norms): the fused kernel's two outputs (the norms a column per row of v, no history)."""
    w = _fused(_tensor(v, "v"), _tensor(g, "g"), dim)
    return w, Tensor(xp.reshape(norms(T.contiguous(v).data), g.data.shape), device=v.device)


FUNCTIONS = {"_weight_norm": _weight_norm, "_weight_norm_interface": _weight_norm_interface,
             "norm_except_dim": norm_except_dim}
