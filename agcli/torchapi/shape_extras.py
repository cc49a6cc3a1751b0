"""Tensor.sum_to_size (at::sum_to: SumBackward1, then a view without the leading dims), split_with_sizes
(split with a list of sizes: SplitWithSizesBackward0), and index_put / index_put_ (x[indices] = values,
IndexPutBackward0, with PyTorch's checks of its arguments and dtypes; accumulate=True is refused)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, data
from ..errors import AgcliError, python_type_name, torch_type_name
from . import autograd
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
    if accumulate:
        raise AgcliError(f"agcli's {name} takes accumulate=False only", kind="not_implemented",
                         hint="add at the indices with x.index_add_(dim, index, source), or x.put_(index, source, "
                              "accumulate=True)")
    if data(values).dtype != data(x).dtype:
        fail(f"Index put requires the source and destination dtypes match, got "
             f"{torch_type_name(data(x).dtype)} for the destination and {torch_type_name(data(values).dtype)} "
             f"for the source.")
    return tuple(indices)


def index_put_(x, indices, values, accumulate=False):
    autograd.setitem(x, _checked("index_put_", x, indices, values, accumulate), values)
    return x


def index_put(x, indices, values, accumulate=False):
    """Out of place: IndexPutBackward0 of x itself (no clone before it, as PyTorch records it)."""
    key = checked_key(x, tuple(i.data if type(i) is Tensor else i
                               for i in _checked("index_put", x, indices, values, accumulate)))
    if not (getattr(x, "requires_grad", False) or values.requires_grad):
        out = B.copy(data(x))
        B.setitem(out, key, data(values))
        return Tensor(out, device=x.device)
    return apply(S.INDEX_PUT, x, values, key=key)


FUNCTIONS = {"index_put": index_put, "split_with_sizes": split_with_sizes}
METHODS = {"index_put": index_put, "split_with_sizes": split_with_sizes, "sum_to_size": sum_to_size}
IN_PLACE = {"index_put_": index_put_}
