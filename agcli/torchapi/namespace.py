"""The names an expression can use: functions, methods, attributes, constants.

`torch.xxx`, `F.xxx` and `torch.nn.functional.xxx` all resolve to FUNCTIONS,
so expressions pasted from PyTorch code work unchanged.
"""
from __future__ import annotations

import math

from . import creation as C
from . import devices as D
from . import functions as F
from . import autograd as T
from ..errors import AgcliError
from ..engine import backend as B
from ..engine.ops.shapes import to_dtype
from ..engine.tensor import Tensor

# Each name says whether a batch may replay a recording of an expression that
# uses it (engine/replay.py; language/replay_safety.py reads REPLAY):
SAFE = "safe"          # its output is a recorded op of its inputs
LITERAL = "literal"    # it makes a constant: safe when every argument is a literal
NEVER = "never"        # its output can depend on values in ways no op records (item, rand, detach, ...)

REPLAY: dict = {}
FUNCTIONS: dict = {}     # torch.NAME(...), F.NAME(...), NAME(...)
METHODS: dict = {}       # x.NAME(...): METHODS[NAME](x, ...)
ATTRIBUTES: dict = {}    # x.NAME


def _declare(table, replay, entries):
    for name, value in entries.items():
        table[name] = value
        if REPLAY.setdefault(name, replay) != replay:
            raise ValueError(f"{name!r} is declared both {REPLAY[name]} and {replay} for replays")


_COMPUTED = {
    "exp": F.exp, "log": F.log, "sqrt": F.sqrt, "sin": F.sin, "cos": F.cos, "tan": F.tan, "tanh": F.tanh,
    "sigmoid": F.sigmoid, "relu": F.relu, "abs": F.abs, "neg": F.neg, "negative": F.neg,
    "reciprocal": F.reciprocal,
    "add": F.add, "sub": F.sub, "subtract": F.sub, "mul": F.mul, "multiply": F.mul,
    "remainder": F.remainder, "div": F.div, "divide": F.div, "true_divide": F.div, "pow": F.pow,
    "clamp": F.clamp, "clip": F.clamp, "where": F.where, "maximum": F.maximum, "minimum": F.minimum,
    "sum": F.sum, "mean": F.mean, "max": F.max, "min": F.min, "amax": F.amax, "amin": F.amin, "norm": F.norm,
    "logsumexp": F.logsumexp,
    "matmul": F.matmul, "mm": F.mm, "mv": F.mv, "bmm": F.bmm, "dot": F.dot, "inner": F.dot,
    "outer": F.outer, "ger": F.outer,
    "reshape": F.reshape, "flatten": F.flatten, "t": F.t, "transpose": F.transpose, "swapaxes": F.transpose,
    "permute": F.permute, "squeeze": F.squeeze, "unsqueeze": F.unsqueeze, "select": F.select,
    "softmax": F.softmax, "log_softmax": F.log_softmax,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
    "mse_loss": F.mse_loss, "cross_entropy": F.cross_entropy, "nll_loss": F.nll_loss,
}
_declare(FUNCTIONS, SAFE, _COMPUTED)
_declare(METHODS, SAFE, _COMPUTED)
_declare(FUNCTIONS, SAFE, {"cat": F.cat, "concat": F.cat, "concatenate": F.cat, "stack": F.stack,
                           "ones_like": C.ones_like, "zeros_like": C.zeros_like})
_declare(FUNCTIONS, LITERAL, {"tensor": C.tensor, "as_tensor": C.tensor, "ones": C.ones, "zeros": C.zeros,
                              "full": C.full, "eye": C.eye, "arange": C.arange, "linspace": C.linspace})
_declare(FUNCTIONS, NEVER, {"detach": F.detach, "full_like": C.full_like, "rand": C.rand, "randn": C.randn,
                            "rand_like": C.rand_like, "randn_like": C.randn_like})
_declare(METHODS, NEVER, {"detach": F.detach})
_declare(METHODS, SAFE, {"to": D.to, "cuda": D.cuda, "cpu": D.cpu})
_declare(FUNCTIONS, NEVER, {"device": D.device})


