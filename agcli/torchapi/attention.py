"""F.scaled_dot_product_attention as ATen's attention.cpp runs it on the CPU: validate_sdpa_input's
checks and words, a boolean mask turned into 0 and -inf in the query's dtype, then the backend
sdp_utils_cpp picks. The flash-attention kernel (ScaledDotProductFlashAttentionForCpuBackward0)
when query, key and value are 4-dim with the same batch, heads and head size, no dropout, and a
mask (if any) of 2 or 4 dims that broadcasts without a gradient; else the math path, composed as
_scaled_dot_product_attention_math composes it: query and the key's transpose each times
sqrt(scale) (MulBackward1), matmul, the mask added (AddBackward0), _safe_softmax, dropout, matmul."""
from __future__ import annotations

import math

from ..engine import backend as B
from ..engine.ops import attention as AT
from ..engine.ops.pointwise import MUL_SCALAR
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .arithmetic import add
from .checks import fail, ndim_of, requires_grad, shape_of, tensors_only
from .dropout import dropout
from .linalg import matmul
from .shaping import transpose
from .stacking import repeat_interleave

_NAME = "scaled_dot_product_attention"


def _typed(name, value, kind, types, none=False):
    if (value is None and none) or type(value) in types:
        return value
    fail(f"{_NAME}(): argument '{name}' must be {kind}, not {python_type_name(value)}", "type")


def _dtype_text(a) -> str:
    """PyTorch's dtype words in validate_sdpa_input (float, double, long int, c10::Half, bool)."""
    name = B.dtype_name(data(a).dtype)
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "int16": "short int", "int8": "signed char", "uint8": "unsigned char"
            }.get(name, name)


def _validate(query, key, value, attn_mask):
    dq, dk, dv = (data(t).dtype for t in (query, key, value))
    if not dq == dk == dv:
        fail("Expected query, key, and value to have the same dtype, but got query.dtype: "
             f"{_dtype_text(query)} key.dtype: {_dtype_text(key)} and value.dtype: {_dtype_text(value)} instead.")
    n = (ndim_of(query), ndim_of(key), ndim_of(value))
    if min(n) < 2:
        fail("Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
             f"{n[0]} key.dim: {n[1]} and value.dim: {n[2]} instead.")
    if attn_mask is not None:
        dm = B.dtype_name(data(attn_mask).dtype)
        if dm not in ("bool", "float32") and data(attn_mask).dtype != dq:
            fail("Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: "
                 f"{_dtype_text(attn_mask)} and  query.dtype: {_dtype_text(query)} instead.")


def _converted(attn_mask, query):
    """convert_boolean_attn_mask: a bool mask as 0 where True, -inf where False, in the query's dtype."""
    if attn_mask is None or B.dtype_name(data(attn_mask).dtype) != "bool":
        return attn_mask
    a = data(attn_mask)
    zero = B.xp.zeros_like(data(attn_mask), dtype=data(query).dtype)
    return Tensor(B.xp.where(a, zero, B.xp.full_like(zero, -float("inf"))), device=query.device)


def _last_stride_one(t) -> bool:
    try:
        return not shape_of(t) or B.strides(data(t))[-1] == 1 or shape_of(t)[-1] == 1
    except (AttributeError, TypeError):        # (a backend without strides: contiguous)
        return True


def _flash_fits(query, key, value, mask, dropout_p, enable_gqa) -> bool:
    """sdp_utils_cpp's use_flash_attention_cpp (dropout_p > 0 refused; a negative one reaches the kernel;
    grouped heads with enable_gqa: key and value with as many heads, dividing the query's)."""
    shapes = [shape_of(t) for t in (query, key, value)]
    if dropout_p > 0 or any(len(s) != 4 for s in shapes):
        return False
    q, k, v = shapes
    heads = q[1] == k[1] == v[1] or enable_gqa and k[1] == v[1] and k[1] and q[1] % k[1] == 0
    if not (q[0] == k[0] == v[0] and heads and q[3] == k[3] == v[3]):
        return False
    if mask is not None:
        m = shape_of(mask)
        if requires_grad(mask) or len(m) not in (2, 4) or m[-2] not in (q[2], 1) or m[-1] not in (k[2], 1):
            return False
        if len(m) == 4 and (m[0] not in (1, q[0]) or m[1] not in (1, q[1])):
            return False
    if not (q[2] and k[2] and q[3]):
        return False
    return all(_last_stride_one(t) for t in (query, key, value)) and \
        B.dtype_name(data(query).dtype) in ("float32", "float64", "float16", "bfloat16")


