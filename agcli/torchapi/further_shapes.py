"""torch.index_add / index_copy and their in-place methods, and torch.nanmedian: PyTorch's checks in its
order and words, then one op each (engine/ops/indexed.py, nanmedians.py)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import indexed as IX
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from . import in_place as IP
from .checks import dim_index, fail


def _checked(name, input, dim, index, source):
    if type(input) is not Tensor or type(index) is not Tensor or type(source) is not Tensor:
        what = next(p for p, v in (("input", input), ("index", index), ("source", source)) if type(v) is not Tensor)
        position = {"input": 1, "index": 3, "source": 4}[what]
        value = {"input": input, "index": index, "source": source}[what]
        fail(f"{name}(): argument '{what}' (position {position}) must be Tensor, not {type(value).__name__}", "type")
    d = dim_index(dim, max(input.data.ndim, 1))
    index_dtype = B.dtype_name(index.data.dtype)
    flat = B.xp.reshape(index.data, (-1,))
    self_size = input.data.shape[d] if input.data.ndim else 1
    source_size = source.data.shape[d] if source.data.ndim else 1
    if name == "index_add":
        if index_dtype not in ("int64", "int32"):
            fail(f"index_add_(): Expected dtype int32/int64 for index but got: {torch_type_name(index.data.dtype)}")
        if index.data.ndim > 1:
            fail(f"index_add_(): Index is supposed to be a vector, but got dim: {index.data.ndim} with type: "
                 f"{torch_type_name(index.data.dtype)} and size: [{', '.join(map(str, index.data.shape))}]", "index")
        if flat.size != source_size:
            fail(f"index_add_(): Number of indices ({flat.size}) should be equal to source.size(dim): "
                 f"({source_size}), for dim: {d}")
        if input.data.dtype != source.data.dtype:
            fail(f"index_add_(): self ({torch_type_name(input.data.dtype)}) and source "
                 f"({torch_type_name(source.data.dtype)}) must have the same scalar type")
    else:
        if index.data.ndim > 1:
            fail(f"index_copy_(): Index should have dimension 1 or 0 (got {index.data.ndim})", "index")
        if source.data.ndim == 0 and flat.size != 1:
            fail(f"index_copy_(): When source is scalar, index should have one element (got {flat.size})", "index")
        if source.data.ndim != input.data.ndim and source.data.ndim and input.data.ndim:
            fail(f"index_copy_(): When source and destination are not scalars, their dimensionality must match. "
                 f"Source dimensionality ({source.data.ndim}), destination dimensionality ({input.data.ndim})", "index")
        if index_dtype != "int64":
            fail(f"index_copy_(): Expected a long tensor for index, but got {torch_type_name(index.data.dtype)}")
        if flat.size != source_size:
            fail(f"index_copy_(): Number of indices ({flat.size}) should be equal to source.size(dim) "
                 f"({source_size})", "index")
        if input.data.dtype != source.data.dtype:
            fail(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                 f"{torch_type_name(input.data.dtype)} and (source) {torch_type_name(source.data.dtype)}")
        _bounds(flat, d, self_size, "index_copy_(): ", "index")
    shape_self = [s for i, s in enumerate(input.data.shape) if i != d]
    shape_source = [s for i, s in enumerate(source.data.shape) if i != d]
    if (input.data.ndim != source.data.ndim or shape_self != shape_source) and name == "index_add":
        fail(f"source tensor shape must match self tensor shape, excluding the specified dimension. Got "
             f"self.shape = [{', '.join(map(str, input.data.shape))}] source.shape = "
             f"[{', '.join(map(str, source.data.shape))}]")
    if name == "index_add":         # (its bounds after its shapes, as PyTorch's index_add_ checks them)
        _bounds(flat, d, self_size, "")
    if input.data.ndim and source.data.ndim and shape_self != shape_source:
        fail(f"{name}_(): Source/destination tensor must have same slice shapes. Destination slice shape: "
             f"{' '.join(map(str, shape_self))} at dimension {d} and source slice shape: "
             f"{' '.join(map(str, shape_source))} at dimension 0.")
    return d, B.xp.where(flat < 0, flat + self_size, flat)


def _bounds(flat, d, size, prefix, kind="runtime"):
    bad = (flat < -size) | (flat >= size)
    if bool(B.xp.any(bad)):
        fail(f"{prefix}index {B.item(flat[bad][0])} is out of bounds for dimension {d} with size {size}", kind)


def index_add(input, dim, index, source, *, alpha=1):
    """input with source's slices added at index along dim, times alpha (IndexAddBackward0)."""
    d, flat = _checked("index_add", input, dim, index, source)
    if B.kind(input.data.dtype) in "iub":
        alpha = int(alpha)
    return apply(IX.INDEX_ADD, input, source, dim=d, index=flat, alpha=alpha)


