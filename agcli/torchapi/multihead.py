"""F.multi_head_attention_forward as torch/nn/functional.py writes it, step for step, so that the
graph is PyTorch's node for node: the packed in-projection (one linear for self-attention, its
output unflattened, transposed and split by select; a q and a kv linear when only key is value;
three chunks otherwise), the heads as views, then either the weights' path (baddbmm or bmm of
q * sqrt(1 / head_dim), softmax, dropout, bmm; the weights averaged over the heads) or, when no
weights are wanted, scaled_dot_product_attention; then out_proj's linear. Its checks raise
PyTorch's AssertionError and RuntimeError texts; masks are made canonical as _canonical_mask does."""
from __future__ import annotations

import math

from ..engine import backend as B
from ..engine.tensor import Tensor, data
from ..state import state
from . import creation as C
from .arithmetic import add, mul
from .attention import scaled_dot_product_attention
from .checks import fail, ndim_of, shape_of
from .dropout import dropout
from .indexing import select
from .linalg import bmm, linear
from .nn import softmax
from .padding import pad
from .pieces import chunk, split
from .products import baddbmm
from .reductions import mean
from .shaping import (cat, contiguous, expand, permute, repeat, reshape, squeeze, transpose, unflatten, unsqueeze,
                      view)


def _size(shape) -> str:
    return "torch.Size([" + ", ".join(map(str, shape)) + "])"


def _assert(ok, message):
    if not ok:
        fail(message, "assert")


def shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """_mha_shape_check: is the input batched (3-D) or not (2-D)."""
    dq, dk, dv = ndim_of(query), ndim_of(key), ndim_of(value)
    if dq not in (2, 3):
        fail(f"query should be unbatched 2D or batched 3D tensor but received {dq}-D query tensor", "assert")
    batched = dq == 3
    words = "batched (3-D)" if batched else "unbatched (2-D)"
    _assert(dk == dq and dv == dq, f"For {words} `query`, expected `key` and `value` to be {dq}-D but found "
                                   f"{dk}-D and {dv}-D tensors respectively")
    if key_padding_mask is not None:
        d = ndim_of(key_padding_mask)
        _assert(d == dq - 1, f"For {words} `query`, expected `key_padding_mask` to be `None` or {dq - 1}-D but "
                             f"found {d}-D tensor instead")
    if attn_mask is not None:
        d = ndim_of(attn_mask)
        _assert(d in (2, 3), f"For {words} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                             f"{d}-D tensor instead")
        if not batched and d == 3:
            expected = (num_heads, shape_of(query)[0], shape_of(key)[0])
            _assert(shape_of(attn_mask) == expected,
                    f"Expected `attn_mask` shape to be {expected} but got {_size(shape_of(attn_mask))}")
    return batched


def canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """_canonical_mask: a bool mask as 0 and -inf in the target dtype (a float mask as it is)."""
    if mask is None:
        return None
    kind = B.kind(data(mask).dtype)
    is_bool = B.dtype_name(data(mask).dtype) == "bool"
    if not is_bool and kind != "f":
        fail(f"only bool and floating types of {mask_name} are supported", "assert")
    if check_other and other_type is not None and data(mask).dtype != other_type:
        state.warn(f"UserWarning: Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
                   "for both instead.")
    if kind != "f":     # (zeros_like(mask, dtype=target).masked_fill_(mask, -inf): no gradient)
        zero = B.xp.zeros_like(data(mask), dtype=target_type)
        mask = Tensor(B.xp.where(data(mask), B.xp.full_like(zero, -float("inf")), zero), device=mask.device)
    return mask


def dtype_or_none(t):
    return None if t is None else data(t).dtype


def _in_projection_packed(q, k, v, w, b):
    E = shape_of(q)[-1]
    if k is v:
        if q is k:      # self-attention: one linear
            proj = linear(q, w, b)
            proj = contiguous(squeeze(transpose(unsqueeze(unflatten(proj, -1, (3, E)), 0), 0, -2), -2))
            return select(proj, 0, 0), select(proj, 0, 1), select(proj, 0, 2)
        w_q, w_kv = split(w, [E, E * 2])
        b_q, b_kv = (None, None) if b is None else split(b, [E, E * 2])
        q_proj = linear(q, w_q, b_q)
        kv_proj = linear(k, w_kv, b_kv)
        kv_proj = contiguous(squeeze(transpose(unsqueeze(unflatten(kv_proj, -1, (2, E)), 0), 0, -2), -2))
        return q_proj, select(kv_proj, 0, 0), select(kv_proj, 0, 1)
    w_q, w_k, w_v = chunk(w, 3)
    b_q, b_k, b_v = (None, None, None) if b is None else chunk(b, 3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _heads(t, rows, bsz, num_heads, head_dim, static, name):
    """(rows, bsz, E) -> (bsz * heads, rows, head_dim); a static key or value as given, checked."""
    if static is None:
        return transpose(view(t, (rows, bsz * num_heads, head_dim)), 0, 1)
    s = shape_of(static)
    _assert(s[0] == bsz * num_heads, f"expecting {name}.size(0) of {bsz * num_heads}, but got {s[0]}")
    _assert(s[2] == head_dim, f"expecting {name}.size(2) of {head_dim}, but got {s[2]}")
    return static


def _checked_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads):
    d = ndim_of(attn_mask)
    if d == 2:
        if shape_of(attn_mask) != (tgt_len, src_len):
            fail(f"The shape of the 2D attn_mask is {_size(shape_of(attn_mask))}, but should be "
                 f"{(tgt_len, src_len)}.")
        return unsqueeze(attn_mask, 0)
    if d == 3:
        if shape_of(attn_mask) != (bsz * num_heads, tgt_len, src_len):
            fail(f"The shape of the 3D attn_mask is {_size(shape_of(attn_mask))}, but should be "
                 f"{(bsz * num_heads, tgt_len, src_len)}.")
        return attn_mask
    fail(f"attn_mask's dimension {d} is not supported")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    is_batched = shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = unsqueeze(query, 1), unsqueeze(key, 1), unsqueeze(value, 1)
        if key_padding_mask is not None:
            key_padding_mask = unsqueeze(key_padding_mask, 0)
    tgt_len, bsz, embed_dim = shape_of(query)
    src_len = shape_of(key)[0]
    target = data(query).dtype
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask", dtype_or_none(attn_mask), "attn_mask",
                                      target)
    if is_causal and attn_mask is None:
        fail("Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
             "`generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None        # (scaled_dot_product_attention makes the causal mask itself)
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", target, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    _assert(embed_dim == embed_dim_to_check,
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    _assert(head_dim * num_heads == embed_dim, f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        _assert(shape_of(key)[:2] == shape_of(value)[:2], f"key's sequence and batch dims "
                f"{_size(shape_of(key)[:2])} do not match value's {_size(shape_of(value)[:2])}")
    else:
        _assert(shape_of(key) == shape_of(value),
                f"key shape {_size(shape_of(key))} does not match value shape {_size(shape_of(value))}")
    if not use_separate_proj_weight:
        _assert(in_proj_weight is not None, "use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            _assert(w is not None, f"use_separate_proj_weight is True but {name}_proj_weight is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else chunk(in_proj_bias, 3)
        q, k, v = (linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k),
                   linear(value, v_proj_weight, b_v))
    if attn_mask is not None:
        attn_mask = _checked_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads)
    if bias_k is not None and bias_v is not None:
        _assert(static_k is None, "bias cannot be added to static key.")
        _assert(static_v is None, "bias cannot be added to static value.")
        k = cat([k, repeat(bias_k, 1, bsz, 1)])
        v = cat([v, repeat(bias_v, 1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    else:
        _assert(bias_k is None, "bias_k is set but bias_v is None")
        _assert(bias_v is None, "bias_v is set but bias_k is None")
    q = transpose(view(q, (tgt_len, bsz * num_heads, head_dim)), 0, 1)
    k = _heads(k, shape_of(k)[0], bsz, num_heads, head_dim, static_k, "static_k")
    v = _heads(v, shape_of(v)[0], bsz, num_heads, head_dim, static_v, "static_v")
    if add_zero_attn:
        zeros = (bsz * num_heads, 1, head_dim)
        k = cat([k, C.zeros(zeros, dtype=B.dtype_name(data(k).dtype))], 1)
        v = cat([v, C.zeros(zeros, dtype=B.dtype_name(data(v).dtype))], 1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = shape_of(k)[1]
    if key_padding_mask is not None:
        s = shape_of(key_padding_mask)
        _assert(s[0] == bsz, f"Expected key_padded_mask.shape[0] to be {bsz}, but got {s[0]}")
        _assert(s[1] == src_len, f"Expected key_padded_mask.shape[1] to be {src_len}, but got {s[1]}")
        key_padding_mask = reshape(expand(view(key_padding_mask, (bsz, 1, 1, src_len)), (-1, num_heads, -1, -1)),
                                   (bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else add(attn_mask, key_padding_mask)
    if not training:
        dropout_p = 0.0
    if need_weights:
        return _with_weights(q, k, v, attn_mask, is_causal, dropout_p, out_proj_weight, out_proj_bias, tgt_len, bsz,
                             embed_dim, num_heads, src_len, average_attn_weights, is_batched)
    if attn_mask is not None:
        if shape_of(attn_mask)[0] == 1 and ndim_of(attn_mask) == 3:
            attn_mask = unsqueeze(attn_mask, 0)
        else:
            attn_mask = view(attn_mask, (bsz, num_heads, -1, src_len))
    q = view(q, (bsz, num_heads, tgt_len, head_dim))
    k = view(k, (bsz, num_heads, src_len, head_dim))
    v = view(v, (bsz, num_heads, src_len, head_dim))
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = reshape(permute(out, 2, 0, 1, 3), (bsz * tgt_len, embed_dim))
    out = linear(out, out_proj_weight, out_proj_bias)
    out = view(out, (tgt_len, bsz, shape_of(out)[1]))
    return (out if is_batched else squeeze(out, 1)), None


def _with_weights(q, k, v, attn_mask, is_causal, dropout_p, out_proj_weight, out_proj_bias, tgt_len, bsz,
                  embed_dim, num_heads, src_len, average_attn_weights, is_batched):
    E = shape_of(q)[2]
    q_scaled = mul(q, math.sqrt(1.0 / float(E)))
    _assert(not (is_causal and attn_mask is None), "FIXME: is_causal not implemented for need_weights")
    if attn_mask is not None:
        weights = baddbmm(attn_mask, q_scaled, transpose(k, -2, -1))
    else:
        weights = bmm(q_scaled, transpose(k, -2, -1))
    weights = softmax(weights, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    out = bmm(weights, v)
    out = reshape(transpose(out, 0, 1), (tgt_len * bsz, embed_dim))
    out = linear(out, out_proj_weight, out_proj_bias)
    out = view(out, (tgt_len, bsz, shape_of(out)[1]))
    weights = view(weights, (bsz, num_heads, tgt_len, src_len))
    if average_attn_weights:
        weights = mean(weights, 1)
    if not is_batched:
        out, weights = squeeze(out, 1), squeeze(weights, 0)
    return out, weights


FUNCTIONS = {"multi_head_attention_forward": multi_head_attention_forward}
