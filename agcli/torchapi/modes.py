"""Grad mode and the random seed, as a program switches them: torch.no_grad(),
enable_grad(), set_grad_enabled(mode), is_grad_enabled(), manual_seed(s)."""
from __future__ import annotations

from ..engine.tensor import set_grad_enabled
from ..state import state


class GradModeContext:
    """What torch.no_grad() / enable_grad() / set_grad_enabled(b) give `with`."""

    def __init__(self, enabled: bool):
        self.context = set_grad_enabled(enabled)

    def __enter__(self):
        self.context.__enter__()

    def __exit__(self, *exc):
        self.context.__exit__(*exc)

    def __repr__(self):
        return f"<torch.autograd.grad_mode.{'enable_grad' if self.context.enabled else 'no_grad'} object>"


def no_grad():
    return GradModeContext(False)


def enable_grad():
    return GradModeContext(True)


class _SetGradEnabled(GradModeContext):
    """torch.set_grad_enabled(mode): sets the mode at once (it works as a call);
    used with `with`, the mode before it comes back at the end."""

    def __init__(self, enabled: bool):
        super().__init__(enabled)
        self.before = state.grad_enabled
        state.grad_enabled = enabled

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.grad_enabled = self.before

    def __repr__(self):
        return "<torch.autograd.grad_mode.set_grad_enabled object>"


def set_grad_enabled_(mode):
    return _SetGradEnabled(bool(mode))


def is_grad_enabled():
    return state.grad_enabled


def manual_seed(seed):
    state.reseed(int(seed))
    return None


def random_seed():
    import random
    seed = random.getrandbits(52)
    state.reseed(seed)
    return seed
