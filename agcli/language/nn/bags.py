"""torch.nn.EmbeddingBag, as torch/nn/modules/sparse.py writes it: its checks, a normal_ weight (drawn
from agcli's copy of PyTorch's generator) with the padding row zeroed, F.embedding_bag in forward,
from_pretrained and its repr."""
from __future__ import annotations

from ...engine.tensor import Tensor
from ...torchapi import creation as C
from ..program_classes import instantiate
from ..program_exceptions import raise_python
from ..program_objects import ClassMethod
from ..program_values import type_name
from .layers import Embedding, functional, init_with
from .module import Module
from .native import NativeMethod, native_class, call, program
from .parameter import parameter


class EmbeddingBag(Module):
    @program("__init__")
    def init(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
             mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
             dtype=None):
        if padding_idx is not None:
            if padding_idx > 0 and padding_idx >= num_embeddings or padding_idx < 0 and padding_idx < -num_embeddings:
                raise_python(AssertionError("padding_idx must be within num_embeddings"))
            if padding_idx < 0:
                padding_idx = num_embeddings + padding_idx
        init_with(self, num_embeddings=num_embeddings, embedding_dim=embedding_dim, max_norm=max_norm,
                  norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, padding_idx=padding_idx)
        if _weight is None:
            weight = C.empty((num_embeddings, embedding_dim), device=device, dtype=dtype)
        elif list(_weight.data.shape) != [num_embeddings, embedding_dim]:
            raise_python(AssertionError("Shape of weight does not match num_embeddings and embedding_dim"))
        else:
            weight = _weight
        Module.program_setattr(self, "weight", parameter(weight))
        if _weight is None:
            call(self, "reset_parameters")
        for name, value in (("mode", mode), ("sparse", sparse), ("include_last_offset", include_last_offset)):
            Module.program_setattr(self, name, value)      # (after the weight, in PyTorch's order)

    reset_parameters = Embedding.reset_parameters      # (normal_, the padding row zeroed: Embedding's own)

    @program("forward")
    def forward(self, input, offsets=None, per_sample_weights=None):
        own = self.__dict__
        return functional("embedding_bag")(input, own["_parameters"]["weight"], offsets, own["max_norm"],
                                           own["norm_type"], own["scale_grad_by_freq"], own["mode"], own["sparse"],
                                           per_sample_weights, own["include_last_offset"], own["padding_idx"])

    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """EmbeddingBag.from_pretrained (a classmethod): a layer whose weight is `embeddings`' storage."""
        if type(embeddings) is not Tensor:
            raise_python(AttributeError(f"'{type_name(embeddings)}' object has no attribute 'dim'"))
        if embeddings.data.ndim != 2:
            raise_python(AssertionError("Embeddings parameter is expected to be 2-dimensional"))
        rows, cols = embeddings.data.shape
        bag = instantiate(cls, (), dict(num_embeddings=rows, embedding_dim=cols, _weight=embeddings,
                                        max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                                        mode=mode, sparse=sparse, include_last_offset=include_last_offset,
                                        padding_idx=padding_idx))
        bag.__dict__["_parameters"]["weight"].requires_grad = not freeze
        return bag

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        text = f"{own['num_embeddings']}, {own['embedding_dim']}"
        if own["max_norm"] is not None:
            text += f", max_norm={own['max_norm']!r}"
        if own["norm_type"] != 2:
            text += f", norm_type={own['norm_type']!r}"
        if own["scale_grad_by_freq"] is not False:
            text += f", scale_grad_by_freq={own['scale_grad_by_freq']!r}"
        text += f", mode={own['mode']!r}"
        if own["padding_idx"] is not None:
            text += f", padding_idx={own['padding_idx']!r}"
        return text


native_class(EmbeddingBag, "torch.nn.modules.sparse")
EmbeddingBag._ns["from_pretrained"] = ClassMethod(NativeMethod(EmbeddingBag.from_pretrained, "from_pretrained",
                                                               "EmbeddingBag.from_pretrained"))
BAGS = {"EmbeddingBag": EmbeddingBag}
