"""torch.arange as PyTorch's CPU computes it (aten/src/ATen/native/RangeFactories.cpp and
its kernel in native/cpu/RangeFactoriesKernel.cpp), value for value.

The kernel does not step: each value is start + step * i in the accumulate type (double
for float32 and float64, float for float16: one FMA), except inside its vector loop,
where each vector of V values starts from such a value, rounded to the tensor's dtype,
and adds k * step to it (k < V; one FMA each). The vector loop takes two vectors at a
time, and what is left of the range (or of each thread's share of it, from GRAIN_SIZE
values on) goes value by value. V is 4 doubles, 8 floats, 16 halves: the kernels that
PyTorch 2.13 runs on x86-64 (measured, 120 of 120 ranges and 5 split across threads).

Integer tensors take start, end and step truncated to integers (int64 also counts its
size from them: arange(0.5, 5.7, 1.3, dtype=int64) has 5 values, int32's has 4).
"""
from __future__ import annotations

import math

import numpy

from ..engine.backend import from_host, item
from ..engine.backend_sums_kernel import vector_loop
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..state import state
from .checks import check_size
from .cpu_math import fma32, fma64
from .dtypes import dtype_of

_LANES = {"float64": 4, "float32": 8, "float16": 16}


def arange(start=None, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """torch.arange(end), arange(start, end, step=1): PyTorch's values, dtype and errors."""
    from .creation import _leaf
    if end is None:
        if start is None:
            raise AgcliError("arange() missing required argument 'end' (pos 1)", kind="type")
        start, end = 0, start
    start, end, step = (_number(v) for v in ((0 if start is None else start), end, step))
    name = dtype_of(dtype) or ("int64" if all(type(v) is int for v in (start, end, step)) else state.default_float)
    if name == "bool":
        raise AgcliError("\"arange_cpu\" not implemented for 'Bool'", kind="not_implemented")
    if step == 0:
        raise AgcliError("step must be nonzero")
    kind = numpy.dtype(name).kind
    if kind == "f":
        low, high, by = float(start), float(end), float(step)
    else:
        low, high, by = (math.trunc(v) for v in (start, end, step))
    if not (math.isfinite(low) and math.isfinite(high)):
        raise AgcliError(f"unsupported range: {_shown(low)} -> {_shown(high)}")
    if by == 0:         # (a fractional step truncated to 0, for int64: its size is divided by it)
        if name == "int64":
            raise AgcliError("step must be nonzero", kind="value")
    elif not ((by > 0 and high >= low) or (by < 0 and high <= low)):
        raise AgcliError("upper bound and lower bound inconsistent with step sign")
    if name == "int64":
        sign = (by > 0) - (by < 0)
        n = _truncated_division(high - low + by - sign, by)
    else:
        n = math.ceil((float(end) - float(start)) / float(step))
    n = max(n, 0)
    check_size((n,))
    values = _values(low, by, n, numpy.dtype(name))
    return _leaf(from_host(values), requires_grad, device)


def _truncated_division(a: int, b: int) -> int:
    """C's integer division (toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _number(v):
    """A bound as a Python number (a 0-d tensor or NumPy number as its value)."""
    if type(v) is Tensor:
        if v.data.size != 1:
            raise AgcliError("only one element tensors can be converted to Python scalars")
        v = item(v.data)
    elif isinstance(v, numpy.generic):
        v = v.item()
    if isinstance(v, bool):
        return int(v)
    if not isinstance(v, (int, float)):
        raise AgcliError(f"arange(): argument must be Number, not {type(v).__name__}", kind="type")
    return v


def _shown(v) -> str:
    """A bound as C++'s stream prints a double (6 significant digits) or an integer."""
    return str(v) if isinstance(v, int) else format(v, "g")


def _values(start, step, n, dtype):
    """The kernel's n values (see the module's docstring)."""
    if dtype.kind != "f":       # (integers: exact, then wrapped into the dtype as C++ casts)
        return (start + step * numpy.arange(n, dtype=numpy.int64)).astype(dtype)
    lanes = _LANES[dtype.name]
    # Each index's vector start (its own index where the loop goes value by value), per thread's share.
    i, first, vector = vector_loop(n, lanes)
    into = i - first
    base_index = numpy.where(vector, first + into // lanes * lanes, i)
    offset = numpy.where(vector, i - base_index, 0)
    if dtype.name == "float16":
        acc, fma = numpy.float32, fma32
    else:
        acc, fma = numpy.float64, fma64
    by = numpy.full(n, step, acc)
    base = fma(by, base_index.astype(acc), numpy.full(n, start, acc)).astype(dtype).astype(acc)
    return numpy.where(vector, fma(offset.astype(acc), by, base).astype(dtype), base.astype(dtype))


RANGE_DEPRECATED = ("UserWarning: torch.range is deprecated and will be removed in a future release because its "
                    "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
                    "values in [start, end).")


def torch_range(start, end, step=1, dtype=None, requires_grad=False, device=None):
    """torch.range(start, end, step=1), deprecated (its warning first): end included, the default float dtype
    whatever the bounds. ATen's range_out: (end - start) / step + 1 values, each start + i * step in the
    accumulate type (double, float for float16, int64 for integers), without the vector loop of arange."""
    from .creation import _leaf
    state.warn(RANGE_DEPRECATED)
    name = dtype_of(dtype) or state.default_float
    if name == "bool":
        raise AgcliError("\"range_cpu\" not implemented for 'Bool'", kind="not_implemented")
    kind = numpy.dtype(name).kind
    low, high, by = (float(v) if kind == "f" else math.trunc(v) for v in map(_number, (start, end, step)))
    if by == 0:
        raise AgcliError("step must be nonzero")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise AgcliError(f"unsupported range: {_shown(low)} -> {_shown(high)}")
    if not ((by > 0 and high >= low) or (by < 0 and high <= low)):
        raise AgcliError("upper bound and lower bound inconsistent with step sign")
    n = int((high - low) / by + 1) if kind == "f" else _truncated_division(high - low, by) + 1
    check_size((n,))
    acc = numpy.float32 if name == "float16" else numpy.float64 if kind == "f" else numpy.int64
    values = (acc(low) + numpy.arange(n, dtype=acc) * acc(by)).astype(name)
    return _leaf(from_host(values), requires_grad, device)
