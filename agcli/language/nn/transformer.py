"""torch.nn.TransformerEncoderLayer and TransformerEncoder as torch/nn/modules/transformer.py writes
them: the children in PyTorch's order (self_attn, linear1, dropout, linear2, norm1, norm2, dropout1,
dropout2), so that a seeded program draws PyTorch's numbers; activation relu or gelu (a name, a
function or a module); norm_first; the masks made canonical; the encoder's copies of its layer, its
warning about nested tensors, its causal mask detection. PyTorch's fast paths (evaluation without
gradients) run as the ordinary path: their values to rounding."""
from __future__ import annotations

from ...state import state
from ...torchapi import arithmetic as A
from ...torchapi import creation as C
from ...torchapi import multihead as MH
from ...torchapi.triangles import triu
from ..program_classes import instantiate
from ..program_copy import deepcopy
from .activations import ACTIVATIONS
from .attention import MultiheadAttention
from .containers import ModuleList
from .layers import Dropout, Linear, functional
from .module import Module
from .native import call, native_class, program
from .normalization import LayerNorm
from ...errors import AgcliError


def _set(self, **attributes):
    for name, value in attributes.items():
        Module.program_setattr(self, name, value)


def _relu_or_gelu(activation) -> int:
    """activation_relu_or_gelu: 1 for relu, 2 for gelu (the function or the module), else 0."""
    name = getattr(activation, "name", None) if not isinstance(activation, Module) else None
    if name in ("relu", "gelu"):
        return 1 if name == "relu" else 2
    for code, cls in ((1, ACTIVATIONS["ReLU"]), (2, ACTIVATIONS["GELU"])):
        if isinstance(activation, cls):
            return code
    return 0


