"""torch.nn.PairwiseDistance and CosineSimilarity as torch/nn/modules/distance.py writes them: their
attributes (PairwiseDistance keeps p as `norm`) and forward through F; no extra_repr, as in PyTorch."""
from __future__ import annotations

from .layers import functional, init_with
from .module import Module
from .native import native_class, program


class PairwiseDistance(Module):
    @program("__init__")
    def init(self, p=2.0, eps=1e-6, keepdim=False):
        init_with(self, norm=p, eps=eps, keepdim=keepdim)

    @program("forward")
    def forward(self, x1, x2):
        own = self.__dict__
        return functional("pairwise_distance")(x1, x2, own["norm"], own["eps"], own["keepdim"])


class CosineSimilarity(Module):
    @program("__init__")
    def init(self, dim=1, eps=1e-8):
        init_with(self, dim=dim, eps=eps)

    @program("forward")
    def forward(self, x1, x2):
        own = self.__dict__
        return functional("cosine_similarity")(x1, x2, own["dim"], own["eps"])


for _cls in (PairwiseDistance, CosineSimilarity):
    native_class(_cls, "torch.nn.modules.distance")

DISTANCES = {"PairwiseDistance": PairwiseDistance, "CosineSimilarity": CosineSimilarity}
