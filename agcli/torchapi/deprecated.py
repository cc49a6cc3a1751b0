"""PyTorch's deprecated overloads that older code still calls, taken as PyTorch takes them: with its
deprecation warning."""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..state import state
from .checks import fail

_NOTHING = object()


def old_alpha(method, name):
    """x.add_(y, alpha=2), and x.add_(2, y): the overload PyTorch still takes with its deprecation
    warning (older training loops' p.data.add_(-lr, p.grad))."""
    def call(x, other, other_tensor=_NOTHING, **alpha):
        if other_tensor is _NOTHING:
            return method(x, other, **alpha)
        if alpha or type(other_tensor) not in (Tensor, int, float) or type(other) not in (int, float):
            fail(f"{name}() received an invalid combination of arguments", "type",
                 hint=f"x.{name}(other, alpha=number), or the deprecated x.{name}(number, other)")
        state.warn(f"UserWarning: This overload of {name} is deprecated:\n\t{name}(Number alpha, Tensor other)\n"
                   f"Consider using one of the following signatures instead:\n\t{name}(Tensor other, *, Number alpha = 1)")
        return method(x, other_tensor, alpha=other)
    call.__name__ = name
    return call