class TransformerEncoderLayer(Module):
    @program("__init__")
    def init(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
             batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        factory = {"device": device, "dtype": dtype}
        Module.init(self)
        _set(self, self_attn=instantiate(MultiheadAttention, (d_model, nhead),
                                         {"dropout": dropout, "bias": bias, "batch_first": batch_first, **factory}))
        _set(self, linear1=instantiate(Linear, (d_model, dim_feedforward), {"bias": bias, **factory}))
        _set(self, dropout=instantiate(Dropout, (dropout,), {}))
        _set(self, linear2=instantiate(Linear, (dim_feedforward, d_model), {"bias": bias, **factory}))
        _set(self, norm_first=norm_first)
        _set(self, norm1=instantiate(LayerNorm, (d_model,), {"eps": layer_norm_eps, "bias": bias, **factory}))
        _set(self, norm2=instantiate(LayerNorm, (d_model,), {"eps": layer_norm_eps, "bias": bias, **factory}))
        _set(self, dropout1=instantiate(Dropout, (dropout,), {}), dropout2=instantiate(Dropout, (dropout,), {}))
        if isinstance(activation, str):
            if activation not in ("relu", "gelu"):
                raise AgcliError(f"activation should be relu/gelu, not {activation}")
            activation = functional(activation)
        _set(self, activation_relu_or_gelu=_relu_or_gelu(activation), activation=activation)

    @program("forward")
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        src_key_padding_mask, src_mask = _canonical_masks(src, src_key_padding_mask, src_mask, "src_mask")
        modules = self.__dict__["_modules"]
        x = src
        if self.__dict__["norm_first"]:
            x = A.add(x, call(self, "_sa_block", modules["norm1"](x), src_mask, src_key_padding_mask,
                              is_causal=is_causal))
            x = A.add(x, call(self, "_ff_block", modules["norm2"](x)))
        else:
            x = modules["norm1"](A.add(x, call(self, "_sa_block", x, src_mask, src_key_padding_mask,
                                               is_causal=is_causal)))
            x = modules["norm2"](A.add(x, call(self, "_ff_block", x)))
        return x

    @program("_sa_block")
    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        return attention_block(self, "self_attn", "dropout1", x, x, attn_mask, key_padding_mask, is_causal)

    @program("_ff_block")
    def _ff_block(self, x):
        return feed_forward_block(self, x, "dropout2")


def attention_block(layer, attention, dropout, x, memory, attn_mask, key_padding_mask, is_causal):
    """A layer's _sa_block (memory: x) or _mha_block: its attention of x to memory, without weights, then dropout."""
    modules = layer.__dict__["_modules"]
    x = modules[attention](x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
    return modules[dropout](x)


def feed_forward_block(layer, x, dropout):
    """A layer's _ff_block: linear2(dropout(activation(linear1(x)))), then dropout."""
    modules = layer.__dict__["_modules"]
    activation = modules.get("activation", layer.__dict__.get("activation"))
    x = modules["linear2"](modules["dropout"](activation(modules["linear1"](x))))
    return modules[dropout](x)


def _canonical_masks(src, key_padding_mask, mask, mask_name):
    """(key padding mask, mask) made canonical in src's dtype, the first checked against the second (F's
    _canonical_mask, as the encoder and its layers call it)."""
    target = MH.data(src).dtype
    key_padding_mask = MH.canonical_mask(key_padding_mask, "src_key_padding_mask", MH.dtype_or_none(mask),
                                         mask_name, target)
    return key_padding_mask, MH.canonical_mask(mask, mask_name, None, "", target, check_other=False)


def _not_fast(layer) -> str:
    """Why the encoder cannot use nested tensors (TransformerEncoder.__init__'s reasons, in its order)."""
    if not isinstance(layer, TransformerEncoderLayer):
        return "encoder_layer was not TransformerEncoderLayer"
    own, modules = layer.__dict__, layer.__dict__["_modules"]
    attn = modules["self_attn"].__dict__
    if own["norm_first"]:
        return "encoder_layer.norm_first was True"
    if not attn["batch_first"]:
        return "encoder_layer.self_attn.batch_first was not True(use batch_first for better inference performance)"
    if not attn["_qkv_same_embed_dim"]:
        return "encoder_layer.self_attn._qkv_same_embed_dim was not True"
    if attn["_parameters"]["in_proj_bias"] is None:
        return "encoder_layer.self_attn was passed bias=False"
    if not own["activation_relu_or_gelu"]:
        return "encoder_layer.activation_relu_or_gelu was not True"
    if modules["norm1"].__dict__["eps"] != modules["norm2"].__dict__["eps"]:
        return "encoder_layer.norm1.eps was not equal to encoder_layer.norm2.eps"
    if attn["num_heads"] % 2 == 1:
        return "encoder_layer.self_attn.num_heads is odd"
    return ""


def _causal(mask, is_causal, size) -> bool:
    """_detect_is_causal_mask: is_causal as given, or whether the mask is the square causal one."""
    if is_causal is None and mask is not None:
        shape = MH.shape_of(mask)
        sz = size if size is not None else shape[-2]
        square = triu(C.full((sz, sz), float("-inf"), dtype=MH.B.dtype_name(MH.data(mask).dtype)), 1)
        return shape == (sz, sz) and bool(MH.B.item(MH.B.xp.all(MH.data(mask) == MH.data(square))))
    return is_causal is True


class TransformerEncoder(Module):
    @program("__init__")
    def init(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        Module.init(self)
        _set(self, layers=instantiate(ModuleList, ([deepcopy(encoder_layer) for _ in range(num_layers)],), {}))
        _set(self, num_layers=num_layers, norm=norm, enable_nested_tensor=enable_nested_tensor,
             use_nested_tensor=enable_nested_tensor, mask_check=mask_check)
        why = _not_fast(encoder_layer)
        if enable_nested_tensor and why:
            state.warn(f"UserWarning: enable_nested_tensor is True, but self.use_nested_tensor is False because {why}")
            _set(self, use_nested_tensor=False)

    @program("forward")
    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        src_key_padding_mask, mask = _canonical_masks(src, src_key_padding_mask, mask, "mask")
        layers = list(self.__dict__["_modules"]["layers"].__dict__["_modules"].values())
        batch_first = layers[0].__dict__["_modules"]["self_attn"].__dict__["batch_first"] if layers else False
        shape = MH.shape_of(src)
        seq_len = shape[0] if len(shape) == 2 else shape[1 if batch_first else 0]
        is_causal = _causal(mask, is_causal, seq_len)
        output = src
        for layer in layers:
            output = layer(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        norm = self.__dict__["_modules"].get("norm")
        return output if norm is None else norm(output)


native_class(TransformerEncoderLayer, "torch.nn.modules.transformer")
native_class(TransformerEncoder, "torch.nn.modules.transformer")

TRANSFORMERS = {"TransformerEncoderLayer": TransformerEncoderLayer, "TransformerEncoder": TransformerEncoder}
