"""What a running program needs beyond its closures: the per-run state and
limits, the signals break/continue/return raise, user functions, and the
helpers the loop and try closures call.

The limits (iterations, recursion depth) stop a program that would not end;
LimitError is not catchable by the program's own `try`.
"""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import functions
from ..torchapi import ndarrays
from .program_values import ExceptionType


class Runtime:
    """Per-run state a program's closures reach through env['__runtime__']."""

    def __init__(self, write, max_iterations: int = 10**6, max_depth: int = 200):
        self.write = write
        self.max_iterations = max_iterations
        self.max_depth = max_depth
        self.depth = 0


class BreakSignal(Exception):
    """`break`: the enclosing loop's closure catches it."""


class ContinueSignal(Exception):
    """`continue`: the enclosing loop's closure catches it."""


class ReturnSignal(Exception):
    """`return value`: the function's call catches it."""

    def __init__(self, value):
        self.value = value


class LimitError(AgcliError):
    """A loop or recursion past its limit: not catchable by the program."""


NO_DEFAULT = object()     # a parameter without a default value


class UserFunction:
    """A `def`: parameters with defaults and a lowered body."""

    def __init__(self, name, params, defaults, body, runtime_env):
        self.name, self.params, self.defaults, self.body = name, params, defaults, body
        self.globals = runtime_env

    def __call__(self, *args, **kwargs):
        if len(args) > len(self.params):
            raise AgcliError(f"{self.name}() takes {len(self.params)} positional arguments but "
                             f"{len(args)} were given", kind="type")
        local = dict(self.globals)     # reads see the program's names; writes stay local
        for name, value in zip(self.params, args):
            local[name] = value
        for name, value in kwargs.items():
            if name not in self.params:
                raise AgcliError(f"{self.name}() got an unexpected keyword argument '{name}'", kind="type")
            if name in local and self.params.index(name) < len(args):
                raise AgcliError(f"{self.name}() got multiple values for argument '{name}'", kind="type")
            local[name] = value
        for name, default in zip(self.params, self.defaults):
            if name not in kwargs and self.params.index(name) >= len(args):
                if default is NO_DEFAULT:
                    raise AgcliError(f"{self.name}() missing 1 required positional argument: '{name}'",
                                     kind="type")
                local[name] = default
        runtime = local["__runtime__"]
        runtime.depth += 1
        if runtime.depth > runtime.max_depth:
            runtime.depth = 0
            raise LimitError("maximum recursion depth exceeded", kind="limit")
        try:
            for step in self.body:
                step(local)
        except ReturnSignal as r:
            return r.value
        finally:
            runtime.depth -= 1
        return None

    def __repr__(self):
        return f"<function {self.name}>"


def iterate(value):
    """What `for x in value` walks: ranges, lists, tuples, a tensor or a NumPy array along dim 0."""
    if type(value) is Tensor:
        if value.data.ndim == 0:
            raise AgcliError("iteration over a 0-d tensor", kind="type")
        return [functions.select(value, 0, i) for i in range(value.data.shape[0])]
    if isinstance(value, (range, list, tuple, enumerate, zip, str)):
        return value
    if isinstance(value, ndarrays.host.ndarray):       # NumPy's rows, or its scalars
        if value.ndim == 0:
            raise AgcliError("iteration over a 0-d array", kind="type")
        return list(value)
    raise AgcliError(f"'{ndarrays.type_name(value)}' object is not iterable", kind="type")


def check_iterations(runtime, count, span):
    if count > runtime.max_iterations:
        raise LimitError(f"the loop ran past {runtime.max_iterations:,} iterations", span,
                         kind="limit", hint="raise the limit with --max-iterations N")


def iterate_once(body, env) -> bool:
    """Run a loop's body once; False when it breaks out."""
    try:
        for step in body:
            step(env)
    except BreakSignal:
        return False
    except ContinueSignal:
        pass
    return True


def exception_matches(kind, error: AgcliError) -> bool:
    """Does `except kind` (a class or a tuple of them) catch `error`?"""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if not isinstance(k, ExceptionType):
            raise AgcliError("catching classes that do not inherit from BaseException is not allowed",
                             kind="type")
        if k.matches(error.python_type):
            return True
    return False
