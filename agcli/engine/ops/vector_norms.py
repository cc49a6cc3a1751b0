"""The vector norm (torch.norm, torch.linalg.vector_norm): its kernel by order, and its
gradient by PyTorch's norm_backward, case by case. The entry: grad_fn name, kernel, rule,
the rule in words."""
from __future__ import annotations

from .. import cpu_kernels as K
from ..backend import astype, dtype_name, float_errors_ignored, kind, xp
from ..layouts import lay_out, row_major
from ..op import Op
from ..tensor import Tensor, apply, data
from . import tangents as T
from .pointwise import div, mask, masked_fill, mul, sgn
from .reductions import keep_dims


def vector_norm(x, ord, dim, keepdim):
    if dtype_name(x.dtype) == "float16":    # (PyTorch accumulates half in float: 300 and 4 squared overflow half)
        return astype(vector_norm(astype(x, "float32"), ord, dim, keepdim), "float16")
    a = xp.abs(x)
    if not a.size:      # (nothing to add: zeros, in the result's shape)
        return xp.sum(a, axis=dim, keepdims=keepdim)
    if ord == 2:        # (in PyTorch's order along the last dims: a long float32 norm's last bits)
        return K.two_norm(a, dim, keepdim)
    if ord == 1:        # (in turn, as PyTorch's reduction adds: w.norm(1) is w.abs().sum() there)
        return K.in_turn_sum(a, dim, keepdim) if kind(a.dtype) == "f" else xp.sum(a, axis=dim, keepdims=keepdim)
    if ord == float("inf"):
        return xp.max(a, axis=dim, keepdims=keepdim)
    if ord == -float("inf"):
        return xp.min(a, axis=dim, keepdims=keepdim)
    if ord == 0:        # (how many are not zero)
        return xp.sum(astype(a != 0, a.dtype), axis=dim, keepdims=keepdim)
    with float_errors_ignored():        # (a negative order: a zero element's power is inf, the norm 0)
        powers = a ** ord     # (added in turn, as binary_kernel_reduce's NormOps: a long norm's last bits)
        if kind(a.dtype) != "f":
            return xp.sum(powers, axis=dim, keepdims=keepdim) ** (1.0 / ord)
        total = K.in_turn_sum(powers, dim, keepdim)
        return total ** (1.0 / ord)


def _norm_grad(g, out, x, ord, dim, keepdim):
    if ord == 0:        # (PyTorch's norm_backward: an undefined gradient, none for x)
        return None
    dims = dim if dim is not None else tuple(range(len(data(x).shape)))
    kept = keepdim or dim is None
    g, out = keep_dims(g, dims, kept), keep_dims(out, dims, kept)
    # PyTorch's terms in its order: a zero norm gives a zero gradient (masked, 0/0 included)
    if ord == 1:
        return mul(sgn(x), g)
    if ord == 2:
        return mul(g, masked_fill(div(x, out), data(out) == 0, 0))
    if abs(ord) == float("inf"):        # (amax or amin of |self|: shared by the elements equal to it)
        a = data(x)
        hit = mask(xp.abs(a) == data(out), g)
        return mul(g, mask(xp.sign(a), g) * hit / xp.sum(hit, axis=dims, keepdims=True))
    from .pointwise import ABS, pow
    absx = apply(ABS, x) if type(x) is Tensor else xp.abs(x)
    if ord < 1:     # |x|^(p-1) is infinite at a zero element: masked there
        scaled = mul(sgn(x), masked_fill(pow(absx, ord - 1), data(x) == 0, 0))
        return mul(scaled, mul(g, pow(out, 1 - ord)))
    scaled = mul(sgn(x), pow(absx, ord - 1)) if ord < 2 else mul(x, pow(absx, ord - 2))
    return mul(scaled, masked_fill(div(g, pow(out, ord - 1)), data(out) == 0, 0))


NORM = Op("LinalgVectorNormBackward0", lambda x, ord, dim, keepdim: vector_norm(x, ord, dim, keepdim),
          (_norm_grad,), ("grad * self * |self|^(ord-2) / result^(ord-1)",), saves_out=True,
          jvps=(T.vector_norm,))
# at::norm(self, p, dim, keepdim), as ATen's composites call it (pairwise_distance): the same kernel and rules
NORM_DIM = Op("NormBackward1", lambda x, ord, dim, keepdim: vector_norm(x, ord, dim, keepdim),
              (_norm_grad,), ("norm_backward(grad, self, p, result, dim, keepdim)",), saves_out=True,
              jvps=(T.vector_norm,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entry)

declare_rest(globals(), LOOP)       # line by line


# at::empty of the shape holds a norm's result: row-major (engine/layouts.py).
lay_out(row_major, NORM, NORM_DIM)
