"""PyTorch's shape functions: views and reshapes, transposes, diagonal, squeeze
and unsqueeze, expand, cat and stack, clone and detach."""
from __future__ import annotations

from ..engine.ops import pieces as P
from ..engine.ops import shapes as S
from ..engine.ops import writes as W
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .creation import as_tensor
from .dtypes import result_type
from .ndarrays import type_name
from .checks import (check_size, dim_index, dims_tuple, fail, is_int, narrow_refused, narrow_start, ndim_of, numel,
                     refuse_huge, shape_of, size_required, size_tuple)


def _shape_arg(x, shape):
    return _infer_shape(size_tuple(shape) if shape and not (len(shape) == 1 and isinstance(shape[0], tuple)
                                                          and all(isinstance(s, int) for s in shape[0]))
                        else shape[0], shape_of(x))


def reshape(x, *shape):
    """A view when the strides allow one (ViewBackward0 when contiguous, else
    ReshapeAliasBackward0), else a contiguous clone viewed (PyTorch's reshape)."""
    size_required(shape, "reshape", "shape")
    return S.reshape(x, _shape_arg(x, shape))


def view(x, *shape, dtype=None):
    from .dtypes import DType
    if dtype is not None or len(shape) == 1 and isinstance(shape[0], DType):
        return _view_as_dtype(x, dtype if dtype is not None else shape[0])
    if not shape:
        fail("view() received an invalid combination of arguments - got (), but expected one of:\n"
             " * (torch.dtype dtype)\n * (tuple of ints size)\n", "type")
    shape = _shape_arg(x, shape)
    if type(x) is not Tensor:
        return S.reshape(x, shape)
    if not S.viewable(x.data, shape):
        fail("view size is not compatible with input tensor's size and stride (at least one dimension spans "
             "across two contiguous subspaces). Use .reshape(...) instead.", "shape")
    return apply(S.VIEW, x, shape=shape)


