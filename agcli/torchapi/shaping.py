"""PyTorch's shape functions: views and reshapes, transposes, diagonal, squeeze
and unsqueeze, expand, cat and stack, clone and detach."""
from __future__ import annotations

from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .creation import as_tensor
from .checks import dim_index, dims_tuple, fail, is_int, ndim_of, numel, refuse_huge, shape_of, size_tuple


def _shape_arg(x, shape):
    return _infer_shape(size_tuple(shape) if shape and not (len(shape) == 1 and isinstance(shape[0], tuple)
                                                          and all(isinstance(s, int) for s in shape[0]))
                        else shape[0], shape_of(x))


def reshape(x, *shape):
    """A view when the strides allow one (ViewBackward0 when contiguous, else
    ReshapeAliasBackward0), else a contiguous clone viewed (PyTorch's reshape)."""
    return S.reshape(x, _shape_arg(x, shape))


def view(x, *shape):
    shape = _shape_arg(x, shape)
    if type(x) is not Tensor:
        return S.reshape(x, shape)
    if not S.viewable(x.data, shape):
        fail("view size is not compatible with input tensor's size and stride (at least one dimension spans "
             "across two contiguous subspaces). Use .reshape(...) instead.", "shape")
    return apply(S.VIEW, x, shape=shape)


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
    dims = size_tuple(dims) if not (len(dims) == 1 and isinstance(dims[0], (tuple, list))) else tuple(dims[0])
    n = ndim_of(x)
    if len(dims) != n:
        fail(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
             f"the desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}",
             "shape")
    return apply(S.PERMUTE, x, dims=dims_tuple(dims, n))


def attr_T(x):
    n = ndim_of(x)
    if n == 0:
        state.warn("UserWarning: Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                   "cases.")
        return x
    if n != 2:
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
        fail(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}",
             "type")
    if not tensors:
        fail(f"{name}(): expected a non-empty list of Tensors", "shape")
    for k, t_ in enumerate(tensors):
        if type(t_) in (bool, int, float):
            fail(f"expected Tensor as element {k} in argument 0, but got {type(t_).__name__}", "type")
    return [t if type(t) is Tensor else as_tensor(t) for t in tensors]


def cat(tensors, dim=0):
    ts = _tensor_list(tensors, "cat")
    n = ndim_of(ts[0])
    d = dim_index(dim, n)
    first = shape_of(ts[0])
    for k, t_ in enumerate(ts[1:], 1):
        s = shape_of(t_)
        if len(s) != n:
            fail(f"Tensors must have same number of dimensions: got {n} and {len(s)}", "shape")
        for i in range(n):
            if i != d and s[i] != first[i]:
                fail(f"Sizes of tensors must match except in dimension {d}. Expected size {first[i]} but got "
                     f"size {s[i]} for tensor number {k} in the list.", "shape")
    return apply(S.CAT, *ts, dim=d)


def stack(tensors, dim=0):
    ts = _tensor_list(tensors, "stack")
    first = shape_of(ts[0])
    for k, t_ in enumerate(ts[1:], 1):
        if shape_of(t_) != first:
            fail(f"stack expects each tensor to be equal size, but got [{', '.join(map(str, first))}] at entry 0 "
                 f"and [{', '.join(map(str, shape_of(t_)))}] at entry {k}", "shape")
    return apply(S.STACK, *ts, dim=dim_index(dim, len(first) + 1))


def clone(x):
    return apply(S.CLONE, x)


def detach(x):
    return x.detach() if type(x) is Tensor else x


def data_of(x):
    """x.data: the same storage, no history, and (unlike detach) a version counter of its own."""
    return Tensor(x.data, device=x.device) if type(x) is Tensor else x


def flip(x, dims):
    """A copy with the order along `dims` reversed (a 0-d tensor: itself, copied)."""
    axes = dims_tuple(dims, ndim_of(x))
    return apply(S.FLIP, x, dims=axes if ndim_of(x) else ())


def fliplr(x):
    if ndim_of(x) < 2:
        fail("Input must be >= 2-d.")
    return flip(x, (1,))


def flipud(x):
    if ndim_of(x) < 1:
        fail("Input must be >= 1-d.")
    return flip(x, (0,))
