"""The array namespace the engine computes with, chosen once per process.

agcli/device.py decides which (NumPy; CuPy for --device cuda; the strict
array-API stand-in that CI runs, AGCLI_ARRAY_BACKEND=array-api-strict), and
this module binds `xp` and the helpers below once, at import: on NumPy they
are NumPy's own functions and fast paths, so the hot path pays nothing for
the choice. Engine code calls `xp` only for what the array API standard has,
and these helpers for the rest: making arrays on the device, dtypes by name,
indexing beyond the standard, layout (strides), host <-> device, and the
floating-point warnings.

The host/device boundary: bindings, files, JSON and printing hold host NumPy
arrays; a binding goes to the device once (`from_host`) and a result comes
back once (`to_host`).
"""
from __future__ import annotations

import math
import operator
from contextlib import nullcontext

import numpy

from ..device import chosen
from .backend_errors import float_errors, float_errors_ignored, missing_dtype, tensor_truth
from .backend_matmul import (as_mv, bmm_kernel, dot_kernel, in_turn, in_turn_mv as mv_kernel, in_turn_shapes,
                             mkl_addmm, mkl_addmv, mkl_baddbmm, mm_kernel, one_row_or_column)

DEVICE, BACKEND = chosen()

host_ndarray = numpy.ndarray                          # what .numpy() and the host side hold
host_types = (numpy.ndarray, numpy.generic)
host = numpy            # the host array library: NumPy's own names as programs' `import numpy` reaches them

# ------------------------------------------------------------------ NumPy
# (CuPy and the strict stand-in replace what differs, below.)
xp = numpy
ndarray = numpy.ndarray
ON_HOST = True          # the engine's arrays are host NumPy arrays: no transfers, NumPy's error state

asarray, zeros, ones, empty, full = numpy.asarray, numpy.zeros, numpy.ones, numpy.empty, numpy.full
eye, arange, linspace = numpy.eye, numpy.arange, numpy.linspace
dtype, result_type = numpy.dtype, numpy.result_type
kind = operator.attrgetter("kind")                   # 'b' | 'i' | 'u' | 'f' (of a dtype)
view_base = operator.attrgetter("base")              # not None: the array may share memory
address = operator.attrgetter("ctypes.data")         # where its first element is (in-place overlap checks)
copy = operator.methodcaller("copy")                 # a C-contiguous copy, as ndarray.copy
getitem, setitem = operator.getitem, operator.setitem
swapaxes, dot = numpy.swapaxes, dot_kernel


def dtype_name(d) -> str:
    """'float64' for float64, whatever spells it (remembered: NumPy's dtype.name is
    Python code that costs as much as a small op)."""
    name = _DTYPE_NAMES.get(d)
    if name is None:
        name = _DTYPE_NAMES[d] = numpy.dtype(d).name
    return name

_DTYPE_NAMES = {}


def diagonal(a, offset, dim1, dim2):
    """PyTorch's diagonal: a view that writes go through (NumPy's own is read-only)."""
    view = numpy.diagonal(a, offset, dim1, dim2)
    view.flags.writeable = a.flags.writeable
    return view


def expanded(a, shape):
    """PyTorch's expand: a view that writes go through (NumPy's broadcast_to is read-only)."""
    lead = len(shape) - a.ndim
    steps = (0,) * lead + tuple(0 if n == 1 and m != 1 else st for n, m, st in zip(a.shape, shape[lead:], a.strides))
    return numpy.lib.stride_tricks.as_strided(a, shape, steps, writeable=a.flags.writeable)


def itemsize(d) -> int:
    """Bytes per element (norm's dtype= refuses a narrower one)."""
    return numpy.dtype(d).itemsize


def astype(a, d):
    """`a` in dtype `d` (a itself when it has it already)."""
    return a.astype(d, copy=False)


def clone(a, contiguous: bool):
    """A copy keeping a's layout (PyTorch's clone), or a row-major one (.contiguous())."""
    return numpy.copy(a, order="C" if contiguous else "K")


def reduce_sum(x, axis=None, keepdims=False):
    """A sum over axis; float32/float64 in PyTorch's order of additions (backend_sums.py)."""
    if type(x) is numpy.ndarray:      # (torch_sum leaves other dtypes to add.reduce: numpy.sum without its wrapper)
        return (_sums or _load_sums()).torch_sum(x, axis, keepdims)
    return numpy.sum(x, axis=axis, keepdims=keepdims)


