"""PyTorch's devices: `torch.device`, `device=` arguments, `.to()`, `.cuda()`,
`.cpu()`, `.device`, `torch.cuda.is_available()`, with PyTorch's texts.

A tensor's device is a label ("cpu" or "cuda:0"). A process computes on one
array backend (agcli/device.py): on the CPU (NumPy) every tensor is on "cpu"
and asking for CUDA fails as a PyTorch build without CUDA does; a process
started with --device cuda computes on the GPU and has both labels, which
must agree when tensors meet (engine/tensor.py: same_device).
"""
from __future__ import annotations

from ..device import chosen
from ..engine.backend import dtype as backend_dtype, dtype_name, kind
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply
from ..errors import AgcliError
from .dtypes import DType, dtype_of
from .layouts import converted

# What PyTorch 2.13 lists when a device string names no device type it knows.
_PYTORCH_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                  "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class Device:
    """What `torch.device("cuda:0")` and `x.device` give."""

    __slots__ = ("type", "index")
    program_attributes = {"type": "type", "index": "index"}     # (in a program: d.type == "cuda")

    def __init__(self, type_: str, index: int | None = None):
        self.type, self.index = type_, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, Device) and (other.type, other.index) == (self.type, self.index)

    def __hash__(self):
        return hash((self.type, self.index))


def device(spec, index=None) -> Device:
    """torch.device(spec): parsed as PyTorch parses it, with its errors."""
    if isinstance(spec, Device):
        return spec
    if isinstance(spec, int) and not isinstance(spec, bool):
        return Device("cuda", spec)
    if not isinstance(spec, str):
        raise AgcliError(f"device(): argument 'type' must be str, not {type(spec).__name__}", kind="type")
    type_, _, number = spec.partition(":")
    if type_ not in _PYTORCH_TYPES:
        raise AgcliError(f"Expected one of {', '.join(_PYTORCH_TYPES)} device type at start of device string: {spec}")
    if _ and not (number.isdigit() and (number == "0" or not number.startswith("0"))):
        raise AgcliError(f"Invalid device string: '{spec}'")
    return Device(type_, int(number) if _ else index)


# Devices PyTorch's CPU build knows by name and has no support linked for
_NOT_LINKED = ("mps", "hip", "ipu", "ve", "fpga", "maia", "xla", "vulkan", "opengl", "opencl", "ideep")


def placement(spec) -> str:
    """The label a tensor asked to be on `spec` gets ("cpu" or "cuda:0"), or PyTorch's error."""
    d = device(spec)
    if d.type == "cpu":
        return "cpu"
    if d.type in _NOT_LINKED:       # (x.to("mps") on a machine without one: PyTorch's CPU build's words)
        raise AgcliError(f"PyTorch is not linked with support for {d.type} devices",
                         hint="agcli computes on the CPU (or on CUDA with --device cuda)")
    if d.type == "xpu":
        raise AgcliError("Torch not compiled with XPU enabled", kind="assert", hint="agcli computes on the CPU here")
    if d.type != "cuda":
        raise AgcliError(f"agcli computes on cpu or cuda, not {d.type}", kind="value",
                         hint="leave device= out, or use 'cpu'")
    if chosen()[0] != "cuda":
        raise AgcliError("Torch not compiled with CUDA enabled", kind="assert",
                         hint="agcli computes on the CPU here; run it with --device cuda on a machine with a GPU")
    if d.index not in (None, 0):
        raise AgcliError(f"CUDA error: invalid device ordinal (agcli uses one GPU, cuda:0, not cuda:{d.index})")
    return "cuda:0"


def on(t: Tensor, spec) -> Tensor:
    """t on the device `spec` (None: where it is): itself when it is there already,
    else a copy recorded as ToCopyBackward0, as PyTorch's .to() does."""
    where = t.device if spec is None else placement(spec)
    if where == t.device:
        return t
    moved = apply(S.MOVE, t)
    moved.device = where
    return moved


def to(x: Tensor, *args, dtype=None, device=None, non_blocking=False, copy=False):
    """x.to(device), x.to(dtype), x.to(device, dtype), x.to(other)."""
    for a in args:
        if type(a) is Tensor:
            device, dtype = a.device, DType(dtype_name(a.data.dtype))
        elif isinstance(a, DType) or a in ("float32", "float64") or a in (float, int, bool):
            dtype = a
        else:
            device = a
    original = x
    x = on(x, device)
    if dtype is not None:
        target = backend_dtype(dtype_of(dtype))
        if kind(target) == "f" or target == x.data.dtype:
            x = S.to_dtype(x, target)
        else:                               # an integer or bool copy carries no gradient (no grad_fn)
            x = Tensor(converted(x.data, target), device=x.device)
    if copy and x is original or x is original and _indexed_cpu(device):
        x = apply(S.MOVE, x)                # copy=True: a new tensor (ToCopyBackward0) even when nothing changes
    return x


def _indexed_cpu(spec) -> bool:
    """x.to('cpu:0'): PyTorch's cpu:0 is not the tensor's cpu, so .to() copies."""
    if not isinstance(spec, (str, Device)):
        return False
    d = device(spec)
    return d.type == "cpu" and d.index is not None


def cuda(x: Tensor, device=None, non_blocking=False) -> Tensor:
    return on(x, "cuda" if device is None else device)


def cpu(x: Tensor) -> Tensor:
    return on(x, "cpu")


def device_of(x: Tensor) -> Device:
    """x.device."""
    return device(x.device)


def is_cuda(x: Tensor) -> bool:
    return x.device != "cpu"


def is_available() -> bool:
    """torch.cuda.is_available(): this process computes on the GPU (--device cuda)."""
    return chosen()[0] == "cuda"


def device_count() -> int:
    """torch.cuda.device_count(), torch.accelerator.device_count(): the GPU this process computes on, or none."""
    return int(is_available())


def current_accelerator():
    """torch.accelerator.current_accelerator(): device('cuda') on the GPU, None on a CPU-only process."""
    return device("cuda") if is_available() else None


def set_default_device(spec) -> None:
    """torch.set_default_device: agcli makes new tensors on the CPU unless device= says otherwise."""
    if spec is None:
        return
    if isinstance(spec, int) and not isinstance(spec, bool) and chosen()[0] != "cuda":
        raise AgcliError("Cannot access accelerator device when none is available.")
    if placement(spec) != "cpu":
        raise AgcliError("agcli makes new tensors on the CPU unless a call's device= says otherwise",
                         kind="value", hint="pass device=... to the calls that make tensors on the GPU")


def get_default_device() -> Device:
    return Device("cpu")
