"""torch._weight_norm over dim 0: _weight_norm_interface (WeightNormInterfaceBackward0), w = v * (g / ||v_i||)
with each norm over one row of v (the rest of its dims), as ATen's fused CPU kernel (WeightNormKernel.cpp,
first dim) computes it:
- a row's sum of squares (and the backward's sum of grad * v) is vec::map_reduce_all's: vectors of 8
  float32 or 4 float64 lanes added in turn (a short last one into the first lanes), then the lanes
  folded, float32's by halves, float64's in turn; a row shorter than a vector is added in turn (PyTorch's
  wheels build this kernel with 256-bit vectors, as measured);
- the norm is its square root, a = g / norm, w = v * a;
- backward: grad_g = sum / norm, b = a * grad_g / norm, grad_v = a * grad_w - b * v with the second
  product fused (one rounding after the subtraction, as the compiler contracts it).
Under create_graph the rules are PyTorch's _weight_norm_differentiable_backward, written with the
primitives (the norms a constant, as PyTorch's formula reads its saved result). Other backends than the
host's take the plain sums."""
from __future__ import annotations

from ..backend import ON_HOST, astype, ndarray, reduce_sum, xp
from ..fma import fma
from ..op import Op, forward_ad_not_implemented
from ..tensor import Tensor, data
from .pointwise import div, mul, sub
from .shapes import reshape, sum_to

_LANES = {"float32": 8, "float64": 4}


def _row_sums(p):
    """map_reduce_all's sum of each row of p, a 2-d array (rows, n), as a column."""
    lanes = _LANES.get(str(p.dtype)) if ON_HOST and type(p) is ndarray else None
    n = p.shape[-1]
    if lanes is None:
        return reduce_sum(p, axis=-1, keepdims=True)
    if n < lanes:
        return xp.add.accumulate(p, axis=-1)[:, -1:]
    full = n - n % lanes
    acc = xp.add.reduce(xp.ascontiguousarray(p[:, :full]).reshape(p.shape[0], full // lanes, lanes), axis=1)
    if full < n:
        acc[:, :n - full] += p[:, full:]
    if lanes == 8:          # float32: lane i + lane i+4, then +2, +1
        while acc.shape[-1] > 1:
            half = acc.shape[-1] // 2
            acc = acc[:, :half] + acc[:, half:]
        return acc
    return xp.add.accumulate(acc, axis=-1)[:, -1:]


def _rows(a):
    return xp.reshape(a, (a.shape[0], -1))


def norms(v):
    """||v_i|| of each row of v, as a column (the interface's second output)."""
    rows = _rows(v)
    return xp.sqrt(_row_sums(rows * rows))


def _forward(v, g):
    a = xp.reshape(g, (v.shape[0], 1)) / norms(v)
    return xp.reshape(_rows(v) * a, v.shape)


def _kernel_backward(gw, v, g):
    """(grad_v, grad_g) of the fused backward kernel, on arrays."""
    rows, grows = _rows(v), _rows(astype(gw, v.dtype))
    norm = norms(v)
    total = _row_sums(grows * rows)
    grad_g = total / norm
    a = xp.reshape(g, (v.shape[0], 1)) / norm
    b = a * grad_g / norm
    grad_v = fma(xp.broadcast_to(-b, rows.shape), rows, a * grows)
    return xp.reshape(grad_v, v.shape), xp.reshape(grad_g, g.shape)


def _differentiable(gw, v, g):
    """_weight_norm_differentiable_backward for dim 0, recorded."""
    n = data(v).shape[0]
    column = (n,) + (1,) * (data(v).ndim - 1)
    norm = xp.reshape(norms(data(v)), column)
    rest = data(v).size // n if n else 0
    sums = reshape(sum_to(reshape(mul(gw, v), (n, rest)), (n, 1)), column)
    grad_v = mul(div(g, norm), sub(gw, mul(v, div(sums, mul(norm, norm)))))
    return grad_v, reshape(div(sums, norm), data(g).shape)


def _rule(which):
    def rule(gw, out, v, g):
        if type(gw) is Tensor or type(v) is Tensor:
            return _differentiable(gw, v, g)[which]
        return _kernel_backward(gw, v, g)[which]
    return rule


_no_tangent = forward_ad_not_implemented("_weight_norm_interface")


WEIGHT_NORM = Op("WeightNormInterfaceBackward0", _forward, (_rule(0), _rule(1)),
                 ("grad_v = (g / norm) * (grad - v * (sum(grad * v) / norm^2)), by rows",
                  "grad_g = sum(grad * v) / norm, by rows"),
                 jvps=(_no_tangent, _no_tangent))     # (PyTorch 2.13 has none)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line
