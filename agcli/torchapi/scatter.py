"""index_fill, scatter, scatter_add and gather as PyTorch checks and records them
(their in-place forms are in in_place.py)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind
from ..engine.ops import pieces as PC
from ..engine.ops import writes as W
from ..engine.tensor import Tensor, apply
from .checks import broadcast_shapes, dim_index, fail, is_int, shape_of
from .ndarrays import type_name
from .operands import stored
from .dtypes import dtype_name


def _is_number(v) -> bool:
    return isinstance(v, (bool, int, float)) and type(v) is not Tensor


def _dims(shape) -> str:
    return f"[{', '.join(map(str, shape))}]"


def _refuse_arguments(name, signatures, args):
    """PyTorch's TypeError when no overload takes the arguments (a list for a tensor, ...):
    each overload that takes that many arguments says which ones did not fit."""
    lines = []
    for signature in signatures:
        lines.append(f" * ({signature})\n")
        positional = [p.split()[0] for p in signature.split(", *")[0].split(", ")]
        if len(positional) == len(args) and ", *" not in signature:
            marked = ", ".join(_described(a) if _fits(a, t) else f"!{_described(a)}!" for a, t in zip(args, positional))
            lines.append(f"      didn't match because some of the arguments have invalid types: ({marked})\n")
    got = ", ".join("Tensor" if type(a) is Tensor else type(a).__name__ for a in args)
    fail(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
         + "".join(lines), "type")


def _fits(value, kind_name) -> bool:
    if kind_name == "Tensor":
        return type(value) is Tensor
    if kind_name == "int":
        return is_int(value)
    return False        # Number: PyTorch's message marks a Python number there too


def _described(value) -> str:
    if type(value) is Tensor:
        return "Tensor"
    if isinstance(value, (list, tuple)):
        kinds = []
        for v in value:
            name = "Tensor" if type(v) is Tensor else type(v).__name__
            if name not in kinds:
                kinds.append(name)
        return f"{type(value).__name__} of [{', '.join(kinds)}]"
    return type(value).__name__


# ------------------------------------------------------------- index_fill
def index_fill(input, dim, index, value):
    """input with `value` at the positions `index` names along dim (a number: IndexFillBackward0;
    a 0-d tensor: IndexFillBackward1, whose gradient goes to it too)."""
    if type(index) is not Tensor or not (_is_number(value) or type(value) is Tensor) or not is_int(dim):
        _refuse_arguments("index_fill", ("int dim, Tensor index, Tensor value", "int dim, Tensor index, Number value"),
                          (dim, index, value))
    d = dim_index(dim, input.data.ndim)
    if dtype_name(index.data.dtype) != "int64":
        fail("index_fill_(): Expected dtype int64 for index.", "index")
    if index.data.ndim > 1:
        fail("Index has to be a vector/scalar")
    size = input.data.shape[d] if input.data.ndim else 1
    _in_bounds(index, d, size, negative=True, error="index")
    if type(value) is Tensor:
        if value.data.ndim:
            fail(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                 f"{value.data.ndim} dimension(s).")
        cast = input.data.dtype if value.data.dtype != input.data.dtype else None
        return apply(W.INDEX_FILL_TENSOR, input, value, dim=d, index=index.data, cast=cast)
    return apply(W.INDEX_FILL, input, dim=d, index=index.data, value=stored(value, input.data.dtype))


def _in_bounds(index, dim, size, negative, error="runtime"):
    a = index.data
    if a.size == 0:
        return
    low, high = B.item(B.xp.min(a)), B.item(B.xp.max(a))
    bad = high if high >= size else low if low < (-size if negative else 0) else None
    if bad is not None:
        fail(f"index {bad} is out of bounds for dimension {dim} with size {size}", error)


# ---------------------------------------------------- scatter and gather
_SCATTER = ("int dim, Tensor index, Tensor src", "int dim, Tensor index, Tensor src, *, str reduce",
            "int dim, Tensor index, Number value", "int dim, Tensor index, Number value, *, str reduce")


def _checked(name, input, dim, index, src=None):
    """PyTorch's scatter/gather checks, in its order; the dim, wrapped."""
    n = input.data.ndim
    d = dim_index(dim, n)
    if kind(index.data.dtype) not in "iu" or dtype_name(index.data.dtype) not in ("int32", "int64"):
        fail(f"{name}(): Expected dtype int32/int64 for index")
    if src is not None and src.data.dtype != input.data.dtype:
        fail(f"{name}(): Expected self.dtype to be equal to src.dtype")
    i_shape = index.data.shape
    if max(len(i_shape), 1) != max(n, 1):
        fail(f"Index tensor must have the same number of dimensions as {'input' if name == 'gather' else 'self'} "
             "tensor")
    if src is not None and max(len(i_shape), 1) != max(src.data.ndim, 1):
        fail("Index tensor must have the same number of dimensions as src tensor")
    if index.data.size:
        x_shape = input.data.shape or (1,)
        i1 = i_shape or (1,)
        beyond = any(i1[k] > x_shape[k] for k in range(len(i1)) if k != d)
        if src is not None:
            s_shape = src.data.shape or (1,)
            if beyond or any(i1[k] > s_shape[k] for k in range(len(i1))):
                fail(f"Expected index {_dims(i_shape)} to be no larger than self {_dims(input.data.shape)} apart "
                     f"from dimension {d} and to be no larger size than src {_dims(src.data.shape)}")
        elif beyond:
            wider = next(k for k in range(len(i1)) if k != d and i1[k] > x_shape[k])
            prefix = f"Size does not match at dimension {wider} expected " if name == "gather" else "Expected "
            fail(f"{prefix}index {_dims(i_shape)} to be no larger than self {_dims(input.data.shape)} apart from "
                 f"dimension {d}")
        _in_bounds(index, d, x_shape[d], negative=False)
    return d


