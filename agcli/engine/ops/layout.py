"""The shape ops' kernels on raw arrays (engine/ops/shapes.py): placing values
into zeros, summing back to a shape, keys; and layout: PyTorch picks ops by
strides (a view or a copy, how matmul folds), and NumPy's views keep PyTorch's
layouts, so their strides answer the same questions."""
from __future__ import annotations

from ..backend import ON_HOST, add_at, asarray, clone, copy, empty, getitem, reduce_sum, setitem, strides, xp, zeros
from ..backend import diagonal as diagonal_view
from ..tensor import Tensor


# Up to this many elements, filling a new array beats broadcast_to's set-up.
_SMALL = 4096


def _expand(x, shape):
    if x.shape == shape:
        return x
    if x.ndim == 0 and x.size <= 1 and _numel(shape) <= _SMALL:   # the gradient of a sum
        out = empty(shape, dtype=x.dtype)
        out[...] = x
        return out
    return xp.broadcast_to(x, shape)


# The view kernels of x.t() and unsqueeze, without NumPy's Python wrappers
# (permute_dims and expand_dims cost several times the view they make).
def t_kernel(x):
    return x.T if x.ndim == 2 else xp.permute_dims(x, tuple(range(x.ndim))[::-1])   # (the standard's .T: 2-D only)


def unsqueeze_kernel(x, dim):
    """expand_dims(x, dim) for a dim already in range: the reshape expand_dims itself makes."""
    return xp.reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def sum_to_array(g, shape):
    """Sum a broadcast array back to `shape`."""
    shape = tuple(shape)
    have = g.shape
    if have == shape:
        return g
    lead = len(have) - len(shape)
    if ON_HOST and have[lead:] == shape:
        # only leading dims to sum (a broadcast number's or row's gradient): the same sum,
        # without the kept dims to reshape away (None: all of them, a 0-d result)
        return asarray(reduce_sum(g, axis=(0,) if lead == 1 and shape else tuple(range(lead)) if shape else None))
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and have[i + lead] != 1)
    if axes:
        g = reduce_sum(g, axis=axes, keepdims=True)      # (at::sum_to: a sum over the dims)
    return xp.reshape(g, shape)


def skipped(x) -> bool:
    """An empty vector, which cat leaves out whatever the others' dims (PyTorch's legacy rule)."""
    return len(x.shape) == 1 and x.shape[0] == 0


def joined(*xs, dim):
    """cat's kernel: the arrays along dim, empty vectors left out (all of them, when all are)."""
    kept = [x for x in xs if not skipped(x)]
    return row_major(xp.concat(kept if kept else xs, axis=dim if kept else 0))


def stacked(*xs, dim):
    """stack's kernel (PyTorch's: cat of the inputs unsqueezed at dim)."""
    return row_major(xp.stack(xs, axis=dim))


def row_major_result(kernel):
    """kernel, its result made row-major on the host: PyTorch's kernel writes a contiguous result whatever the
    input's layout (softmax, cumsum, roll, masked_fill), which decides what .view() may do with it."""
    if not ON_HOST:
        return kernel
    return lambda *args, **kwargs: _in_row_major(kernel(*args, **kwargs))


def row_major(out):
    """cat's and stack's result laid out as PyTorch lays it: row-major (NumPy follows its inputs: a cat of
    transposed matrices is column-major, and .view(-1) of it would fail), but for 4-d and 5-d results,
    whose inputs' channels-last layout PyTorch keeps (NumPy's layout is kept for them)."""
    return out if not ON_HOST or out.ndim in (4, 5) else _in_row_major(out)


def _in_row_major(out):
    """A host array in row-major order (itself when it is)."""
    return out if getattr(out, "ndim", 0) < 2 or out.flags.c_contiguous else clone(out, True)


def nothing_like(g):
    """The gradient of an input cat left out: an empty vector, a tensor when g is (create_graph)."""
    if type(g) is Tensor:
        return Tensor(zeros((0,), dtype=g.data.dtype), device=g.device)
    return zeros((0,), dtype=g.dtype)


def select_key(dim, index):
    return (slice(None),) * dim + (index, ...)      # `...`: a 0-d view too, not a copied number


def slice_key(dim, start, stop, step):
    return (slice(None),) * dim + (slice(start, stop, step),)


def _embed(g, shape, key):
    out = zeros(shape, dtype=g.dtype)
    setitem(out, key, g)
    return out


def _embed_diagonal(g, shape, offset, dim1, dim2):
    out = zeros(shape, dtype=g.dtype)
    setitem(diagonal_view(out, offset, dim1, dim2), ..., g)
    return out


def _embed_add(g, shape, key):
    out = zeros(shape, dtype=g.dtype)
    add_at(out, key, g)
    return out


def _copy_slices(x, value, key):
    out = asarray(x, copy=True)
    setitem(out, key, value)
    return out


def inverse_permutation(dims):
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return tuple(inv)


def is_contiguous(a) -> bool:
    """PyTorch's is_contiguous: row-major strides, dims of size 1 aside."""
    if a.size == 0:
        return True
    expected = 1
    for n, st in zip(reversed(a.shape), reversed(strides(a))):
        if n != 1:
            if st != expected:
                return False
            expected *= n
    return True


def viewable(a, shape) -> bool:
    """Can `a` be seen with `shape` without a copy? (PyTorch's computeStride)"""
    old = a.shape
    if not old or a.size == 0:
        return True
    st = strides(a)
    view_d = len(shape) - 1
    base, tensor_numel, view_numel = st[-1], 1, 1
    for d in range(len(old) - 1, -1, -1):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and st[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if d > 0:
                base, tensor_numel, view_numel = st[d - 1], 1, 1
    return view_d == -1


# Batching rules' kernels (engine/batching.py: Mapped), for shapes.py: a leading batch axis, then a line's dims.
def batched_t(args, batched, params):
    """x.t() of each line (its dims reversed), the batch axis kept first."""
    x = args[0]
    return xp.permute_dims(x, (0,) + tuple(range(x.ndim - 1, 0, -1)))


def batched_select(args, batched, params):
    x = args[0]
    return getitem(x, select_key(params["dim"] % (x.ndim - 1) + 1, params["index"]))


def batched_select_grad(g, args, batched, params):
    x = args[0]
    return _embed(g, x.shape, select_key(params["dim"] % (x.ndim - 1) + 1, params["index"]))


def indexed(x, key):
    """x[key] of an advanced key, in PyTorch's layout for an x in row-major order: row-major too
    (NumPy's puts the indexed dims first when a slice comes before them), as x.stride() shows it."""
    out = getitem(x, key)
    if out.ndim > 1 and out.size and _row_major_order(x) and not is_contiguous(out):
        return copy(out)
    return out


def _row_major_order(a) -> bool:
    """Are a's strides in row-major order (a select or step of a row-major x too)? PyTorch's
    TensorIterator lays its output out in its input's order of strides."""
    st = [s for n, s in zip(a.shape, strides(a)) if n != 1]
    return all(s >= t for s, t in zip(st, st[1:]))