def reduce_mean(x, axis=None, keepdims=False):
    """A mean over axis: PyTorch's, its sum divided by the count, for float arrays."""
    if type(x) is numpy.ndarray and x.dtype.kind == "f":
        return (_sums or _load_sums()).torch_mean(x, axis, keepdims)
    return numpy.mean(x, axis=axis, keepdims=keepdims)


def squared_deviations(x):
    """The total of (x - x.mean())**2 in float64 as PyTorch's std_var_all_cpu (the mean in x's dtype)."""
    if type(x) is numpy.ndarray:
        return (_sums or _load_sums()).squared_deviations(x, float(reduce_mean(x)))
    d = astype(x, "float64") - astype(reduce_mean(x), "float64")
    return xp.sum(d * d)


_sums = None        # engine/backend_sums.py, imported when a float sum first needs it (not at start-up)


def _load_sums():
    global _sums
    from . import backend_sums as _sums
    return _sums


def add_at(out, key, values):
    """out[key] += values, repeated indices adding up (index's gradient)."""
    numpy.add.at(out, key, values)


def addmm_kernel(c, a, b):
    """c + mat1 @ mat2 (F.linear); PyTorch's order (the terms, then c) where measured:
    mat1 row-major, mat2 a transposed row-major weight."""
    if in_turn_shapes(a, b) and b.strides[0] == a.strides[-1] == a.itemsize and c.dtype == a.dtype \
            and (a.shape[0] == 1 or a.strides[0] == a.shape[1] * a.itemsize):
        return in_turn(a, b) + c
    return (as_mv(a, b) if one_row_or_column(a, b) else numpy.matmul(a, b)) + c


def item(a):
    """The Python number a 0-d array holds."""
    return a.item()


def tolist(a):
    """Nested Python numbers (on a device: by way of the host)."""
    return a.tolist()


