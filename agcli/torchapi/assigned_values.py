"""The value x[key] = value writes, as PyTorch's setitem makes it (python_variable_indexing.cpp):
index_put_'s without its leading dims of one, copy_to's also expanded to the part it fills."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind
from ..errors import AgcliError, torch_type_name
from .checks import broadcast_shapes, fail
from .shaping import expand, view


def fits(shape, value_shape) -> bool:
    try:
        return broadcast_shapes(shape, value_shape) == shape
    except AgcliError:
        return False


def copy_to_value(v, shape):
    """What PyTorch's copy_to writes into a part of `shape`: v itself when the shapes agree or v is
    0-d (fill_), else v without its leading ones (a view), expanded to the shape (ExpandBackward0)."""
    if v.data.shape == shape or not v.data.ndim:
        return v
    v = view(v, _without_leading_ones(v.data.shape))    # (always: copy_to's src.view(slicePrefix1sSize(...)))
    return expand(v, shape) if v.data.shape != shape and fits(shape, v.data.shape) else v


def leading_ones_dropped(v):
    """v without its leading dims of size one, as PyTorch drops them (a view: slicePrefix1sSize)
    before it writes v (x[1] = tensor([2.]))."""
    shape = _without_leading_ones(v.data.shape)
    return v if len(shape) == v.data.ndim else view(v, shape)


def _without_leading_ones(shape):
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def check_put_dtype(x, plain_key, key, value):
    """x[key] = tensor of an advanced key is index_put_, which takes only x's dtype (once the value's
    shape fits: its error comes first); one mask and one value is masked_fill_, which converts it
    (PyTorch's setitem). `key`: the key that picks from x what x[plain_key] is."""
    arrays = [k for k in plain_key if hasattr(k, "shape")]
    if value.dtype == x.dtype or len(arrays) == 1 and kind(arrays[0].dtype) == "b" and arrays[0].ndim and \
            value.size == 1:
        return
    if fits(B.getitem(x, key).shape, value.shape):
        fail(f"Index put requires the source and destination dtypes match, got {torch_type_name(x.dtype)} for "
             f"the destination and {torch_type_name(value.dtype)} for the source.")
