"""torch.nn.MultiheadAttention as torch/nn/modules/activation.py writes it: its attributes and checks,
its parameters in PyTorch's order (in_proj_weight or q/k/v_proj_weight, in_proj_bias, out_proj, a
NonDynamicallyQuantizableLinear, then bias_k and bias_v) drawn as PyTorch draws them (out_proj's own
Linear initialisation first, then _reset_parameters: xavier_uniform_, constant_ 0, xavier_normal_),
and its forward: masks made canonical, batch_first's transposes, F.multi_head_attention_forward
(torchapi/multihead.py). PyTorch's fast path (evaluation without gradients, batch_first, self-
attention: torch._native_multi_head_attention) is run as the ordinary path: its values to rounding.
"""
from __future__ import annotations

from ...errors import AgcliError
from ...torchapi import creation as C
from ...torchapi import multihead as MH
from ...torchapi import nn_init
from ...torchapi.shaping import transpose
from ..program_classes import instantiate
from .layers import Linear
from .module import Module
from .native import call, native_class, program
from .parameter import parameter


class NonDynamicallyQuantizableLinear(Linear):
    pass


def _set(self, **attributes):
    for name, value in attributes.items():
        Module.program_setattr(self, name, value)


class MultiheadAttention(Module):
    @program("__init__")
    def init(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False, kdim=None,
             vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise AgcliError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead", kind="value")
        Module.init(self)
        kdim = kdim if kdim is not None else embed_dim
        vdim = vdim if vdim is not None else embed_dim
        same = kdim == embed_dim and vdim == embed_dim
        _set(self, embed_dim=embed_dim, kdim=kdim, vdim=vdim, _qkv_same_embed_dim=same, num_heads=num_heads,
             dropout=dropout, batch_first=batch_first, head_dim=embed_dim // num_heads)
        if (embed_dim // num_heads) * num_heads != embed_dim:
            raise AgcliError("embed_dim must be divisible by num_heads", kind="assert")
        factory = {"device": device, "dtype": dtype}
        if not same:
            _set(self, q_proj_weight=parameter(C.empty((embed_dim, embed_dim), **factory)),
                 k_proj_weight=parameter(C.empty((embed_dim, kdim), **factory)),
                 v_proj_weight=parameter(C.empty((embed_dim, vdim), **factory)))
            Module.register_parameter(self, "in_proj_weight", None)
        else:
            _set(self, in_proj_weight=parameter(C.empty((3 * embed_dim, embed_dim), **factory)))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                Module.register_parameter(self, name, None)
        if bias:
            _set(self, in_proj_bias=parameter(C.empty(3 * embed_dim, **factory)))
        else:
            Module.register_parameter(self, "in_proj_bias", None)
        _set(self, out_proj=instantiate(NonDynamicallyQuantizableLinear, (embed_dim, embed_dim),
                                        {"bias": bias, **factory}))
        if add_bias_kv:
            _set(self, bias_k=parameter(C.empty((1, 1, embed_dim), **factory)),
                 bias_v=parameter(C.empty((1, 1, embed_dim), **factory)))
        else:
            _set(self, bias_k=None, bias_v=None)
        _set(self, add_zero_attn=add_zero_attn)
        call(self, "_reset_parameters")      # (a subclass's own, as PyTorch's self._reset_parameters())

    @program("_reset_parameters")
    def _reset_parameters(self):
        params = self.__dict__["_parameters"]
        if self.__dict__["_qkv_same_embed_dim"]:
            nn_init.xavier_uniform_(params["in_proj_weight"])
        else:
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                nn_init.xavier_uniform_(params[name])
        if params["in_proj_bias"] is not None:
            nn_init.constant_(params["in_proj_bias"], 0.0)
            nn_init.constant_(self.__dict__["_modules"]["out_proj"].__dict__["_parameters"]["bias"], 0.0)
        for name in ("bias_k", "bias_v"):
            if params.get(name) is not None:
                nn_init.xavier_normal_(params[name])

    @program("forward")
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        own, params = self.__dict__, self.__dict__["_parameters"]
        is_batched = MH.ndim_of(query) == 3
        target = MH.data(query).dtype
        key_padding_mask = MH.canonical_mask(key_padding_mask, "key_padding_mask", MH.dtype_or_none(attn_mask),
                                             "attn_mask", target)
        attn_mask = MH.canonical_mask(attn_mask, "attn_mask", None, "", target, check_other=False)
        if own["batch_first"] and is_batched:       # (keeping `key is value` and `query is key` as they were)
            if key is value:
                if query is key:
                    query = key = value = transpose(query, 1, 0)
                else:
                    query, key = transpose(query, 1, 0), transpose(key, 1, 0)
                    value = key
            else:
                query, key, value = (transpose(x, 1, 0) for x in (query, key, value))
        out_proj = own["_modules"]["out_proj"].__dict__["_parameters"]
        separate = {} if own["_qkv_same_embed_dim"] else {
            "use_separate_proj_weight": True, "q_proj_weight": params["q_proj_weight"],
            "k_proj_weight": params["k_proj_weight"], "v_proj_weight": params["v_proj_weight"]}
        out, weights = MH.multi_head_attention_forward(
            query, key, value, own["embed_dim"], own["num_heads"], params["in_proj_weight"], params["in_proj_bias"],
            params.get("bias_k", own.get("bias_k")), params.get("bias_v", own.get("bias_v")), own["add_zero_attn"],
            own["dropout"], out_proj["weight"], out_proj["bias"], training=own["training"],
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            average_attn_weights=average_attn_weights, is_causal=is_causal, **separate)
        if own["batch_first"] and is_batched:
            return transpose(out, 1, 0), weights
        return out, weights


native_class(NonDynamicallyQuantizableLinear, "torch.nn.modules.linear")
native_class(MultiheadAttention, "torch.nn.modules.activation")

ATTENTION = {"MultiheadAttention": MultiheadAttention}
