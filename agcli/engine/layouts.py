"""How PyTorch lays out a new result in memory, which x.stride(), .view() and an in-place random fill (drawn in
memory order) show. Three rules, each an op declares once (lay_out), applied by tensor.apply in a program:

- iterated, TensorIterator's (elementwise ops): inputs of one shape, all contiguous, a row-major result; all
  dense with the same strides, those strides; else the result's axes are sorted by the inputs' strides, the
  first input whose strides tell two axes apart deciding (reorder_dimensions: a broadcast axis tells
  nothing; equal strides, the longer axis outside), the result dense in that order.
- preserved, empty_like(preserve_format)'s of the first input (clone, flip, sort): a dense input's strides;
  else dense in its order of axes (infer_dense_strides: an axis of stride 0 stays where row-major has it).
- row_major: a reduction's or a scan's result (at::empty of the shape).

A NumPy kernel's result follows its inputs in its own way (row-major when they disagree, a reduction's in
its input's order); the rules re-lay it only when it differs. A device's arrays keep the backend's layout."""
from __future__ import annotations

from weakref import WeakValueDictionary

from .axis_order import ambiguously_sorted
from .backend import ON_HOST, clone, empty, ndarray
from .backend_strided import empty_strided


def iterated(out, arrays):
    """out laid out as TensorIterator lays out an elementwise op's result on `arrays` (arrays and numbers)."""
    for a in arrays:
        if type(a) is ndarray and a.ndim > 1 and not a.flags.c_contiguous:
            return _iterated(out, arrays, False)
    # (row-major inputs, a row-major result, as NumPy's; a vector's strides order no two dims of the result)
    return out if 1 not in out.shape else _iterated(out, arrays, True)


def _iterated(out, arrays, contiguous):
    inputs = [a for a in arrays if type(a) is ndarray and a.ndim]
    shape = out.shape
    if any(a.ndim > len(shape) for a in inputs):        # (not elementwise after all: NumPy's layout stays)
        return out
    if len(inputs) == len(arrays) and all(a.shape == shape for a in inputs):       # TensorIterator's fast set-up
        if contiguous:
            return _row_major(out)
        first = _elements(inputs[0])
        if all(_elements(a) == first for a in inputs) and _dense(inputs[0]):
            return _with_strides(out, tuple(st * out.itemsize for st in first))
    ndim = len(shape)
    strides = []
    for a in inputs:
        offset = ndim - a.ndim
        strides.append((0,) * offset + tuple(0 if n == 1 and shape[offset + i] != 1 else st
                                              for i, (n, st) in enumerate(zip(a.shape, a.strides))))

    def outer(d0, d1):
        """1 when axis d0 lies outside d1 in memory, -1 inside, 0 when no input tells."""
        for st in strides:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0
    inner_first = _sorted_axes(ndim, outer)
    if inner_first == tuple(range(ndim - 1, -1, -1)):
        return _row_major(out)
    return _with_strides(out, _dense_strides(shape, inner_first, out.itemsize))


def preserved(out, arrays):
    """out laid out as empty_like(arrays[0], preserve_format): a dense input's strides, else its order of axes."""
    x = arrays[0]
    if type(x) is not ndarray or x.shape != out.shape:
        return _row_major(out)
    if _dense(x):
        return _with_strides(out, tuple(st * out.itemsize for st in _elements(x)))
    return _with_strides(out, _dense_strides(x.shape, dense_order(x.shape, x.strides), out.itemsize))


def copied_as(a, like):
    """A copy of a laid out as empty_like(like, preserve_format) lays out a new tensor (a flip's, a clone's)."""
    return laid_out(preserved, clone(a, False), (like,))


def row_major(out, arrays=None):
    """out in row-major order (a reduction's result)."""
    return _row_major(out)


def dense_order(shape, strides) -> tuple:
    """The axes of an array of these strides from the innermost out, as infer_dense_strides sorts them (an axis
    of stride 0 ties), and as TensorIterator visits one tensor's elements (its memory order)."""
    def outer(d0, d1):
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return 1 if s0 > s1 else -1
        return 1 if shape[d0] > shape[d1] else 0
    return _sorted_axes(len(shape), outer)


def _sorted_axes(ndim, outer) -> tuple:
    """The axes innermost first, sorted from reversed order as PyTorch sorts them."""
    return tuple(ambiguously_sorted(list(range(ndim - 1, -1, -1)), outer))


def _dense_strides(shape, inner_first, itemsize) -> tuple:
    """The strides (bytes) of a dense array of `shape` whose axes lie innermost first as `inner_first`."""
    strides = [0] * len(shape)
    step = itemsize
    for d in inner_first:
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


def _dense(a) -> bool:
    """PyTorch's is_non_overlapping_and_dense: the elements fill memory without gaps or overlaps."""
    step = a.itemsize
    for stride, n in sorted((st, n) for st, n in zip(a.strides, a.shape) if n > 1):
        if stride != step:
            return False
        step *= n
    return True


