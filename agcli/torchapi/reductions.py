"""PyTorch's reductions: sum, mean, max/min, amax/amin, norm, logsumexp,
prod, std/var, with their `dim`, `keepdim` and `dtype` arguments checked as
PyTorch does; and cumsum, sort and trace beside them."""
from __future__ import annotations

import operator

from ..engine import backend as B
from ..engine.backend import asarray, itemsize, kind, xp
from ..engine.layouts import laid_out, preserved
from ..engine.ops import nans as NS
from ..engine.ops import ranks as RK
from ..engine.ops import reductions as R
from ..engine.ops import running as RU
from ..engine.ops import vector_norms as VN
from ..engine.ops import scans as SC
from ..engine.ops.shapes import to_dtype
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from ..state import state
from .arithmetic import div, maximum, minimum
from .checks import dim_index, dims_tuple, fail, is_int, ndim_of, numel, shape_of
from .dtypes import dtype_of, floating


# Not given (a default PyTorch tells from None): sort(stable=None) is still the stable overload
# (SortBackward1); var() without dim, unbiased or correction saves correction None; sum(None) and
# sum(()) are the dim overload (SumBackward1), sum() the whole one.
_UNSET = object()


def _accumulating(x, dtype):
    """The dtype a reduction computes in when `dtype=` asks for one (None: the input's).

    PyTorch records no conversion node for it: the op itself runs in that
    dtype and the gradient returns in the input's dtype."""
    name = dtype_of(dtype)
    if name is None:
        return None
    if kind(B.dtype(name)) != "f" and state.grad_enabled and type(x) is Tensor and x.requires_grad:
        fail(f"Autograd not support dtype: {torch_type_name(name)}")
    return B.dtype(name)


def _reduce(op_all, op_dim, x, dim, keepdim, cast=None):
    if dim is _UNSET and not keepdim:
        out = apply(op_all, x, cast=cast)
    elif dim is _UNSET or dim is None or isinstance(dim, (list, tuple)) and len(dim) == 0:     # every dim, named
        out = apply(op_dim, x, dim=tuple(range(ndim_of(x))), keepdim=bool(keepdim), cast=cast)
    else:
        out = apply(op_dim, x, dim=dims_tuple(dim, ndim_of(x)), keepdim=bool(keepdim), cast=cast)
    return _as_asked(out, cast)


def _as_asked(t, cast):
    """dtype=int8 and its like: the kernels' int64 wrapped into it, as PyTorch's sum in it wraps
    (integers and bools only: they carry no graph to lose)."""
    if cast is None or t.data.dtype == cast or kind(cast) not in "iub":
        return t
    return Tensor(B.astype(t.data, cast), device=t.device)


def _keepdim_alone(name):
    """keepdim= without dim fits neither of PyTorch's overloads (x.sum(keepdim=True))."""
    fail(f"{name}() received an invalid combination of arguments - got (keepdim=bool, ), but expected one of:\n"
         " * (*, torch.dtype dtype = None)\n"
         " * (tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)\n", "type")


def sum(x, dim=_UNSET, keepdim=False, dtype=None):
    if dim is _UNSET and dtype is None and not keepdim and type(x) is Tensor and kind(x.data.dtype) == "f":
        return apply(R.SUM, x)          # (the common case: a float tensor summed whole)
    if dim is _UNSET and keepdim:
        _keepdim_alone("sum")
    cast = _accumulating(x, dtype)
    if cast is None and type(x) is Tensor and kind(x.data.dtype) in "bu":
        cast = B.dtype("int64")                # bools are counted, and unsigned integers summed, as int64
    if cast is not None and kind(cast) == "b":      # (a sum in bool: whether any counts)
        return _as_asked(_reduce(R.SUM, R.SUM_DIM, x, dim, keepdim, B.dtype("int64")), cast)
    return _reduce(R.SUM, R.SUM_DIM, x, dim, keepdim, cast)


