"""Kernels written as PyTorch's CPU computes them, where NumPy's own differ in the
last bits (or refuse): powers (aten/src/ATen/native/cpu/PowKernel.cpp) and the
float32 functions of one value.

PyTorch's CPU build computes float32 and float64 exp, log, sin, cos, tan, tanh, sqrt, ...
with Intel MKL's vector math; float64's function rounded once to float32 agrees with it on
95% (sin, cos) to 99.9% (tanh) of values, NumPy's float32 SIMD functions on 60-87%
(measured against PyTorch 2.13). With agcli[mkl] installed, the kernels of those
functions (vml_or) are MKL's own (engine/vml.py).
"""
from __future__ import annotations

import math

from . import mkl
from .backend import ON_HOST, astype, copy, dtype, dtype_name, from_host, itemsize, kind, to_host, xp, zeros

_FLOAT32, _FLOAT64 = dtype("float32"), dtype("float64")
FLOAT32, FLOAT64 = _FLOAT32, _FLOAT64
HALF = dtype("float16") if ON_HOST else None      # (the array API has no float16)


# 0, 1 and 2 as 0-d arrays of each float dtype, for the rules' constants: NumPy converts a
# Python number in an op with an array to the array's dtype (NEP 50), the same value, but
# by a path that costs as much as the op itself on small arrays. (Other dtypes, and
# other backends' arrays: the Python number, by .get's default.)
def _constants(v) -> dict:
    arrays = (from_host(v, dtype=_FLOAT32), from_host(v, dtype=_FLOAT64)) if ON_HOST else ()
    return {a.dtype: a for a in arrays}


ZERO, ONE, TWO = _constants(0.0), _constants(1.0), _constants(2.0)


def relu(x):
    """max(0, x), -0. kept as PyTorch keeps it."""
    zero = ZERO.get(x.dtype)
    if zero is not None:
        return xp.maximum(zero, x)      # (0 first: NumPy's float32/64 loops give the second on a tie)
    return xp.where(x == 0, x, xp.maximum(x, 0))   # (half, integers, a device: -0. kept explicitly)


def power_by_number(x, p):
    """tensor ** number: the exponents 2, 3, 0.5, -0.5, -1 and -2 as PyTorch's kernel
    takes them (products, sqrt and reciprocals); any other float32 power as glibc's
    powf gives it (float64's power rounded once)."""
    name = dtype_name(x.dtype)
    if name == "bool":      # (bools stay bools by a bool, become int64 by an int: PyTorch's promotion)
        return (x if p else xp.ones_like(x)) if type(p) is bool else xp.pow(astype(x, "int64"), p)
    if name not in ("float32", "float64") or type(p) is bool:
        return xp.pow(x, p)
    if p == 2:
        return x * x
    if p == 3:
        return x * x * x
    if p == 0.5:
        return sqrt(x)
    one = ONE.get(x.dtype, 1)
    if p == -0.5:
        return one / xp.sqrt(x)
    if p == -1:
        return one / x
    if p == -2:
        return one / (x * x)
    return _float32_power(x, p) if name == "float32" else xp.pow(x, p)


def power(x, y):
    """tensor ** tensor: integers to negative integer powers as PyTorch gives them (1, -1
    or 0, where NumPy refuses them); float32 as float64's power rounded once."""
    if kind(x.dtype) in "iu" and kind(y.dtype) in "iu" and bool(xp.any(y < 0)):
        sign = 1 - 2 * astype(xp.remainder(y, 2) != 0, x.dtype)        # (-1) ** y
        tiny = xp.where(x == 1, 1, xp.where(x == -1, sign, 0))
        return xp.where(y < 0, astype(tiny, x.dtype), xp.pow(x, xp.where(y < 0, 0, y)))
    if x.dtype == y.dtype and x.dtype == _FLOAT32:
        return _float32_power(x, y)
    return xp.pow(x, y)


def power_of_number(s, y):
    """number ** tensor: an integer to negative integer powers as `power` gives them."""
    if type(s) is not float and kind(y.dtype) in "iu" and bool(xp.any(y < 0)):
        return power(xp.full_like(y, s), y)
    return xp.pow(s, y)


def _float32_power(x, y):
    return astype(xp.pow(astype(x, "float64"), y if type(y) in (int, float) else astype(y, "float64")), "float32")


def _float32_from_double(fn):
    """fn, with float32 values computed as float64's fn rounded once."""
    def kernel(x):
        d = x.dtype
        if d is not _FLOAT64 and d == _FLOAT32:     # (the identity test first: float64 is the common case)
            return astype(fn(astype(x, "float64")), "float32")
        return fn(x)
    kernel.__name__ = fn.__name__
    return kernel


exp, log, log1p, sin, cos, tan, tanh = map(_float32_from_double, (xp.exp, xp.log, xp.log1p, xp.sin, xp.cos, xp.tan,
                                                                   xp.tanh))


_MKL_FILE = mkl.library_file() if ON_HOST else None
_vml = None if _MKL_FILE else {}    # engine/vml.py's kernels by (name, dtype), loaded at the first call; {}: none


