"""Exceptions in programs: the classes a program names, the exception object
`except ... as e` binds, and how Python's own errors on Python values become
the program's.

An error travels as an AgcliError (its place, a hint); what the program sees of
it is an exception object of Python's class: PyTorch's errors (AgcliError's
kind says which: RuntimeError, TypeError, ...) get one when first caught; a
`raise` and Python's errors on Python values (`[1][5]`, `{}['k']`) carry theirs
from the start (ProgramException). Python's own exception classes are the
program's, so `except ArithmeticError` catches a ZeroDivisionError by Python's
own hierarchy, and a program's `class MyError(ValueError)` joins it.
"""
from __future__ import annotations

import builtins

from ..errors import EXIT_EVAL, AgcliError
from ..torchapi import autograd
from .program_values import value_str

# Python's exception classes a program may name (and raise, and subclass).
EXCEPTION_CLASSES = {name: getattr(builtins, name) for name in (
    "BaseException", "Exception", "ArithmeticError", "ZeroDivisionError", "OverflowError", "FloatingPointError",
    "LookupError", "IndexError", "KeyError", "RuntimeError", "NotImplementedError", "RecursionError",
    "NameError", "UnboundLocalError", "ImportError", "ModuleNotFoundError", "TypeError", "ValueError",
    "AttributeError", "AssertionError", "StopIteration", "MemoryError", "EOFError", "KeyboardInterrupt",
    "SystemExit", "GeneratorExit", "UnicodeError", "Warning", "UserWarning", "DeprecationWarning",
    "RuntimeWarning", "FutureWarning", "OSError", "FileNotFoundError", "PermissionError", "FileExistsError",
    "IsADirectoryError", "NotADirectoryError")}



def _torch_error(name, module="torch", parent=RuntimeError):
    return type(name, (parent,), {"__module__": module, "__qualname__": name})


# PyTorch's own exception classes, which a program may raise, catch and subclass.
TORCH_EXCEPTIONS = {"OutOfMemoryError": _torch_error("OutOfMemoryError"),
                    "AcceleratorError": _torch_error("AcceleratorError"),
                    "LinAlgError": _torch_error("_LinAlgError", "torch._C"),
                    "GradcheckError": _torch_error("GradcheckError", "torch.autograd.gradcheck")}

EXCEPTION_CLASSES["torch._C._LinAlgError"] = TORCH_EXCEPTIONS["LinAlgError"]     # (an error of kind "linalg")
EXCEPTION_CLASSES["torch.autograd.gradcheck.GradcheckError"] = TORCH_EXCEPTIONS["GradcheckError"]   # (kind "gradcheck")

# What Python's operations on Python values raise, and the program may catch.
PYTHON_ERRORS = (TypeError, ValueError, LookupError, ArithmeticError, AttributeError, StopIteration,
                 UnicodeError, AssertionError)


class ProgramException(AgcliError):
    """An exception with its object: raised by the program, or by Python on Python values."""

    def __init__(self, value: BaseException, span=None, hint=None):
        text = value_str(value)
        name = type(value).__name__
        module = type(value).__module__
        if module not in ("builtins", "__main__") and not module.startswith(("torch", "agcli")):
            name = f"{module}.{type(value).__qualname__}"       # (io.UnsupportedOperation, as Python's report)
        super().__init__(f"{name}: {text}" if text else name, span, kind="raised", hint=hint)
        self.value = value
        self.exit_code = EXIT_EVAL

    @property
    def python_type(self) -> str:
        return type(self.value).__name__


def raise_python(value: BaseException, span=None, hint=None):
    raise ProgramException(value, span, hint) from None


def tensor_number(v, as_float=False):
    """A one-element tensor as Python's number protocol reads it: its item (as_float:
    Tensor.__float__, which warns when v requires grad, before it looks at the size)."""
    if v.data.size != 1:
        if as_float and v.requires_grad:
            autograd.warn(autograd.FLOAT_WITH_GRAD)
        raise_python(ValueError("only one element tensors can be converted to Python scalars"))
    return autograd.python_float(v) if as_float else autograd.item(v)


def python_errors(fn):
    """fn, with Python's errors on Python values (their class and words) raised as the program's."""
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PYTHON_ERRORS as e:
            raise ProgramException(e) from None
    call.__name__ = getattr(fn, "__name__", "call")
    return call


def exception_value(error: AgcliError) -> BaseException:
    """What `except ... as e` binds for `error` (the same object each time it is asked)."""
    value = getattr(error, "value", None)
    if value is None:
        cls = EXCEPTION_CLASSES.get(error.python_type, RuntimeError)
        value = error.value = cls(error.message)
        value.agcli_error = error       # (a `raise e` of it raises the error again, with its hint)
    return value


def is_exception_class(c) -> bool:
    return isinstance(c, type) and issubclass(c, BaseException)


def matches(handler, error: AgcliError) -> bool:
    """Does `except handler` (a class or a tuple of classes) catch `error`?"""
    classes = handler if isinstance(handler, tuple) else (handler,)
    for c in classes:
        if not is_exception_class(c):
            raise_python(TypeError("catching classes that do not inherit from BaseException is not allowed"))
    return isinstance(exception_value(error), classes)


def reraise(value: BaseException, span=None):
    """`raise e` of an exception object the program holds (the error it came from keeps its hint)."""
    error = getattr(value, "agcli_error", None)
    if error is not None and error.value is value:
        raise error
    raise ProgramException(value, span) from None
