"""torch.optim.lr_scheduler's SequentialLR and ChainedScheduler: schedulers of one optimizer run one
after the other (at the milestones) or all at each step, as torch/optim/lr_scheduler.py runs them."""
from __future__ import annotations

from bisect import bisect_right

from .lr_plateau import ReduceLROnPlateau
from .lr_scheduler import LRScheduler, _values, set_value
from .optimizer import program_method, type_error, value_error


def _check(owner, schedulers, optimizer):
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            type_error(f"{owner} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            value_error(f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs "
                        f"to be specified when calling `step`, but got one at index {i} in the given schedulers "
                        "sequence.")
        if optimizer is not scheduler.optimizer:
            value_error(f"{owner} expects all schedulers to belong to the same optimizer, but got scheduler "
                        f"{type(scheduler).__name__} at index {i} has {scheduler.optimizer}, which is different "
                        f"from {type(optimizer).__name__}.")


class _Composed(LRScheduler):
    program_attributes = {"optimizer": "optimizer", "_schedulers": "_schedulers"}
    program_methods = frozenset(("step", "get_last_lr", "state_dict", "load_state_dict"))

    @program_method
    def state_dict(self):
        shown = {k: v for k, v in self._shown_state().items() if k not in ("optimizer", "_schedulers")}
        return {**shown, "_schedulers": [s.state_dict() for s in self._schedulers]}

    @program_method
    def load_state_dict(self, state_dict):
        for key, value in state_dict.items():
            if key != "_schedulers":
                setattr(self, key, value)
        for scheduler, saved in zip(self._schedulers, state_dict["_schedulers"]):
            scheduler.load_state_dict(saved)


class SequentialLR(_Composed):
    """schedulers[i] runs from milestones[i - 1] on (restarted there at its epoch 0)."""

    program_attributes = {**_Composed.program_attributes, "_milestones": "_milestones", "last_epoch": "last_epoch"}

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        if len(schedulers) < 1:
            value_error("SequentialLR expects at least one scheduler, but got no scheduler.")
        _check("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            value_error("Sequential Schedulers expects number of schedulers provided to be one more than the number "
                        f"of milestone points, but got number of schedulers {len(schedulers)} and the number of "
                        f"milestones to be equal to {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in self.optimizer.param_groups:
            set_value(group, "lr", group["initial_lr"])
        self._undo(self)
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def _undo(self, scheduler):
        """recursive_undo: each scheduler's constructor step taken back (its last_epoch one less)."""
        if hasattr(scheduler, "_schedulers"):
            for inner in scheduler._schedulers:
                self._undo(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    @program_method
    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def _shown_state(self):
        return {"_milestones": self._milestones, "last_epoch": self.last_epoch, "_last_lr": self._last_lr}


class ChainedScheduler(_Composed):
    """Every scheduler steps at each step(), in the order given."""

    def __init__(self, schedulers, optimizer=None):
        if len(schedulers) < 1:
            value_error("ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check("ChainedScheduler", schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _values(self._schedulers[-1].optimizer, "lr")

    @program_method
    def step(self):
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _values(self._schedulers[-1].optimizer, "lr")

    def _shown_state(self):
        return {"_last_lr": self._last_lr}
