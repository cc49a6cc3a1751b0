"""torch.optim.lr_scheduler: LRScheduler's bookkeeping, StepLR, MultiStepLR, ExponentialLR and LambdaLR, as
torch/optim/lr_scheduler.py has them (the same float arithmetic on the lr, the same
order of steps, the same warnings on stderr)."""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter

from ...engine.tensor import Tensor
from ...errors import AgcliError
from ...state import state
from .optimizer import Optimizer, program_method, type_error

_HOW_TO = "See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
_BEFORE = ("UserWarning: Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and "
           "later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  "
           "Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. "
           + _HOW_TO)
_EPOCH = ("UserWarning: The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
          "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is "
          "different from None, the closed form is used instead of the new chainable form, where available. Please "
          "open an issue if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/"
          "choose.")
_GET_LR = "UserWarning: To get the last learning rate computed by the scheduler, please use `get_last_lr()`."


def _values(optimizer, key):
    """_param_groups_val_list: each group's value (a tensor's a clone, so that none is shared)."""
    return [g[key].clone() if type(g[key]) is Tensor else g[key] for g in optimizer.param_groups]


def set_value(group, key, value):
    """_update_param_group_val: a tensor in the group is filled with the value, anything else replaced."""
    if type(group[key]) is Tensor:
        from ..in_place import fill_
        fill_(group[key], value)
    else:
        group[key] = value


class LRScheduler:
    pytorch_module = "torch.optim.lr_scheduler"
    program_attributes = {"optimizer": "optimizer", "last_epoch": "last_epoch", "base_lrs": "base_lrs"}
    program_methods = frozenset(("step", "get_last_lr", "get_lr", "state_dict", "load_state_dict"))

    def __repr__(self):     # (every scheduler is torch.optim.lr_scheduler's in PyTorch)
        return f"<torch.optim.lr_scheduler.{type(self).__name__} object at {id(self):#x}>"

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            type_error(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                initial = group["lr"]
                group.setdefault("initial_lr", initial.clone() if type(initial) is Tensor else initial)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise AgcliError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler with "
                        "last_epoch >= 0.\nThis typically happens when:\n1. You're trying to resume training from a "
                        "checkpoint but haven't properly loaded the optimizer state\n2. You're using last_epoch >= 0 "
                        "for a fresh training run (not recommended)", kind="key")
        self.base_lrs = _values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        optimizer.watched_by_scheduler = True      # (PyTorch wraps optimizer.step to notice its calls)
        self._in_step = False
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True     # (PyTorch's _initial_mode: the constructor's step keeps the lr)
        try:
            self.step()
        finally:
            self._is_initial = False

    @program_method
    def get_last_lr(self):
        return self._last_lr

    @program_method
    def get_lr(self):
        raise NotImplementedError

    @program_method
    def step(self, epoch=None):
        if self._step_count == 1 and not self.optimizer.stepped:
            state.warn(_BEFORE)
        self._step_count += 1
        if epoch is not None:
            state.warn(_EPOCH)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        """The lr of every group for the next epoch (the closed form for a given epoch, where there is one)."""
        self._in_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self.closed_form_lr()
        finally:
            self._in_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            set_value(group, "lr", lr)
        self._last_lr = _values(self.optimizer, "lr")

    def closed_form_lr(self):
        return self.get_lr()

    @program_method
    def load_state_dict(self, state_dict):
        """The saved attributes back (PyTorch's __dict__.update)."""
        for key, value in state_dict.items():
            if key not in ("_is_initial", "_get_lr_called_within_step", "lr_lambdas"):
                setattr(self, key, value)

    @program_method
    def state_dict(self):
        return {key: value for key, value in self._shown_state().items() if key != "optimizer"}

    def _shown_state(self):
        """The scheduler's __dict__ as PyTorch's has it, in its order."""
        return {"optimizer": self.optimizer, **self.own_state(), "base_lrs": self.base_lrs,
                "last_epoch": self.last_epoch, "_step_count": self._step_count, "_is_initial": False,
                "_get_lr_called_within_step": False, "_last_lr": self._last_lr}

    def own_state(self):
        return {}

    def _warn_outside_step(self):
        if not self._in_step:
            state.warn(_GET_LR)


class StepLR(LRScheduler):
    """Decays each group's lr by gamma every step_size epochs."""

    program_attributes = {**LRScheduler.program_attributes, "step_size": "step_size", "gamma": "gamma"}

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]

    def own_state(self):
        return {"step_size": self.step_size, "gamma": self.gamma}


class ExponentialLR(LRScheduler):
    """Decays each group's lr by gamma every epoch."""

    program_attributes = {**LRScheduler.program_attributes, "gamma": "gamma"}

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        if self._is_initial:
            return _values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]

    def own_state(self):
        return {"gamma": self.gamma}


class MultiStepLR(LRScheduler):
    """Decays each group's lr by gamma at each milestone epoch (gamma ** count for a repeated one)."""

    program_attributes = {**LRScheduler.program_attributes, "milestones": "milestones", "gamma": "gamma"}

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        if self.last_epoch not in self.milestones:
            return _values(self.optimizer, "lr")
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch] for group in self.optimizer.param_groups]

    def closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch) for base_lr in self.base_lrs]

    def own_state(self):
        return {"milestones": self.milestones, "gamma": self.gamma}


class LambdaLR(LRScheduler):
    """Each group's lr is its initial lr times lr_lambda(epoch) (a program's function, or one per group)."""

    program_attributes = {**LRScheduler.program_attributes, "lr_lambdas": "lr_lambdas"}

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            type_error(f"{type(optimizer).__name__} is not an Optimizer")
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        else:
            if len(lr_lambda) != len(optimizer.param_groups):
                raise AgcliError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}",
                                 kind="value")
            self.lr_lambdas = list(lr_lambda)
        super().__init__(optimizer, last_epoch)

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    @program_method
    def state_dict(self):
        """Without the functions (a plain function's entry is None, as PyTorch's)."""
        return {**LRScheduler.state_dict(self), "lr_lambdas": [None] * len(self.lr_lambdas)}


class MultiplicativeLR(LambdaLR):
    """Each group's lr times lr_lambda(epoch) at every step (after the constructor's)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            type_error(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        else:
            if len(lr_lambda) != len(optimizer.param_groups):
                raise AgcliError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}",
                                 kind="value")
            self.lr_lambdas = list(lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                type_error(f"lr_lambda should be a function, but got {type(fn).__name__}")
        LRScheduler.__init__(self, optimizer, last_epoch)

    @program_method
    def get_lr(self):
        self._warn_outside_step()
        if not self._is_initial:
            return [group["lr"] * fn(self.last_epoch)
                    for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)]
        return _values(self.optimizer, "lr")
