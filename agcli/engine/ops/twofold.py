"""Ops of two outputs: std_mean, var_mean and aminmax. PyTorch records one node for
both outputs, named for the function, whose rule adds the two outputs' parts; here
each output is a node of its own of that name, holding its output's part (std's,
var's, mean's, amin's or amax's entry), and the parts add at the input as
PyTorch's rule adds them."""
from __future__ import annotations

from ..backend import astype, kind, xp
from ..op import Op
from .reductions import AMAX, AMIN, MEAN_DIM, STD, VAR


def _named(name, op):
    """`op` recorded under another grad_fn name."""
    twin = Op.__new__(Op)
    for slot in Op.__slots__:
        setattr(twin, slot, getattr(op, slot))
    twin.name = name
    return twin


def _welford_mean(x, dim, keepdim):
    """The mean std_mean and var_mean give: their Welford kernel's, in double (rounded once), not mean's sum."""
    if kind(x.dtype) != "f":
        return MEAN_DIM.forward(x, dim, keepdim)
    return astype(xp.mean(astype(x, "float64"), axis=dim, keepdims=keepdim), x.dtype)


_welford_mean_op = _named("MeanBackward1", MEAN_DIM)
_welford_mean_op.forward = _welford_mean
STD_MEAN_STD = _named("StdMeanBackward0", STD)
STD_MEAN_MEAN = _named("StdMeanBackward0", _welford_mean_op)
VAR_MEAN_VAR = _named("VarMeanBackward0", VAR)
VAR_MEAN_MEAN = _named("VarMeanBackward0", _welford_mean_op)
AMINMAX_MIN = _named("AminmaxBackward0", AMIN)
AMINMAX_MAX = _named("AminmaxBackward0", AMAX)
