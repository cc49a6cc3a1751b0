"""index_put's accumulate=True (shape_extras.py has the function), x.masked_scatter(mask, source) and
masked_scatter_, slice_scatter, select_scatter and diagonal_scatter (PyTorch's checks in its words; the
ops: engine/ops/puts.py), and torch.bitwise_and and its kin by name."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import puts as PU
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply
from ..errors import torch_type_name
from . import bitwise as BW, functions, in_place as IP
from .assignment import read_plain_key
from .checks import broadcast_shapes, dim_index, fail
from .shaping import expand


def _plain(x, key, values):
    """The key as arrays (masks as their positions when adding), PyTorch's shape check."""
    plain = functions.checked_key(x, read_plain_key(key, values))
    region = B.getitem(x.data, plain).shape
    have = values.data.shape
    if len(have) > len(region) or any(m not in (n, 1) for m, n in zip(reversed(have), reversed(region))):
        fail(f"shape mismatch: value tensor of shape [{', '.join(map(str, values.data.shape))}] cannot be "
             f"broadcast to indexing result of shape [{', '.join(map(str, region))}]")
    return plain


def accumulated(x, key, values):
    """index_put(..., accumulate=True) of a checked key (shape_extras.py): the values added at the key's
    places one after another (IndexPutBackward0)."""
    arrays = []
    for k in _plain(x, key, values):     # (a mask: its positions, for the adds)
        arrays.extend(B.xp.nonzero(k) if B.kind(k.dtype) == "b" else (k,))
    return apply(PU.INDEX_PUT_ADD, x, values, key=tuple(arrays))


def masked_scatter(x, mask, source, _name="masked_scatter"):
    if type(source) is not Tensor:
        fail(f"{_name}(): argument 'source' (position 2) must be Tensor, not {type(source).__name__}", "type")
    if B.kind(mask.data.dtype) != "b":
        fail(f"masked_scatter_ only supports boolean masks, but got mask with dtype {torch_type_name(mask.data.dtype)}")
    if source.data.dtype != x.data.dtype:
        fail(f"masked_scatter: expected self and source to have same dtypes but got"
             f"{torch_type_name(x.data.dtype)} and {torch_type_name(source.data.dtype)}")
    shape = broadcast_shapes(x.data.shape, mask.data.shape)
    m = B.xp.broadcast_to(mask.data, shape)
    if int(B.xp.sum(B.astype(m, "int64"))) > source.data.size:
        fail("Number of elements of source < number of ones in mask")
    if tuple(shape) != x.data.shape:
        x = expand(x, *shape)
    return apply(PU.MASKED_SCATTER, x, source, mask=m)


def masked_scatter_(x, mask, source):
    x = IP._tensor(x)
    if len(mask.data.shape) > x.data.ndim:
        sizes = ", ".join(map(str, mask.data.shape)), ", ".join(map(str, x.data.shape))
        fail(f"expand(CPUBoolType{{[{sizes[0]}]}}, size=[{sizes[1]}]): the number of sizes provided "
             f"({x.data.ndim}) must be greater or equal to the number of dimensions in the tensor "
             f"({len(mask.data.shape)})")
    IP.check_in_place(x, source)
    return IP.become(x, masked_scatter(IP.before(x), mask, source, "masked_scatter_"))


def bitwise_not(input):
    if type(input) is Tensor and B.kind(input.data.dtype) == "f":
        fail(f'"bitwise_not_cpu" not implemented for \'{torch_type_name(input.data.dtype)}\'', "not_implemented")
    return BW.invert(input)


VALUED = {"masked_scatter": masked_scatter}
IN_PLACE = {"masked_scatter_": masked_scatter_}
BITWISE = {"bitwise_and": BW.bitwise_and, "bitwise_or": BW.bitwise_or, "bitwise_xor": BW.bitwise_xor,
           "bitwise_left_shift": BW.bitwise_left_shift, "bitwise_right_shift": BW.bitwise_right_shift,
           "bitwise_not": bitwise_not}


def _scattered(op, input, src, params, part):
    if type(input) is not Tensor or type(src) is not Tensor:
        what, value = ("input", input) if type(input) is not Tensor else ("src", src)
        fail(f"{op.name[:-len('Backward0')].lower()}(): argument '{what}' must be Tensor, not {type(value).__name__}",
             "type")
    expected = part.shape
    if tuple(src.data.shape) != tuple(expected):
        fail(f"expected src to have a size equal to the slice of self. src size = "
             f"[{', '.join(map(str, src.data.shape))}], slice size = [{', '.join(map(str, expected))}]")
    if src.data.dtype != input.data.dtype:      # (copied into self's dtype, as PyTorch's copy_)
        src = S.to_dtype(src, input.data.dtype)
    return apply(op, input, src, params=params)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """input with src written into input[..., start:end:step] along dim (SliceScatterBackward0)."""
    d = dim_index(dim, max(input.data.ndim, 1))
    if step <= 0:
        fail("slice step must be positive")
    begin, stop, _ = slice(start, end, step).indices(input.data.shape[d])
    params = (d, begin, max(stop, begin), step)
    return _scattered(PU.SLICE_SCATTER, input, src, params, B.getitem(input.data, PU.slice_key(*params)))


def select_scatter(input, src, dim, index):
    """input with src written into input.select(dim, index) (SelectScatterBackward0)."""
    d = dim_index(dim, max(input.data.ndim, 1))
    size = input.data.shape[d]
    if not -size <= index < size:
        fail(f"select(): index {index} out of range for tensor of size [{', '.join(map(str, input.data.shape))}] at "
             f"dimension {d}", "index")
    params = (d, index % size)
    return _scattered(PU.SELECT_SCATTER, input, src, params, B.getitem(input.data, PU.select_key(*params)))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """input with src written into input.diagonal(offset, dim1, dim2) (DiagonalScatterBackward0)."""
    n = input.data.ndim
    params = (offset, dim_index(dim1, n), dim_index(dim2, n))
    return _scattered(PU.DIAGONAL_SCATTER, input, src, params, B.diagonal(input.data, *params))


SCATTERS = {"slice_scatter": slice_scatter, "select_scatter": select_scatter, "diagonal_scatter": diagonal_scatter}
