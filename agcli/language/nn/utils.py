"""torch.nn.utils: clip_grad_norm_, clip_grad_value_, get_total_norm, parameters_to_vector
and vector_to_parameters, as torch/nn/utils/clip_grad.py and convert_parameters.py compute
them (each gradient's norm, then the norm of the norms; the gradients scaled in place by
min(max_norm / (total + 1e-6), 1) under no_grad).
"""
from __future__ import annotations

import math
import types

from ...engine.tensor import Tensor, set_grad_enabled
from ...errors import AgcliError
from ...state import state
from ...torchapi import creation as C
from ...torchapi import autograd, functions, in_place
from ...torchapi.indexing import getitem
from ..lower import BINOPS
from ..program_exceptions import raise_python
from ..program_iteration import iterate
from .native import typename


def _tensors(parameters):
    return [parameters] if type(parameters) is Tensor else list(iterate(parameters))


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    tensors = _tensors(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return C.tensor(0.0)
    norms = [functions.norm(t, norm_type) for t in tensors]
    total = functions.norm(functions.stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(autograd.item(total)):
        raise_python(RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"))
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return None
    with set_grad_enabled(False):
        coefficient = functions.clamp(BINOPS["/"](max_norm, BINOPS["+"](total_norm, 1e-6)), max=1.0)
        for g in grads:
            in_place.mul_(g, coefficient)
    return None


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    generator = isinstance(parameters, types.GeneratorType)
    parameters = _tensors(parameters)
    if generator and not parameters:
        state.warn("UserWarning: `parameters` is an empty generator, no gradient clipping will occur.")
    with set_grad_enabled(False):
        total = get_total_norm([p.grad for p in parameters if p.grad is not None], norm_type, error_if_nonfinite)
        clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    clip_value = float(clip_value)
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    if not grads:       # (PyTorch 2.13's own check, worded as it is)
        raise AgcliError("Expected !nested_tensorlist[0].empty() to be true, but got false.  (Could this error "
                         "message be improved?  If so, please report an enhancement request to PyTorch.)")
    with set_grad_enabled(False):
        for grad in grads:
            in_place.clamp_(grad, min=-clip_value, max=clip_value)


def parameters_to_vector(parameters):
    return functions.cat([functions.reshape(p, (-1,)) for p in iterate(parameters)])


def vector_to_parameters(vec, parameters):
    if type(vec) is not Tensor:
        raise_python(TypeError(f"expected torch.Tensor, but got: {typename(vec)}"))
    pointer = 0
    for param in iterate(parameters):
        n = param.numel()
        param.data = functions.reshape(getitem(vec, slice(pointer, pointer + n)), tuple(param.shape)).data
        pointer += n


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Older code's name, deprecated (its warning)."""
    state.warn("FutureWarning: `torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
               "`torch.nn.utils.clip_grad_norm_`.")
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


UTILS = {f.__name__: f for f in (clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_,
                                 parameters_to_vector, vector_to_parameters, clip_grad_norm)}
