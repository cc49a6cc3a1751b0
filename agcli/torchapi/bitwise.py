"""PyTorch's bitwise operators on tensors: `a & b`, `a | b`, `a ^ b`, `~a`,
`a << n`, `a >> n` — on bool tensors (masks: `(x > 0) & (x < 1)`) and integer
tensors; PyTorch refuses floating-point ones, in its words.

Their results are bools or integers, which carry no gradient: no op is
recorded, the result is a new tensor of the arrays' answer.
"""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.tensor import Tensor
from ..errors import AgcliError, torch_type_name
from .checks import broadcast_shapes, fail, shape_of
from .dtypes import result_type

# operator -> (PyTorch's kernel name in its error, the array API's function)
_KERNELS = {"&": ("bitwise_and", "bitwise_and"), "|": ("bitwise_or", "bitwise_or"),
            "^": ("bitwise_xor", "bitwise_xor"), "<<": ("lshift", "bitwise_left_shift"),
            ">>": ("rshift", "bitwise_right_shift")}


_PYTHON = {"&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
           "<<": lambda a, b: a << b, ">>": lambda a, b: a >> b}


def _refused(kernel, dtype_name, op):
    hint = "for a power write x**2" if op == "^" else None
    return AgcliError(f'"{kernel}_cpu" not implemented for \'{dtype_name}\'', kind="not_implemented", hint=hint)


def _array(v, cast):
    if type(v) is Tensor:
        return B.astype(v.data, cast) if v.data.dtype != cast else v.data
    if type(v) is int and kind(cast) in "iu":       # wrapped into the dtype, as PyTorch converts it (-1: 255)
        info = xp.iinfo(cast)
        v = (v - info.min) % (info.max - info.min + 1) + info.min
    return B.asarray(v, dtype=cast)


def binary(op, in_place=False):
    """`a OP b` where a or b is a tensor (the other a tensor or a Python number). in_place: `a OP= b`,
    whose result PyTorch first checks it can write into a (its shape, then its dtype)."""
    kernel, name = _KERNELS[op]
    function = getattr(xp, name)

    def compute(a, b):
        if type(a) is not Tensor and type(b) is not Tensor and type(a) in (bool, int) and type(b) in (bool, int):
            return _PYTHON[op](a, b)
        for v in (a, b):
            if type(v) is not Tensor and type(v) not in (bool, int, float):
                shown = "Tensor" if type(a) is Tensor else type(a).__name__
                other = "Tensor" if type(b) is Tensor else type(b).__name__
                raise AgcliError(f"unsupported operand type(s) for {op}: '{shown}' and '{other}'", kind="type")
        shape = broadcast_shapes(shape_of(a), shape_of(b))       # (PyTorch's words for shapes first)
        cast = result_type(a, b)
        if in_place:
            _check_written_into(a, shape, cast)
        if kind(cast) == "f" or kind(cast) == "b" and op in ("<<", ">>"):
            raise _refused(kernel, torch_type_name(cast), op)
        device = a.device if type(a) is Tensor else b.device
        return Tensor(function(_array(a, cast), _array(b, cast)), device=device)
    return compute


def _check_written_into(a, shape, cast):
    if shape != a.data.shape:
        fail(f"output with shape [{', '.join(map(str, a.data.shape))}] doesn't match the broadcast shape "
             f"[{', '.join(map(str, shape))}]", "shape")
    if kind(cast) == "f" != kind(a.data.dtype) or kind(a.data.dtype) == "b" != kind(cast):
        fail(f"result type {torch_type_name(cast)} can't be cast to the desired output type "
             f"{torch_type_name(a.data.dtype)}")


def invert(x):
    """~x: logical not of a bool tensor, bitwise not of an integer one."""
    if type(x) is not Tensor:
        return ~x
    if kind(x.data.dtype) == "f":
        raise AgcliError("~ (operator.invert) is only implemented on integer and Boolean-type tensors",
                         kind="type")
    return Tensor(xp.logical_not(x.data) if kind(x.data.dtype) == "b" else xp.bitwise_invert(x.data),
                  device=x.device)


bitwise_and, bitwise_or, bitwise_xor = binary("&"), binary("|"), binary("^")
bitwise_left_shift, bitwise_right_shift = binary("<<"), binary(">>")
