"""torch.optim.Optimizer as a program's base class: `class MyOpt(torch.optim.Optimizer)` calls
super().__init__(params, defaults) and writes its own step(); param_groups, state, defaults,
zero_grad, add_param_group, state_dict, load_state_dict and the printing are PyTorch's
(torchapi/optim/optimizer.py), so schedulers and isinstance(opt, torch.optim.Optimizer) take it.
"""
from __future__ import annotations

from ..torchapi.optim.optimizer import Optimizer
from .nn.native import native_class, program
from .program_classes import NATIVE_BASES
from .program_exceptions import raise_python
from .program_objects import ProgramObject


class ProgramOptimizer(ProgramObject, Optimizer):
    """The base a program's optimizer derives from (its methods are the program's where it has them)."""

    @program("__init__")
    def init(self, params, defaults):
        Optimizer.__init__(self, params, defaults)
        # (a program's step() is its own: the schedulers' warning of a step before the optimizer's cannot see it)
        self.stepped = True

    @program("step")
    def base_step(self, closure=None):
        raise_python(NotImplementedError())      # (PyTorch's base step, with no words)

    @program("zero_grad")
    def zero_grad_(self, set_to_none=True):
        return Optimizer.zero_grad(self, set_to_none)

    @program("add_param_group")
    def add_param_group_(self, param_group):
        return Optimizer.add_param_group(self, param_group)

    @program("state_dict")
    def state_dict_(self):
        return Optimizer.state_dict(self)

    @program("load_state_dict")
    def load_state_dict_(self, state_dict):
        return Optimizer.load_state_dict(self, state_dict)

    @program("__repr__")
    def repr_(self):
        return Optimizer.__repr__(self)


native_class(ProgramOptimizer, "torch.optim.optimizer")
ProgramOptimizer.__name__ = ProgramOptimizer.__qualname__ = "Optimizer"
NATIVE_BASES[("torch.optim.optimizer", "Optimizer")] = ProgramOptimizer
