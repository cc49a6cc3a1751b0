"""torch.poisson(rates) and torch.binomial(count, prob): one draw per element from the CPU generator, in row-major
order (ATen's _s_poisson_cpu and _s_binomial_cpu, torchapi/gamma_sampling.py), recorded as PoissonBackward0 (a zero
gradient) and as binomial's NotImplemented node, as PyTorch records them."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops.sampled import BINOMIAL, POISSON
from ..engine.tensor import Tensor, apply
from ..errors import AgcliError, torch_type_name
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


def binomial(count, prob, generator=None):
    for i, (name, v) in enumerate((("count", count), ("prob", prob))):
        if type(v) is not Tensor:
            fail(f"binomial(): argument '{name}' (position {i + 1}) must be Tensor, not {type(v).__name__}", "type")
    if B.kind(count.data.dtype) != "f":
        raise AgcliError(f"binomial only supports floating-point dtypes for count, got: "
                         f"{torch_type_name(count.data.dtype)}", kind="value")
    if prob.data.dtype != count.data.dtype:
        fail(f"Found dtype {torch_type_name(prob.data.dtype)} but expected {torch_type_name(count.data.dtype)}")
    shape = tuple(B.xp.broadcast_shapes(count.data.shape, prob.data.shape))
    counts, probs = (B.to_host(B.xp.broadcast_to(v.data, shape)).ravel().tolist() for v in (count, prob))
    name = B.dtype_name(count.data.dtype)
    drawn = B.from_host(GS.binomial(chosen(generator), counts, probs, name).reshape(shape))
    if state.grad_enabled and (count.requires_grad or prob.requires_grad):
        return apply(BINOMIAL, count, prob, values=drawn)
    return Tensor(drawn, device=count.device)
