"""What names mean in a program beyond an expression's: Python's builtins
(print, len, range, ...), the autograd API (backward, no_grad, .grad, ...),
the modules a program may import, and the attributes it may assign.

These tables are everything a program can reach: a name found in none of
them (nor in torchapi.namespace) is an error when the program is lowered.
"""
from __future__ import annotations

import functools

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import autograd, devices, in_place, modes
from ..torchapi import functions
from ..torchapi import namespace
from .program_values import value_repr, value_str

ALLOWED_MODULES = {"torch", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.random"}


def printer(runtime):
    """print(), writing to the runtime's output."""
    def print_(*values, sep=" ", end="\n", flush=False, file=None):
        runtime.write((" " if sep is None else sep).join(value_str(v) for v in values) +
                      ("\n" if end is None else end))
    return print_


def _len(x):
    if type(x) is Tensor:
        if x.data.ndim == 0:
            raise AgcliError("len() of a 0-d tensor", kind="type")
        return x.data.shape[0]
    return len(x)


def _number(kind):
    def convert(x=0):
        if type(x) is Tensor:
            if x.data.size != 1:
                raise AgcliError("only one element tensors can be converted to Python scalars", kind="value")
            return kind(autograd.item(x))
        try:
            return kind(x)
        except (TypeError, ValueError) as e:
            raise AgcliError(str(e), kind="value") from None
    return convert


def _extreme(torch_fn, python_fn):
    def pick(*args, **kwargs):
        if any(type(a) is Tensor for a in args):
            return torch_fn(*args, **kwargs)
        return python_fn(*args, **kwargs)
    return pick


def _abs(x):
    return functions.abs(x) if type(x) is Tensor else abs(x)


BUILTINS = {
    "range": range, "len": _len, "float": _number(float), "int": _number(int), "bool": autograd.truth,
    "str": value_str, "repr": value_repr, "list": list, "tuple": tuple, "enumerate": enumerate, "zip": zip,
    "round": round, "max": _extreme(functions.max, max), "min": _extreme(functions.min, min), "abs": _abs,
}

PROGRAM_FUNCTIONS = {
    "no_grad": modes.no_grad, "enable_grad": modes.enable_grad, "set_grad_enabled": modes.set_grad_enabled_,
    "is_grad_enabled": modes.is_grad_enabled, "manual_seed": modes.manual_seed,
}
QUALIFIED = {"torch.autograd.grad": autograd.autograd_grad, "torch.autograd.backward": autograd.autograd_backward,
             "torch.random.seed": modes.random_seed, "torch.random.manual_seed": modes.manual_seed,
             "torch.seed": modes.random_seed, "torch.cuda.is_available": devices.is_available}


def _no_method(value, name):
    raise AgcliError(f"'{type(value).__name__}' object has no method '{name}'", kind="type")


def _no_attribute(value, name):
    raise AgcliError(f"'{type(value).__name__}' object has no attribute '{name}'", kind="type")


def _pytorch_node_name(name: str) -> str:
    """grad_fn.name(): PyTorch's C++ nodes are named with their namespace."""
    return f"torch::autograd::{name}" if name in ("CopySlices", "AccumulateGrad") else name


PROGRAM_METHODS = {
    "backward": autograd.backward, "requires_grad_": autograd.requires_grad_, "retain_grad": autograd.retain_grad,
    "detach_": autograd.detach_, "tolist": autograd.tolist, "numpy": autograd.numpy,
    **{name: getattr(in_place, name) for name in (
        "zero_", "fill_", "add_", "sub_", "mul_", "div_", "pow_", "remainder_", "exp_", "log_", "sqrt_", "sin_",
        "cos_", "tan_", "tanh_", "sigmoid_", "relu_", "abs_", "neg_", "reciprocal_", "clamp_", "masked_fill_")},
    "name": lambda fn: _pytorch_node_name(fn.name) if isinstance(fn, autograd.GradFn) else _no_method(fn, "name"),
}

PROGRAM_ATTRIBUTES = {
    "grad": autograd.get_grad, "grad_fn": autograd.grad_fn_of,
    "next_functions": lambda fn: fn.next_functions() if isinstance(fn, autograd.GradFn) else
    _no_attribute(fn, "next_functions"),
    "retains_grad": lambda x: bool(getattr(x, "retains_grad", False)),
    "message": str,
}

SETTERS = {"grad": autograd.set_grad, "requires_grad": autograd.set_requires_grad, "data": autograd.set_data}


class _AttributeError(AgcliError):
    """None.zero_(), None.shape: what `except AttributeError` catches, as in Python."""

    @property
    def python_type(self) -> str:
        return "AttributeError"


def _on_receiver(name, fn):
    """fn(receiver, ...), refusing None the way Python does (x.grad.zero_() before any backward)."""
    @functools.wraps(fn)
    def method(receiver, *args, **kwargs):
        if receiver is None:
            raise _AttributeError(f"'NoneType' object has no attribute '{name}'", kind="type")
        return fn(receiver, *args, **kwargs)
    return method


_TABLES = []


def receiver_tables():
    """(methods, attributes) a program's `x.name(...)` and `x.name` use; made once."""
    if not _TABLES:
        _TABLES.append(({n: _on_receiver(n, f) for n, f in {**namespace.METHODS, **PROGRAM_METHODS}.items()},
                        {n: _on_receiver(n, f) for n, f in {**namespace.ATTRIBUTES, **PROGRAM_ATTRIBUTES}.items()}))
    return _TABLES[0]
