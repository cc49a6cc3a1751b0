"""Indexing as PyTorch records it: select, slice, advanced indices."""
from __future__ import annotations

import functools
import math

import numpy

from ..engine import backend as B
from ..engine.backend import arange, asarray, astype, dtype_name, from_host, item, kind, to_host, xp, zeros
from ..engine.layouts import laid_out, row_major
from ..engine.ops import sampled as SAMPLED
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, data
from ..errors import AgcliError
from ..state import state
from .checks import broadcast_shapes, dim_index, dims_tuple, fail, is_int, ndim_of, shape_of
from .shaping import unsqueeze


def select(x, dim, index):
    n = ndim_of(x)
    if n == 0:
        fail("select() cannot be applied to a 0-dim tensor.", "shape")
    d = dim_index(dim, n)
    size = shape_of(x)[d]
    if not -size <= index < size:
        fail(f"select(): index {index} out of range for tensor of size [{', '.join(map(str, shape_of(x)))}] "
             f"at dimension {d}", "index")
    return apply(S.SELECT, x, dim=d, index=int(index) % size)


def unbind(x, dim=0):
    """x.unbind(dim): its slices along dim (UnbindBackward0), as iterating a tensor gives its rows."""
    n = ndim_of(x)
    if n == 0:
        fail("Dimension specified as 0 but tensor has no dimensions", "index")
    d = dim_index(dim, n)
    return tuple(apply(S.UNBIND, x, dim=d, index=i) for i in range(shape_of(x)[d]))


def index(x, key):
    return apply(S.INDEX, x, key=checked_key(x, key))


def slice_(x, dim, start, stop, step):
    return apply(S.SLICE, x, dim=dim, start=start, stop=stop, step=step)


def getitem(x, key):
    """x[key] the way PyTorch records it: select for an int, slice for a
    range (in a tuple, a full `:` records nothing), unsqueeze for None, and one
    advanced index for lists or tensors; a key that records nothing (`...`,
    `:, :`) gives an alias (a view of all of x)."""
    if type(key) is int and type(x) is Tensor and x.data.ndim and -x.data.shape[0] <= key < x.data.shape[0]:
        return apply(S.SELECT, x, dim=0, index=key % x.data.shape[0])      # (the common case: x[i])
    lone_slice = isinstance(key, slice)
    if not ndim_of(x):
        lone_key_of_0d(key)
    key = read_key(key)
    if any(isinstance(k, list) or type(k) is Tensor or hasattr(k, 'shape') for k in key):
        key = tuple(_advanced(k) for k in key)
        _not_too_many(key, ndim_of(x))
        split = views_first(shape_of(x), key)
        if split is None:
            return index(x, key)
        steps, rest = split
        for step, dim, *args in steps:      # (the views PyTorch takes before its index: their own nodes)
            x = select(x, dim, *args) if step == "select" else unsqueeze(x, dim) if step == "unsqueeze" \
                else slice_(x, dim, *args)
        return index(x, rest) if any(hasattr(k, "shape") for k in rest) else x
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > ndim_of(x):
        fail(f"too many indices for tensor of dimension {ndim_of(x)}", "index")
    dim, ndim0, whole = 0, ndim_of(x), x
    for position, k in enumerate(key):
        if k is Ellipsis:     # stands for the dims no other index names: skip them
            dim += ndim0 - n_real
        elif k is None:
            x = unsqueeze(x, dim)
            dim += 1
        elif dim >= ndim_of(x) and (isinstance(k, slice) or not is_int(k)):   # (past a second `...`)
            fail("an index can only have a single ellipsis ('...')", "shape")
        elif isinstance(k, slice):
            size = shape_of(x)[dim]
            start, stop, step = _slice_bounds(k, size)
            if lone_slice or not _whole(k, size):
                x = slice_(x, dim, start, stop, step)
            dim += 1
        elif is_int(k):     # (each `...` skips the same dims, as PyTorch's applySlicing: a second one may pass x's)
            size = shape_of(x)[dim] if dim < ndim_of(x) else 0
            if not -size <= k < size:    # PyTorch names the index's position in the key
                fail(f"index {k} is out of bounds for dimension {position} with size {size}", "index")
            x = select(x, dim, int(k))
        elif type(k) is str:      # (PyTorch reads a string as a sequence to make a tensor of)
            fail("new(): invalid data type 'str'", "type")
        else:
            fail(f"only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are valid "
                 f"indices (got {type(k).__name__})", "type")
    return apply(S.ALIAS, x) if x is whole and type(x) is Tensor else x


