"""What PyTorch's names mean in a program beyond an expression's: the autograd
API (backward, no_grad, .grad, hooks, ...), torch's functions reached by their
module (torch.autograd.grad, ...), and the attributes a program may assign.

A program's modules (program_modules.py) and its tensors' methods and
attributes (program_attributes.py) are made from these tables and
torchapi.namespace's; Python's own names are program_builtins.py's.
"""
from __future__ import annotations

from ..errors import AgcliError
from ..torchapi import autograd, compound, devices, dtypes, generator, in_place, modes, nodes, print_options, sampling
from ..torchapi import more_names, sampling_more
from ..torchapi import namespace
from ..torchapi import ndarrays
from ..torchapi import nn as nn_functions
from .program_calculus import CALCULUS_FUNCTIONS
from .program_numpy import ARRAY_ATTRIBUTES, ARRAY_METHODS, on_receiver
from .unknown_names import declare_all_names

declare_all_names()     # (a program's modules and tensors are made from the full tables)

PROGRAM_FUNCTIONS = {
    "no_grad": modes.no_grad, "enable_grad": modes.enable_grad, "set_grad_enabled": modes.set_grad_enabled_,
    "is_grad_enabled": modes.is_grad_enabled, "manual_seed": generator.manual_seed,
    "initial_seed": generator.initial_seed, "get_rng_state": generator.get_rng_state,
    "set_rng_state": generator.set_rng_state, "Generator": generator.Generator,
    "inference_mode": modes.inference_mode, "is_inference_mode_enabled": modes.is_inference_mode_enabled,
    "is_inference": modes.is_inference, "set_detect_anomaly": modes.set_detect_anomaly,
    "detect_anomaly": modes.detect_anomaly, "is_anomaly_enabled": modes.is_anomaly_enabled,
    "is_anomaly_check_nan_enabled": modes.is_anomaly_check_nan_enabled, "Variable": autograd.variable,
    "set_printoptions": print_options.set_printoptions,
    "from_numpy": ndarrays.from_numpy, "as_tensor": ndarrays.as_tensor,
    "set_default_dtype": dtypes.set_default_dtype, "get_default_dtype": dtypes.get_default_dtype,
    "finfo": dtypes.float_info, "iinfo": dtypes.int_info,
    "set_default_device": devices.set_default_device, "get_default_device": devices.get_default_device,
    "use_deterministic_algorithms": modes.use_deterministic_algorithms,
    "are_deterministic_algorithms_enabled": modes.are_deterministic_algorithms_enabled,
    "is_deterministic_algorithms_warn_only_enabled": modes.is_deterministic_algorithms_warn_only_enabled,
    **more_names.PROGRAM_FUNCTIONS,
}
def _nothing(*args, **kwargs):
    return None


QUALIFIED = {"torch.autograd.grad": autograd.autograd_grad, "torch.autograd.backward": autograd.autograd_backward,
             "torch.seed": generator.seed, "torch.cuda.is_available": devices.is_available,
             "torch.cuda.device_count": devices.device_count, "torch.accelerator.is_available": devices.is_available,
             "torch.accelerator.device_count": devices.device_count,
             "torch.accelerator.current_accelerator": devices.current_accelerator,
             "torch.backends.mps.is_available": lambda: False, "torch.backends.mps.is_built": lambda: False,
             "torch.backends.cudnn.is_available": lambda: False,
             # (seeding a GPU there is not: nothing, as PyTorch queues it for a CUDA that never starts)
             **{f"torch.cuda.{name}": _nothing for name in ("manual_seed", "manual_seed_all", "seed", "seed_all")},
             "torch.cuda.is_initialized": lambda: False,
             **{f"torch.random.{name}": getattr(generator, name) for name in (
                 "seed", "manual_seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng")},
             "torch.default_generator": generator.DEFAULT, "torch.random.default_generator": generator.DEFAULT,
             **CALCULUS_FUNCTIONS}      # torch.autograd.functional, torch.func, gradcheck (program_calculus.py)


def _no_method(value, name):
    raise AgcliError(f"'{type(value).__name__}' object has no method '{name}'", kind="type")