def _scale_of(query, scale) -> float:
    """sdp::calculate_scale: the scale given, or 1 / sqrt(the head size)."""
    return scale if scale is not None else 1.0 / math.sqrt(shape_of(query)[-1])


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    tensors_only(_NAME, query=query, key=key, value=value)
    _typed("attn_mask", attn_mask, "Tensor", (Tensor,), none=True)
    dropout_p = float(_typed("dropout_p", dropout_p, "float", (int, float, bool)))
    _typed("is_causal", is_causal, "bool", (bool,))
    scale = _typed("scale", scale, "float", (int, float, bool), none=True)
    _typed("enable_gqa", enable_gqa, "bool", (bool,))
    _validate(query, key, value, attn_mask)
    mask = _converted(attn_mask, query)
    if _flash_fits(query, key, value, mask, dropout_p, enable_gqa):
        if dropout_p != 0:
            fail("scaled_dot_product_attention_flash_attention: Currently do not support dropout > 0")
        return apply(AT.FLASH, query, key, value, mask=None if mask is None else data(mask), is_causal=is_causal,
                     scale=float(_scale_of(query, scale)))
    return _math(query, key, value, mask, dropout_p, is_causal, scale, enable_gqa)


def _grouped(query, key, value):
    """pre_process_group_query_attention_input: key and value's heads repeated to the query's."""
    hq, hk, hv = (shape_of(t)[-3] for t in (query, key, value))
    if hq == hk == hv:
        return key, value
    if hq % hk or hq % hv:
        fail("Number of heads in key and value must divide the number of heads in ")
    return repeat_interleave(key, hq // hk, -3), repeat_interleave(value, hq // hv, -3)


def _math(query, key, value, mask, dropout_p, is_causal, scale, enable_gqa):
    """_scaled_dot_product_attention_math, step by step."""
    if B.kind(data(query).dtype) != "f":        # (q * scale is float: the last matmul meets the integer value)
        fail(f"expected scalar type Float but found {torch_type_name(data(value).dtype)}")
    negative = scale is not None and scale < 0
    factor = math.sqrt(_scale_of(query, abs(scale) if negative else scale))
    q = apply(MUL_SCALAR, query, 0.0 - factor if negative else factor)
    if is_causal:
        if mask is not None:
            fail("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
        rows, cols = shape_of(q)[-2], shape_of(key)[-2]
        below = B.arange(cols)[None, :] <= B.arange(rows)[:, None]
        mask = _converted(Tensor(below, device=query.device), query)
    if enable_gqa and ndim_of(query) >= 3 and ndim_of(key) >= 3 and ndim_of(value) >= 3:
        key, value = _grouped(query, key, value)
    attn = matmul(q, apply(MUL_SCALAR, transpose(key, -2, -1), factor))
    if mask is not None:
        attn = add(attn, mask)
    attn = apply(AT.SAFE_SOFTMAX, attn, dim=ndim_of(attn) - 1)
    if dropout_p > 0.0:
        if dropout_p > 1:       # (at::dropout's check, a RuntimeError: F.dropout's is a ValueError)
            fail(f"dropout probability has to be between 0 and 1, but got {dropout_p:g}")
        attn = dropout(attn, dropout_p, True)
    return matmul(attn, value)


FUNCTIONS = {"scaled_dot_product_attention": scaled_dot_product_attention}