def vml_or(name, fallback):
    """The kernel of torch.<name> where PyTorch's CPU build hands it to MKL's vector math (engine/vml.py):
    with agcli[mkl] installed, MKL's own values of float32 and float64 host arrays; else (and for other
    dtypes) fallback's. Without MKL here, fallback itself: the hot path pays nothing."""
    if _MKL_FILE is None:
        return fallback

    def kernel(x):
        if _vml:
            mkl = _vml.get((name, x.dtype))
            if mkl is not None:
                return mkl(x, fallback)
        elif _vml is None and _load_vml():
            return kernel(x)
        return fallback(x)
    kernel.__name__ = name
    return kernel


def mkl_vector_math() -> bool:
    """Whether vml_or's kernels compute with MKL here (agcli[mkl] is installed, and the arrays are the host's)."""
    return bool(_vml if _vml is not None else _load_vml())


def _load_vml():
    global _vml
    from . import vml
    _vml = vml.kernels()
    return _vml


sqrt = vml_or("sqrt", xp.sqrt)
# The kernels of torch.exp, torch.log, ... themselves (their Ops'): the functions above are also the glibc
# values PyTorch's own kernels take (activations, losses), which stay as they are with agcli[mkl]
VML = {name: vml_or(name, fallback) for name, fallback in (("exp", exp), ("log", log), ("sin", sin), ("cos", cos),
                                                            ("tan", tan), ("tanh", tanh))}


def accumulating(fn, x):
    """fn(x) in PyTorch's CPU accumulation dtype, rounded once: float64 for float32, float32 for
    float16 (cumsum, cumprod, var/std, trace)."""
    if x.dtype == _FLOAT32 or x.dtype == HALF:
        return astype(fn(astype(x, "float64" if x.dtype == _FLOAT32 else "float32")), x.dtype)
    return fn(x)


def halves_in_float(fn):
    """fn(x, ...), with float16 values computed in float32 and rounded once, as PyTorch's CPU
    kernels compute halves (softmax, sigmoid, gelu, addcmul: the other float16 arrays too)."""
    def kernel(x, *args, **kwargs):
        if x.dtype == HALF:
            args = [astype(a, "float32") if getattr(a, "dtype", None) == HALF else a for a in args]
            return astype(fn(astype(x, "float32"), *args, **kwargs), "float16")
        return fn(x, *args, **kwargs)
    kernel.__name__ = fn.__name__
    return kernel


def _halves_by_number(fn):
    """fn(x, s) of float16 values and a Python number as PyTorch's CPU mul, div and div_floor compute
    it: the number kept at float32's precision, not rounded to float16 first (the kernels' scalar branch
    reads the original scalar in opmath), the result rounded once: float16(0.) * 1e6 is 0., not nan."""
    def kernel(x, y):
        if (type(y) is float or type(y) is int) and getattr(x, "dtype", None) == HALF:
            return astype(fn(astype(x, "float32"), y), "float16")
        return fn(x, y)
    kernel.__name__ = fn.__name__
    return kernel


_QUOTIENTS = (xp.multiply, xp.divide, xp.floor_divide)
multiply, divide, floor_divide = map(_halves_by_number, _QUOTIENTS) if ON_HOST else _QUOTIENTS    # (no float16)


def product(x, axis=None, keepdims=False):
    """prod in PyTorch's CPU order: float16 multiplied in turn in float16; float32/float64 along the
    last dim (or all of x) by its vectorised reduction (`_vector_product`), along another dim one row
    after another; the rest as xp.prod."""
    if x.size == 0 or kind(x.dtype) != "f":
        return xp.prod(x, axis=axis, keepdims=keepdims)
    flat = axis is None
    if x.dtype == HALF:
        turns = xp.multiply.accumulate(xp.reshape(x, (-1,)) if flat else x, axis=0 if flat else axis)
        last = turns[-1] if flat else xp.take(turns, -1, axis=axis)
        if flat:
            return xp.reshape(last, (1,) * x.ndim) if keepdims else last
        return xp.expand_dims(last, axis) if keepdims else last
    if flat or axis % x.ndim == x.ndim - 1:
        rows = xp.reshape(x, (1, -1)) if flat else xp.reshape(x, (-1, x.shape[-1]))
        total = _vector_product(rows)
        if flat:
            return xp.reshape(total, (1,) * x.ndim if keepdims else ())
        return xp.reshape(total, x.shape[:-1] + ((1,) if keepdims else ()))
    axis %= x.ndim
    rows = xp.moveaxis(x, axis, 0)
    total = rows[0, ...] if rows.shape[0] > 1 else copy(rows[0, ...])      # (one row: not a view of x)
    for i in range(1, rows.shape[0]):
        total = total * rows[i, ...]
    return xp.expand_dims(total, axis=axis) if keepdims else total


