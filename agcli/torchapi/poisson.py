"""torch.poisson(rates): one draw per rate from the CPU generator, in row-major order (ATen's _s_poisson_cpu,
torchapi/gamma_sampling.py), recorded as PoissonBackward0 (a zero gradient, as PyTorch's)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops.sampled import POISSON
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from ..state import state
from . import gamma_sampling as GS
from .checks import fail
from .generator import chosen


def poisson(input, generator=None):
    if type(input) is not Tensor:
        fail(f"poisson(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}", "type")
    name = B.dtype_name(input.data.dtype)
    if name not in ("float32", "float64"):
        fail(f'"poisson_cpu" not implemented for \'{torch_type_name(input.data.dtype)}\'', "not_implemented")
    rates = B.to_host(input.data).ravel().tolist()
    drawn = B.from_host(GS.poisson(chosen(generator), rates, name).reshape(input.data.shape))
    if state.grad_enabled and input.requires_grad:
        return apply(POISSON, input, values=drawn)
    return Tensor(drawn, device=input.device)
