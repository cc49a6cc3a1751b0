"""Calling a program's values: its functions, its classes (an instance), Python's
types (a conversion), PyTorch's functions and a tensor's methods (checked as
program_torch_calls.py says), PyTorch's grad modes as decorators.

`obj.name(...)` on a tensor takes agcli's method straight from the tables,
without making the bound method first: the calls a training loop makes most.
"""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..torchapi.modes import GradModeContext, InferenceMode
from ..torchapi.ndarrays import numpy_errors
from .nn.lazy import REFUSED as LAZY_REFUSED, is_uninitialized, refuse as refuse_uninitialized
from .program_attributes import get_attribute, method_fits
from .program_classes import instantiate
from .program_conversions import CONSTRUCTORS
from .program_exceptions import is_exception_class, python_errors, raise_python
from .program_functions import UserFunction
from .program_namedtuple import is_namedtuple_class
from .program_names import receiver_tables
from .program_numpy import VALUES
from .program_objects import BoundMethod, Builtin, ProgramObject, misfit
from .program_torch_calls import TensorMethod, TorchClass, TorchFunction, call as torch_call
from .program_values import type_name

_DIRECT = (UserFunction, BoundMethod, Builtin, TorchFunction, TorchClass, TensorMethod)
_DECORATORS = frozenset(("no_grad", "enable_grad", "inference_mode"))


def invoke(f, args, kwargs):
    """f(*args, **kwargs) for any value f of a program."""
    t = type(f)
    if t in _DIRECT:
        if t is TorchClass and f.name in _DECORATORS and len(args) == 1 and not kwargs and _decorates(f.name, args[0]):
            return ModeFunction(f.fn(), args[0])       # @torch.no_grad without parentheses
        return f(*args, **kwargs)
    if isinstance(f, type):
        if issubclass(f, ProgramObject):
            return instantiate(f, args, kwargs)
        if is_namedtuple_class(f):
            return python_errors(f)(*args, **kwargs)
        constructor = CONSTRUCTORS.get(f)
        if constructor is not None:
            try:
                return constructor(*args, **kwargs)
            except TypeError as e:
                raise misfit(f.__name__, constructor, e, args, kwargs) from None
        if is_exception_class(f):
            return python_errors(f)(*args, **kwargs)
        if f.__module__ == "numpy":        # np.float32(1.5): NumPy's own, with its words
            return numpy_errors(f, *args, **kwargs)
        raise_python(TypeError(f"cannot create '{f.__name__}' instances"))
    if isinstance(f, GradModeContext):
        if len(args) != 1 or kwargs or not callable(args[0]):
            raise_python(TypeError(f"'{type_name(f)}' object is not callable"))
        return ModeFunction(f, args[0])
    if isinstance(f, ProgramObject) or callable(f) and not isinstance(f, (Tensor, *VALUES)):
        return f(*args, **kwargs)
    raise_python(TypeError(f"'{type_name(f)}' object is not callable"))


def _decorates(name, argument):
    """Whether torch.no_grad(argument) is PyTorch's decorator (anything but None, callable or not: a call then
    calls it) and torch.inference_mode(argument) too (anything but a bool, its mode)."""
    return type(argument) is not bool if name == "inference_mode" else argument is not None


def call_method(receiver, name, args, kwargs):
    """receiver.name(*args, **kwargs)."""
    t = type(receiver)
    if t is Tensor or receiver is None or isinstance(receiver, VALUES):
        fn = receiver_tables()[0].get(name)
        if fn is not None:
            if name in LAZY_REFUSED and is_uninitialized(receiver):
                refuse_uninitialized(receiver, name)        # (a LazyLinear's parameter before its first call)
            return torch_call(fn, name, receiver, args, kwargs, method_fits(name), True)
    return invoke(get_attribute(receiver, name), args, kwargs)


class ModeFunction:
    """A function decorated with @torch.no_grad() (or enable_grad, inference_mode): it runs in that mode."""

    __slots__ = ("context", "function")
    type_name = "function"
    program_attributes = {"__name__": "name", "__qualname__": "name"}

    def __init__(self, context, function):
        self.context, self.function = context, function

    @property
    def name(self):
        return getattr(self.function, "name", "?")

    def __call__(self, *args, **kwargs):
        context = _fresh(self.context)      # (each call its own: a recursive call restores its own mode)
        context.__enter__()
        try:
            return invoke(self.function, args, kwargs)
        finally:
            context.__exit__(None, None, None)

    def get_for(self, instance, owner):
        return self if instance is None else BoundMethod(self, instance)

    def __repr__(self):
        return repr(self.function)


def _fresh(context):
    if type(context) is GradModeContext:
        return GradModeContext(context.context.enabled)
    if type(context) is InferenceMode:
        return InferenceMode(context.mode)
    return context
