"""scaled_dot_product_attention's two CPU paths. The math path's at::_safe_softmax
(SafeSoftmaxBackward0): softmax's kernel, then 0 along a row whose every score is -inf (a row
masked whole), where softmax gives NaN; its gradient is softmax's (_softmax_backward_data of the
result: 0 on such a row). The flash-attention CPU kernel (ScaledDotProductFlashAttentionForCpuBackward0),
one op of query, key and value, in its steps: q @ k.T, the causal -inf, times the scale plus the
mask, exp(s - row max), e @ v times 1 / the row sum (a row masked whole gives 0); its backward
recomputes the weights from the logsumexp. Its values equal PyTorch's to rounding (its products
and exp are vectorized); PyTorch cannot differentiate its backward, nor run it forward-mode."""
from __future__ import annotations

from ..backend import arange, setitem, swapaxes, xp
from ..op import Op, forward_ad_not_implemented, no_derivative
from ..tensor import Tensor, apply, data
from . import tangents as T
from .nn import _softmax, softmax_backward
from .pointwise import masked_fill, mul, sub


def _masked_rows(x, dim):
    return xp.all(x == -float("inf"), axis=dim, keepdims=True) if x.ndim else x == -float("inf")


def _safe_softmax(x, dim):
    out = _softmax(x, dim)
    return xp.where(_masked_rows(x, dim), xp.zeros_like(out), out)


def _tangent(t, out, x, dim):
    """softmax's: result * (t - logsumexp_jvp), 0 on a row masked whole (its result's 0)."""
    part = mul(out, sub(t, T.logsumexp(t, x, (dim,), True)))
    return masked_fill(part, _masked_rows(data(x), dim), 0)


SAFE_SOFTMAX = Op("SafeSoftmaxBackward0", _safe_softmax,
                  (lambda g, out, x, dim: softmax_backward(g, out, dim),),
                  ("_softmax_backward_data(grad, result, dim, self.scalar_type())",), saves_out=True, reads=((),),
                  jvps=(_tangent,))



# ------------------------------------------------------------------------ flash attention (CPU)
def _scores(q, k, mask, is_causal, scale):
    """q @ k.T with the causal -inf (above the diagonal, from the top left), times the scale, plus the mask."""
    s = xp.matmul(q, swapaxes(k, -1, -2))
    if is_causal:
        rows, cols = s.shape[-2:]
        s = xp.where(_above(rows, cols), xp.full_like(s, -float("inf")), s)
    s = s * scale       # (a float32 score times the scale as a float32, the kernel's accum_t)
    return s if mask is None else s + xp.astype(mask, s.dtype)


def _above(rows, cols):
    """The causal mask's cells: above the diagonal, counted from the top left."""
    return arange(cols)[None, :] > arange(rows)[:, None]


def _repeated(t, heads):
    """Grouped-query attention: each key or value head serving heads // its heads query heads."""
    b, h, n, d = t.shape
    if h == heads:
        return t
    return xp.reshape(xp.broadcast_to(t[:, :, None], (b, h, heads // h, n, d)), (b, heads, n, d))


def _summed_groups(g, heads):
    b, h, n, d = g.shape
    return g if h == heads else xp.sum(xp.reshape(g, (b, heads, h // heads, n, d)), axis=2)


def _flash_both(q, k, v, mask, is_causal, scale):
    """(output, logsumexp)."""
    k, v = _repeated(k, q.shape[1]), _repeated(v, q.shape[1])
    s = _scores(q, k, mask, is_causal, scale)
    top = xp.max(s, axis=-1, keepdims=True)
    dead = top == -float("inf")
    top = xp.where(dead, xp.zeros_like(top), top)
    e = xp.exp(s - top)
    total = xp.sum(e, axis=-1, keepdims=True)
    total = xp.where(total == 0, xp.ones_like(total), total)
    out = xp.matmul(e, v) * (1 / total)
    return out, top + xp.log(total)


def _flash(q, k, v, mask=None, is_causal=False, scale=1.0):
    """The output laid out as the query is (PyTorch's empty_like(query)): MultiheadAttention's
    permute of it is then a view, or a copy, as there."""
    out = xp.empty_like(q)
    setitem(out, (...,), _flash_both(q, k, v, mask, is_causal, scale)[0])
    return out


def _flash_grads(g, q, k, v, mask, is_causal, scale):
    """cpu_flash_attention_backward's steps: (grad_q, grad_k, grad_v); a key's and value's grouped heads summed."""
    out, lse = _flash_both(q, k, v, mask, is_causal, scale)
    kv_heads = k.shape[1]
    k, v = _repeated(k, q.shape[1]), _repeated(v, q.shape[1])
    dsum = xp.sum(g * out, axis=-1, keepdims=True)
    s = xp.matmul(q, swapaxes(k, -1, -2)) * scale
    if mask is not None:
        s = s + xp.astype(mask, s.dtype)
    attn = xp.exp(s - lse)
    if is_causal:
        attn = xp.where(_above(*s.shape[-2:]), xp.zeros_like(attn), attn)
    grad_v = xp.matmul(swapaxes(attn, -1, -2), g)
    grad_attn = attn * (xp.matmul(g, swapaxes(v, -1, -2)) - dsum)
    grad_q = xp.matmul(grad_attn, k) * scale
    grad_k = xp.matmul(swapaxes(grad_attn, -1, -2), q) * scale
    return grad_q, _summed_groups(grad_k, kv_heads), _summed_groups(grad_v, kv_heads)


def _flash_rule(which):
    def rule(g, out, q, k, v, mask=None, is_causal=False, scale=1.0):
        if type(g) is Tensor:       # (PyTorch cannot differentiate it again: a NotImplemented node)
            return apply(FLASH_GRAD, g, q, k, v, which=which, mask=mask, is_causal=is_causal, scale=scale)
        return _flash_grads(g, data(q), data(k), data(v), mask, is_causal, scale)[which]
    return rule


_no_forward = forward_ad_not_implemented("_scaled_dot_product_flash_attention_for_cpu", tail="")


_NOT_TWICE = no_derivative("_scaled_dot_product_flash_attention_for_cpu_backward")
FLASH = Op("ScaledDotProductFlashAttentionForCpuBackward0", _flash,
           (_flash_rule(0), _flash_rule(1), _flash_rule(2)),
           ("_scaled_dot_product_flash_attention_for_cpu_backward(grad, query, key, value, output, logsumexp, ...)",)
           * 3, saves_out=True, jvps=(_no_forward,) * 3)
FLASH_GRAD = Op("NotImplemented",
                lambda g, q, k, v, which, mask=None, is_causal=False, scale=1.0:
                _flash_grads(g, q, k, v, mask, is_causal, scale)[which],
                (_NOT_TWICE,) * 4, ("not implemented",) * 4, jvps=(_no_forward,) * 4)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entry)

declare_rest(globals(), LOOP)       # line by line
