"""Grad mode as a program switches it: torch.no_grad(),
enable_grad(), set_grad_enabled(mode), is_grad_enabled() (the random seed: generator.py);
inference mode and anomaly mode (torch.inference_mode(),
torch.autograd.detect_anomaly() / set_detect_anomaly(mode))."""
from __future__ import annotations

from ..engine.tensor import set_grad_enabled, version_of
from ..state import state


def _grad_mode_field() -> str:
    """Where grad mode lives: inside inference mode it is only what is_grad_enabled() says
    (PyTorch records nothing there, enable_grad() or not)."""
    return "inference_grad_mode" if state.inference_mode else "grad_enabled"


class GradModeContext:
    """What torch.no_grad() / enable_grad() / set_grad_enabled(b) give `with`."""

    pytorch_module = "torch.autograd.grad_mode"

    def __init__(self, enabled: bool):
        self.context = set_grad_enabled(enabled)

    def __enter__(self):
        self.field = _grad_mode_field()
        self.before = getattr(state, self.field)
        setattr(state, self.field, self.context.enabled)

    def __exit__(self, *exc):
        setattr(state, self.field, self.before)

    def class_name(self):
        """The name of PyTorch's class of this context (type(torch.no_grad()).__name__)."""
        return "enable_grad" if self.context.enabled else "no_grad"

    def __repr__(self):
        return f"<torch.autograd.grad_mode.{self.class_name()} object at {id(self):#x}>"


def no_grad():
    return GradModeContext(False)


def enable_grad():
    return GradModeContext(True)


class _SetGradEnabled(GradModeContext):
    """torch.set_grad_enabled(mode): sets the mode at once (it works as a call);
    used with `with`, the mode before it comes back at the end."""

    def __init__(self, enabled: bool):
        super().__init__(enabled)
        GradModeContext.__enter__(self)

    def __enter__(self):
        pass

    def class_name(self):
        return "set_grad_enabled"

    def __repr__(self):
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.context.enabled})"


def set_grad_enabled_(mode):
    return _SetGradEnabled(bool(mode))


def is_grad_enabled():
    return getattr(state, _grad_mode_field())


# ------------------------------------------------------------- inference mode
class InferenceMode(GradModeContext):
    """torch.inference_mode(mode=True): no recording, and what is made inside is an
    inference tensor (no version counter; autograd may not save it later)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def class_name(self):
        return "inference_mode"

    def __enter__(self):
        self.before = (state.grad_enabled, state.inference_mode, state.inference_grad_mode)
        state.grad_enabled, state.inference_mode = not self.mode, self.mode
        state.inference_grad_mode = False
        state.inference_made = state.inference_made or self.mode
        state.watch_nodes = state.watched()

    def __exit__(self, *exc):
        state.grad_enabled, state.inference_mode, state.inference_grad_mode = self.before

    def __repr__(self):
        return f"<torch.autograd.grad_mode.inference_mode object at {id(self):#x}>"


def inference_mode(mode=True):
    return InferenceMode(mode)


def is_inference_mode_enabled():
    return state.inference_mode


def is_inference(x):
    """x.is_inference(): made under inference mode (it, or the tensor it views)."""
    return version_of(x) is None


# ------------------------------------------------------------- anomaly mode
class _AnomalyMode(GradModeContext):
    """torch.autograd.detect_anomaly(check_nan=True): anomaly mode inside the `with`."""

    name = "detect_anomaly"

    def __init__(self, mode=True, check_nan=True):
        self.mode, self.check_nan = bool(mode), bool(check_nan)
        state.warn("UserWarning: Anomaly Detection has been enabled. This mode will increase the runtime and "
                   "should only be enabled for debugging.")

    def __enter__(self):
        self.before = (state.detect_anomaly, state.anomaly_check_nan)
        state.detect_anomaly, state.anomaly_check_nan = self.mode, self.check_nan
        state.watch_nodes = state.watched()

    def __exit__(self, *exc):
        state.detect_anomaly, state.anomaly_check_nan = self.before
        state.watch_nodes = state.watched()

    def class_name(self):
        return self.name

    def __repr__(self):
        return f"<torch.autograd.anomaly_mode.{self.name} object at {id(self):#x}>"


class _SetAnomaly(_AnomalyMode):
    """torch.autograd.set_detect_anomaly(mode, check_nan=True): sets the mode at once;
    used with `with`, the mode before it comes back at the end."""

    name = "set_detect_anomaly"

    def __init__(self, mode, check_nan=True):
        self.mode, self.check_nan = bool(mode), bool(check_nan)
        _AnomalyMode.__enter__(self)

    def __enter__(self):
        pass


def detect_anomaly(check_nan=True):
    return _AnomalyMode(True, check_nan)


def set_detect_anomaly(mode, check_nan=True):
    return _SetAnomaly(mode, check_nan)


def is_anomaly_enabled():
    return state.detect_anomaly


def is_anomaly_check_nan_enabled():
    return state.anomaly_check_nan


def use_deterministic_algorithms(mode, *, warn_only=False):
    """torch.use_deterministic_algorithms: kept for are_deterministic_algorithms_enabled (every
    kernel of agcli's is deterministic)."""
    if type(mode) is not bool:
        from ..errors import AgcliError
        raise AgcliError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                         f"{type(mode).__name__}", kind="type")
    state.deterministic = (mode, bool(warn_only))


def are_deterministic_algorithms_enabled():
    return state.deterministic[0]


def is_deterministic_algorithms_warn_only_enabled():
    return state.deterministic[1]
