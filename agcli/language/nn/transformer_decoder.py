"""torch.nn.TransformerDecoderLayer, TransformerDecoder and Transformer as torch/nn/modules/transformer.py
writes them: the children in PyTorch's order (self_attn, multihead_attn, linear1, dropout, linear2, norm1-3,
dropout1-3), so that a seeded program draws PyTorch's numbers; Transformer's encoder and decoder (or the
custom ones), then xavier_uniform_ on each parameter of two dimensions or more, in parameters() order, as
its _reset_parameters does; its checks of src and tgt, and generate_square_subsequent_mask."""
from __future__ import annotations

from ...torchapi import arithmetic as A
from ...torchapi import creation as C
from ...torchapi import multihead as MH
from ...torchapi import nn_init
from ...torchapi.triangles import triu
from ...errors import AgcliError
from ..program_classes import instantiate
from ..program_copy import deepcopy
from ..program_objects import StaticMethod
from .attention import MultiheadAttention
from .containers import ModuleList
from .layers import Dropout, Linear, functional
from .module import Module
from .native import NativeMethod, call, native_class, program
from .normalization import LayerNorm
from .transformer import (TransformerEncoder, TransformerEncoderLayer, _causal, _set, attention_block,
                          feed_forward_block)


def _activation(activation):
    """_get_activation_fn: F.relu or F.gelu for their names; a function or module as it is."""
    if isinstance(activation, str):
        if activation not in ("relu", "gelu"):
            raise AgcliError(f"activation should be relu/gelu, not {activation}")
        return functional(activation)
    return activation