def scatter(input, dim, index, src=None, value=None, reduce=None):
    """input with src's elements (or `value`) put where index says along dim."""
    return _scatter(input, dim, index, src, value, reduce, "scatter")


def scatter_in_place(input, dim, index, src=None, value=None, reduce=None):
    """x.scatter_(...)'s result (its reduce= node's refusal names scatter_)."""
    return _scatter(input, dim, index, src, value, reduce, "scatter_")


def _scatter(input, dim, index, src, value, reduce, name):
    if src is not None and value is None and _is_number(src):
        src, value = None, src                       # x.scatter(dim, index, 2.0)
    if type(index) is not Tensor or not is_int(dim) or (src is None) == (value is None) or \
            (src is not None and type(src) is not Tensor) or (value is not None and not _is_number(value)):
        _refuse_arguments("scatter", _SCATTER, tuple(v for v in (dim, index, src if src is not None else value)
                                                     if v is not None))
    d = _checked("scatter", input, dim, index, src)
    if reduce is not None:
        return _reduced(input, d, index, src, value, reduce, name)
    if src is not None:
        return apply(W.SCATTER, input, src, dim=d, index=index.data)
    return apply(W.SCATTER_VALUE, input, dim=d, index=index.data, value=value)


def _reduced(input, d, index, src, value, reduce, name):
    """scatter(..., reduce='add'/'multiply'): scatter_reduce's sum or prod with self's values, with
    PyTorch's warning for a tensor src; its node has no derivative (NotImplemented: backward refuses)."""
    from ..engine.ops import scatter_reduce as SR
    from ..state import state
    if reduce not in ("add", "multiply"):
        fail("reduce argument must be either add or multiply.")
    if src is None:
        src = Tensor(B.full(index.data.shape, stored(value, input.data.dtype), dtype=input.data.dtype))
    else:
        state.warn("UserWarning: The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                   "removed in a future PyTorch release. Use torch.scatter_reduce instead for more reduction options.")
    return apply(SR.SCATTER_REDUCED if name == "scatter" else SR.SCATTER_REDUCED_, input, src, dim=d,
                 index=index.data, reduce="sum" if reduce == "add" else "prod", include_self=True)


def scatter_add(input, dim, index, src):
    if type(src) is not Tensor:
        fail(f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}", "type")
    d = _checked("scatter", input, dim, index, src)
    return apply(W.SCATTER_ADD, input, src, dim=d, index=index.data)


def gather(input, dim, index, sparse_grad=False):
    if type(index) is not Tensor:
        fail(f"gather(): argument 'index' (position 2) must be Tensor, not {type_name(index)}", "type")
    d = _checked("gather", input, dim, index)
    return apply(W.GATHER, input, dim=d, index=index.data)


def index_select(input, dim, index):
    """input's slices along dim at `index` (IndexSelectBackward0)."""
    if type(index) is not Tensor:
        fail(f"index_select(): argument 'index' (position 2) must be Tensor, not {type_name(index)}", "type")
    if index.data.ndim > 1:
        fail("index_select(): Index is supposed to be a vector", "index")
    if dtype_name(index.data.dtype) not in ("int64", "int32"):
        fail("index_select(): Expected dtype int32 or int64 for index")
    if input.data.ndim == 0 and index.data.size != 1:
        fail(f"index_select(): Index to scalar can have only 1 value, got {index.data.size} value(s)")
    d = dim_index(dim, input.data.ndim)
    size = input.data.shape[d] if input.data.ndim else 1
    flat = B.xp.reshape(index.data, (-1,))
    bad = (flat < 0) | (flat >= size)
    if bool(B.xp.any(bad)):     # (PyTorch's kernel for dim 1 words it otherwise)
        if d != 1:
            fail("index out of range in self", "index")
        fail(f"INDICES element is out of DATA bounds, id={B.item(flat[bad][0])} axis_dim={size}")
    return apply(W.INDEX_SELECT, input, dim=d, index=flat)


def masked_select(input, mask):
    """input's elements where mask holds, the two broadcast together (MaskedSelectBackward0)."""
    if type(mask) is not Tensor or dtype_name(mask.data.dtype) != "bool":
        fail("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(shape_of(input), shape_of(mask))
    return apply(PC.MASKED_SELECT, input, mask=B.copy(B.xp.broadcast_to(mask.data, shape)))