def _view_as_dtype(x, dtype):
    """x.view(torch.int32): x's bytes read as another dtype (the last dim scaled by the sizes' ratio), a tensor
    without history, as PyTorch's."""
    from ..engine import backend as B
    from .dtypes import dtype_of
    a = data(x)
    new = B.dtype(dtype_of(dtype))
    old_size, new_size = B.itemsize(a.dtype), B.itemsize(new)
    if old_size != new_size:
        words = f"to view {torch_type_name(a.dtype)} as {torch_type_name(new)} (different element sizes)"
        if a.ndim == 0:
            fail(f"self.dim() cannot be 0 {words}")
        words += ", but got"
        if old_size > new_size and a.strides[-1] != old_size and a.shape[-1] != 1:
            fail(f"self.stride(-1) must be 1 {words} {a.strides[-1] // old_size}")
        if old_size < new_size and a.shape[-1] % (new_size // old_size):
            fail(f"self.size(-1) must be divisible by {new_size // old_size} {words} {a.shape[-1]}")
    if not B.ON_HOST:
        fail("agcli's device backend reads no tensor's bytes as another dtype (x.view(dtype))", "not_implemented")
    return Tensor(a.view(new), device=getattr(x, "device", "cpu"))


def contiguous(x):
    if type(x) is not Tensor or S.is_contiguous(x.data):
        return x
    return apply(S.CLONE, x, memory_format="contiguous")


def _infer_shape(shape, old):
    total = numel(old)
    if shape.count(-1) > 1:
        fail("only one dimension can be inferred", "shape")
    known = numel(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or total % known:
            fail(f"shape '[{', '.join(str(s) for s in shape)}]' is invalid for input of size {total}", "shape")
        shape = tuple(total // known if s == -1 else s for s in shape)
    elif known != total:
        fail(f"shape '[{', '.join(str(s) for s in shape)}]' is invalid for input of size {total}", "shape")
    return tuple(shape)


def flatten(x, start_dim=0, end_dim=-1):
    n = ndim_of(x)
    if n == 0:
        return reshape(x, (1,))
    s, e = dim_index(start_dim, n), dim_index(end_dim, n)
    if s > e:
        fail("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return x
    old = shape_of(x)
    return reshape(x, old[:s] + (numel(old[s:e + 1]),) + old[e + 1:])


def t(x):
    if ndim_of(x) > 2:
        fail(f"t() expects a tensor with <= 2 dimensions, but self is {ndim_of(x)}D", "shape")
    return S.t(x)


def transpose(x, dim0, dim1):
    n = ndim_of(x)
    return apply(S.TRANSPOSE, x, dim0=dim_index(dim0, n), dim1=dim_index(dim1, n))


def permute(x, *dims):
    size_required(dims, "permute", "dims")
    dims = size_tuple(dims) if not (len(dims) == 1 and isinstance(dims[0], (tuple, list))) else tuple(dims[0])
    n = ndim_of(x)
    if len(dims) != n:
        fail(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
             f"the desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}",
             "shape")
    wrapped = tuple(dim_index(d, n) for d in dims)
    if len(set(wrapped)) != n:
        fail("permute(): duplicate dims are not allowed.", "shape")
    return apply(S.PERMUTE, x, dims=wrapped)


def attr_T(x):
    n = ndim_of(x)
    if n == 0:
        state.warn("UserWarning: Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                   "cases.")
    elif n != 2:
        state.warn("UserWarning: The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                   "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                   "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                   "dimensions of a tensor.")
    return permute(x, tuple(range(n - 1, -1, -1)))


def attr_mT(x):
    if ndim_of(x) < 2:
        fail(f"tensor.mT is only supported on matrices or batches of matrices. Got {ndim_of(x)}-D tensor.", "shape")
    return transpose(x, -2, -1)


def squeeze(x, dim=None):
    if dim is None:
        return apply(S.SQUEEZE, x)
    if isinstance(dim, (tuple, list)):      # x.squeeze((0, 2)): SqueezeBackward2
        return apply(W.SQUEEZE_DIMS, x, dims=dims_tuple(dim, ndim_of(x)))
    return apply(S.SQUEEZE_DIM, x, dim=dim_index(dim, ndim_of(x)))


def diagonal(x, offset=0, dim1=0, dim2=1):
    """A view of the diagonal (storage and version shared with x), as a last dim."""
    if not is_int(offset):
        fail(f"diagonal(): argument 'offset' must be int, not {type(offset).__name__}", "type")
    n = ndim_of(x)
    d1, d2 = dim_index(dim1, n), dim_index(dim2, n)
    if d1 == d2:
        fail(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return S.diagonal(x, int(offset), d1, d2)


def unsqueeze(x, dim):
    return apply(S.UNSQUEEZE, x, dim=dim_index(dim, ndim_of(x) + 1))


def expand(x, *shape):
    size_required(shape, "expand")
    shape = size_tuple(shape)
    old = shape_of(x)
    if len(shape) < len(old):
        fail(f"expand(torch.{torch_type_name(data(x).dtype)}Tensor{{[{', '.join(map(str, old))}]}}, "
             f"size=[{', '.join(map(str, shape))}]): "
             f"the number of sizes provided ({len(shape)}) must be greater or equal to the number of "
             f"dimensions in the tensor ({len(old)})", "shape")
    lead = len(shape) - len(old)
    full = list(shape)
    for i in reversed(range(len(shape))):       # PyTorch checks from the last dim
        o = old[i - lead] if i >= lead else 1
        if shape[i] == -1:
            full[i] = o
        elif o != 1 and o != shape[i]:
            fail(f"The expanded size of the tensor ({shape[i]}) must match the existing size ({o}) at "
                 f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, shape))}].  "
                 f"Tensor sizes: [{', '.join(map(str, old))}]", "shape")
    full = tuple(full)
    if type(x) is not Tensor:
        return S.expand(x, full)
    refuse_huge(lambda: full, numel(full))   # expanded results get materialised downstream
    return apply(S.EXPAND, x, shape=full)


def _tensor_list(tensors, name):
    """The tensors to cat or stack: list literals among them are tensor literals; a
    number is PyTorch's TypeError."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        fail(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type_name(tensors)}",
             "type")
    if not tensors and name == "cat":       # (PyTorch words the two differently)
        fail("torch.cat(): expected a non-empty list of Tensors", "value")
    if not tensors:
        fail(f"{name} expects a non-empty TensorList")
    for k, t_ in enumerate(tensors):
        if type(t_) in (bool, int, float):
            fail(f"expected Tensor as element {k} in argument 0, but got {type(t_).__name__}", "type")
    return [t if type(t) is Tensor else as_tensor(t) for t in tensors]


def cat(tensors, dim=0):
    ts = _tensor_list(tensors, "cat")
    for k, t_ in enumerate(ts):
        if not t_.data.ndim:
            fail(f"zero-dimensional tensor (at position {k}) cannot be concatenated")
    kept = [(k, t_) for k, t_ in enumerate(ts) if not S.skipped(t_.data)] or [(0, ts[0])]    # (empty vectors
    n = ndim_of(kept[0][1])                                                                 # are left out)
    d = dim_index(dim, n)
    first = shape_of(kept[0][1])
    for k, t_ in kept[1:]:
        s = shape_of(t_)
        if len(s) != n:
            fail(f"Tensors must have same number of dimensions: got {n} and {len(s)}", "shape")
        for i in range(n):
            if i != d and s[i] != first[i]:
                fail(f"Sizes of tensors must match except in dimension {d}. Expected size {first[i]} but got "
                     f"size {s[i]} for tensor number {k} in the list.", "shape")
    _refuse_joined(ts, lambda: first[:d] + (sum(shape_of(t_)[d] for _, t_ in kept),) + first[d + 1:])
    return apply(S.CAT, *ts, dim=d, cast=_joined_dtype(ts))


def stack(tensors, dim=0):
    ts = _tensor_list(tensors, "stack")
    first = shape_of(ts[0])
    for k, t_ in enumerate(ts[1:], 1):
        if shape_of(t_) != first:
            fail(f"stack expects each tensor to be equal size, but got [{', '.join(map(str, first))}] at entry 0 "
                 f"and [{', '.join(map(str, shape_of(t_)))}] at entry {k}", "shape")
    d = dim_index(dim, len(first) + 1)
    _refuse_joined(ts, lambda: tuple(first[:d]) + (len(ts),) + tuple(first[d:]))
    return apply(S.STACK, *ts, dim=d, cast=_joined_dtype(ts))


def _refuse_joined(ts, shape):
    """--max-elements on what cat and stack make (their result holds all their elements)."""
    refuse_huge(shape, sum(int(t.data.size) for t in ts))


def _joined_dtype(ts):
    """cat's and stack's result dtype when the tensors' differ (PyTorch's promotion:
    an int with a float32 tensor is float32, where NumPy would say float64); else None."""
    first = ts[0].data.dtype
    return None if all(t.data.dtype == first for t in ts) else result_type(*ts)


def flip(x, *dims, **keywords):
    """x.flip(0), x.flip(0, 1), x.flip([0, 1]), torch.flip(x, [0]), torch.flip(x, dims=[0]): FlipBackward0."""
    if keywords.keys() - {"dims"} or (dims and keywords):
        fail(f"flip() got an unexpected keyword argument '{next(iter(keywords.keys() - {'dims'}), 'dims')}'",
             "type")
    dims = (keywords["dims"],) if keywords else dims
    size_required(dims, "flip", "dims")
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    return apply(S.FLIP, x, dims=dims_tuple(dims, ndim_of(x)))


def repeat(x, *repeats):
    """x.repeat(2, 3): tiles (RepeatBackward0); new leading dims where repeats outnumber x's."""
    size_required(repeats, "repeat", "repeats")
    repeats, shape = size_tuple(repeats), shape_of(x)
    if len(repeats) < len(shape):
        fail("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(repeats) - len(shape)) + shape
    check_size(tuple(r * n for r, n in zip(repeats, padded)))
    return apply(P.REPEAT, x, repeats=repeats)


def narrow(x, dim, start, length):
    """x's stretch of `length` along dim from `start` (a view: SliceBackward0)."""
    start = narrow_start(start, length)
    if not is_int(start) or not is_int(length):
        narrow_refused(dim, start, length)
    d = dim_index(dim, ndim_of(x))
    size = shape_of(x)[d]
    if not -size <= start <= size:
        fail(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})", "index")
    start = start % size if start < 0 else start
    if length < 0:
        fail("narrow(): length must be non-negative.")
    if start + length > size:
        fail(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(S.SLICE, x, dim=d, start=start, stop=start + length, step=1)


def movedim(x, source, destination):
    """x's dims `source` moved to `destination`, the others in their order (PermuteBackward0)."""
    n = ndim_of(x)
    given = [list(v) if isinstance(v, (list, tuple)) else [v] for v in (source, destination)]
    if len(given[0]) != len(given[1]):
        fail(f"movedim: Invalid source or destination dims: source ({given[0]} dims) should contain the same "
             f"number of dims as destination ({given[1]} dims)")
    src, dst = ([dim_index(d, n) for d in dims] for dims in given)
    for name, dims, wrapped in (("source", given[0], src), ("destination", given[1], dst)):
        if len(set(wrapped)) != len(wrapped):
            fail(f"movedim: repeated dim in `{name}` ({dims})")
    if n == 0:          # (a 0-d tensor: ATen's alias)
        return apply(S.ALIAS, x) if type(x) is Tensor else x
    order = [None] * n
    for s_, d_ in zip(src, dst):
        order[d_] = s_
    rest = iter(d for d in range(n) if d not in src)
    return permute(x, [o if o is not None else next(rest) for o in order])


def unflatten(x, dim, sizes):
    """dim of x viewed as `sizes` (one of them may be -1)."""
    d = dim_index(dim, ndim_of(x))
    shape, sizes = shape_of(x), size_tuple((sizes,))
    if -1 not in sizes and numel(sizes) != shape[d]:
        fail(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't multiply up to the size of dim {d} "
             f"({shape[d]}) in the input tensor")
    return view(x, shape[:d] + sizes + shape[d + 1:])


def tile(x, *dims):
    """repeat, with ones in front of dims when x has more dims than given."""
    size_required(dims, "tile", "dims")
    dims = size_tuple(dims)
    return repeat(x, (1,) * (ndim_of(x) - len(dims)) + dims)


def hstack(tensors):
    """cat of atleast_1d's: a 0-d tensor viewed as one element."""
    ts = [t if ndim_of(t) else reshape(t, (1,)) for t in _tensor_list(tensors, "hstack")]
    return cat(ts, 0 if ndim_of(ts[0]) == 1 else 1)


def vstack(tensors):
    """cat of atleast_2d's: a vector unsqueezed to a row, a 0-d tensor viewed as one."""
    ts = [t if ndim_of(t) >= 2 else unsqueeze(t, 0) if ndim_of(t) else reshape(t, (1, 1))
          for t in _tensor_list(tensors, "vstack")]
    return cat(ts, 0)


def roll(x, shifts, dims=None):
    """x's elements moved along dims, round (none: along x flattened; RollBackward0)."""
    shifts = size_tuple((shifts,))
    dims = () if dims is None else size_tuple((dims,))
    if dims and len(shifts) != len(dims) or not dims and len(shifts) != 1:
        fail(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return apply(P.ROLL, x, shifts=shifts, dims=tuple(dim_index(d, ndim_of(x)) for d in dims))


def meshgrid(*tensors, indexing=None):
    """Grids of the vectors: each viewed along its own dim and expanded (ExpandBackward0); 'xy'
    swaps the first two dims."""
    ts = list(tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors)
    if indexing is None:
        state.warn("UserWarning: torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                   "argument.")
    elif indexing not in ("ij", "xy"):
        fail(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if any(ndim_of(t) > 1 for t in ts):
        fail("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(numel(shape_of(t)) for t in ts)
    grids = [expand(view(t, *[-1 if j == i else 1 for j in range(len(ts))]), *shape) for i, t in enumerate(ts)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def clone(x):
    return apply(S.CLONE, x)


def detach(x):
    return x.detach() if type(x) is Tensor else x


def data_of(x):
    """x.data: the same storage, no history, and (unlike detach) a version counter of its own."""
    return Tensor(x.data, device=x.device) if type(x) is Tensor else x


def fliplr(x):
    if ndim_of(x) < 2:
        fail("Input must be >= 2-d.")
    return flip(x, (1,))


def flipud(x):
    if ndim_of(x) < 1:
        fail("Input must be >= 1-d.")
    return flip(x, (0,))