def _cast(name):
    """x.double(), x.long(), ...: a float result stays in the graph (ToCopyBackward0), as in PyTorch;
    integers and bools carry no gradient."""
    def cast(x):
        if B.dtype_name(x.data.dtype) == name:
            return x
        if name.startswith("float"):
            return to_dtype(x, B.dtype(name))
        return Tensor(B.astype(x.data, name))
    return cast


class Size(tuple):
    """What x.shape and x.size() give: a tuple that prints as PyTorch's."""

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"


def _size(x, dim=None):
    return Size(F.shape_of(x)) if dim is None else F.shape_of(x)[F.dim_index(dim, F.ndim_of(x))]


def _where_method(x, condition, y):
    return F.where(condition, x, y)     # x.where(condition, y) keeps x where condition holds


def _expand_as(x, other):
    return F.expand(x, F.shape_of(other))


def _view_as(x, other):
    return F.view(x, F.shape_of(other))


def _reshape_as(x, other):
    return F.reshape(x, F.shape_of(other))


def _all(x, dim=None):
    return Tensor(B.xp.all(B.astype(B.asarray(F.data(x)), "bool"), axis=dim))


def _any(x, dim=None):
    return Tensor(B.xp.any(B.astype(B.asarray(F.data(x)), "bool"), axis=dim))


def _allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(B.xp.all(F.isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def _isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor(F.isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _equal(input, other):
    a, b = F.data(input), F.data(other)
    return a.shape == b.shape and bool(B.xp.all(a == b))


# Tests of values: no gradient flows through them.
_TESTS = {"all": _all, "any": _any, "allclose": _allclose, "isclose": _isclose, "equal": _equal}
_declare(FUNCTIONS, NEVER, _TESTS)
_declare(METHODS, NEVER, _TESTS)
_declare(METHODS, SAFE, {
    "view": F.view, "expand": F.expand, "expand_as": _expand_as, "view_as": _view_as,
    "reshape_as": _reshape_as, "contiguous": F.contiguous, "clamp_min": lambda x, min: F.clamp(x, min=min),
    "clamp_max": lambda x, max: F.clamp(x, max=max), "clone": F.clone,
    "double": _cast("float64"),
})
_declare(METHODS, NEVER, {
    "float": _cast("float32"), "long": _cast("int64"), "int": _cast("int32"), "bool": _cast("bool"),
    "item": T.item, "size": _size, "dim": F.ndim_of, "numel": lambda x: F.data(x).size,
})
METHODS["where"] = _where_method        # x.where(condition, y): torch.where's replay decision
_declare(ATTRIBUTES, SAFE, {"T": F.attr_T, "mT": F.attr_mT, "values": lambda x: _tuple_field(x, 0, "values")})
_declare(ATTRIBUTES, NEVER, {
    "shape": _size, "ndim": F.ndim_of, "dtype": lambda x: C.DType(B.dtype_name(F.data(x).dtype)),
    "indices": lambda x: _tuple_field(x, 1, "indices"), "data": F.detach,
    "requires_grad": lambda x: bool(getattr(x, "requires_grad", False)),
    "is_leaf": lambda x: getattr(x, "grad_fn", None) is None,
    "device": D.device_of, "is_cuda": D.is_cuda,
})


def _tuple_field(x, i, name):
    if not isinstance(x, F.ValuesIndices):
        raise AgcliError(f"'.{name}' is only on what max(x, dim)/min(x, dim) return", kind="type")
    return x[i]


CONSTANTS = {"pi": math.pi, "inf": math.inf, "nan": math.nan, "true": True,
             "false": False, "True": True, "False": False, "None": None}

# Attributes of the torch module itself: torch.pi, torch.float64, ...
MODULE_ATTRIBUTES = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan}
MODULE_ATTRIBUTES.update({name: C.DType(C.dtype_of(name)) for name in (
    "float32", "float64", "float16", "float", "double", "half", "int64", "long", "int32", "int",
    "bool", "int16", "int8", "uint8")})

MODULES = ("torch", "F", "torch.nn.functional", "nn.functional", "functional", "torch.linalg", "torch.special")