def lone_key_of_0d(key):
    """x[i] and x[a:b] of a 0-d x refused as PyTorch's getitem and setitem refuse them (its applySelect
    reads a 0-d tensor's size as 0; x[(0,)] is too many indices)."""
    if isinstance(key, slice):
        fail("slice() cannot be applied to a 0-dim tensor.", "index")
    if is_int(key) and not isinstance(key, Tensor):
        if key == 0:
            fail("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                 "convert a 0-dim tensor to a number", "index")
        fail(f"index {key} is out of bounds for dimension 0 with size 0", "index")


def whole_key(key, shape):
    """True when PyTorch's setitem writes x itself for `key` (`...`, `:`, `:, :`: copy_ or fill_, no
    CopySlices), False for x[False] (it writes nothing), None for a key that takes a view or indexes.
    Its slices' steps are checked first, as PyTorch's (NumPy's writes take a negative one)."""
    for k in key if type(key) is tuple else (key,):
        if isinstance(k, slice) and k.step is not None and is_int(k.step) and k.step <= 0:
            _slice_bounds(k, 0)
    if key is False or key is Ellipsis:
        return key is Ellipsis
    if isinstance(key, slice):
        return (bool(shape) and _whole(key, shape[0])) or None
    if type(key) is not tuple or not all(k is Ellipsis or isinstance(k, slice) for k in key):
        return None
    at = next((i for i, k in enumerate(key) if k is Ellipsis), len(key))
    rest = key[at + 1:]
    if any(k is Ellipsis for k in rest) or at + len(rest) > len(shape):
        return None
    dims = list(zip(key[:at], shape)) + list(zip(rest, shape[len(shape) - len(rest):]))
    return all(_whole(k, n) for k, n in dims) or None


def _not_too_many(key, ndim):
    """PyTorch counts a key's indices against x's dims before it takes any view."""
    used = sum(k.ndim if hasattr(k, "shape") and kind(k.dtype) == "b" else 1
               for k in key if k is not None and k is not Ellipsis)
    if used > ndim:
        fail(f"too many indices for tensor of dimension {ndim}", "index")


def views_first(shape, key):
    """A key of arrays and other indices as PyTorch's Python binding reads it (applySlicing): its
    ints, partial slices and Nones are views taken first (select, slice, unsqueeze), and what is
    left indexes the view: its arrays, with `:` for each dim a view kept. So x[0, :, [0, 3]] of a
    (2, 3, 4) x is (3, 2): NumPy, which counts the 0 as an array, would give (2, 3).
    Returns (steps, the rest of the key), or None when nothing comes first (the key indexes x)."""
    used = sum(k.ndim if hasattr(k, "shape") and kind(k.dtype) == "b" else 1
               for k in key if k is not None and k is not Ellipsis)
    count = max(len(shape) - used, 0)     # (the dims `...` stands for)
    shape, steps, rest, dim = list(shape), [], [], 0
    for position, k in enumerate(key):
        if k is Ellipsis:
            rest += [slice(None)] * count
            dim += count
        elif k is None:
            steps.append(("unsqueeze", dim))
            shape.insert(dim, 1)
            rest.append(slice(None))
            dim += 1
        elif isinstance(k, slice):
            if dim >= len(shape):
                fail(f"too many indices for tensor of dimension {len(shape)}", "index")
            start, stop, step = _slice_bounds(k, shape[dim])
            if not _whole(k, shape[dim]):
                steps.append(("slice", dim, start, stop, step))
                shape[dim] = len(range(start, stop, step))
            rest.append(slice(None))
            dim += 1
        elif not hasattr(k, "shape") and is_int(k) or hasattr(k, "shape") and k.ndim == 0 and kind(k.dtype) in "iu":
            k = int(k)      # (a 0-d integer tensor is an int here, as in PyTorch)
            if dim >= len(shape):
                fail(f"too many indices for tensor of dimension {len(shape)}", "index")
            if not -shape[dim] <= k < shape[dim]:
                fail(f"index {k} is out of bounds for dimension {position} with size {shape[dim]}", "index")
            steps.append(("select", dim, k))
            shape.pop(dim)
        elif hasattr(k, "shape") and k.ndim == 0 and kind(k.dtype) == "b":    # (a 0-d mask: a new dim, all
            steps.append(("unsqueeze", dim))                                    # of it or none, as PyTorch's)
            shape.insert(dim, 1)
            rest.append(asarray([0] if bool(k) else [], dtype="int64"))
            dim += 1
        else:
            rest.append(k)
            dim += k.ndim if hasattr(k, "shape") and kind(k.dtype) == "b" else 1
    return (steps, tuple(rest)) if steps else None


def positions_key(shape, steps, rest) -> tuple:
    """The key of one array per dim that picks from x itself what x[key] picks when views come
    first (views_first's steps and rest): x[key] = value writes there in one step."""
    positions = xp.reshape(arange(math.prod(shape)), tuple(shape))
    for step, dim, *args in steps:
        if step == "unsqueeze":
            positions = xp.expand_dims(positions, axis=dim)
        else:
            positions = B.getitem(positions, (slice(None),) * dim + (args[0] if step == "select" else slice(*args),))
    positions = B.getitem(positions, rest)
    if not shape:       # a 0-d x: all of it or nothing (a 0-d mask)
        return (asarray(positions.size > 0),)
    key, stride = [], 1
    for n in reversed(shape):
        key.append((positions // stride) % n)
        stride *= n
    return tuple(reversed(key))


def read_key(key) -> tuple:
    """A subscript as PyTorch's Python binding reads it, as a tuple: a short list holding
    a sequence, tensor, slice, `...` or None is a tuple of indices (deprecated, with
    PyTorch's warning), a tuple inside it a list of indices, a uint8 tensor a mask
    (deprecated too)."""
    if isinstance(key, list) and len(key) < 32 and \
            any(isinstance(k, (list, tuple, slice, Tensor)) or k is None or k is Ellipsis for k in key):
        state.warn(_SEQUENCE_AS_TUPLE)
        key = tuple(key)
    if not isinstance(key, tuple):
        key = (key,)
    if any(type(k) is bool for k in key):       # a Python bool: a 0-d mask (a new dim of 1 or 0)
        key = tuple(asarray(k) if type(k) is bool else k for k in key)
    if any(type(k) is tuple or type(k) is Tensor and dtype_name(k.data.dtype) == "uint8" for k in key):
        key = tuple(_as_mask(k) if type(k) is Tensor else list(k) if type(k) is tuple else k for k in key)
    return key


_SEQUENCE_AS_TUPLE = ("UserWarning: Using a non-tuple sequence for multidimensional indexing is deprecated and will "
                      "be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
                      "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or a "
                      "different result")


def _as_mask(k):
    if dtype_name(k.data.dtype) != "uint8":
        return k
    state.warn("UserWarning: indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
               "instead.")
    return Tensor(astype(k.data, "bool"))


def _slice_bounds(k, size):
    step = 1 if k.step is None else k.step
    if step == 0:
        fail("slice step cannot be zero", "value")          # (Python's ValueError, as PyTorch's)
    if step < 0:
        fail("step must be greater than zero", "value")      # (a ValueError in PyTorch)
    start, stop, _ = slice(k.start, k.stop, step).indices(size)
    stop = max(stop, start)
    return start, stop, step


def _whole(k, size) -> bool:
    """Does PyTorch's applySlice skip slice k of a dim of `size` (a key of more than one index)? Only
    for a start of 0, a stop past the end and a step of 1 as written: x[:, -4:] of 4 columns is sliced."""
    start, stop = (0 if k.start is None else k.start), (size if k.stop is None else k.stop)
    return k.step in (None, 1) and is_int(start) and start == 0 and is_int(stop) and stop >= size


def _advanced(k):
    if type(k) is Tensor:
        k = k.data
    if isinstance(k, list):
        k = asarray(k) if k else asarray(k, dtype="int64")      # ([]: no position, an int64 index as PyTorch's)
    return k


def checked_key(x, key):
    """An index (a tuple) checked against x's shape, in PyTorch's words: the
    backends do not all check (CuPy wraps an out-of-range index around)."""
    shape = shape_of(x)
    used = [k.ndim if hasattr(k, "shape") and kind(k.dtype) == "b" else 1
            for k in key if k is not None and k is not Ellipsis]
    if sum(used) > len(shape):
        fail(f"too many indices for tensor of dimension {len(shape)}", "index")
    dim = indexed = 0       # (PyTorch's kernel counts the dims its index tensors stand for)
    bounds = []             # (checked once the arrays broadcast together, as PyTorch's kernel checks them)
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - sum(used)
        elif hasattr(k, "shape"):
            if _check_array(k, shape, dim, indexed):
                bounds.append((k, shape[dim], indexed))
            dim += k.ndim if kind(k.dtype) == "b" else 1
            indexed += k.ndim if kind(k.dtype) == "b" else 1
        elif k is not None:
            if is_int(k) and not -shape[dim] <= k < shape[dim]:
                fail(f"index {k} is out of bounds for dimension {dim} with size {shape[dim]}", "index")
            dim += 1
    if indexed > 1:
        _check_together(key)
    for k, size, i in bounds:
        _in_bounds(k, size, i)
    return key


def _check_together(key):
    """The index tensors broadcast together (a mask stands for its nonzero positions)."""
    shapes = [(item(xp.sum(astype(k, "int64"))),) if kind(k.dtype) == "b" else tuple(k.shape)
              for k in key if hasattr(k, "shape")]
    try:
        functools.reduce(broadcast_shapes, shapes)
    except AgcliError:
        fail("shape mismatch: indexing tensors could not be broadcast together with shapes "
             + ", ".join(f"[{', '.join(map(str, s))}]" for s in shapes), "index")


def _check_array(k, shape, dim, indexed) -> bool:
    """One array of an advanced index: a mask of the dims it stands for, or indices (True: their
    bounds are to check, _in_bounds)."""
    if kind(k.dtype) == "b":
        for i, n in enumerate(k.shape):
            if n != shape[dim + i]:
                fail(f"The shape of the mask [{', '.join(map(str, k.shape))}] at index {i} does not match the "
                     f"shape of the indexed tensor [{', '.join(map(str, shape))}] at index {dim + i}", "index")
        return False
    if kind(k.dtype) not in "iu":
        fail("tensors used as indices must be long, int, byte or bool tensors", "index")
    return True


def _in_bounds(k, size, indexed):
    """Indices within a dim's size (named as the `indexed`-th dim the index tensors stand for, as
    PyTorch's kernel words it)."""
    bad = xp.reshape((k < -size) | (k >= size), (-1,))
    if bool(xp.any(bad)):
        first = item(xp.reshape(k, (-1,))[int(xp.argmax(astype(bad, "int8")))])
        fail(f"index {first} is out of bounds for dimension {indexed} with size {size}", "index")


def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or one tensor per dim
    (a 0-d input counts as 1-d there, as PyTorch's)."""
    a = asarray(data(input))
    found = xp.nonzero(a if a.ndim else xp.reshape(a, (1,)))
    if as_tuple:
        return tuple(Tensor(astype(i, "int64")) for i in found)
    if not a.ndim:
        return Tensor(zeros((found[0].shape[0], 0), dtype="int64"))
    return Tensor(astype(xp.stack(found, axis=1), "int64"))


def count_nonzero(input, dim=None):
    a = asarray(data(input))
    dims = None if dim is None else dims_tuple(dim, a.ndim) or None           # (() is every dim)
    counts = asarray(xp.sum(astype(a != 0, "int64"), axis=dims))      # (a 0-d array, not NumPy's scalar)
    return Tensor(laid_out(row_major, counts, (a,)))                    # (a reduction's result: row-major)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Each run of equal values (or of equal slices along dim) once, in order; the values record
    UniqueConsecutiveBackward0, which has no derivative in PyTorch."""
    a = to_host(data(input))
    axis = 0 if dim is None else dim_index(dim, a.ndim)
    flat = a.reshape(-1) if dim is None else numpy.moveaxis(a, axis, 0).reshape(a.shape[axis] if a.ndim else 1, -1)
    n = flat.shape[0]
    changed = numpy.ones(n, dtype=bool)
    if n > 1:
        different = flat[1:] != flat[:-1]
        changed[1:] = different if different.ndim == 1 else different.any(axis=1)
    starts = numpy.flatnonzero(changed)
    kept = flat[starts]
    values = kept if dim is None else numpy.moveaxis(
        kept.reshape((len(starts),) + tuple(numpy.delete(a.shape, axis))), 0, axis)
    parts = [apply(SAMPLED.UNIQUE_CONSECUTIVE, input, values=from_host(numpy.ascontiguousarray(values)))
             if type(input) is Tensor else Tensor(from_host(values))]
    if return_inverse:
        inverse = numpy.cumsum(changed) - 1
        parts.append(Tensor(from_host(inverse.reshape(a.shape if dim is None else (n,)).astype("int64"))))
    if return_counts:
        parts.append(Tensor(from_host(numpy.diff(numpy.append(starts, n)).astype("int64"))))
    return parts[0] if len(parts) == 1 else tuple(parts)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, sorted (and where each element's is, how many of each). The values
    record Unique2Backward0, which has no derivative (backward through it is PyTorch's error)."""
    if dim is not None:     # (the distinct slices along dim, in lexicographic order: UniqueDimBackward0)
        dim = dim_index(dim, ndim_of(input))
    values, inverse, counts = numpy.unique(to_host(data(input)), return_inverse=True, return_counts=True,
                                           equal_nan=False, axis=dim)      # (each nan its own value, as PyTorch's)
    op = SAMPLED.UNIQUE if dim is None else SAMPLED.UNIQUE_DIM
    parts = [apply(op, input, values=from_host(values)) if type(input) is Tensor else Tensor(from_host(values))]
    if return_inverse:
        shape = shape_of(input) if dim is None else (shape_of(input)[dim],)
        parts.append(Tensor(from_host(inverse.reshape(shape).astype("int64"))))
    if return_counts:
        parts.append(Tensor(from_host(counts.astype("int64"))))
    return parts[0] if len(parts) == 1 else tuple(parts)

