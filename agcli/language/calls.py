"""How a call's arguments meet the function's signature: checked once per
shape of call (binding a signature costs more than the rest of lowering),
and which of them bind parameters that take tensors."""
from __future__ import annotations

import inspect

from ..torchapi import creation as C

# The parameters of the PyTorch functions that take tensors (the names agcli's
# functions give them); creation functions take data, not tensors.
TENSOR_PARAMETERS = frozenset(("x", "y", "a", "b", "m", "v", "u", "input", "target", "other", "condition"))


def tensor_parameters(fn, is_method, n_args, keywords) -> tuple:
    """((argument index, parameter name), ...) of a call's arguments that bind tensor parameters."""
    if getattr(fn, "__module__", None) == C.__name__:
        return ()
    params = list(signature(fn).parameters.values())[int(is_method):]
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    found = [(i, names[i]) for i in range(min(n_args, len(names))) if names[i] in TENSOR_PARAMETERS]
    found += [(n_args + j, k.name) for j, k in enumerate(keywords) if k.name in TENSOR_PARAMETERS]
    return tuple(found)


_signatures = {}
# (function, is_method, positional count, keyword names) of the calls known to bind -> their tensor arguments
calls_that_fit = {}


def signature(fn):
    sig = _signatures.get(fn)
    if sig is None:
        sig = _signatures[fn] = inspect.signature(fn)
    return sig
