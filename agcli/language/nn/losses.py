"""torch.nn's loss modules, as torch/nn/modules/loss.py writes them: the reduction (and
weight, ignore_index, ...) kept as attributes, a weight as a buffer, forward the functional
loss by its name (torchapi/nn.py, nn_losses*.py).
"""
from __future__ import annotations

from ...state import state
from ..program_exceptions import raise_python
from ..program_values import type_name
from .layers import functional
from .module import Module
from .native import native_class, program


def _legacy_reduction(size_average, reduce):
    """The deprecated size_average= / reduce= as torch/nn/_reduction.py maps them, with its warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    state.warn(f"UserWarning: size_average and reduce args will be deprecated, please use reduction='{reduction}' "
               "instead.")
    return reduction


def _loss_init(module, size_average, reduce, reduction):
    Module.init(module)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    Module.program_setattr(module, "reduction", reduction)


def _weighted_init(module, weight, size_average, reduce, reduction):
    _loss_init(module, size_average, reduce, reduction)
    Module.register_buffer(module, "weight", weight)


class _Loss(Module):
    @program("__init__")
    def init(self, size_average=None, reduce=None, reduction="mean"):
        _loss_init(self, size_average, reduce, reduction)


def _simple_loss(name, function):
    def forward(self, input, target):
        return functional(function)(input, target, reduction=self.__dict__["reduction"])
    return type(name, (_Loss,), {"forward": program("forward")(forward)})


MSELoss = _simple_loss("MSELoss", "mse_loss")


class KLDivLoss(_Loss):
    @program("__init__")
    def init(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        _loss_init(self, size_average, reduce, reduction)
        Module.program_setattr(self, "log_target", log_target)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("kl_div")(input, target, reduction=own["reduction"], log_target=own["log_target"])
L1Loss = _simple_loss("L1Loss", "l1_loss")


class SmoothL1Loss(_Loss):
    @program("__init__")
    def init(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        _loss_init(self, size_average, reduce, reduction)
        Module.program_setattr(self, "beta", beta)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("smooth_l1_loss")(input, target, reduction=own["reduction"], beta=own["beta"])


class HuberLoss(_Loss):
    @program("__init__")
    def init(self, reduction="mean", delta=1.0):
        if type(delta) not in (float, int):
            raise_python(TypeError(f"delta must be a float or int, got: <class '{type_name(delta)}'>"))
        _loss_init(self, None, None, reduction)
        Module.program_setattr(self, "delta", delta)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("huber_loss")(input, target, reduction=own["reduction"], delta=own["delta"])


class BCELoss(Module):
    @program("__init__")
    def init(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        _weighted_init(self, weight, size_average, reduce, reduction)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("binary_cross_entropy")(input, target, weight=own["_buffers"]["weight"],
                                                  reduction=own["reduction"])


class BCEWithLogitsLoss(Module):
    @program("__init__")
    def init(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        _weighted_init(self, weight, size_average, reduce, reduction)
        Module.register_buffer(self, "pos_weight", pos_weight)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        buffers = own["_buffers"]
        return functional("binary_cross_entropy_with_logits")(input, target, buffers["weight"],
                                                              pos_weight=buffers["pos_weight"],
                                                              reduction=own["reduction"])


class NLLLoss(Module):
    @program("__init__")
    def init(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        _weighted_init(self, weight, size_average, reduce, reduction)
        Module.program_setattr(self, "ignore_index", ignore_index)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("nll_loss")(input, target, weight=own["_buffers"]["weight"],
                                      ignore_index=own["ignore_index"], reduction=own["reduction"])


class CrossEntropyLoss(Module):
    @program("__init__")
    def init(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
             label_smoothing=0.0):
        _weighted_init(self, weight, size_average, reduce, reduction)
        Module.program_setattr(self, "ignore_index", ignore_index)
        Module.program_setattr(self, "label_smoothing", label_smoothing)

    @program("forward")
    def forward(self, input, target):
        own = self.__dict__
        return functional("cross_entropy")(input, target, weight=own["_buffers"]["weight"],
                                           ignore_index=own["ignore_index"], reduction=own["reduction"],
                                           label_smoothing=own["label_smoothing"])


LOSSES = {}
for _cls in (_Loss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss,
             KLDivLoss):
    native_class(_cls, "torch.nn.modules.loss")
    LOSSES[_cls.__name__] = _cls
del LOSSES["_Loss"]