def mean(x, dim=_UNSET, keepdim=False, dtype=None):
    if dim is _UNSET and dtype is None and not keepdim and type(x) is Tensor and kind(x.data.dtype) == "f":
        return apply(R.MEAN, x)         # (the common case: a float tensor's mean)
    if dim is _UNSET and keepdim:
        _keepdim_alone("mean")
    cast = _accumulating(x, dtype)
    if cast is not None:
        if kind(cast) != "f":
            fail(f"mean(): could not infer output dtype. Optional dtype must be either a floating point or "
                 f"complex dtype. Got: {torch_type_name(cast)}")
    else:
        have = asarray(data(x)).dtype      # mean(2.) is a number's mean, as sum(2) is its sum
        if kind(have) != "f":
            fail(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                 f"complex dtype. Got: {torch_type_name(have)}")
    return _reduce(R.MEAN, R.MEAN_DIM, x, dim, keepdim, cast)


class ValuesIndices(tuple):
    """What max(dim)/min(dim) return: a (values, indices) pair with names
    (`function`: which, as torch.return_types names it; `fields`: its names, as
    aminmax's (min, max))."""

    pytorch_module = "torch.return_types"
    values = property(operator.itemgetter(0))
    indices = property(operator.itemgetter(1))

    def __new__(cls, pair, function="max", fields=("values", "indices")):
        kind = _KINDS.get(function)
        if kind is None:    # a class per function, named as Python's messages name it: 'torch.return_types.max'
            kind = _KINDS[function] = type(f"torch.return_types.{function}", (ValuesIndices,), {})
        self = super().__new__(kind, pair)
        self.function = function
        self.fields = fields
        return self


_KINDS = {}


def _extreme(op_all, op_dim, arg, name, x, dim=None, keepdim=False, other=None):
    if type(dim) is Tensor or type(other) is Tensor:
        return (maximum if name == "max" else minimum)(x, dim if type(dim) is Tensor else other)
    if dim is None:
        if data(x).size == 0:
            fail(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                 "Specify the reduction dim with the 'dim' argument.", "shape")
        return apply(op_all, x)
    d = _nonempty_dim(name, x, dim)
    values = apply(op_dim, x, dim=d, keepdim=bool(keepdim))
    return ValuesIndices((values, _indices(arg, x, d, keepdim)), name)


def _nonempty_dim(name, x, dim):
    """dim wrapped, or PyTorch's IndexError when it has no element to choose."""
    d = dim_index(dim, ndim_of(x))
    if ndim_of(x) and shape_of(x)[d] == 0:
        fail(f"{name}(): Expected reduction dim {d} to have non-zero size.", "index")
    return d


def _indices(arg, x, d, keepdim):
    """argmax/argmin along dim d as an int64 tensor (a 0-d tensor's: 0)."""
    a = data(x)
    if not a.ndim:
        return Tensor(B.zeros((), dtype="int64"), device=getattr(x, "device", "cpu"))
    idx = arg(a, axis=d)
    if keepdim:
        idx = xp.expand_dims(idx, axis=d)
    return Tensor(asarray(idx, dtype="int64"), device=getattr(x, "device", "cpu"))


def max(x, dim=None, keepdim=False, other=None):
    return _extreme(R.AMAX_ALL, R.MAX_DIM, xp.argmax, "max", x, dim, keepdim, other)


def min(x, dim=None, keepdim=False, other=None):
    return _extreme(R.AMIN_ALL, R.MIN_DIM, xp.argmin, "min", x, dim, keepdim, other)


