"""Tensors made from nothing: literals, ones, zeros, arange, randn, ...

They follow PyTorch's dtype rules (integers stay int64, floats take the
default float dtype) and refuse a tensor over the element limit before
allocating it.
"""
from __future__ import annotations

import math

from ..engine.backend import xp
from ..engine.tensor import Tensor, data
from ..errors import AgcliError
from ..state import state
from .checks import check_size, shape_of, size_tuple
from .dtypes import DType, dtype_of  # noqa: F401  (DType: what torch.float32 is, made here too)


def _float(dtype):
    return dtype_of(dtype) or state.default_float


def _literal_array(value):
    """A nested list of numbers/bools/tensors -> array with PyTorch's dtype rule."""
    def shape_and_kind(v, depth):
        if isinstance(v, (list, tuple)):
            if not v:
                return (0,), "f"
            parts = [shape_and_kind(x, depth + 1) for x in v]
            first = parts[0][0]
            for s, _ in parts[1:]:
                if s != first:
                    raise AgcliError(f"ragged nested sequence: expected sequence of length {first[0] if first else 0} "
                                     f"at dim {depth + 1} (got {s[0] if s else 0})", kind="shape")
            kinds = {k for _, k in parts}
            kind = "f" if "f" in kinds else ("i" if "i" in kinds else "b")
            return (len(v),) + first, kind
        if type(v) is Tensor:
            return v.shape, v.dtype.kind
        if isinstance(v, bool) or isinstance(v, xp.bool_):
            return (), "b"
        if isinstance(v, (int, xp.integer)):
            return (), "i"
        if isinstance(v, (float, xp.floating)):
            return (), "f"
        raise AgcliError(f"a tensor literal holds numbers, not {type(v).__name__}", kind="type")

    shape, kind = shape_and_kind(value, 0)
    check_size(shape)
    plain = _plain(value)
    dtype = {"f": state.default_float, "i": "int64", "u": "int64", "b": "bool"}[kind]
    return xp.asarray(plain, dtype=dtype)


def _plain(v):
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if type(v) is Tensor:
        return v.data
    return v


def tensor(data, dtype=None, requires_grad=False, device=None):
    if type(data) is Tensor or isinstance(data, xp.ndarray):   # a copy; NumPy's dtype is kept
        array = data(data).copy()
    else:
        array = _literal_array(data)
    if dtype is not None:
        array = array.astype(dtype_of(dtype))
    return _leaf(array, requires_grad)


def _leaf(array, requires_grad):
    t = Tensor(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise AgcliError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _filled(fill, size, dtype, requires_grad):
    shape = check_size(size_tuple(size))
    return _leaf(xp.full(shape, fill, dtype=_float(dtype)), requires_grad)


def ones(*sizes, size=None, dtype=None, requires_grad=False, device=None):
    size = sizes if size is None else (size,)
    return _filled(1, size, dtype, requires_grad)


def zeros(*sizes, size=None, dtype=None, requires_grad=False, device=None):
    size = sizes if size is None else (size,)
    return _filled(0, size, dtype, requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    if dtype is None and isinstance(fill_value, bool):
        dtype = "bool"
    elif dtype is None and isinstance(fill_value, int):
        dtype = "int64"
    shape = check_size(size_tuple((size,)))
    return _leaf(xp.full(shape, fill_value, dtype=_float(dtype)), requires_grad)


def _like(x, fill, dtype, requires_grad):
    d = dtype_of(dtype) or str(data(x).dtype)
    return _leaf(xp.full(shape_of(x), fill, dtype=d), requires_grad)


def ones_like(input, dtype=None, requires_grad=False, device=None):
    return _like(input, 1, dtype, requires_grad)


def zeros_like(input, dtype=None, requires_grad=False, device=None):
    return _like(input, 0, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None):
    return _like(input, fill_value, dtype, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    m = n if m is None else m
    check_size((n, m))
    return _leaf(xp.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    if end is None:
        start, end = 0, start
    if step == 0:
        raise AgcliError("step must be nonzero", kind="shape")
    is_int = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end, step))
    n = max(0, math.ceil((end - start) / step))
    check_size((n,))
    d = dtype_of(dtype) or ("int64" if is_int else state.default_float)
    return _leaf(xp.arange(start, end, step).astype(d)[:n], requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    check_size((steps,))
    return _leaf(xp.linspace(start, end, steps, dtype=_float(dtype)), requires_grad)


def rand(*sizes, size=None, dtype=None, requires_grad=False, device=None, generator=None):
    shape = check_size(size_tuple(sizes if size is None else (size,)))
    return _leaf(state.generator().random(shape).astype(_float(dtype)), requires_grad)


def randn(*sizes, size=None, dtype=None, requires_grad=False, device=None, generator=None):
    shape = check_size(size_tuple(sizes if size is None else (size,)))
    return _leaf(state.generator().standard_normal(shape).astype(_float(dtype)), requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    return rand(*shape_of(input), dtype=dtype or str(data(input).dtype), requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    return randn(*shape_of(input), dtype=dtype or str(data(input).dtype), requires_grad=requires_grad)


def as_tensor(value) -> Tensor:
    """Any value an expression can produce, as a tensor (numbers, lists, tensors)."""
    if type(value) is Tensor:
        return value
    if isinstance(value, (list, tuple)):
        return Tensor(_literal_array(value))
    if isinstance(value, bool):
        return Tensor(xp.asarray(value))
    if isinstance(value, int):
        return Tensor(xp.asarray(value, dtype="int64"))
    if isinstance(value, float):
        return Tensor(xp.asarray(value, dtype=state.default_float))
    if isinstance(value, xp.ndarray) or isinstance(value, xp.generic):
        return Tensor(xp.asarray(value))
    raise AgcliError(f"expected a tensor, got {type(value).__name__}", kind="type")