class TransformerDecoderLayer(Module):
    @program("__init__")
    def init(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
             batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        factory = {"device": device, "dtype": dtype}
        Module.init(self)
        attention = {"dropout": dropout, "batch_first": batch_first, "bias": bias, **factory}
        _set(self, self_attn=instantiate(MultiheadAttention, (d_model, nhead), attention))
        _set(self, multihead_attn=instantiate(MultiheadAttention, (d_model, nhead), attention))
        _set(self, linear1=instantiate(Linear, (d_model, dim_feedforward), {"bias": bias, **factory}))
        _set(self, dropout=instantiate(Dropout, (dropout,), {}))
        _set(self, linear2=instantiate(Linear, (dim_feedforward, d_model), {"bias": bias, **factory}))
        _set(self, norm_first=norm_first)
        for name in ("norm1", "norm2", "norm3"):
            _set(self, **{name: instantiate(LayerNorm, (d_model,), {"eps": layer_norm_eps, "bias": bias, **factory})})
        for name in ("dropout1", "dropout2", "dropout3"):
            _set(self, **{name: instantiate(Dropout, (dropout,), {})})
        _set(self, activation=_activation(activation))

    @program("forward")
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        modules = self.__dict__["_modules"]
        x = tgt
        if self.__dict__["norm_first"]:
            x = A.add(x, call(self, "_sa_block", modules["norm1"](x), tgt_mask, tgt_key_padding_mask,
                              tgt_is_causal))
            x = A.add(x, call(self, "_mha_block", modules["norm2"](x), memory, memory_mask,
                              memory_key_padding_mask, memory_is_causal))
            x = A.add(x, call(self, "_ff_block", modules["norm3"](x)))
        else:
            x = modules["norm1"](A.add(x, call(self, "_sa_block", x, tgt_mask, tgt_key_padding_mask,
                                               tgt_is_causal)))
            x = modules["norm2"](A.add(x, call(self, "_mha_block", x, memory, memory_mask,
                                               memory_key_padding_mask, memory_is_causal)))
            x = modules["norm3"](A.add(x, call(self, "_ff_block", x)))
        return x

    @program("_sa_block")
    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        return attention_block(self, "self_attn", "dropout1", x, x, attn_mask, key_padding_mask, is_causal)

    @program("_mha_block")
    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        return attention_block(self, "multihead_attn", "dropout2", x, mem, attn_mask, key_padding_mask, is_causal)

    @program("_ff_block")
    def _ff_block(self, x):
        return feed_forward_block(self, x, "dropout3")


def _seq_len(tgt, batch_first):
    """_get_seq_len: the sequence's length, by the layout of a batched or unbatched input."""
    shape = MH.shape_of(tgt)
    return shape[0] if len(shape) == 2 else shape[1 if batch_first else 0]


class TransformerDecoder(Module):
    @program("__init__")
    def init(self, decoder_layer, num_layers, norm=None):
        Module.init(self)
        _set(self, layers=instantiate(ModuleList, ([deepcopy(decoder_layer) for _ in range(num_layers)],), {}))
        _set(self, num_layers=num_layers, norm=norm)

    @program("forward")
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        layers = list(self.__dict__["_modules"]["layers"].__dict__["_modules"].values())
        if not layers:      # (PyTorch reads self.layers[0] first)
            raise AgcliError("index 0 is out of range", kind="index")
        batch_first = layers[0].__dict__["_modules"]["self_attn"].__dict__["batch_first"]
        tgt_is_causal = _causal(tgt_mask, tgt_is_causal, _seq_len(tgt, batch_first))
        output = tgt
        for layer in layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        norm = self.__dict__["_modules"].get("norm")
        return output if norm is None else norm(output)


def generate_square_subsequent_mask(sz, device=None, dtype=None):
    """Transformer.generate_square_subsequent_mask: -inf above the diagonal, 0 on and below it."""
    return triu(C.full((sz, sz), float("-inf"), dtype=dtype, device=device), 1)


class Transformer(Module):
    @program("__init__")
    def init(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
             dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
             batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        factory = {"device": device, "dtype": dtype}
        Module.init(self)
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first,
                      bias)
        norm_args = {"eps": layer_norm_eps, "bias": bias, **factory}
        for name, custom, layer_class, stack_class, count in (
                ("encoder", custom_encoder, TransformerEncoderLayer, TransformerEncoder, num_encoder_layers),
                ("decoder", custom_decoder, TransformerDecoderLayer, TransformerDecoder, num_decoder_layers)):
            if custom is None:      # (a layer, then the norm, then the stack: PyTorch's order of draws)
                layer = instantiate(layer_class, layer_args, factory)
                norm = instantiate(LayerNorm, (d_model,), norm_args)
                custom = instantiate(stack_class, (layer, count, norm), {})
            _set(self, **{name: custom})
        for p in call(self, "parameters"):      # _reset_parameters
            if p.data.ndim > 1:
                nn_init.xavier_uniform_(p)
        _set(self, d_model=d_model, nhead=nhead, batch_first=batch_first)

    @program("forward")
    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        src_shape, tgt_shape = MH.shape_of(src), MH.shape_of(tgt)
        batch = 0 if self.__dict__["batch_first"] else 1
        if len(src_shape) == 3 and src_shape[batch] != tgt_shape[batch]:
            raise AgcliError("the batch number of src and tgt must be equal")
        if src_shape[-1] != self.__dict__["d_model"] or tgt_shape[-1] != self.__dict__["d_model"]:
            raise AgcliError("the feature number of src and tgt must be equal to d_model")
        modules = self.__dict__["_modules"]
        memory = modules["encoder"](src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                                    is_causal=src_is_causal)
        return modules["decoder"](tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                                  tgt_key_padding_mask=tgt_key_padding_mask,
                                  memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                                  memory_is_causal=memory_is_causal)


for _cls in (TransformerDecoderLayer, TransformerDecoder, Transformer):
    native_class(_cls, "torch.nn.modules.transformer")
Transformer._ns["generate_square_subsequent_mask"] = StaticMethod(NativeMethod(
    generate_square_subsequent_mask, "generate_square_subsequent_mask", "Transformer.generate_square_subsequent_mask"))

DECODERS = {"TransformerDecoderLayer": TransformerDecoderLayer, "TransformerDecoder": TransformerDecoder,
            "Transformer": Transformer}
