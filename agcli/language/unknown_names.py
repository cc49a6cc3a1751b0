"""What to say about a name agcli does not know: a typo's likely meaning, or
that PyTorch has it and agcli does not.

`nn.Linear` or `torch.fft` deserve "agcli does not provide it", not "did you
mean 'inner'?". The list (pytorch_names.txt) is recorded from PyTorch 2.13
by tests/fixtures/record_pytorch_names.py and read only when a name is unknown.
"""
from __future__ import annotations

import os
from functools import lru_cache

from ..errors import did_you_mean

# `agcli grad`'s options (cli/arguments.py: GRAD_OPTIONS; a test keeps the two equal):
# --NAME is read as the option, so a variable of that name needs -D NAME=VALUE.
OPTION_NAMES = frozenset(("wrt", "seed", "dtype", "format", "out", "device", "debug", "strict", "color"))

# How a module is written in a program -> its prefix in pytorch_names.txt.
_PREFIX = {"torch": "torch", "torch.nn.functional": "F", "F": "F", "functional": "F",
           "torch.nn": "nn", "nn": "nn", "torch.linalg": "linalg", "torch.special": "special"}


def declare_all_names() -> bool:
    """Declare PyTorch's rarer groups of names (torchapi/rarer_names.py), at the first name missed or
    for a program: True if that was now (the name missed may be there now)."""
    from ..torchapi import rarer_names
    return rarer_names.declare()


def module_has(module: str | None, name: str) -> bool:
    """Does PyTorch's `module` (as a program writes it: torch, F, torch.linalg, ...) have `name`?
    agcli's functions are one table; PyTorch's modules each hold some of them (no F.exp, no
    torch.gelu). A module the list does not cover: True."""
    prefix = _PREFIX.get(module)
    return prefix is None or f"{prefix}.{name}" in _names()


@lru_cache(maxsize=1)
def _names() -> frozenset:
    # (os.path, not pathlib: this module is imported by every call, and pathlib's import, which
    # brings urllib.parse, ipaddress and fnmatch, is a few percent of `agcli grad`'s start-up)
    with open(os.path.join(os.path.dirname(__file__), "pytorch_names.txt"), encoding="utf-8") as f:
        text = f.read()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def pytorch_has(name: str, module: str | None = None, method: bool = False) -> str | None:
    """PyTorch's spelling of `module.name` (or of the method `.name`) if PyTorch has it, else None."""
    names = _names()
    if method:
        return f"Tensor.{name}" if f"Tensor.{name}" in names else None
    if module is None:
        for prefix in ("torch", "F"):
            if f"{prefix}.{name}" in names:
                return f"{'torch' if prefix == 'torch' else 'torch.nn.functional'}.{name}"
        return None
    prefix = _PREFIX.get(module)
    if prefix is not None and f"{prefix}.{name}" in names:
        return f"{module}.{name}"
    return None


def not_provided(spelling: str) -> str:
    return f"PyTorch has {spelling}, but agcli does not provide it; the README lists what agcli has"


def _or_guess(pytorch, name, candidates):
    return not_provided(pytorch) if pytorch else did_you_mean(name, candidates)


def function_hint(name, module, functions):
    if module is not None and name in functions:     # (F.exp: agcli has exp, PyTorch's F has not)
        elsewhere = [m for m in ("torch", "torch.nn.functional") if m != module and module_has(m, name)]
        return f"PyTorch's {module} has no '{name}'" + (f"; write {elsewhere[0]}.{name}" if elsewhere else "")
    return _or_guess(pytorch_has(name, module), name, functions)


def method_hint(name, module, methods, attributes):
    if name in attributes:
        return f"'.{name}' is an attribute: drop the parentheses"
    if name == "backward":
        return "agcli grad runs backward from the expression's value itself: drop .backward()"
    pytorch = pytorch_has(name, module) if module in ("nn", "torch.nn") else pytorch_has(name, method=True)
    return _or_guess(pytorch, name, methods)


def attribute_hint(name, module, attributes, methods=()):
    if name in methods:
        return f"'{name}' is a method: call it, e.g. x.{name}()"
    pytorch = pytorch_has(name, module) if module else pytorch_has(name, method=True)
    return _or_guess(pytorch, name, attributes)


def variable_hint(name, known):
    guess = did_you_mean(name, known)
    if guess:
        return guess
    if name in OPTION_NAMES:
        return f"--{name} is one of agcli's options: bind a variable of that name with -D {name}=VALUE"
    if name in _PROGRAM_MODULES:
        return (f"an expression calls torch's functions (torch.sin(x), not {name}.sin(x)); "
                f"a program run by agcli run may import {name}")
    return f"bind it with --{name} VALUE"


_PROGRAM_MODULES = ("np", "numpy", "math", "random", "plt")
