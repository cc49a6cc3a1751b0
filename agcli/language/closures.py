"""The closures an expression is lowered to (lower.py), what an op's error becomes, and
what its operators call.

Each op's closure catches its error itself and gives it the op's span (failed),
rather than through lower.guard's wrapper: an expression runs these most, and a
wrapper costs a call with its arguments packed, for every op. Each closure is made
by a function of its own, which holds only what that closure keeps; the hot ones
keep it in default arguments (one tuple), not in cells (an object each): a distinct
line makes a closure per node of its tree, and runs each once. They are called with
the environment alone.
"""
from __future__ import annotations

import operator

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import creation as C
from ..torchapi import functions
from . import ast as A
from .anomaly_places import noting_fn

NUMERIC_ERRORS = (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError)
CAUGHT = (AgcliError, MemoryError, *NUMERIC_ERRORS)     # what an op's error may be (see failed)


def failed(e, span):
    """Raise what the op at `span` raises when it fails with `e` (one of CAUGHT): an
    AgcliError with that span, unless it has its own. The hot closures of an expression
    catch CAUGHT themselves and call this, rather than go through guard's wrapper."""
    if isinstance(e, AgcliError):
        raise e.at(span)
    if isinstance(e, MemoryError):
        raise AgcliError("not enough memory for the result of this operation", span, kind="limit",
                         hint="tensors this large need a machine with more memory") from None
    raise AgcliError(str(e), span) from e


def as_is(v):
    return v


def as_operand(v):
    """Lists in arithmetic are tensor literals: [1, 2] + x."""
    return C.as_tensor(v) if isinstance(v, list) else v


def constant(value):
    return lambda env, value=value: value


def variable(name, span):
    """A bound name's value (an assigned one's, in a program of statements)."""
    def variable(env, name=name, span=span):
        try:
            return env[name]
        except KeyError:
            raise AgcliError(f"unbound variable '{name}'", span, kind="name") from None
    return variable


def binop(first, fn, right, span):
    """`first OP right`: fn(a, b), a list literal as a tensor ([1, 2] + x)."""
    def binop(env, first=first, fn=fn, right=right, span=span):
        a, b = first(env), right(env)
        try:
            if isinstance(a, list) or isinstance(b, list):
                a, b = as_operand(a), as_operand(b)
            return fn(a, b)
        except CAUGHT as e:
            failed(e, span)
    return binop


def chain(first, steps):
    """A left-leaning chain of operators (a * b * c * ...) run as a loop, not by
    recursion, so a long one cannot exhaust Python's stack; steps: (fn, right, span)."""
    def chain(env, first=first, steps=steps):
        value = first(env)
        for fn, right, span in steps:
            b = right(env)
            try:
                if isinstance(value, list) or isinstance(b, list):
                    value, b = as_operand(value), as_operand(b)
                value = fn(value, b)
            except CAUGHT as e:
                failed(e, span)
        return value
    return chain


def call_closure(fn, span, args, kwargs, receiver, name, wrap):
    """The closure of an expression's call: fn(*args, **kwargs), on the receiver's value
    first for a method, its result wrapped (wrap: a raw array as a tensor). The calls an
    expression makes most, f(x) and x.f(), get closures of their own, made here (a maker
    of their own would be a call more for each)."""
    if receiver is None and not kwargs and len(args) == 1:
        def call(env, fn=fn, span=span, a0=args[0], wrap=wrap):
            a = a0(env)
            try:
                v = fn(a)
            except CAUGHT as e:
                failed(e, span)
            return v if type(v) is Tensor else wrap(v)
        return call
    if receiver is not None and not kwargs and not args:
        def method(env, fn=fn, span=span, receiver=receiver, name=name, wrap=wrap):
            r = receiver(env)
            if type(r) is not Tensor:
                r = receiver_value(r, name, span)
            try:
                v = fn(r)
            except CAUGHT as e:
                failed(e, span)
            return v if type(v) is Tensor else wrap(v)
        return method
    return _call(fn, span, args, kwargs, receiver, name, wrap)