def _elements(a) -> tuple:
    return tuple(st // a.itemsize for st in a.strides)


def _with_strides(out, strides):
    """out with these strides (bytes): itself when it has them, else a copy laid out so."""
    if not out.size:
        return out
    if out.strides == strides:
        CHOSEN[id(out)] = out
        return out
    outside_in = sorted(range(out.ndim), key=lambda d: -strides[d])
    laid = empty(tuple(out.shape[d] for d in outside_in), dtype=out.dtype).transpose(_inverse(outside_in))
    if laid.strides != strides:         # (a dim of one's stride NumPy's order does not give)
        laid = empty_strided(out.shape, strides, out.dtype)
    laid[...] = out
    CHOSEN[id(laid)] = laid
    return laid


def chosen_strides(a) -> bool:
    """Were a's strides chosen here (PyTorch's, a dim of one's too), not left as a NumPy kernel made them?"""
    return CHOSEN.get(id(a)) is a


def _inverse(order) -> list:
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    return inverse


def _row_major(out):
    """out row-major, with PyTorch's strides for its dims of one too (those of the dims inside them)."""
    if out.ndim < 2 or out.flags.c_contiguous and 1 not in out.shape:
        return out
    return _with_strides(out, _dense_strides(out.shape, range(out.ndim - 1, -1, -1), out.itemsize))


def laid(kernel, layout):
    """kernel with its result laid out by `layout` (a replay's step, which runs kernels without apply)."""
    if layout is None or not ON_HOST:
        return kernel
    return lambda *args, **params: laid_out(layout, kernel(*args, **params), args)


def laid_out(layout, out, arrays):
    """out laid out by `layout` on the host (a device array as the backend keeps it)."""
    return layout(out, arrays) if ON_HOST and type(out) is ndarray and out.ndim > 1 else out


def lay_out(layout, *ops):
    """Declare that PyTorch lays out these ops' results by `layout` (iterated, preserved, row_major)."""
    for op in ops:
        _DECLARED.append((op, layout))
        op.layout = layout if _observed else None


def observe():
    """From now on, lay out the declared ops' results as PyTorch does: a program may look at them (x.stride(),
    .view(), a random fill in place). A batch line's or agcli grad's values and gradients do not show a
    result's layout, and skip the work. On the host only (a device's arrays keep the backend's layouts)."""
    global _observed
    if ON_HOST and not _observed:
        _observed = True
        for op, layout in _DECLARED:
            op.layout = layout


_DECLARED = []          # (op, layout) of each declaration, in order
CHOSEN = WeakValueDictionary()      # the arrays _with_strides made, by id (NumPy's arrays hold no attributes)
_observed = False


# ------------------------------------------------------------ memory formats (torch.channels_last, ...)
# the order of a 4-d (5-d) tensor's axes in channels_last (channels_last_3d), innermost first
CHANNELS_LAST_ORDER = {4: (1, 3, 2, 0), 5: (1, 4, 3, 2, 0)}


def channels_last_strides(shape) -> tuple:
    """get_channels_last_strides_2d/_3d, in elements: N, then the spatial axes, the channels innermost."""
    strides, step = [0] * len(shape), 1
    for d in CHANNELS_LAST_ORDER[len(shape)]:
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


def is_channels_last(shape, strides) -> bool:
    """compute_channels_last_contiguous_2d/_3d: laid out so, dims of one aside."""
    expected = 1
    for d in CHANNELS_LAST_ORDER[len(shape)]:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def suggests_channels_last(shape, strides) -> bool:
    """is_channels_last_strides_2d/_3d (suggest_memory_format): strides that order the axes as channels_last,
    the ambiguous ones (a dim of one, N111) read as row-major."""
    if len(shape) not in CHANNELS_LAST_ORDER or strides[1] == 0:
        return False
    least = 0
    for d in CHANNELS_LAST_ORDER[len(shape)]:
        if shape[d] == 0 or strides[d] < least or d == 0 and least == strides[1]:
            return False
        least = strides[d] * (shape[d] if shape[d] > 1 else 1)
    return True


def in_channels_last(a):
    """A copy of array a laid out channels_last (a 4-d or 5-d array; a device's copy keeps the backend's layout)."""
    if not ON_HOST:
        return clone(a, True)
    return _with_strides(clone(a, True), tuple(st * a.itemsize for st in channels_last_strides(a.shape)))


def follows_channels_last(out, arrays):
    """A layout (lay_out's): channels_last when an input's strides suggest it (suggest_memory_format, as
    convolutions, pools and batch norm choose their result's), else row-major."""
    if out.ndim in CHANNELS_LAST_ORDER and any(type(a) is ndarray and a.ndim == out.ndim and
                                                suggests_channels_last(a.shape, _elements(a)) for a in arrays):
        return _with_strides(out, tuple(st * out.itemsize for st in channels_last_strides(out.shape)))
    return _row_major(out)


def cloned(a, memory_format):
    """x.clone(memory_format=...)'s copy: laid out as a ("preserve"), row-major ("contiguous"), or channels_last
    ("channels_last", "channels_last_3d": the caller checked the rank)."""
    if memory_format == "preserve":
        return copied_as(a, a)
    return clone(a, True) if memory_format == "contiguous" else in_channels_last(a)
