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


# What a program (agcli run, agcli repl) has and an expression has not: Python's built-ins, the
# autograd calls `agcli grad` makes itself, and a tensor's state between lines. PyTorch has most
# of these names, so "agcli does not provide it" would send the user away from `agcli run`.
_BUILTINS = frozenset(("print", "len", "range", "list", "tuple", "dict", "set", "float", "int", "bool", "str",
                       "type", "isinstance", "enumerate", "zip", "map", "filter", "sorted", "reversed", "repr"))
_STATE = frozenset(("grad", "grad_fn", "retain_grad", "retains_grad", "register_hook", "requires_grad_",
                    "zero_", "numpy", "tolist", "detach_"))
_RUN = "a program run by `agcli run` (or typed into `agcli repl`) has it"


def _for_programs(name, module, method=False):
    """The hint for a name only a program has (see _BUILTINS, _STATE), else None."""
    if module is None and not method and name in _BUILTINS:
        shows = "agcli grad prints the value itself; " if name == "print" else ""
        return f"{name}() is Python's built-in, not PyTorch's: {shows}{_RUN}"
    if module is not None and module.startswith("torch.autograd"):
        return ("agcli grad is torch.autograd.grad (and backward) of the expression; "
                "agcli jacobian, hessian, jvp, vjp, hvp, vhp and check are torch.autograd.functional's and gradcheck; "
                + _RUN)
    if module in ("nn", "torch.nn") and name[:1].isupper() and pytorch_has(name, module):
        return (f"{module}.{name} is a module class, for programs: one run by `agcli run` makes its modules "
                "(the README lists them); an expression calls torch.nn.functional's functions (F.linear(x, w, b))")
    if name in _STATE and (method or module is None or module not in _PREFIX):
        if name in ("grad", "grad_fn"):
            return (f"agcli grad shows .{name} itself (each node's grad_fn in the graph, each leaf's .grad "
                    f"under gradients); {_RUN}")
        return f"an expression is one computation, without a tensor's state between lines; {_RUN}"
    return None


def function_hint(name, module, functions):
    special = _for_programs(name, module)
    if special:
        return special
    if module is not None and name in functions:     # (F.exp: agcli has exp, PyTorch's F has not)
        elsewhere = [m for m in ("torch", "torch.nn.functional") if m != module and module_has(m, name)]
        return f"PyTorch's {module} has no '{name}'" + (f"; write {elsewhere[0]}.{name}" if elsewhere else "")
    return _or_guess(pytorch_has(name, module), name, functions)


def method_hint(name, module, methods, attributes):
    if name in attributes:
        return f"'.{name}' is an attribute: drop the parentheses"
    if name == "backward":
        return "agcli grad runs backward from the expression's value itself: drop .backward()"
    special = _for_programs(name, module, method=True)
    if special:
        return special
    pytorch = pytorch_has(name, module) if module in ("nn", "torch.nn") else pytorch_has(name, method=True)
    return _or_guess(pytorch, name, methods)


def attribute_hint(name, module, attributes, methods=()):
    if name in methods:
        return f"'{name}' is a method: call it, e.g. x.{name}()"
    special = _for_programs(name, module, method=module is None)
    if special:
        return special
    pytorch = pytorch_has(name, module) if module else pytorch_has(name, method=True)
    return _or_guess(pytorch, name, attributes)


def variable_hint(name, known):
    if name == "nn":
        return ("an expression calls torch.nn.functional's functions as F.relu(x); "
                "nn's modules are for a program run by `agcli run`")
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