def _call(fn, span, args, kwargs, receiver, name, wrap):
    """Arguments run first, then the receiver, then the keywords (as they always have:
    it decides which error shows, and the order of random draws)."""
    def call(env, fn=fn, span=span, args=args, kwargs=kwargs, receiver=receiver, name=name, wrap=wrap):
        positional = [a(env) for a in args]
        if receiver is not None:
            positional.insert(0, receiver_value(receiver(env), name, span))
        keywords = {k: v(env) for k, v in kwargs}
        try:
            v = fn(*positional, **keywords)
        except CAUGHT as e:
            failed(e, span)
        return v if type(v) is Tensor else wrap(v)
    return call


def receiver_value(value, name, span):
    """A method's receiver: a list literal or a number as a tensor ((2).exp()); a tuple refused."""
    value = as_operand(value)
    if type(value) in (int, float, bool):
        return C.as_tensor(value)
    if isinstance(value, tuple):          # (1., 2.).exp(), x.max(0).exp()
        raise AgcliError(f".{name}() is a tensor's method, and this is a tuple of {len(value)} values",
                         kind="attribute", hint="take one of its tensors first: [0]").at(span)
    return value


def _wrap(v):
    """A raw array that escaped a function (e.g. exp([1, 2])) becomes a tensor."""
    if type(v) is Tensor:       # (what nearly every call gives)
        return v
    if isinstance(v, functions.ndarray) or type(v).__module__ == "numpy":
        a = functions.asarray(v)
        if functions.kind(a.dtype) not in "biuf":
            raise AgcliError("expected a tensor of numbers here (got a tuple or text)", kind="type")
        return Tensor(a)
    return v


class _Operators(dict):
    """Operator -> the function it calls, found on its first use (`@` loads linalg, and `<<`
    the bitwise family, only where an expression uses them: start-up)."""

    def __init__(self, find):
        super().__init__()
        self.find = find

    def __missing__(self, op):
        fn = self[op] = self.find(op)
        return fn


# What `a OP b` calls on tensors; comparisons are tensor_comparison(COMPARES[op]).
_BINOP_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul", "**": "pow", "%": "remainder",
                "//": "floor_divide", "&": "bitwise_and", "|": "bitwise_or", "^": "bitwise_xor",
                "<<": "bitwise_left_shift", ">>": "bitwise_right_shift"}
BINOPS = _Operators(lambda op: getattr(functions, _BINOP_NAMES[op]))


def tensor_comparison(name):
    """`x OP y` on tensors (PyTorch's lt, eq, ...): a tensor of bools."""
    function = getattr(functions, name)

    python = _PYTHON_COMPARES[name]

    def compare(x, y):
        if type(x) in _NUMBERS and type(y) in _NUMBERS:
            return python(x, y)             # two Python numbers: a Python bool ((2 > 1) + (3 > 1) is 2)
        return _wrap(function(C.as_tensor(x) if not isinstance(x, Tensor) and not isinstance(y, Tensor)
                              else x, y))
    return compare


_NUMBERS = (int, float, bool)
_PYTHON_COMPARES = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge, "eq": operator.eq,
                    "ne": operator.ne}


COMPARES = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
# What an expression's `a OP b` calls with the two operands (list literals already tensors).
OPERATORS = _Operators(lambda op: tensor_comparison(COMPARES[op]) if op in COMPARES else BINOPS[op])


def attribute_of(getter, name):
    """A tensor's attribute; Python's AttributeError on anything else ((2).dtype), as in PyTorch's programs."""
    def get(x):
        if type(x) is not Tensor and not hasattr(x, "shape") and name not in ("values", "indices", "min", "max") \
                and name not in getattr(x, "fields", ()):          # (a named tuple's own: .Q, .eigenvalues, ...)
            from ..torchapi.ndarrays import type_name
            raise AgcliError(f"'{type_name(x)}' object has no attribute '{name}'", kind="attribute")
        return getter(x)
    return get


def guard(fn, span):
    """Run fn; give any error the span of the op that failed. Lowered under anomaly
    mode, it also notes where each node was made (anomaly_places.py)."""
    return noting_fn(_guarded(fn, span), span)


def _guarded(fn, span):
    def guarded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CAUGHT as e:
            failed(e, span)
    return guarded


def lowerers_of(cls) -> dict:
    """`cls`'s lower_X for each AST node type X (its not_allowed where it has none): language/lower.py."""
    return {t: getattr(cls, "lower_" + t.__name__, cls.not_allowed) for t in A._Record.__subclasses__()}