def strides(a) -> tuple:
    """The array's strides in elements (PyTorch's unit)."""
    return tuple(s // a.itemsize for s in a.strides)



# A device array as a host NumPy array, and a host array (or number) as a
# device array: on NumPy both are the array itself; host_view (x.numpy()) shares
# the memory where the backend keeps it on the host, else it copies.
to_host = from_host = host_view = numpy.asarray


# -------------------------------------------------------- device backends
# (Their floating-point checks, which replace NumPy's error state, and ops of
# Python numbers on a device: engine/backend_watch.py.)
_ON = {}                # the device keyword of creation calls (the strict stand-in's non-default device)

if BACKEND == "cupy":
    # CuPy through array-api-compat (the standard's names), NumPy's
    # indexing and dtypes; no error state and no host memory.
    import array_api_compat.cupy as xp

    ndarray = xp.ndarray
    ON_HOST = False
    asarray, zeros, ones, empty, full = xp.asarray, xp.zeros, xp.ones, xp.empty, xp.full
    eye, arange, linspace = xp.eye, xp.arange, xp.linspace
    swapaxes, dot, result_type, diagonal = xp.swapaxes, xp.dot, xp.result_type, xp.diagonal   # CuPy's: a view
    expanded = xp.broadcast_to                                  # (a view CuPy writes through)

    def clone(a, contiguous: bool):
        return xp.copy(a, order="C" if contiguous else "K")

    def reduce_sum(x, axis=None, keepdims=False):
        return xp.sum(x, axis=axis, keepdims=keepdims)

    def reduce_mean(x, axis=None, keepdims=False):
        return xp.mean(x, axis=axis, keepdims=keepdims)

    def add_at(out, key, values):
        xp.add.at(out, key, values)         # CuPy's ufunc.at (CuPy 13+)

    mv_kernel = xp.matmul

    def mm_kernel(a, b):
        return xp.matmul(a, b)
    bmm_kernel = mm_kernel

    def addmm_kernel(c, a, b):
        return xp.matmul(a, b) + c

    def to_host(a):
        return a.get()
    host_view = to_host         # GPU memory: a copy

    address = operator.attrgetter("data.ptr")

    def from_host(a):
        return xp.asarray(a)

    float_errors_ignored = nullcontext

elif BACKEND == "array-api-strict":
    # The strict stand-in: every array on the package's non-default device, so
    # a NumPy-only call or an implicit host conversion in the engine fails.
    import array_api_strict as xp

    _ON = {"device": xp.Device("device1")}
    _HOST = xp.Device("CPU_DEVICE")
    ndarray = type(xp.asarray(0, **_ON))
    ON_HOST = False
    _DTYPES = {name: getattr(xp, name) for name in
               ("bool", "int8", "int16", "int32", "int64", "uint8", "float32", "float64")}
    _NAMES = {d: name for name, d in _DTYPES.items()}
    _KIND_OF = {d: "b" if name == "bool" else name[0] for name, d in _DTYPES.items()}

    def dtype(d):       # (float16, complex: not in the standard's stand-in, agcli's error for them)
        name = d if isinstance(d, str) else numpy.dtype(d).name if isinstance(d, type) else None
        return d if name is None else _DTYPES[name] if name in _DTYPES else missing_dtype(BACKEND, name)

    def dtype_name(d) -> str:
        return d if isinstance(d, str) else _NAMES[d]

    def kind(d) -> str:
        return _KIND_OF[dtype(d)]

    def itemsize(d) -> int:
        return numpy.dtype(dtype_name(d)).itemsize

    def result_type(*dtypes):
        return xp.result_type(*[dtype(d) for d in dtypes])

    def asarray(x, dtype=None, copy=None):
        return xp.asarray(x, dtype=_dt(dtype), copy=copy, **_ON)

    def zeros(shape, dtype=None):
        return xp.zeros(shape, dtype=_dt(dtype), **_ON)

    def ones(shape, dtype=None):
        return xp.ones(shape, dtype=_dt(dtype), **_ON)

    def empty(shape, dtype=None):
        return xp.empty(shape, dtype=_dt(dtype), **_ON)

    def full(shape, fill_value, dtype=None):
        return xp.full(shape, fill_value, dtype=_dt(dtype), **_ON)

    def eye(n, m=None, dtype=None):
        return xp.eye(n, m, dtype=_dt(dtype), **_ON)

    def arange(start, stop=None, step=1, dtype=None):
        return xp.arange(start, stop, step, dtype=_dt(dtype), **_ON)

    def linspace(start, stop, num, dtype=None):
        return xp.linspace(start, stop, num, dtype=_dt(dtype), **_ON)

    def _dt(d):
        """A creation call's dtype (a name, or None for the default)."""
        return None if d is None else dtype(d)

    def astype(a, d):
        return xp.astype(a, dtype(d), copy=False)

    def view_base(a):
        return a            # unknown here: a .grad made from it is copied

    def copy(a):
        return clone(a, True)

    def clone(a, contiguous: bool):
        if contiguous:      # a row-major copy: flattened (a copy), then seen in a's shape
            return xp.reshape(xp.reshape(a, (-1,), copy=True), a.shape)
        return xp.asarray(a, copy=True, **_ON)

    def swapaxes(a, axis1, axis2):
        dims = list(range(a.ndim))
        dims[axis1], dims[axis2] = dims[axis2], dims[axis1]
        return xp.permute_dims(a, tuple(dims))

    def _on_host_arrays(kernel):
        """kernel on the NumPy arrays inside (a None result stays None): the products in the host's
        order (PyTorch CPU's), so the host's bits."""
        def call(*args):
            result = kernel(*(a._array if isinstance(a, ndarray) else a for a in args))
            return None if result is None else ndarray._new(result, device=args[1].device)
        return call
    dot, mv_kernel, mm_kernel, bmm_kernel, addmm_kernel, mkl_addmm, mkl_addmv, mkl_baddbmm = map(
        _on_host_arrays, (dot, mv_kernel, mm_kernel, bmm_kernel, addmm_kernel, mkl_addmm, mkl_addmv, mkl_baddbmm))

    def diagonal(a, offset, dim1, dim2, _numpy=diagonal):      # a view of the NumPy array inside
        return ndarray._new(_numpy(a._array, offset, dim1, dim2), device=a.device)

    def expanded(a, shape, _numpy=expanded):
        return ndarray._new(_numpy(a._array, tuple(shape)), device=a.device)

    def reduce_sum(x, axis=None, keepdims=False):      # (the standard's sum: its own order)
        return xp.sum(x, axis=axis, keepdims=keepdims)

    def reduce_mean(x, axis=None, keepdims=False):
        return xp.mean(x, axis=axis, keepdims=keepdims)

    def item(a):
        return {"b": bool, "i": int, "u": int, "f": float}[kind(a.dtype)](a)    # no NumPy scalars here

    def tolist(a):
        return to_host(a).tolist()

    def strides(a) -> tuple:
        # The stand-in for CuPy's .strides, the one place that looks inside
        # an array-api-strict array: the NumPy array it wraps.
        inner = a._array
        return tuple(s // inner.itemsize for s in inner.strides)

    address = operator.attrgetter("_array.ctypes.data")     # (as strides reads it: the NumPy array inside)

    def to_host(a):
        return numpy.asarray(a.to_device(_HOST))
    host_view = operator.attrgetter("_array")       # the NumPy array inside (as strides reads it)

    def from_host(a):
        return xp.asarray(numpy.asarray(a), **_ON)

    def float_errors_ignored():     # (the stand-in computes with NumPy inside: its warnings are not agcli's)
        return numpy.errstate(all="ignore")

    def getitem(a, key):
        key = key if isinstance(key, tuple) else (key,)
        if _basic(key):
            return a[key + (...,) if ... not in key else key]
        positions = _positions(a.shape, key)
        flat = xp.take(xp.reshape(a, (-1,)), from_host(positions.reshape(-1)), axis=0)
        return xp.reshape(flat, positions.shape)

    def setitem(a, key, value):
        key = key if isinstance(key, tuple) else (key,)
        if type(value) is ndarray and value.dtype != a.dtype:
            value = astype(value, a.dtype)
        if _basic(key) and None not in key:           # (the standard's setitem takes no None)
            a[key + (...,) if ... not in key else key] = value
            return
        positions = _positions(a.shape, key)
        values = xp.reshape(xp.broadcast_to(asarray(value, dtype=a.dtype), positions.shape), (-1,))
        source = numpy.full(a.size, -1)
        source[positions.reshape(-1)] = numpy.arange(positions.size)     # the last write wins, as in NumPy
        a[...] = xp.reshape(_put(xp.reshape(a, (-1,)), source, values, add=False), a.shape)

    def add_at(out, key, values):
        positions = _positions(out.shape, key)
        values = xp.reshape(xp.broadcast_to(values, positions.shape), (-1,))
        positions = positions.reshape(-1)
        flat, rank = xp.reshape(out, (-1,)), _occurrence(positions)
        for r in range(int(rank.max()) + 1 if rank.size else 0):   # repeats add in order, as add.at
            source = numpy.full(out.size, -1)
            source[positions[rank == r]] = numpy.nonzero(rank == r)[0]
            flat = _put(flat, source, values, add=True)
        out[...] = xp.reshape(flat, out.shape)

    def _basic(key) -> bool:
        """Ints, slices, `...` and None only: the standard's own indexing."""
        return all(k is None or k is Ellipsis or type(k) in (int, slice) for k in key)

    def _positions(shape, key):
        """The flat positions a[key] reads: NumPy's indexing, on the host, of
        positions rather than values (its IndexErrors, too)."""
        host_key = tuple(to_host(k) if type(k) is ndarray else k for k in key)
        return numpy.arange(math.prod(shape)).reshape(shape)[host_key]

    def _occurrence(positions):
        """For each position, how many times it came before (0 for the first)."""
        order = numpy.argsort(positions, kind="stable")
        ordered = positions[order]
        starts = numpy.concatenate(([True], ordered[1:] != ordered[:-1])) if ordered.size else ordered
        first = numpy.maximum.accumulate(numpy.where(starts, numpy.arange(ordered.size), 0))
        rank = numpy.empty(ordered.size, dtype=numpy.int64)
        rank[order] = numpy.arange(ordered.size) - first
        return rank

    def _put(flat, source, values, add):
        """flat with values[source[i]] put (or added) at each i where source[i] >= 0."""
        hit = source >= 0
        if not hit.any():       # (nothing to put: take of an empty values array would fail)
            return flat
        taken = xp.take(values, from_host(numpy.where(hit, source, 0)), axis=0)
        return xp.where(from_host(hit), flat + taken if add else taken, flat)