def _no_attribute(value, name):
    raise AgcliError(f"'{type(value).__name__}' object has no attribute '{name}'", kind="type")


PROGRAM_METHODS = {
    "backward": autograd.backward, "requires_grad_": autograd.requires_grad_, "retain_grad": autograd.retain_grad,
    "detach_": autograd.detach_, "tolist": autograd.tolist, "numpy": ndarrays.numpy,
    **{name: nn_functions.dim_required(name) for name in ("softmax", "log_softmax")},     # (x.softmax() needs dim)
    **{name: getattr(in_place, name) for name in (
        "zero_", "fill_", "add_", "sub_", "mul_", "div_", "pow_", "remainder_", "floor_divide_", "bitwise_and_",
        "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_", "bitwise_right_shift_", "exp_", "log_", "log1p_", "sqrt_",
        "sin_", "cos_", "tan_", "tanh_", "sigmoid_", "relu_", "abs_", "neg_", "reciprocal_", "clamp_", "masked_fill_",
        "clamp_min_", "clamp_max_", "copy_", "index_fill_", "scatter_", "scatter_add_", "unsqueeze_", "squeeze_",
        "t_", "transpose_")},
    "addcmul_": compound.addcmul_, "addcdiv_": compound.addcdiv_, "lerp_": compound.lerp_, **more_names.IN_PLACE,
    "name": lambda fn: fn.qualified_name() if isinstance(fn, autograd.GradFn) else _no_method(fn, "name"),
    "register_hook": nodes.register_hook, "register_prehook": nodes.register_prehook, "remove": nodes.remove,
    "register_post_accumulate_grad_hook": nodes.register_post_accumulate_grad_hook,
    "is_inference": modes.is_inference,
    **{name: getattr(sampling, name) for name in ("normal_", "uniform_", "bernoulli_", "random_", "exponential_",
                                                      "cauchy_")}, **sampling_more.IN_PLACE,
    **generator.METHODS,
}

PROGRAM_ATTRIBUTES = {
    "grad": autograd.get_grad, "grad_fn": autograd.grad_fn_of,
    "next_functions": lambda fn: fn.next_functions() if isinstance(fn, autograd.GradFn) else
    _no_attribute(fn, "next_functions"),
    "metadata": lambda fn: fn.metadata() if isinstance(fn, autograd.GradFn) else _no_attribute(fn, "metadata"),
    "retains_grad": lambda x: bool(getattr(x, "retains_grad", False)),
    "message": str,
    **{f"_saved_{name}": nodes.saved_attribute(name) for name in nodes.saved_names()},     # grad_fn._saved_self
    "variable": lambda fn: fn.node.variable if isinstance(fn, autograd.GradFn) and hasattr(fn.node, "variable")
    else _no_attribute(fn, "variable"),
}

SETTERS = {"grad": autograd.set_grad, "requires_grad": autograd.set_requires_grad, "data": autograd.set_data}


class _AttributeError(AgcliError):
    """None.zero_(), None.shape: what `except AttributeError` catches, as in Python."""

    @property
    def python_type(self) -> str:
        return "AttributeError"


def _refuse_none(name):
    """None.zero_() the way Python refuses it (x.grad.zero_() before any backward)."""
    raise _AttributeError(f"'NoneType' object has no attribute '{name}'", kind="type")


_TABLES = []


def receiver_tables():
    """(methods, attributes) a program's `x.name(...)` and `x.name` use, for tensors and
    NumPy values alike (program_numpy.on_receiver); made once."""
    if not _TABLES:
        methods = {**namespace.METHODS, **PROGRAM_METHODS}
        attributes = {**namespace.ATTRIBUTES, **PROGRAM_ATTRIBUTES}
        _TABLES.append(({n: on_receiver(n, methods.get(n), True, _refuse_none)
                         for n in methods.keys() | ARRAY_METHODS},
                        {n: on_receiver(n, attributes.get(n), False, _refuse_none)
                         for n in attributes.keys() | ARRAY_ATTRIBUTES}))
    return _TABLES[0]
