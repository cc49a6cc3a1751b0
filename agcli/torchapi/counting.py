"""torch.heaviside, torch.bincount, torch.histc, torch.bucketize and torch.searchsorted: step values,
counts and positions. heaviside and weighted bincount record PyTorch's NotImplemented node (no
derivative); histc and the searches give tensors without a history (PyTorch's are not differentiable)."""
from __future__ import annotations

import math

from ..engine import backend as B
from ..engine.ops import counts as K
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .in_place import _in_place_unary
from .checks import broadcast_shapes, fail, ndim_of, shape_of, tensors_only


def heaviside(input, values):
    """torch.heaviside (x.heaviside): 0 below zero, 1 above, values where input is zero."""
    tensors_only("heaviside", input=input, values=values)
    broadcast_shapes(shape_of(input), shape_of(values))
    if data(input).dtype != data(values).dtype:
        fail("heaviside is not yet implemented for tensors with different dtypes.")
    return apply(K.HEAVISIDE, input, values)


def heaviside_(input, values):
    return _in_place_unary(lambda t: heaviside(t, values))(input)


def bincount(input, weights=None, minlength=0):
    """torch.bincount: how often each value 0..max occurs (int64), or its weights' sums (float32
    weights give float32, others float64), at least minlength long."""
    tensors_only("bincount", input=input)
    d = data(input).dtype
    if B.kind(d) not in "iu":
        fail(f'"bincount_cpu" not implemented for \'{torch_type_name(d)}\'', "not_implemented")
    if minlength < 0:
        fail("minlength should be >= 0")
    a = data(input)
    if a.ndim == 1 and a.size == 0:
        return Tensor(B.zeros((minlength,), dtype=B.dtype("int64")))
    if a.ndim != 1 or B.item(B.xp.min(a)) < 0:
        fail("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (ndim_of(weights) != 1 or shape_of(weights)[0] != a.shape[0]):
        fail("weights should be 1-d and have the same length as input")
    length = max(int(B.item(B.xp.max(a))) + 1, minlength)
    index = B.astype(a, "int64")
    if weights is None:
        return Tensor(K.bincount_kernel(B.ones(a.shape, dtype=B.dtype("int64")), index, length, B.dtype("int64")))
    dtype = B.dtype("float32" if B.dtype_name(data(weights).dtype) == "float32" else "float64")
    return apply(K.BINCOUNT, weights, index=index, length=length, dtype=dtype)


def _c_number(v) -> str:
    """A double as C++'s ostream prints it (1, 2.5, inf, -nan)."""
    if math.isnan(v):
        return "-nan" if math.copysign(1.0, v) < 0 else "nan"
    return f"{v:g}"


def histc(input, bins=100, min=0, max=0):
    """torch.histc: counts of input's values in `bins` equal bins from min to max (the data's own
    range when both are equal), in input's dtype; values outside are left out."""
    tensors_only("histc", input=input)
    a = data(input)
    if B.kind(a.dtype) != "f":
        fail(f'"histogram_cpu" not implemented for \'{torch_type_name(a.dtype)}\'', "not_implemented")
    if bins <= 0:
        fail(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    low, high = float(min), float(max)
    if low == high and a.size:
        low, high = float(B.item(B.xp.min(a))), float(B.item(B.xp.max(a)))
        if math.isnan(low) or math.isnan(high):         # (PyTorch's aminmax of a nan: nan both)
            low = high = -math.nan
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)):
        fail(f"torch.histc: range of [{_c_number(low)}, {_c_number(high)}] is not finite")
    if low > high:
        fail("torch.histc: max must be larger than min")
    left, right = B.asarray(low, dtype=a.dtype), B.asarray(high, dtype=a.dtype)
    flat = B.xp.reshape(a, (-1,))
    inside = flat[(flat >= left) & (flat <= right)]
    position = B.astype((inside - left) * B.asarray(bins, dtype=a.dtype) / (right - left), "int64")
    position = B.xp.where(position == bins, bins - 1, position)        # (max itself: the last bin)
    return Tensor(K.bincount_kernel(B.ones(position.shape, dtype=a.dtype), position, bins, a.dtype))


def _search(boundaries, values, right):
    """For each value, the first position in its row of boundaries whose entry is >= it (> it for
    right), by PyTorch's binary search on IEEE comparisons (a nan goes to the end)."""
    rows = B.to_host(boundaries)
    vals = B.to_host(values)
    n = rows.shape[-1]
    low = B.host.zeros(vals.shape, dtype="int64")
    high = B.host.full(vals.shape, n, dtype="int64")
    if rows.ndim == 1:
        rows = B.host.broadcast_to(rows, vals.shape[:-1] + (n,)) if vals.ndim else rows
    for _ in range(max(n, 1).bit_length()):
        active = low < high
        mid = B.host.minimum((low + high) // 2, max(n - 1, 0))
        at = B.host.take_along_axis(rows, mid, axis=-1) if vals.ndim else rows[mid]
        go_right = ~(vals < at) if right else ~(at >= vals)
        low = B.host.where(active & go_right, mid + 1, low)
        high = B.host.where(active & ~go_right, mid, high)
    return low


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """torch.searchsorted: positions keeping each row of sorted_sequence sorted (side='right' or
    right=True: after equal entries); sorter: the permutation that sorts it."""
    tensors_only("searchsorted", sorted_sequence=sorted_sequence)
    if side is not None:
        if side not in ("left", "right"):
            fail(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            fail(f"torch.searchsorted(): side and right can't be set to opposites, got side of {side} while right "
                 "was True")
        right = side == "right"
    bounds = data(sorted_sequence)
    scalar = type(input) is not Tensor
    if scalar and type(input) not in (int, float, bool):
        fail(f"searchsorted(): argument 'input' (position 2) must be Tensor, not {python_type_name(input)}", "type")
    values = B.asarray(input) if scalar else data(input)
    if bounds.ndim != 1 and tuple(bounds.shape[:-1]) != tuple(values.shape[:-1]):
        fail("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
             f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
             f"[{', '.join(map(str, bounds.shape))}] and input value tensor [{', '.join(map(str, values.shape))}]")
    if sorter is not None:
        bounds = B.from_host(B.host.take_along_axis(B.to_host(bounds), B.to_host(data(sorter)), axis=-1))
    found = _search(bounds, values, right)
    return Tensor(B.from_host(found.astype("int32" if out_int32 else "int64")))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """torch.bucketize: searchsorted over one 1-D boundaries, right meaning boundaries[i-1] <= x < boundaries[i]."""
    if type(boundaries) is not Tensor:
        fail(f"bucketize(): argument 'boundaries' (position 2) must be Tensor, not {python_type_name(boundaries)}",
             "type")
    if ndim_of(boundaries) != 1:
        fail(f"boundaries tensor must be 1 dimension, but got dim({ndim_of(boundaries)})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


FUNCTIONS = {"heaviside": heaviside}
METHODS = {"heaviside": heaviside}
VALUED_FUNCTIONS = {"bincount": bincount, "histc": histc, "searchsorted": searchsorted, "bucketize": bucketize}
VALUED_METHODS = {"bincount": bincount, "histc": histc}
IN_PLACE = {"heaviside_": heaviside_}