def welford_m2(a, dims):
    """The sums of squared deviations over dims (of a float64 a) by Welford's updates, element after
    element, as PyTorch's var/std kernel along dims makes them (WelfordOps): equal values give 0."""
    kept = tuple(d for d in range(a.ndim) if d not in dims)
    rows = xp.reshape(xp.permute_dims(a, kept + tuple(dims)), tuple(a.shape[d] for d in kept) + (-1,))
    mean, m2 = zeros(rows.shape[:-1], dtype=a.dtype), zeros(rows.shape[:-1], dtype=a.dtype)
    for i in range(rows.shape[-1]):
        v = rows[..., i]
        delta = v - mean
        mean = mean + delta / (i + 1)
        m2 = m2 + delta * (v - mean)
    return m2


def _vector_product(rows):
    """Each row's product as binary_kernel_reduce_vec makes it: four accumulators of 32-byte vectors
    over whole blocks (multiplied (0 * 1) * (2 * 3)), their lanes in turn, then the tail in turn."""
    lanes = 32 // itemsize(rows.dtype)
    block = 4 * lanes
    n = rows.shape[1]
    blocks = n // block
    total = None
    if blocks:
        acc = xp.reshape(rows[:, :block], (-1, 4, lanes))
        for i in range(1, blocks):
            acc = acc * xp.reshape(rows[:, i * block:(i + 1) * block], (-1, 4, lanes))
        both = (acc[:, 0, :] * acc[:, 1, :]) * (acc[:, 2, :] * acc[:, 3, :])
        total = both[:, 0]
        for j in range(1, lanes):
            total = total * both[:, j]
    for k in range(blocks * block, n):
        total = copy(rows[:, k]) if total is None else total * rows[:, k]      # (not a view of x)
    return total


def erf(x):
    """erf of each value: glibc's (std::erf) in double, rounded once for float32 (erff
    agrees with it), on the host: NumPy has no erf."""
    values = from_host([math.erf(v) for v in to_host(x).ravel().tolist()])     # (float64)
    return astype(xp.reshape(values, x.shape), x.dtype)


def expm1(x):
    """expm1 of each value (elu's kernel: -0 stays -0, and no cancellation near 0): glibc's
    (std::expm1) for float64 on the host, where NumPy's differs in 3% of last bits; float64's
    rounded once for float32."""
    if ON_HOST and x.dtype is _FLOAT64:
        return xp.reshape(from_host([math.expm1(v) for v in x.ravel().tolist()]), x.shape)
    return _expm1(x)


_expm1 = _float32_from_double(xp.expm1)


def in_turn_sum(x, axis=None, keepdims=False):
    """x summed along `axis` (an int, a tuple, None: all) one element after another, in x's dtype: the
    order of PyTorch's plain reductions (binary_kernel_reduce: the 1-norm), not NumPy's pairwise one."""
    axes = tuple(range(x.ndim)) if axis is None else (axis,) if type(axis) is int else tuple(axis)
    axes = tuple(sorted(a % max(x.ndim, 1) for a in axes))
    kept = tuple(a for a in range(x.ndim) if a not in axes)
    moved = xp.permute_dims(x, kept + axes) if x.ndim else x
    rows = xp.reshape(moved, tuple(x.shape[a] for a in kept) + (-1,))
    if rows.shape[-1] == 0:
        total = xp.zeros(rows.shape[:-1], dtype=x.dtype)
    else:
        total = xp.cumulative_sum(rows, axis=-1)[..., -1] + 0      # (+ 0: a sum starts at +0., as PyTorch's)
    if keepdims:
        total = xp.reshape(total, tuple(1 if a in axes else n for a, n in enumerate(x.shape)))
    return total


def two_norm(x, axis=None, keepdims=False):
    """The 2-norm as norm_kernel's vectorised path makes it along the last dims (or all of x), where NumPy's
    pairwise sum of squares differs in the last bits: one 32-byte vector of squares summed vector after
    vector, its lanes in turn, then the tail's squares in turn. Other dims (and halves): sqrt of xp.sum."""
    axes = tuple(range(x.ndim)) if axis is None else tuple(sorted(a % x.ndim for a in axis))
    trailing = axes == tuple(range(x.ndim - len(axes), x.ndim))
    if x.size == 0 or kind(x.dtype) != "f" or x.dtype == HALF or not trailing or not axes:
        return xp.sqrt(xp.sum(x * x, axis=axis, keepdims=keepdims))
    kept = x.shape[:x.ndim - len(axes)]
    squares = xp.reshape(x, (-1, math.prod(x.shape[len(kept):])))
    squares = squares * squares
    lanes = 32 // itemsize(x.dtype)
    whole = squares.shape[1] // lanes * lanes
    if whole:
        vectors = xp.reshape(squares[:, :whole], (squares.shape[0], -1, lanes))
        acc = xp.cumulative_sum(vectors, axis=1)[:, -1, :]
        squares = xp.concat((acc, squares[:, whole:]), axis=1)
    total = xp.sqrt(xp.cumulative_sum(squares, axis=1)[:, -1])
    return xp.reshape(total, kept + (1,) * len(axes) if keepdims else kept)


def sign_of(x):
    """PyTorch's sign, (0 < x) - (x < 0): nan gives 0 (NumPy's gives nan), and so does -0."""
    if kind(x.dtype) != "f":
        return xp.sign(x)
    return xp.where(x == x, xp.sign(x), ZERO.get(x.dtype, 0.0))
