"""Reductions: sum, mean, max/min (whole, by dim, amax/amin), norm,
logsumexp, prod, var/std; and the scans and picks beside them: cumsum,
sort, trace. Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from .. import cpu_kernels as K
from .. import backend_sort, saved
from ..backend import (ON_HOST, arange, asarray, astype, copy, kind, reduce_mean, reduce_sum,
                       squared_deviations, xp, zeros)
from ..layouts import lay_out, preserved, row_major
from ..op import Op
from ..tensor import Tensor, apply, data
from . import writes as W
from .pointwise import div, div_scalar, mask, masked_fill, mul, mul_scalar, or_zero, where
from . import tangents as T
from .scans import prod_safe_zeros
from .shapes import diagonal, expand, reshape, unsqueeze


# ---------------------------------------------------------------- helpers
def keep_dims(g, dims, keepdim):
    """Put the reduced dims back (size 1), so g broadcasts against the input."""
    if keepdim or not dims:
        return g
    for d in sorted(dims):
        g = unsqueeze(g, d)
    return g


def _count(shape, dims) -> int:
    """How many elements each reduced value summarises."""
    n = 1
    for d in (dims if dims else range(len(shape))):
        n *= shape[d]
    return n


_sum = reduce_sum       # on NumPy, its add.reduce (the backend's fast path)


def _amax_grad(g, out, x, dim, keepdim):
    """amax/amin: ties along the reduced dims share the gradient equally (PyTorch's rule,
    scale_grad_by_count: (grad / count) * mask, the reduced dims restored by a reshape)."""
    dim = dim or tuple(range(data(x).ndim))     # () is every dim
    if not keepdim:
        kept = tuple(1 if d in dim else n for d, n in enumerate(data(x).shape))
        g, out = reshape(g, kept), xp.reshape(data(out), kept)
    hit = mask(data(x) == data(out), g)
    return mul(div(g, xp.sum(hit, axis=dim, keepdims=True)), hit)


def _whole_grad(g, out, x):
    """max()/min() over all: ties (nan included) share the gradient equally (PyTorch's rule:
    zeros.masked_fill_(mask, grad / count), MaskedFillBackward1 with create_graph)."""
    a, o = data(x), data(out)
    hit = (a == o) | (xp.isnan(a) & xp.isnan(o))
    share = div(g, int(xp.count_nonzero(hit)))
    if type(share) is Tensor:
        return apply(MASKED_FILL_T, zeros(a.shape, dtype=share.dtype), hit, share)
    return xp.where(hit, share, 0.0)


# masked_fill with a 0-d tensor value (max()'s gradient): the value's gradient is the masked sum
MASKED_FILL_T = Op("MaskedFillBackward1", lambda x, m, value: xp.where(m, value, x),
                   (lambda g, out, x, m, value: masked_fill(g, m, 0), None,
                    lambda g, out, x, m, value: sum(where(m, g, 0.0))),
                   ("grad.masked_fill(mask, 0)", None, "grad.masked_select(mask).sum()"), saves=False,
                   jvps=lambda ts, out, x, m, value: where(m, or_zero(ts[2]), or_zero(ts[0])),  # self_t.masked_fill(
                   broadcasts=True)                                                             # mask, value_t)


def _take_along(x, dim, keepdim, arg):
    if not x.ndim:          # (a 0-d tensor's max along dim 0 is itself)
        return copy(x)
    idx = xp.expand_dims(arg(x, axis=dim), axis=dim)
    out = xp.take_along_axis(x, idx, axis=dim)
    return out if keepdim else xp.squeeze(out, axis=dim)


def _chosen_grad(g, x, dim, keepdim, arg):
    """max(dim)/min(dim): the gradient goes to the chosen element only (PyTorch's
    zeros.scatter(dim, indices, grad), ScatterBackward0 with create_graph)."""
    a = data(x)
    shape = a.shape
    if not shape:
        return g
    position = xp.reshape(arange(shape[dim]), (-1,) + (1,) * (len(shape) - dim - 1))
    chosen = xp.expand_dims(arg(a, axis=dim), axis=dim) == position
    g = keep_dims(g, (dim,), keepdim)
    if type(g) is Tensor:
        return apply(SCATTER_CHOSEN, zeros(shape, dtype=g.dtype), g, dim=dim, chosen=chosen)
    return xp.where(chosen, g, 0.0)


# scatter.src of one index along dim (max(dim)'s gradient): `chosen` marks it
SCATTER_CHOSEN = Op("ScatterBackward0", lambda zeros_, src, dim, chosen: xp.where(chosen, src, zeros_),
                    (lambda g, out, zeros_, src, dim, chosen: where(chosen, 0.0, g),
                     lambda g, out, zeros_, src, dim, chosen: sum(where(chosen, g, 0.0), (dim,), True)),
                    ("grad.scatter(dim, index, 0)", "grad.gather(dim, index)"), saves=False,
                    jvps=lambda ts, out, zeros_, src, dim, chosen: where(chosen, or_zero(ts[1]), or_zero(ts[0])))


def _mean_grad(g, x, dim, keepdim):
    """mean_backward: sum_backward(grad) / n (DivBackward1 with create_graph); on raw
    arrays n divides before the expand: the same values, fewer divisions."""
    n = _count(x.shape, dim)
    if type(g) is Tensor:
        return div_scalar(expand(keep_dims(g, dim, keepdim), x.shape), n)
    return expand(keep_dims(g, dim, keepdim) / n, x.shape)


def _logsumexp(x, dim, keepdim):
    m = xp.max(x, axis=dim, keepdims=True) if x.size else xp.zeros_like(_sum(x, axis=dim, keepdims=True))
    m = xp.where(xp.isfinite(m), m, 0)
    out = xp.log(_sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else xp.squeeze(out, axis=dim)


def _logsumexp_grad(g, out, x, dim, keepdim):
    from .pointwise import exp, sub
    return mul(keep_dims(g, dim, keepdim), exp(sub(x, keep_dims(out, dim, keepdim))))


# --------------------------------------------------------- prod, var, std
def _prod_grad(g, out, x, dim=None, keepdim=False):
    """prod_backward: grad * (result / self) when no element is 0, else grad times
    the product of the others, computed without dividing (engine/ops/scans.py)."""
    a = data(x)
    if a.ndim == 0:
        return g
    if dim is not None:
        g, out = keep_dims(g, (dim,), keepdim), keep_dims(out, (dim,), keepdim)
    if not xp.any(a == 0):
        return mul(g, div(out, x))
    if dim is None:             # flattened, then viewed back, as PyTorch
        if type(g) is not Tensor and int(xp.count_nonzero(a == 0)) > 1:     # (no graph wanted: PyTorch's zeros_like)
            return xp.zeros_like(a)
        return reshape(prod_safe_zeros(g, reshape(x, (-1,)), 0), a.shape)
    return prod_safe_zeros(g, x, dim)


def _dof(shape, dim, correction) -> int:
    """The degrees of freedom: the count reduced less the correction (None: PyTorch's default, 1)."""
    return _count(shape, dim) - (1 if correction is None else correction)


_WELFORD_UP_TO = 4096      # elements per value: a longer reduction (its threads' chunks) as a two-pass sum


def _moments(x, dim, correction, keepdim, root=False):
    """var (root: std) over dim (None: all), the mean taken out first; none or fewer
    degrees of freedom give inf, and nan where all the values are equal (PyTorch's)."""
    def compute(a):
        if dim and a.size and a.dtype == xp.float64 and _count(a.shape, dim) <= _WELFORD_UP_TO:
            m2 = K.welford_m2(a, dim)       # (PyTorch's kernel along dims, in double)
            return finish(xp.reshape(m2, tuple(1 if i in dim else n for i, n in enumerate(a.shape))) if keepdim else m2)
        d = a - xp.mean(a, axis=dim, keepdims=True) if a.size else a     # (no mean of nothing: NumPy warns)
        return finish(xp.sum(d * d, axis=dim, keepdims=keepdim))

    def finish(m2):
        dof = _dof(x.shape, dim, correction)
        v = m2 / dof if dof > 0 else xp.where(m2 == 0, xp.nan, xp.where(m2 > 0, xp.inf, m2))
        return xp.sqrt(v) if root else v
    if x.size > 1 and _count(x.shape, dim) == x.size and kind(x.dtype) == "f":    # one number out: the backend
        ones = x.ndim if keepdim else x.ndim - len(T.reduced(dim, x))             # adds as std_var_all_cpu
        return astype(xp.reshape(finish(asarray(squared_deviations(x), dtype=xp.float64)), (1,) * ones), x.dtype)
    return K.accumulating(compute, x)


def _var_grad(g, out, x, dim, correction, keepdim):
    """var_backward: (2 / (n - correction)) * grad * (self - self.mean(dim, keepdim=True))."""
    shape = data(x).shape
    dof = _dof(shape, dim, correction)
    if dim is None or not shape:
        if dof <= 0:        # PyTorch: nan where self equals the mean, inf elsewhere
            a = data(x)
            return g * mask(xp.where(a == xp.mean(a), xp.nan, xp.full_like(a, xp.inf)), g)
        return mul_scalar(g, 2.0 / dof) * (x - mean(x))
    factor = 2.0 / dof if dof else float("inf")
    return mul_scalar(keep_dims(g, dim, keepdim), factor) * (x - mean(x, dim, keepdim=True))


def _std_grad(g, out, x, dim, correction, keepdim):
    """std_backward: var_backward of (grad / (result * 2)).masked_fill_(result == 0, 0)."""
    zero = data(out) == 0
    if type(g) is Tensor or type(out) is Tensor:
        g = masked_fill(g / mul_scalar(out, 2), zero, 0)
    elif xp.any(zero):
        g = where(zero, 0.0, g / where(zero, 1.0, out * 2))
    else:
        g = g / (out * 2)
    return _var_grad(g, out, x, dim, correction, keepdim)


# ---------------------------------------------------- cumsum, sort, trace
def sort_order(a, dim, descending, stable=True):
    """The indices that sort `a` along dim, nan last (first when descending): stably, or (stable
    False, PyTorch's default) with ties where its std::sort leaves them (engine/backend_sort.py)."""
    if a.ndim == 0:
        return xp.zeros_like(a, dtype=xp.int64)
    if not descending:
        order = xp.argsort(a, axis=dim, stable=True)
    else:
        order = (a.shape[dim] - 1) - xp.flip(xp.argsort(xp.flip(a, axis=dim), axis=dim, stable=True), axis=dim)
    return order if stable or not ON_HOST else backend_sort.unstable_order(a, dim, descending, order)


saved.sort_order = sort_order      # sort's _saved_indices


def _sorted(x, dim, descending, stable=False):
    if x.ndim == 0:
        return copy(x)
    return xp.take_along_axis(x, sort_order(x, dim, descending, stable), axis=dim)


def _sort_grad(g, out, x, dim, descending, stable=False):
    """The gradient goes back through the indices: g at each value's own place."""
    a = data(x)
    if a.ndim == 0:
        return g
    order = sort_order(a, dim, descending, stable)
    if type(g) is Tensor:       # zeros.scatter(dim, indices, grad), as PyTorch's
        return apply(W.SCATTER, zeros(a.shape, dtype=g.dtype), g, dim=dim, index=order)
    return _put_back(g, dim, order)


def _put_back(g, dim, order):
    """zeros.scatter(dim, order, g) for a permutation `order` along dim: g read through its inverse."""
    return xp.take_along_axis(g, xp.argsort(order, axis=dim, stable=True), axis=dim)


def _trace(x):
    return K.accumulating(lambda a: xp.sum(diagonal(a, 0, 0, 1)), x)


def _trace_grad(g, out, x):
    """grad on the diagonal of zeros: PyTorch's zeros(n * m).index_fill_(0, arange(0, n * m, m + 1), grad).view(n, m)."""
    n, m = x.shape
    if type(g) is Tensor:
        filled = apply(W.INDEX_FILL_TENSOR, zeros((n * m,), dtype=g.dtype), g, dim=0, index=arange(0, n * m, m + 1))
        return reshape(filled, (n, m))
    return where(xp.reshape(arange(n), (n, 1)) == xp.reshape(arange(m), (1, m)), g, 0.0)


# ---------------------------------------------------------------- entries
SUM = Op("SumBackward0", _sum,
         (lambda g, out, x: expand(g, x.shape),), ("grad.expand(self.sizes())",), saves=False,
         jvps=(lambda t, out, x: _reduced_tangent(sum, t, x, None, False),))     # auto_linear: self_t.sum()
SUM_DIM = Op("SumBackward1", lambda x, dim, keepdim: _sum(x, axis=dim, keepdims=keepdim),
             (lambda g, out, x, dim, keepdim: expand(keep_dims(g, dim, keepdim), x.shape),),
             ("grad.unsqueeze(dim).expand(self.sizes())",), saves=False,
             jvps=(lambda t, out, x, dim, keepdim: _reduced_tangent(sum, t, x, dim, keepdim),))
MEAN = Op("MeanBackward0", lambda x: _sum(x) / getattr(x, "size", 1) if getattr(x, "dtype", None) != K.HALF \
          else reduce_mean(x),
          (lambda g, out, x: _mean_grad(g, x, (), False),),
          ("grad.expand(self.sizes()) / self.numel()",), saves=False,
          jvps=(lambda t, out, x: _reduced_tangent(mean, t, x, None, False),))
MEAN_DIM = Op("MeanBackward1", lambda x, dim, keepdim: reduce_mean(x, axis=dim, keepdims=keepdim),
              (lambda g, out, x, dim, keepdim: _mean_grad(g, x, dim, keepdim),),
              ("grad.unsqueeze(dim).expand(self.sizes()) / (elements reduced)",), saves=False,
              jvps=(lambda t, out, x, dim, keepdim: _reduced_tangent(mean, t, x, dim, keepdim),))
AMAX_ALL = Op("MaxBackward1", lambda x: xp.max(x), (lambda g, out, x: _whole_grad(g, out, x),),
              ("grad shared equally by the elements equal to result",), saves_out=True, jvps=(T.evenly_read,))
AMIN_ALL = Op("MinBackward1", lambda x: xp.min(x), (lambda g, out, x: _whole_grad(g, out, x),),
              ("grad shared equally by the elements equal to result",), saves_out=True, jvps=(T.evenly_read,))
AMAX = Op("AmaxBackward0", lambda x, dim, keepdim: xp.max(x, axis=dim or None, keepdims=keepdim), (_amax_grad,),
          ("grad shared equally by the elements equal to result along dim",), saves_out=True, jvps=(T.amaxamin,))
AMIN = Op("AminBackward0", lambda x, dim, keepdim: xp.min(x, axis=dim or None, keepdims=keepdim), (_amax_grad,),
          ("grad shared equally by the elements equal to result along dim",), saves_out=True, jvps=(T.amaxamin,))
MAX_DIM = Op("MaxBackward0", lambda x, dim, keepdim: _take_along(x, dim, keepdim, xp.argmax),
             (lambda g, out, x, dim, keepdim: _chosen_grad(g, x, dim, keepdim, xp.argmax),),
             ("grad put at indices along dim",),
             jvps=(lambda t, out, x, dim, keepdim: T.gathered(t, x, _arg(xp.argmax, x, dim), dim, keepdim),))
MIN_DIM = Op("MinBackward0", lambda x, dim, keepdim: _take_along(x, dim, keepdim, xp.argmin),
             (lambda g, out, x, dim, keepdim: _chosen_grad(g, x, dim, keepdim, xp.argmin),),
             ("grad put at indices along dim",),
             jvps=(lambda t, out, x, dim, keepdim: T.gathered(t, x, _arg(xp.argmin, x, dim), dim, keepdim),))
LOGSUMEXP = Op("LogsumexpBackward0", _logsumexp, (_logsumexp_grad,), ("grad * exp(self - result)",),
               saves_out=True, jvps=(lambda t, out, x, dim, keepdim: T.logsumexp(t, x, dim, keepdim),))
PROD = Op("ProdBackward0", lambda x: K.product(x), (_prod_grad,),
          ("grad * (result / self), or the product of the others where self has zeros",), saves_out=True,
          jvps=(lambda t, out, x: T.summed(mul(_prod_grad(_ones(out), out, x), t), x, T.reduced(None, x)),))
PROD_DIM = Op("ProdBackward1", lambda x, dim, keepdim: K.product(x, axis=dim, keepdims=keepdim) if x.ndim else copy(x),
              (_prod_grad,),
              ("grad.unsqueeze(dim) * (result.unsqueeze(dim) / self), or the others' product",), saves_out=True,
              jvps=(lambda t, out, x, dim, keepdim:       # (prod_backward(ones, ...) * self_t).sum(dim, keepdim)
                    T.summed(mul(_prod_grad(_ones(out), out, x, dim, keepdim), t), x, T.reduced(dim, x), keepdim),))
VAR = Op("VarBackward0", _moments, (_var_grad,),
         ("(2 / (n - correction)) * grad * (self - self.mean(dim, keepdim=True))",),
         jvps=(lambda t, out, x, dim, correction, keepdim: _var_tangent(t, out, x, dim, correction, keepdim),))
STD = Op("StdBackward0", lambda x, dim, correction, keepdim: _moments(x, dim, correction, keepdim, root=True),
         (_std_grad,), ("var_backward(grad / (2 * result), self, dim, correction)",), saves_out=True,
         jvps=(lambda t, out, x, dim, correction, keepdim:     # var's tangent / (2 * result), 0 where result is 0
               masked_fill(div(_var_tangent(t, out, x, dim, correction, keepdim), mul_scalar(out, 2.0)),
                           data(out) == 0, 0),))
_SORT_JVP = (lambda t, out, x, dim, descending, stable=False: T.gathered(t, x, sort_order(data(x), dim, descending,
                                                                                         stable), dim),)
SORT = Op("SortBackward0", _sorted, (_sort_grad,), ("grad put back at indices along dim",), jvps=_SORT_JVP)
SORT_STABLE = Op("SortBackward1", _sorted, (_sort_grad,), ("grad put back at indices along dim",),   # stable=
                 jvps=_SORT_JVP)
TRACE = Op("TraceBackward0", _trace, (_trace_grad,), ("grad on the diagonal of zeros(self.sizes())",),
           saves=False, jvps=(lambda t, out, x: T.traced(t, x),))


def _reduced_tangent(reduce, t, x, dim, keepdim):
    """sum's and mean's tangent: the same reduction of the tangent (over all of the input's
    dims when dim is None; the batch dims kept), recorded as PyTorch's formula records it."""
    nb = T.lead(t, x)
    if dim is None:
        return reduce(t) if not nb else reduce(t, tuple(range(nb, len(t.shape))))
    return reduce(t, tuple(d % len(x.shape) + nb for d in dim) if len(x.shape) else (), keepdim)


def _arg(arg, x, dim):
    """argmax/argmin along dim, kept (max(dim)'s indices)."""
    return xp.expand_dims(arg(data(x), axis=dim), axis=dim)


def _ones(out):
    return xp.ones_like(data(out))


def _var_tangent(t, out, x, dim, correction, keepdim):
    """var_backward(self_t, self, dim, correction, keepdim=True).sum(dim, keepdim)."""
    return T.summed(_var_grad(t, out, x, dim, correction, True), x, T.reduced(dim, x), keepdim)


# ------------------------------------------------------------- primitives
def sum(x, dim=None, keepdim=False):
    """Unchecked sum over dims (a tuple) or all (None)."""
    if type(x) is Tensor:
        return apply(SUM, x) if dim is None else apply(SUM_DIM, x, dim=dim, keepdim=keepdim)
    return _sum(x, axis=dim, keepdims=keepdim)


def mean(x, dim=None, keepdim=False):
    """Unchecked mean over dims (a tuple) or all (None)."""
    if type(x) is Tensor:
        return apply(MEAN, x) if dim is None else apply(MEAN_DIM, x, dim=dim, keepdim=keepdim)
    return reduce_mean(x, axis=dim, keepdims=keepdim)



# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, Reduction, declare, declare_rest  # noqa: E402  (after the entries)

declare(Reduction(scale=False), SUM)
declare(Reduction(scale=True), MEAN)
declare_rest(globals(), LOOP)       # reductions over dims, sorts, scans: line by line


# sort's results are laid out as empty_like(self, preserve_format); a reduction's along dims row-major,
# as at::empty of its shape (engine/layouts.py).
lay_out(preserved, SORT, SORT_STABLE)
lay_out(row_major, SUM_DIM, MEAN_DIM, AMAX, AMIN, MAX_DIM, MIN_DIM, LOGSUMEXP, PROD_DIM, VAR, STD)
