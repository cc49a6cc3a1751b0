"""dir(obj) in a program: the names Python's dir() lists, for the values agcli knows them of as Python
does: Python's own values and NumPy's (their real dir()), and PyTorch's modules, tensors and objects
(recorded from PyTorch 2.13, the lists language/suggestions.py suggests from). `print(dir(torch.distributions))`
is how PyTorch's tutorial finds what a module holds."""
from __future__ import annotations

from ..errors import AgcliError
from . import suggestions
from .module_value import ModuleValue
from .program_exceptions import raise_python
from .program_numpy import VALUES
from .program_values import type_name


def dir_of(*args) -> list:
    if len(args) > 1:
        raise_python(TypeError(f"dir expected at most 1 argument, got {len(args)}"))
    if not args:
        raise AgcliError("agcli's programs do not reach their namespaces (dir() without an argument)", kind="name",
                         hint="dir(x) lists the names of a module, a tensor or a value")
    value, = args
    if type(value) is ModuleValue:
        names = suggestions.module_dir(value.name)
    else:       # (NumPy's values: their real dir())
        names = dir(value) if isinstance(value, VALUES) else suggestions.value_dir(value, type_name(value))
    if names is None:
        raise AgcliError(f"agcli does not know the names of a {type_name(value)} object as Python lists them (dir)",
                         kind="name", hint="dir() lists the names of torch's modules, math, numpy, tensors, torch.Size, "
                                           "dtypes, optimizers, schedulers and Python's own values")
    return list(names)
