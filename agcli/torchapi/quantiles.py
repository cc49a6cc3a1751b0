"""torch.quantile and torch.nanquantile (and the methods), composed as PyTorch's quantile_compute
composes them: a sort (of the flattened input, or with dim moved last), a view, the ranks (numbers
without a history), one or two gathers, an in-place lerp between them, in-place squeeze (and for a
tensor of q's, unsqueeze and transpose): so the graph holds PyTorch's nodes."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor, data
from ..errors import python_type_name
from . import in_place as IP
from .checks import dim_index, fail, ndim_of, shape_of
from .compound import lerp_
from .reductions import sort
from .scatter import gather
from .shaping import flatten, transpose, unsqueeze, view

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")
_FORMS = ("{0}() received an invalid combination of arguments - got ({1}), but expected one of:\n"
          " * (Tensor input, Tensor q, int dim = None, bool keepdim = False, *, str interpolation = \"linear\", "
          "Tensor out = None)\n"
          " * (Tensor input, float q, int dim = None, bool keepdim = False, *, str interpolation = \"linear\", "
          "Tensor out = None)\n")


def _q_array(name, input, q):
    """q as an array of input's dtype (a number: 0-d), after PyTorch's checks."""
    if type(q) is Tensor:
        if q.data.ndim > 1:
            fail("quantile() q must be a scalar or 1D tensor")
        if q.data.dtype != data(input).dtype:
            fail("quantile() q tensor must be same dtype as the input tensor")
        return q.data
    if type(q) not in (int, float):
        fail(_FORMS.format(name, f"Tensor, {python_type_name(q)}"), "type")
    if not 0 <= q <= 1:
        fail(f"quantile() q must be in the range [0, 1] but got {q}")
    return B.asarray(q, dtype=data(input).dtype)


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    if type(input) is not Tensor:
        fail(_FORMS.format(name, f"{python_type_name(input)}, {python_type_name(q)}"), "type")
    a = input.data
    if B.kind(a.dtype) != "f":
        fail("quantile() input tensor must be either float or double dtype")
    qa = _q_array(name, input, q)
    if a.size == 0:
        fail("quantile() input tensor must be non-empty")
    if interpolation not in _MODES:
        fail("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got "
             f"{interpolation}")
    n = ndim_of(input)
    d = dim_index(0 if dim is None else dim, n)
    out_shape = []
    if dim is not None and n > 0:
        out_shape = list(shape_of(input))
        if keepdim:
            out_shape[d] = 1
        else:
            del out_shape[d]
    elif keepdim:
        out_shape = [1] * n
    out_shape.insert(0, int(qa.size) if qa.ndim else 1)
    if qa.ndim and not bool(B.xp.all((qa >= 0) & (qa <= 1))):
        fail("quantile() q values must be in the range [0, 1]")
    if dim is None:
        sorted_ = sort(flatten(input)).values
    elif d == n - 1:
        sorted_ = sort(input).values
    else:
        sorted_ = sort(transpose(unsqueeze(input, -1), d, -1)).values
    size = shape_of(sorted_)[-1]
    sorted_ = view(sorted_, tuple(out_shape[1:]) + (size,))
    ranks = _ranks(sorted_.data, qa, ignore_nan, interpolation)
    below = B.astype(ranks, "int64")
    values = gather(sorted_, -1, Tensor(below))
    if interpolation in ("linear", "midpoint"):
        weights = B.xp.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - B.astype(below, ranks.dtype)
        above = gather(sorted_, -1, Tensor(B.astype(B.xp.ceil(ranks), "int64")))
        values = lerp_(values, above, Tensor(weights))
    if qa.ndim == 0:
        return IP.squeeze_(values, -1)
    return IP.squeeze_(IP.transpose_(IP.unsqueeze_(values, 0), 0, -1), -1)


def _ranks(s, qa, ignore_nan, interpolation):
    """Each quantile's rank in its sorted row, as PyTorch computes it: q * (count - 1) (nanquantile:
    the values that are not nan; a row holding nan: its last index), then rounded as asked."""
    if ignore_nan:
        count = B.reduce_sum(B.astype(~B.xp.isnan(s), "int64"), axis=-1, keepdims=True) - 1
        ranks = qa * B.astype(count, s.dtype)
        ranks = B.xp.where(ranks < 0, B.asarray(0, dtype=s.dtype), ranks)
    else:
        last = s.shape[-1] - 1
        scaled = qa * B.asarray(last, dtype=s.dtype)
        has_nan = B.xp.any(B.xp.isnan(s), axis=-1, keepdims=True)
        shape = B.xp.broadcast_shapes(scaled.shape, has_nan.shape)
        ranks = B.xp.where(B.xp.broadcast_to(has_nan, shape), B.asarray(last, dtype=s.dtype),
                           B.xp.broadcast_to(scaled, shape))
    rounding = {"lower": B.xp.floor, "higher": B.xp.ceil, "nearest": B.xp.round}.get(interpolation)
    return rounding(ranks) if rounding is not None else ranks


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


FUNCTIONS = {"quantile": quantile, "nanquantile": nanquantile}
