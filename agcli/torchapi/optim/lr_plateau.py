"""torch.optim.lr_scheduler's CosineAnnealingLR and ReduceLROnPlateau, as torch/optim/lr_scheduler.py
has them (the same float arithmetic on the lr, in the same order)."""
from __future__ import annotations

import math

from ...engine.backend import item, xp
from ...engine.tensor import Tensor
from ...state import state
from .lr_scheduler import _EPOCH, LRScheduler, _values
from .optimizer import Optimizer, program_method, type_error, value_error


class CosineAnnealingLR(LRScheduler):
    """Each group's lr follows half a cosine from its initial lr down to eta_min over T_max epochs
    (and back up, period 2 T_max), computed step by step from the lr before, as PyTorch's."""

    program_attributes = {**LRScheduler.program_attributes, "T_max": "T_max", "eta_min": "eta_min"}

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        if self._is_initial:
            return _values(self.optimizer, "lr")
        if self._step_count == 1 and self.last_epoch > 0:
            return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos((self.last_epoch) * math.pi / self.T_max))
                    / 2 for base_lr in self.base_lrs]
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [group["lr"] + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, self.optimizer.param_groups)]
        return [(1 + math.cos(math.pi * self.last_epoch / self.T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max)) * (group["lr"] - self.eta_min)
                + self.eta_min for group in self.optimizer.param_groups]

    def closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]

    def own_state(self):
        return {"T_max": self.T_max, "eta_min": self.eta_min}


class ReduceLROnPlateau(LRScheduler):
    """Multiplies each group's lr by `factor` once the metric given to step() has not improved
    (by `threshold`, relative or absolute) for more than `patience` epochs; then waits `cooldown`."""

    program_attributes = {"optimizer": "optimizer", "last_epoch": "last_epoch", "factor": "factor",
                          "patience": "patience", "cooldown": "cooldown", "eps": "eps", "min_lrs": "min_lrs",
                          "best": "best", "num_bad_epochs": "num_bad_epochs", "cooldown_counter": "cooldown_counter",
                          "mode": "mode", "threshold": "threshold", "threshold_mode": "threshold_mode",
                          "in_cooldown": "in_cooldown"}
    program_methods = frozenset(("step", "get_last_lr", "state_dict", "load_state_dict"))

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            value_error("Factor should be < 1.0.")
        self.factor = factor
        if not isinstance(optimizer, Optimizer):
            type_error(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                value_error(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr, self.min_lrs = None, list(min_lr)
        else:
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * len(optimizer.param_groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = _values(optimizer, "lr")
        if mode not in ("min", "max"):
            value_error(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            value_error(f"threshold mode {threshold_mode} is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.best, self.cooldown_counter, self.num_bad_epochs = self.mode_worse, 0, 0

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    @program_method
    def step(self, metrics, epoch=None):
        current = _float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            state.warn(_EPOCH)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0         # (bad epochs in cooldown do not count)
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = _values(self.optimizer, "lr")

    def _reduce_lr(self):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for i, group in enumerate(self.optimizer.param_groups):
            old_lr = _float(group["lr"])
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def _is_better(self, a, best):
        if self.mode == "min":
            return a < best * (1.0 - self.threshold) if self.threshold_mode == "rel" else a < best - self.threshold
        return a > best * (self.threshold + 1.0) if self.threshold_mode == "rel" else a > best + self.threshold

    def _shown_state(self):
        return {"factor": self.factor, "optimizer": self.optimizer, "default_min_lr": self.default_min_lr,
                "min_lrs": self.min_lrs, "patience": self.patience, "cooldown": self.cooldown, "eps": self.eps,
                "last_epoch": self.last_epoch, "_last_lr": self._last_lr, "mode_worse": self.mode_worse,
                "mode": self.mode, "threshold": self.threshold, "threshold_mode": self.threshold_mode,
                "best": self.best, "cooldown_counter": self.cooldown_counter, "num_bad_epochs": self.num_bad_epochs}


def _float(value) -> float:
    """float(metrics): a one-element tensor's value (PyTorch warns for one that requires grad, as float() does)."""
    if type(value) is Tensor:
        if value.data.size != 1:
            value_error("only one element tensors can be converted to Python scalars")
        if value.requires_grad:
            from ..autograd import FLOAT_WITH_GRAD
            state.warn(FLOAT_WITH_GRAD)
        return float(item(xp.reshape(value.data, ())))
    try:
        return float(value)
    except (TypeError, ValueError) as e:
        (type_error if isinstance(e, TypeError) else value_error)(str(e))
