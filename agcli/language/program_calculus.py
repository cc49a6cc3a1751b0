"""The calculus APIs a program calls: torch.autograd.functional (jacobian, hessian,
vjp, jvp, hvp, vhp), torch.func (grad, grad_and_value, vjp, jvp, jacrev, jacfwd,
hessian, vmap; torch.vmap too) and torch.autograd.gradcheck / gradgradcheck.

They are Python functions in PyTorch, so a program calls them as Python's own
functions (Builtin: Python's words for a call that does not fit, no tensor
checks of their arguments, which may be tuples of tensors); the functions they
take are the program's own `def`s and lambdas, or PyTorch's (torch.sin).
"""
from __future__ import annotations

from ..torchapi import forward_ad as FA
from ..torchapi import func as TF
from ..torchapi import functional as AF
from ..torchapi import gradcheck as G
from .program_exceptions import python_errors
from .program_objects import Builtin


class PythonFunction(Builtin):
    """One of PyTorch's functions written in Python: print() shows it as Python shows a function."""

    __slots__ = ()
    type_name = "function"

    def __repr__(self):
        return f"<function {self.name} at {id(self):#x}>"


def _entries(module, names, source):
    return {f"{module}.{name}": PythonFunction(name, python_errors(getattr(source, name))) for name in names}


CALCULUS_FUNCTIONS = {
    **_entries("torch.autograd.functional", ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"), AF),
    **_entries("torch.func", ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"), TF),
    **_entries("torch", ("vmap",), TF),
    **_entries("torch.autograd", ("gradcheck", "gradgradcheck"), G),
    **_entries("torch.autograd.forward_ad", ("dual_level", "make_dual", "unpack_dual", "enter_dual_level",
                                             "exit_dual_level"), FA),
}
CALCULUS_MODULES = ("torch.autograd.functional", "torch.func", "torch.autograd.forward_ad")
