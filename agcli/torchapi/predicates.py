"""Tensor methods and torch functions that ask about a tensor, or give it back as it is for a real one:
is_nonzero, is_same_size, is_signed, is_complex, is_conj, is_neg, get_device, ndimension, isposinf,
isneginf, isreal, .is_cpu; positive, conj, resolve_conj, resolve_neg and conj_physical (a real tensor is its own
conjugate: the tensor itself, no node, as in PyTorch); adjoint, .H and .mH (a real tensor's conjugate
transpose: TransposeBackward0); diagflat (ATen's diag_embed of the input viewed flat) and Tensor.hardshrink."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor, data
from .arrangements import diag_embed
from .checks import fail, ndim_of, numel, shape_of, tensors_only
from .nn import hardshrink
from .shaping import contiguous, transpose, view


def is_nonzero(input):
    tensors_only("is_nonzero", input=input)
    n = numel(shape_of(input))
    if n != 1:
        fail(f"Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'} is ambiguous")
    return bool(B.item(B.xp.reshape(data(input), ())) != 0)


def is_same_size(input, other):
    tensors_only("is_same_size", input=input, other=other)
    return shape_of(input) == shape_of(other)


def is_signed(input):
    return B.kind(data(input).dtype) in "if"


def positive(input):
    tensors_only("positive", input=input)
    if B.kind(data(input).dtype) == "b":
        fail("The `+` operator, on a bool tensor is not supported.")
    return input


def itself(input):
    """conj, resolve_conj, resolve_neg, conj_physical of a real tensor: the tensor itself."""
    tensors_only("conj", input=input)
    return input


def _infinite(sign):
    def test(input):
        tensors_only(f"is{'pos' if sign > 0 else 'neg'}inf", input=input)
        x = data(input)
        found = B.xp.isinf(x) & ((x > 0) if sign > 0 else (x < 0)) if B.kind(x.dtype) == "f" else \
            B.zeros(tuple(x.shape), dtype="bool")
        return Tensor(found, device=input.device)
    return test


def isreal(input):
    tensors_only("isreal", input=input)
    return Tensor(B.ones(shape_of(input), dtype="bool"), device=input.device)


def adjoint(input):
    return _conjugate_transpose(input, "adjoint()")


def attr_mH(input):
    return _conjugate_transpose(input, "mH")


def _conjugate_transpose(input, name):
    n = ndim_of(input)
    if n < 2:
        fail(f"tensor.{name} is only supported on matrices or batches of matrices. Got {n}-D tensor.")
    return transpose(input, -2, -1)


def attr_H(input):
    n = ndim_of(input)
    if n != 2:
        fail(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor." +
             (" For batches of matrices, consider using tensor.mH" if n > 2 else ""))
    return transpose(input, 0, 1)


def diagflat(input, offset=0):
    """ATen's self.contiguous().view(-1).diag(offset), diag of a vector being diag_embed."""
    tensors_only("diagflat", input=input)
    return diag_embed(view(contiguous(input), (-1,)), offset)


_ASKING = {"is_nonzero": is_nonzero, "is_same_size": is_same_size, "is_signed": is_signed,
           "is_complex": lambda input: False, "is_conj": lambda input: False, "is_neg": lambda input: False,
           "isposinf": _infinite(1), "isneginf": _infinite(-1), "isreal": isreal}
_ITSELF = {"positive": positive, "conj": itself, "resolve_conj": itself, "resolve_neg": itself,
           "conj_physical": itself}
# For the namespace (rarer_names.py): answers and bool tensors are values; the rest record their ops.
FUNCTIONS_VALUED = {**_ASKING}
METHODS_VALUED = {**_ASKING, "get_device": lambda input: -1 if input.device == "cpu" else 0,
                  "ndimension": ndim_of}
RECORDED = {**_ITSELF, "adjoint": adjoint, "diagflat": diagflat}
METHODS_ONLY = {"hardshrink": hardshrink}
ATTRIBUTES = {"H": attr_H, "mH": attr_mH}
ATTRIBUTES_VALUED = {"is_cpu": lambda x: x.device == "cpu"}       # (x.is_cuda: namespace.py's)