def index_copy(input, dim, index, source):
    """input with source's slices copied in at index along dim (IndexCopyBackward0)."""
    d, flat = _checked("index_copy", input, dim, index, source)
    return apply(IX.INDEX_COPY, input, source, dim=d, index=flat)


def index_add_(x, dim, index, source, *, alpha=1):
    x = IP._tensor(x)
    IP.check_in_place(x, source)
    IP.check_overlap(x, source)
    return IP.become(x, index_add(IP.before(x), dim, index, source, alpha=alpha))


def index_copy_(x, dim, index, source):
    x = IP._tensor(x)
    IP.check_in_place(x, source)
    IP.check_overlap(x, source)
    return IP.become(x, index_copy(IP.before(x), dim, index, source))




def nanmedian(x, dim=None, keepdim=False):
    """The lower median of the values that are not nan: of all the elements (NanmedianBackward0), or
    (values, indices) along dim (NanmedianBackward1); nan where all are nan."""
    from ..engine.ops import nanmedians as NM
    from .reductions import ValuesIndices, _nonempty_dim
    if type(x) is not Tensor:
        fail(f"nanmedian(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}", "type")
    if B.kind(x.data.dtype) == "b":
        fail('"median_cpu" not implemented for \'Bool\'', "not_implemented")
    if dim is None:
        if not x.data.size:
            return Tensor(B.full((), float("nan"), dtype=x.data.dtype))
        return apply(NM.NANMEDIAN, x)
    d = _nonempty_dim("median", x, dim)      # (PyTorch words it as median's)
    values = apply(NM.NANMEDIAN_DIM, x, dim=d, keepdim=bool(keepdim))
    order = NM.nanmedian_order(x.data, d)
    if not keepdim and x.data.ndim:
        order = B.xp.squeeze(order, axis=d)
    return ValuesIndices((values, Tensor(B.asarray(order, dtype=B.dtype("int64")), device=x.device)), "nanmedian")




def unfold(x, dimension, size, step):
    """x.unfold(dimension, size, step): windows of `size` every `step` along dimension, a new last dim
    (a view: UnfoldBackward0). (torch.nn.functional.unfold is im2col, another function.)"""
    from ..engine.ops import windows as WI
    from .checks import is_int
    for name, v in (("dimension", dimension), ("size", size), ("step", step)):
        if not is_int(v):
            fail(f"unfold(): argument '{name}' (position {('dimension', 'size', 'step').index(name) + 1}) must be "
                 f"int, not {type(v).__name__}", "type")
    d = dim_index(dimension, max(x.data.ndim, 1))
    length = x.data.shape[d] if x.data.ndim else 1
    if size > length:
        fail(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        fail(f"step is {step} but must be > 0")
    if size < 0:
        fail(f"size is {size} but must be >= 0")
    return apply(WI.UNFOLD, x, dimension=d, size=int(size), step=int(step))


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """torch.scatter_reduce / x.scatter_reduce: src reduced into input at index along dim
    (sum, prod, mean, amax, amin; ScatterReduceBackward0)."""
    from ..engine.ops import scatter_reduce as SR
    from .scatter import _checked as scatter_checked
    if type(src) is not Tensor:
        fail(f"scatter_reduce(): argument 'src' (position 4) must be Tensor, not {type(src).__name__}", "type")
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        fail(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    d = scatter_checked("scatter", input, dim, index, src)
    return apply(SR.SCATTER_REDUCE, input, src, dim=d, index=index.data, reduce=reduce,
                 include_self=bool(include_self))


def scatter_reduce_(x, dim, index, src, reduce, *, include_self=True):
    x = IP._tensor(x)
    IP.check_in_place(x, src)
    IP.check_overlap(x, src)
    return IP.become(x, scatter_reduce(IP.before(x), dim, index, src, reduce, include_self=include_self))


# (the index: a parameter of the op; nanmedian's indices read from the values)
VALUED = {"index_add": index_add, "index_copy": index_copy, "nanmedian": nanmedian, "scatter_reduce": scatter_reduce}
IN_PLACE = {"index_add_": index_add_, "index_copy_": index_copy_, "scatter_reduce_": scatter_reduce_}
