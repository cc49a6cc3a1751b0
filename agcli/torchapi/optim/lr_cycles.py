"""torch.optim.lr_scheduler's OneCycleLR and CyclicLR, as torch/optim/lr_scheduler.py has them:
the lr (and, with cycle_momentum, the momentum or beta1 the optimizer reads each step) goes up
and down again, computed from the epoch in the same float arithmetic as PyTorch's."""
from __future__ import annotations

import math

from ...engine.tensor import Tensor
from .lr_scheduler import LRScheduler, set_value
from .optimizer import Optimizer, program_method, type_error, value_error

_NO_MOMENTUM = "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"


def format_param(name, optimizer, param):
    """_format_param: one value per group (a tensor's a clone)."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            value_error(f"{name} must have the same length as optimizer.param_groups. {name} has {len(param)} "
                        f"values, param_groups has {len(optimizer.param_groups)}.")
    else:
        param = [param] * len(optimizer.param_groups)
    return [p.clone() if type(p) is Tensor else p for p in param]


def _set_momentum(group, use_beta1, momentum):
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _momentum_bounds(scheduler, optimizer, base_momentum, max_momentum, last_epoch):
    """The momentum's bounds in each group (its momentum, or beta1, starting at the top)."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        value_error(_NO_MOMENTUM)
    scheduler.use_beta1 = "betas" in optimizer.defaults
    maxima = format_param("max_momentum", optimizer, max_momentum)
    bases = format_param("base_momentum", optimizer, base_momentum)
    if last_epoch == -1:
        for top, bottom, group in zip(maxima, bases, optimizer.param_groups):
            _set_momentum(group, scheduler.use_beta1, top)
            group["max_momentum"] = top
            group["base_momentum"] = bottom
    return bases, maxima


class OneCycleLR(LRScheduler):
    """The 1cycle policy: from max_lr / div_factor up to max_lr over pct_start of total_steps, then down
    to the initial lr / final_div_factor (cosine or linear), momentum the other way."""

    program_attributes = {**LRScheduler.program_attributes, "total_steps": "total_steps",
                          "cycle_momentum": "cycle_momentum"}

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            type_error(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                value_error(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                value_error(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                value_error(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            value_error("You must define either total_steps OR (epochs AND steps_per_epoch)")
        up = {"end_step": float(pct_start * self.total_steps) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
              "start_momentum": "max_momentum", "end_momentum": "base_momentum"}
        if three_phase:
            self._schedule_phases = [
                up, {"end_step": float(2 * pct_start * self.total_steps) - 2, "start_lr": "max_lr",
                     "end_lr": "initial_lr", "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"}]
        else:
            self._schedule_phases = [
                up, {"end_step": self.total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                     "start_momentum": "base_momentum", "end_momentum": "max_momentum"}]
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            value_error(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            value_error(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        max_lrs = format_param("max_lr", self.optimizer, max_lr)
        if last_epoch == -1:
            for idx, group in enumerate(self.optimizer.param_groups):
                group["initial_lr"] = max_lrs[idx] / div_factor
                group["max_lr"] = max_lrs[idx]
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if self.cycle_momentum:
            _momentum_bounds(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            cos_out = math.cos(math.pi * pct) + 1
            return end + (start - end) / 2.0 * cos_out
        return (end - start) * pct + start

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        lrs = []
        step_num = self.last_epoch
        if step_num > self.total_steps:
            value_error(f"Tried to step {step_num} times. The specified number of total steps is {self.total_steps}")
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    computed_lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        computed_momentum = self._anneal(group[phase["start_momentum"]],
                                                         group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
            lrs.append(computed_lr)
            if self.cycle_momentum:
                _set_momentum(group, self.use_beta1, computed_momentum)
        return lrs

    def own_state(self):
        shown = {"total_steps": self.total_steps, "_schedule_phases": self._schedule_phases,
                 "_anneal_func_type": self._anneal_func_type, "cycle_momentum": self.cycle_momentum}
        if self.cycle_momentum:
            shown["use_beta1"] = self.use_beta1
        return shown


class CyclicLR(LRScheduler):
    """Each group's lr cycles between base_lr and max_lr (triangular, triangular2, exp_range or the
    program's scale_fn), the momentum the other way."""

    program_attributes = {**LRScheduler.program_attributes, "max_lrs": "max_lrs", "total_size": "total_size",
                          "step_ratio": "step_ratio", "mode": "mode", "gamma": "gamma", "scale_mode": "scale_mode",
                          "cycle_momentum": "cycle_momentum"}
    program_methods = LRScheduler.program_methods | {"scale_fn"}

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular",
                 gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True, base_momentum=0.8,
                 max_momentum=0.9, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            type_error(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                set_value(group, "lr", lr)
        self.max_lrs = format_param("max_lr", optimizer, max_lr)
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            value_error("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _momentum_bounds(self, optimizer, base_momentum, max_momentum,
                                                                       last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    @program_method
    def scale_fn(self, x):
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / 2.0 ** (x - 1)
        return self.gamma ** x

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * self.scale_fn(at)
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            momentums = [top - (top - bottom) * scale_factor * self.scale_fn(at)
                         for bottom, top in zip(self.base_momentums, self.max_momentums)]
            for group, momentum in zip(self.optimizer.param_groups, momentums):
                _set_momentum(group, self.use_beta1, momentum)
        return lrs

    def own_state(self):
        shown = {"max_lrs": self.max_lrs, "total_size": self.total_size, "step_ratio": self.step_ratio,
                 "mode": self.mode, "gamma": self.gamma, "scale_mode": self.scale_mode,
                 "cycle_momentum": self.cycle_momentum}
        if self.cycle_momentum:
            shown.update(use_beta1=self.use_beta1, base_momentums=self.base_momentums,
                         max_momentums=self.max_momentums)
        return shown

    @program_method
    def state_dict(self):
        """With _scale_fn_custom last (None: a function is not saved, as PyTorch's)."""
        return {**LRScheduler.state_dict(self), "_scale_fn_custom": None}

    @program_method
    def load_state_dict(self, state_dict):
        LRScheduler.load_state_dict(self, {k: v for k, v in state_dict.items() if k != "_scale_fn_custom"})
