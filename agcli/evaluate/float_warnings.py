"""The warnings an evaluation gives of its numbers: NumPy's floating-point errors in the
forward pass (one a kind), and gradients that end up holding inf or nan."""
from __future__ import annotations

from ..engine.backend_watch import float_errors
from .finite import all_finite, all_float64_finite


class FloatErrors:
    """NumPy's floating-point error callback for one evaluation: one warning per
    kind of trouble in the forward pass. Backward's intermediates may hold inf
    where a rule masks them out (where, x**0), so from `quiet` on it says
    nothing: only gradients that end up non-finite are worth a warning."""

    __slots__ = ("warnings", "quiet")

    def __init__(self, warnings):
        self.warnings, self.quiet = warnings, False

    def __call__(self, kind, flag):
        message = f"{kind} encountered: the result holds inf or nan, as PyTorch gives it"
        if not self.quiet and message not in self.warnings:
            self.warnings.append(message)

    def watch(self):
        """NumPy's error state for the evaluation (one context: it costs microseconds a line);
        on a device, the backend's explicit check of each op's output."""
        return float_errors(self)


def gradient_warnings(result):
    """(Called where NumPy's floating-point errors are quiet: a sum may overflow.)"""
    if all_float64_finite(result.grads.values()):
        return
    for name, grad in result.grads.items():
        if grad is not None and grad.dtype.kind == "f" and not all_finite(grad):
            result.warnings.append(f"the gradient of {name} holds inf or nan")
