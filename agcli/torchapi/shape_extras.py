"""Tensor.sum_to_size (at::sum_to: SumBackward1, then a view without the leading dims), split_with_sizes
(split with a list of sizes: SplitWithSizesBackward0), and index_put / index_put_ (x[indices] = values,
IndexPutBackward0, with PyTorch's checks of its arguments and dtypes; accumulate=True adds) and
fill_diagonal_ (CopySlices)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import shapes as S
from ..engine.ops import writes as W
from ..engine.tensor import Tensor, apply, bump_version, data
from ..errors import python_type_name, torch_type_name
from ..state import state
from . import autograd
from . import in_place as IP
from . import index_puts as IX
from .checks import fail, shape_of, size_tuple, tensors_only
from .indexing import checked_key
from .pieces import split


def sum_to_size(x, *size):
    shape = size_tuple(size)
    have = shape_of(x)
    if len(shape) > len(have) or any(n != m and n != 1 for n, m in zip(reversed(shape), reversed(have))):
        fail(f"size {{[{', '.join(map(str, shape))}]}} is not expandable to size {{[{', '.join(map(str, have))}]}}.")
    return S.sum_to(x, shape)


def split_with_sizes(x, split_sizes, dim=0):
    if not isinstance(split_sizes, (list, tuple)):
        fail(f"split_with_sizes(): argument 'split_sizes' (position 1) must be tuple of ints, not "
             f"{python_type_name(split_sizes)}", "type")
    return split(x, list(split_sizes), dim)


def _checked(name, x, indices, values, accumulate):
    tensors_only(name, input=x)
    if not isinstance(indices, (tuple, list)) or not all(type(i) is Tensor or i is None for i in indices):
        fail(f"{name}(): argument 'indices' (position 1) must be tuple of Tensors, not "
             f"{'Tensor' if type(indices) is Tensor else python_type_name(indices)}", "type")
    if type(values) is not Tensor:
        fail(f"{name}(): argument 'values' (position 2) must be Tensor, not {python_type_name(values)}", "type")
    if len(indices) > data(x).ndim:     # (PyTorch's _index_put_impl_ counts them first)
        fail(f"too many indices for tensor of dimension {data(x).ndim} (got {len(indices)})", "index")
    if data(values).dtype != data(x).dtype:
        fail(f"Index put requires the source and destination dtypes match, got "
             f"{torch_type_name(data(x).dtype)} for the destination and {torch_type_name(data(values).dtype)} "
             f"for the source.")
    return tuple(indices)


def index_put_(x, indices, values, accumulate=False):
    key = _checked("index_put_", x, indices, values, accumulate)
    if not accumulate:
        autograd.setitem(x, key, values)
        return x
    IP.check_in_place(x, values)        # (repeated places add up, in turn: index_puts.py)
    return IP.become(x, IX.accumulated(IP.before(x), key, values))


def index_put(x, indices, values, accumulate=False):
    """Out of place: IndexPutBackward0 of x itself (no clone before it, as PyTorch records it)."""
    indices = _checked("index_put", x, indices, values, accumulate)
    if accumulate:
        return IX.accumulated(x, indices, values)
    key = checked_key(x, tuple(i.data if type(i) is Tensor else i for i in indices))
    if not (getattr(x, "requires_grad", False) or values.requires_grad):
        out = B.copy(data(x))
        B.setitem(out, key, data(values))
        return Tensor(out, device=x.device)
    return apply(S.INDEX_PUT, x, values, key=key)


def fill_diagonal_(x, fill_value, wrap=False):
    """ATen's: fill_ of the main diagonal taken by as_strided (and, wrap=True on a tall matrix, of the next
    ones every width + 1 rows), which records CopySlices; the same elements of any layout, so taken here
    by their indices."""
    tensors_only("fill_diagonal_", input=x)
    shape = shape_of(x)
    if len(shape) < 2:
        fail("dimensions must larger than 1")
    if len(shape) > 2 and any(n != shape[0] for n in shape):
        fail("all dimensions of input must be of equal length")
    if state.grad_enabled and x.requires_grad and x.grad_fn is None:
        fail("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    height, width = shape[0], shape[1]
    steps = B.arange(min(height, width))
    rows = steps
    if wrap and len(shape) == 2 and height > width + 1:
        wrapped = (height * width + width) // (width + 1) - min(height, width)
        rows = B.xp.concat([steps, B.arange(wrapped) + (width + 1)])
        steps = B.xp.concat([steps, B.arange(wrapped)])
    key = (rows,) + (steps,) * (len(shape) - 1)
    value = Tensor(B.asarray(fill_value, dtype=data(x).dtype), device=x.device)
    if not (state.grad_enabled and x.requires_grad):
        B.setitem(data(x), key, data(value))
        bump_version(x)
        return x
    return IP.become(x, apply(W.ASSIGN, IP.before(x), value, key=key))


FUNCTIONS = {"index_put": index_put, "split_with_sizes": split_with_sizes}
METHODS = {"index_put": index_put, "split_with_sizes": split_with_sizes, "sum_to_size": sum_to_size}
IN_PLACE = {"index_put_": index_put_, "fill_diagonal_": fill_diagonal_}
