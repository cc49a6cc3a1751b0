"""Which array library the engine computes with: chosen once per process, at the edge.

`--device cpu|cuda` (or AGCLI_DEVICE) picks NumPy or CuPy; the variable
AGCLI_ARRAY_BACKEND=array-api-strict picks the strict array-API stand-in
that CI runs the engine's tests on (it fails on any NumPy-only call or
implicit host conversion inside the engine). `agcli.engine.backend` asks
`chosen()` when it is first imported; a front end calls `choose()` before
that, and asking for another device afterwards is refused.
"""
from __future__ import annotations

import os

from .errors import AgcliError

DEVICES = ("cpu", "cuda")
BACKENDS = ("numpy", "cupy", "array-api-strict")

_chosen = None      # (device, backend) once the engine has asked


def _from_environment() -> tuple[str, str]:
    device = os.environ.get("AGCLI_DEVICE", "").strip().lower() or "cpu"
    if device not in DEVICES:
        raise AgcliError(f"AGCLI_DEVICE={device!r} is not a device agcli knows", kind="usage",
                         hint="use cpu or cuda")
    backend = os.environ.get("AGCLI_ARRAY_BACKEND", "").strip().lower()
    if backend and backend not in BACKENDS:
        raise AgcliError(f"AGCLI_ARRAY_BACKEND={backend!r} is not an array backend agcli knows", kind="usage",
                         hint="use numpy, cupy or array-api-strict (CI's strict stand-in), or leave it unset")
    if not backend:
        backend = "cupy" if device == "cuda" else "numpy"
    if backend == "cupy" and device != "cuda" or device == "cuda" and backend != "cupy":
        raise AgcliError(f"the {backend} backend does not run on {device}", kind="usage",
                         hint="--device cuda runs on CuPy; leave AGCLI_ARRAY_BACKEND unset")
    return device, backend


def choose(device: str | None = None):
    """Fix the device for this process (None: from the environment); refuse a second, different one."""
    global _chosen
    env_device, env_backend = _from_environment()
    if device is None:
        device, backend = env_device, env_backend
    else:
        device = str(device).strip().lower()
        if device not in DEVICES:
            raise AgcliError(f"--device must be cpu or cuda, not {device!r}", kind="usage")
        backend = "cupy" if device == "cuda" else ("numpy" if env_backend == "cupy" else env_backend)
    if _chosen is not None:
        if _chosen[0] != device:
            raise AgcliError(f"this process computes on {_chosen[0]}; a device is chosen once per process",
                             kind="usage", hint=f"run another agcli process for {device}")
        return _chosen
    if backend == "cupy":
        require_cuda()
    _chosen = (device, backend)
    return _chosen


def chosen() -> tuple[str, str]:
    """(device, backend) of this process, choosing from the environment if no one has yet."""
    return _chosen or choose()


def require_cuda():
    """CuPy and a CUDA GPU, or one clear error saying which is missing and how to get it."""
    try:
        import cupy
    except ImportError:
        raise AgcliError("the cuda device needs CuPy, which is not installed", kind="usage",
                         hint="pip install 'agcli[cuda]' (CuPy for CUDA 12), or use --device cpu") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:       # CuPy raises its own CUDARuntimeError when no driver or GPU answers
        count, why = 0, str(e).strip() or type(e).__name__
    else:
        why = "no CUDA GPU was found"
    if count < 1:
        raise AgcliError(f"the cuda device needs a CUDA GPU: {why}", kind="usage",
                         hint="run on a machine with an NVIDIA GPU and its driver, or use --device cpu")


def cuda_available() -> bool:
    """torch.cuda.is_available(): CuPy can reach a GPU (never raises)."""
    try:
        require_cuda()
    except AgcliError:
        return False
    return True
