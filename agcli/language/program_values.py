"""What a program's values look like: repr(), str(), f-string fields, and the
exception classes an `except` clause names.

print(), the REPL's echo and f-strings all go through here, so a value reads
the same wherever a program shows it (and the way Python would show it).
"""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import functions
from ..torchapi import namespace
from ..torchapi.devices import Device
from ..torchapi.ndarrays import host
from ..torchapi.printing import tensor_repr

_NUMPY_SHOWN = (host.ndarray, host.generic, host.dtype)     # print() shows str(): [1. 2.], float32


# Python's exception classes a program may name, each with its parent: `except
# ArithmeticError` catches a ZeroDivisionError, `except LookupError` an IndexError.
_PARENTS = {
    "BaseException": None, "Exception": "BaseException",
    "ArithmeticError": "Exception", "ZeroDivisionError": "ArithmeticError", "OverflowError": "ArithmeticError",
    "FloatingPointError": "ArithmeticError",
    "LookupError": "Exception", "IndexError": "LookupError", "KeyError": "LookupError",
    "RuntimeError": "Exception", "NotImplementedError": "RuntimeError", "RecursionError": "RuntimeError",
    "NameError": "Exception", "UnboundLocalError": "NameError",
    "ImportError": "Exception", "ModuleNotFoundError": "ImportError",
    "TypeError": "Exception", "ValueError": "Exception", "AttributeError": "Exception",
    "AssertionError": "Exception", "StopIteration": "Exception", "SyntaxError": "Exception",
}


class ExceptionType:
    """RuntimeError, Exception, ... as an `except` clause names them."""

    def __init__(self, name):
        self.name = name

    def matches(self, python_type: str) -> bool:
        """Does `except <self>` catch an error of class `python_type` (or a subclass of it)?"""
        while python_type is not None:
            if python_type == self.name:
                return True
            python_type = _PARENTS.get(python_type, "Exception")
        return False

    def __repr__(self):
        return f"<class '{self.name}'>"


EXCEPTIONS = {name: ExceptionType(name) for name in _PARENTS}


class CaughtError:
    """What `except RuntimeError as e` binds: prints as the message, like Python."""

    def __init__(self, error: AgcliError):
        self.error = error

    def __str__(self):
        return self.error.message

    def __repr__(self):
        return f"{self.error.python_type}({self.error.message!r})"


def value_repr(v) -> str:
    if type(v) is Tensor:
        return tensor_repr(v)
    if isinstance(v, functions.ValuesIndices):
        return f"torch.return_types.{v.function}(\nvalues={value_repr(v[0])},\nindices={value_repr(v[1])})"
    if isinstance(v, tuple) and not isinstance(v, namespace.Size):
        inner = ", ".join(value_repr(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, list):
        return "[" + ", ".join(value_repr(x) for x in v) + "]"
    return repr(v)     # numbers, strings, None, torch.Size, dtypes, grad_fns, NumPy arrays


def value_str(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (CaughtError, Device, *_NUMPY_SHOWN)):    # print(e), print(t.device), print(a), print(a.dtype)
        return str(v)
    return value_repr(v)


def format_field(v, spec: str) -> str:
    """An f-string field: f"{v:spec}"."""
    # Tensor.__format__: a 0-d tensor formats as its Python number (f"{y}" is "5.0",
    # not "tensor(5.)"); any other tensor is str() with no spec and refuses one.
    if type(v) is Tensor:
        if v.data.ndim == 0:
            v = functions.item(v.data)
        elif spec:
            raise AgcliError("unsupported format string passed to Tensor.__format__", kind="type")
    if not spec:
        return value_str(v)
    try:
        return format(v, spec)
    except (ValueError, TypeError) as e:
        raise AgcliError(str(e), kind="value") from None