def _arg(arg, x, dim, keepdim):
    """argmax/argmin: the index, over all (flattened) or along dim; no gradient."""
    a = data(x)
    if kind(asarray(a).dtype) == "b":
        fail(f"{arg.__name__}(): does not support bool input")
    name = arg.__name__
    if dim is None and a.size == 0:
        fail(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.", "index")
    if dim is None:
        return Tensor(asarray(arg(xp.reshape(a, (-1,))), dtype="int64"), device=getattr(x, "device", "cpu"))
    return _indices(arg, x, _nonempty_dim(name, x, dim), keepdim)


def argmax(x, dim=None, keepdim=False):
    return _arg(xp.argmax, x, dim, keepdim)


def argmin(x, dim=None, keepdim=False):
    return _arg(xp.argmin, x, dim, keepdim)


def _amax_amin(op, name, x, dim, keepdim):
    """amax/amin over dim; () is every dim, and stays () in the node (PyTorch's _saved_dim)."""
    dims = () if isinstance(dim, (tuple, list)) and len(dim) == 0 else dims_tuple(dim, ndim_of(x))
    if numel(shape_of(x)) == 0 and not dims:
        fail(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim "
             "with the 'dim' argument.")
    for d, given in zip(dims, dim if isinstance(dim, (tuple, list)) else (dim,)):
        if shape_of(x)[d] == 0:     # (named as given: amax(-1))
            fail(f"{name}(): Expected reduction dim {given} to have non-zero size.", "index")
    return apply(op, x, dim=dims, keepdim=bool(keepdim))


def amax(x, dim=(), keepdim=False):
    return _amax_amin(R.AMAX, "amax", x, dim, keepdim)


def amin(x, dim=(), keepdim=False):
    return _amax_amin(R.AMIN, "amin", x, dim, keepdim)


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    ord = 2 if p in ("fro", 2, 2.0, None) else p
    if not isinstance(ord, (int, float)) or isinstance(ord, bool):
        fail(f"norm: p={p!r} is not supported by agcli (use a number, or inf or -inf)", "type")
    cast = None
    if dtype is None and kind(asarray(data(x)).dtype) != "f":
        fail(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
             f"{torch_type_name(asarray(data(x)).dtype)}")
    if dtype is not None:
        cast, have = B.dtype(dtype_of(dtype)), asarray(data(x)).dtype
        if kind(cast) != "f" or kind(have) == "f" and itemsize(cast) < itemsize(have):
            fail(f"linalg.vector_norm: the dtype of the input ({torch_type_name(have)}) should be convertible "
                 f"without narrowing to the specified dtype ({torch_type_name(cast)})")
    dims = None if dim is None else dims_tuple(dim, ndim_of(x)) or None       # (() is every dim)
    if numel(shape_of(x)) == 0 and (ord < 0 or ord == float("inf")):     # (no identity for min or max)
        where = "on an empty tensor because the operation does not have an identity"
        for given, d in zip(dim if isinstance(dim, (tuple, list)) else (dim,), dims or ()):
            if shape_of(x)[d] == 0:     # (PyTorch's words, their missing space too)
                where = (f"on the dimension {given}because this dimension is empty and the operation does not have "
                         f"an identity")
                break
        if dims is None or where[:6] == "on the":
            fail(f"linalg.vector_norm cannot compute the {ord:g} norm {where}")
    return apply(VN.NORM, x, ord=ord, dim=dims, keepdim=bool(keepdim), cast=cast)


def logsumexp(x, dim, keepdim=False):
    if type(x) is Tensor and kind(x.data.dtype) != "f":
        x = floating(x)         # (integers: in the default float, as PyTorch promotes them)
    return apply(R.LOGSUMEXP, x, dim=dims_tuple(dim, ndim_of(x)), keepdim=bool(keepdim))


def _counting(x, dtype):
    """What prod, cumsum and trace compute in: dtype= when given, int64 for integers
    and bools (PyTorch's), else the input's."""
    cast = _accumulating(x, dtype)
    if cast is None and kind(asarray(data(x)).dtype) in "biu":
        cast = B.dtype("int64")
    return cast


def prod(x, dim=None, keepdim=False, dtype=None):
    cast = _counting(x, dtype)
    if dim is None:
        return _as_asked(apply(R.PROD, x, cast=cast), cast)
    if not is_int(dim):
        fail(f"prod(): argument 'dim' must be int, not {type(dim).__name__}", "type")
    return _as_asked(apply(R.PROD_DIM, x, dim=dim_index(dim, ndim_of(x)), keepdim=bool(keepdim), cast=cast), cast)


def moment_params(name, x, dim, unbiased, keepdim, correction) -> dict:
    """std and var: PyTorch's three overloads, (dim, unbiased, keepdim), (dim, *, correction,
    keepdim) and (unbiased), in one signature (unbiased=True is correction=1; none of dim,
    unbiased and correction given keeps correction None, as PyTorch's node shows it): the
    op's params (also std_mean's and var_mean's)."""
    if isinstance(dim, bool):               # x.std(False): the unbiased overload
        if unbiased is not None:
            fail(f"{name}(): unbiased is given twice", "type")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        fail(f"{name}(): give either unbiased or correction, not both", "type")
    have = asarray(data(x)).dtype
    if kind(have) != "f":
        fail(f"{'std and var' if name in ('std', 'var') else name} only support floating point and complex dtypes")
    if correction is None and (dim is not _UNSET or unbiased is not None):
        correction = 0 if unbiased is False else 1
    dim = None if dim is _UNSET else dim
    shape = shape_of(x)
    dims = None if dim is None or isinstance(dim, (tuple, list)) and not dim else dims_tuple(dim, len(shape))
    if not shape:
        dims = None
    reduced = numel(shape) if dims is None else numel(shape[d] for d in dims)
    if reduced - (1 if correction is None else correction) <= 0:
        state.warn(f"UserWarning: {name}(): degrees of freedom is <= 0. Correction should be strictly less than "
                   "the reduction factor (input numel divided by output numel).")
    return {"dim": dims, "correction": correction, "keepdim": bool(keepdim)}


def std(x, dim=_UNSET, unbiased=None, keepdim=False, *, correction=None):
    return apply(R.STD, x, **moment_params("std", x, dim, unbiased, keepdim, correction))


def var(x, dim=_UNSET, unbiased=None, keepdim=False, *, correction=None):
    return apply(R.VAR, x, **moment_params("var", x, dim, unbiased, keepdim, correction))


def cumsum(x, dim, *, dtype=None):
    cast = _counting(x, dtype)
    return _as_asked(apply(SC.CUMSUM, x, dim=dim_index(dim, ndim_of(x)), cast=cast), cast)


def cumprod(x, dim, *, dtype=None):
    cast = _counting(x, dtype)
    return _as_asked(apply(SC.CUMPROD, x, dim=dim_index(dim, ndim_of(x)), cast=cast), cast)


def logcumsumexp(x, dim):
    """log(cumsum(exp(x))) along dim (LogcumsumexpBackward0), floats only."""
    have = asarray(data(x)).dtype
    if kind(have) != "f":
        fail(f'"logcumsumexp_out_cpu" not implemented for \'{torch_type_name(have)}\'', "not_implemented")
    if not is_int(dim):
        fail(f"logcumsumexp(): argument 'dim' (position 2) must be int, not {type(dim).__name__}", "type")
    return apply(RU.LOGCUMSUMEXP, x, dim=dim_index(dim, ndim_of(x)))


def sort(x, dim=-1, descending=False, *, stable=_UNSET):
    """(values, indices) in PyTorch's order (ties: where its std::sort leaves them, unless stable=True);
    values record SortBackward0, or SortBackward1 when stable= is given."""
    d = dim_index(dim, ndim_of(x))
    op, stable = (R.SORT, False) if stable is _UNSET else (R.SORT_STABLE, bool(stable))
    values = apply(op, x, dim=d, descending=bool(descending), stable=stable)
    indices = _sort_order(x, d, bool(descending), stable)
    return ValuesIndices((values, Tensor(indices, device=getattr(x, "device", "cpu"))), "sort")


def topk(x, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the k largest (smallest) along dim, largest first (TopkBackward0)."""
    d = dim_index(dim, ndim_of(x))
    if not is_int(k):
        fail(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}", "type")
    if not 0 <= k <= (shape_of(x)[d] if ndim_of(x) else 1):
        fail("selected index k out of range")
    if kind(asarray(data(x)).dtype) == "b":
        fail("topk does not support bool dtypes on CPU")
    order = RK.topk_order(asarray(data(x)), int(k), d, largest)
    values = apply(RK.TOPK, x, k=int(k), dim=d, largest=bool(largest))
    return ValuesIndices((values, Tensor(asarray(order, dtype="int64"), device=getattr(x, "device", "cpu"))), "topk")


def argsort(x, dim=-1, descending=False, stable=False):
    """sort's indices (ties: where PyTorch's std::sort leaves them, unless stable=True)."""
    order = _sort_order(x, dim_index(dim, ndim_of(x)), bool(descending), bool(stable))
    return Tensor(order, device=getattr(x, "device", "cpu"))


def _sort_order(x, d, descending, stable):
    """sort's indices along d, int64, laid out as sort lays out its results (as x: preserve_format)."""
    a = asarray(data(x))
    return laid_out(preserved, asarray(R.sort_order(a, d, descending, stable), dtype="int64"), (a,))


def median(x, dim=None, keepdim=False):
    """The lower median: of all the elements (MedianBackward0), or (values, indices) along dim
    (MedianBackward1); nan where there is one."""
    if kind(asarray(data(x)).dtype) == "b":
        fail('"median_cpu" not implemented for \'Bool\'', "not_implemented")
    if dim is None:
        return apply(RK.MEDIAN, x) if numel(shape_of(x)) else Tensor(B.full((), float("nan"), dtype=data(x).dtype))
    d = _nonempty_dim("median", x, dim)
    values = apply(RK.MEDIAN_DIM, x, dim=d, keepdim=bool(keepdim))
    order = RK.median_order(asarray(data(x)), d)
    if not keepdim and ndim_of(x):
        order = xp.squeeze(order, axis=d)
    return ValuesIndices((values, Tensor(asarray(order, dtype="int64"), device=getattr(x, "device", "cpu"))), "median")


def trace(x):
    have = asarray(data(x))
    if kind(have.dtype) == "b":
        fail('"trace" not implemented for \'Bool\'', "not_implemented")
    if have.ndim != 2:
        fail(f"trace: expected a matrix, but got tensor with dim {have.ndim}")
    return apply(R.TRACE, x, cast=_counting(x, None))


def nansum(x, dim=None, keepdim=False, dtype=None):
    """sum with nans counted as 0 (NansumBackward0); integers have none: sum's."""
    floats = kind(asarray(data(x)).dtype) == "f"
    asked = None if dtype is None else B.dtype(dtype_of(dtype))
    if not floats or asked is not None and kind(asked) != "f":
        return sum(x, dim, keepdim, dtype)
    if asked is not None:
        x = to_dtype(x, asked)          # (converted first, its nans kept: then nansum)
    dims = dims_tuple(dim, ndim_of(x)) if dim is not None else ()
    return apply(NS.NANSUM, x, dim=dims or tuple(range(ndim_of(x))), keepdim=bool(keepdim))     # (() is all)


def nanmean(x, dim=None, keepdim=False, dtype=None):
    """nansum(x) / the count of values that are not nan, as PyTorch composes it (DivBackward0)."""
    values = asarray(data(x))
    if kind(values.dtype) != "f":
        fail(f"nanmean(): expected input to have floating point or complex dtype but got "
             f"{torch_type_name(values.dtype)}")
    counted = sum(Tensor(B.astype(~xp.isnan(values), values.dtype)), dim, keepdim)
    return div(nansum(x, dim, keepdim, dtype), counted)
