"""torch.nn's margin, embedding and likelihood losses, as torch/nn/modules/loss.py writes them:
MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss,
CosineEmbeddingLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, PoissonNLLLoss, GaussianNLLLoss and
CTCLoss (attributes, checks, forward through F)."""
from __future__ import annotations

from ...torchapi.checks import ndim_of
from ..program_exceptions import raise_python
from ..program_classes import instantiate
from .distance import PairwiseDistance
from .layers import functional
from .losses import _Loss, _loss_init, _weighted_init
from .module import Module
from .native import native_class, program


def _margin_loss(name, function, margin, pair):
    """A loss of a margin: its forward F.function(inputs..., margin=, reduction=)."""
    def init(self, margin=margin, size_average=None, reduce=None, reduction="mean"):
        _loss_init(self, size_average, reduce, reduction)
        Module.program_setattr(self, "margin", margin)

    def of_two(self, input1, input2, target):
        own = self.__dict__
        return functional(function)(input1, input2, target, margin=own["margin"], reduction=own["reduction"])

    def of_one(self, input, target):
        own = self.__dict__
        return functional(function)(input, target, margin=own["margin"], reduction=own["reduction"])
    return type(name, (_Loss,), {"init": program("__init__")(init),
                                 "forward": program("forward")(of_two if pair else of_one)})


MarginRankingLoss = _margin_loss("MarginRankingLoss", "margin_ranking_loss", 0.0, True)
HingeEmbeddingLoss = _margin_loss("HingeEmbeddingLoss", "hinge_embedding_loss", 1.0, False)
CosineEmbeddingLoss = _margin_loss("CosineEmbeddingLoss", "cosine_embedding_loss", 0.0, True)


class SoftMarginLoss(_Loss):
    @program("forward")
    def forward(self, input, target):
        return functional("soft_margin_loss")(input, target, reduction=self.__dict__["reduction"])


class MultiLabelSoftMarginLoss(Module):
    @program("__init__")
    def init(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        _weighted_init(self, weight, size_average, reduce, reduction)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("multilabel_soft_margin_loss")(input, target, weight=own["_buffers"]["weight"],
                                                         reduction=own["reduction"])


class MultiMarginLoss(Module):
    @program("__init__")
    def init(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        _weighted_init(self, weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise_python(ValueError("only p == 1 and p == 2 supported"))
        if weight is not None and ndim_of(weight) != 1:
            raise_python(ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {ndim_of(weight)}D "
                                    "instead"))
        Module.program_setattr(self, "p", p)
        Module.program_setattr(self, "margin", margin)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("multi_margin_loss")(input, target, p=own["p"], margin=own["margin"],
                                               weight=own["_buffers"]["weight"], reduction=own["reduction"])


class TripletMarginLoss(_Loss):
    @program("__init__")
    def init(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean"):
        _loss_init(self, size_average, reduce, reduction)
        if margin <= 0:
            raise_python(ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead"))
        for name, value in (("margin", margin), ("p", p), ("eps", eps), ("swap", swap)):
            Module.program_setattr(self, name, value)

    @program("forward")
    def forward(self, anchor, positive, negative):
        own = self.__dict__
        return functional("triplet_margin_loss")(anchor, positive, negative, margin=own["margin"], p=own["p"],
                                                 eps=own["eps"], swap=own["swap"], reduction=own["reduction"])


class TripletMarginWithDistanceLoss(_Loss):
    @program("__init__")
    def init(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        _loss_init(self, None, None, reduction)
        if margin <= 0:
            raise_python(ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                                    f"{margin} instead"))
        if distance_function is None:
            distance_function = instantiate(PairwiseDistance, (), {})
        for name, value in (("distance_function", distance_function), ("margin", margin), ("swap", swap)):
            Module.program_setattr(self, name, value)

    @program("forward")
    def forward(self, anchor, positive, negative):
        own = self.__dict__
        distance = own["_modules"].get("distance_function", own.get("distance_function"))
        return functional("triplet_margin_with_distance_loss")(anchor, positive, negative, distance_function=distance,
                                                               margin=own["margin"], swap=own["swap"],
                                                               reduction=own["reduction"])


class PoissonNLLLoss(_Loss):
    @program("__init__")
    def init(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        _loss_init(self, size_average, reduce, reduction)
        for name, value in (("log_input", log_input), ("full", full), ("eps", eps)):
            Module.program_setattr(self, name, value)

    @program("forward")
    def forward(self, log_input, target):
        own = self.__dict__
        return functional("poisson_nll_loss")(log_input, target, log_input=own["log_input"], full=own["full"],
                                              eps=own["eps"], reduction=own["reduction"])


class GaussianNLLLoss(_Loss):
    @program("__init__")
    def init(self, *, full=False, eps=1e-6, reduction="mean"):
        _loss_init(self, None, None, reduction)
        Module.program_setattr(self, "full", full)
        Module.program_setattr(self, "eps", eps)

    @program("forward")
    def forward(self, input, target, var):
        own = self.__dict__
        return functional("gaussian_nll_loss")(input, target, var, full=own["full"], eps=own["eps"],
                                               reduction=own["reduction"])


class CTCLoss(_Loss):
    @program("__init__")
    def init(self, blank=0, reduction="mean", zero_infinity=False):
        _loss_init(self, None, None, reduction)
        Module.program_setattr(self, "blank", blank)
        Module.program_setattr(self, "zero_infinity", zero_infinity)

    @program("forward")
    def forward(self, log_probs, targets, input_lengths, target_lengths):
        own = self.__dict__
        return functional("ctc_loss")(log_probs, targets, input_lengths, target_lengths, own["blank"],
                                      own["reduction"], own["zero_infinity"])


MORE_LOSSES = {}
for _cls in (MarginRankingLoss, HingeEmbeddingLoss, CosineEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss,
             MultiMarginLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, PoissonNLLLoss, GaussianNLLLoss,
             CTCLoss):
    native_class(_cls, "torch.nn.modules.loss")
    MORE_LOSSES[_cls.__name__] = _cls
