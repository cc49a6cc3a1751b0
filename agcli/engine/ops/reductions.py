"""Reductions: sum, mean, max/min (whole, by dim, amax/amin), norm,
logsumexp. Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

from ..backend import arange, reduce_sum, xp
from ..op import Op
from ..tensor import Tensor, apply, data
from .pointwise import div, mask, mul, where
from .shapes import expand, unsqueeze


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
    """amax/amin: ties along the reduced dims share the gradient equally (PyTorch's rule)."""
    g, out = keep_dims(g, dim, keepdim), keep_dims(out, dim, keepdim)
    hit = mask(data(x) == data(out), g)
    return mul(g, hit / xp.sum(hit, axis=dim, keepdims=True))


def _whole_grad(g, out, x):
    """max()/min() over all: ties (nan included) share the gradient equally (PyTorch's rule)."""
    a, o = data(x), data(out)
    hit = (a == o) | (xp.isnan(a) & xp.isnan(o))
    return mul(expand(div(g, int(xp.count_nonzero(hit))), a.shape), mask(hit, g))


def _take_along(x, dim, keepdim, arg):
    idx = xp.expand_dims(arg(x, axis=dim), axis=dim)
    out = xp.take_along_axis(x, idx, axis=dim)
    return out if keepdim else xp.squeeze(out, axis=dim)


def _chosen_grad(g, x, dim, keepdim, arg):
    """max(dim)/min(dim): the gradient goes to the chosen element only."""
    a = data(x)
    shape = a.shape
    position = xp.reshape(arange(shape[dim]), (-1,) + (1,) * (len(shape) - dim - 1))
    chosen = xp.expand_dims(arg(a, axis=dim), axis=dim) == position
    return mul(expand(keep_dims(g, (dim,), keepdim), shape), mask(chosen, g))


def vector_norm(x, ord, dim, keepdim):
    a = xp.abs(x)
    if ord == 2:
        return xp.sqrt(xp.sum(a * a, axis=dim, keepdims=keepdim))
    if ord == 1:
        return xp.sum(a, axis=dim, keepdims=keepdim)
    if ord == float("inf"):
        return xp.max(a, axis=dim, keepdims=keepdim)
    return xp.sum(a ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)


def _norm_grad(g, out, x, ord, dim, keepdim):
    dims = dim if dim is not None else tuple(range(len(data(x).shape)))
    kept = keepdim or dim is None
    g, out = keep_dims(g, dims, kept), keep_dims(out, dims, kept)
    if ord == 1:
        return mul(g, mask(xp.sign(data(x)), g))
    if ord == 2:
        zero = data(out) == 0
        if xp.any(zero):    # a zero norm gives a zero gradient (PyTorch masks it; no 0/0)
            return mul(x, where(zero, 0.0, div(g, where(zero, 1.0, out))))
        return div(mul(g, x), out)
    if ord == float("inf"):
        a = data(x)
        hit = mask(xp.abs(a) == data(out), g)
        return mul(g, mask(xp.sign(a), g) * hit / xp.sum(hit, axis=dims, keepdims=True))
    from .pointwise import ABS, pow
    absx = apply(ABS, x) if type(x) is Tensor else xp.abs(x)
    return div(mul(mul(g, x), pow(absx, ord - 2)), pow(out, ord - 1))


def _logsumexp(x, dim, keepdim):
    m = xp.max(x, axis=dim, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    out = xp.log(xp.sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else xp.squeeze(out, axis=dim)


def _logsumexp_grad(g, out, x, dim, keepdim):
    from .pointwise import exp, sub
    return mul(keep_dims(g, dim, keepdim), exp(sub(x, keep_dims(out, dim, keepdim))))


# ---------------------------------------------------------------- entries
SUM = Op("SumBackward0", lambda x: _sum(x),
         (lambda g, out, x: expand(g, x.shape),), ("grad.expand(self.sizes())",), saves=False)
SUM_DIM = Op("SumBackward1", lambda x, dim, keepdim: xp.sum(x, axis=dim, keepdims=keepdim),
             (lambda g, out, x, dim, keepdim: expand(keep_dims(g, dim, keepdim), x.shape),),
             ("grad.unsqueeze(dim).expand(self.sizes())",), saves=False)
MEAN = Op("MeanBackward0", lambda x: _sum(x) / getattr(x, "size", 1),
          (lambda g, out, x: expand(div(g, _count(x.shape, ())), x.shape),),
          ("grad.expand(self.sizes()) / self.numel()",), saves=False)
MEAN_DIM = Op("MeanBackward1", lambda x, dim, keepdim: xp.mean(x, axis=dim, keepdims=keepdim),
              (lambda g, out, x, dim, keepdim: expand(div(keep_dims(g, dim, keepdim), _count(x.shape, dim)),
                                                      x.shape),),
              ("grad.unsqueeze(dim).expand(self.sizes()) / (elements reduced)",), saves=False)
AMAX_ALL = Op("MaxBackward1", lambda x: xp.max(x), (lambda g, out, x: _whole_grad(g, out, x),),
              ("grad shared equally by the elements equal to result",), saves_out=True)
AMIN_ALL = Op("MinBackward1", lambda x: xp.min(x), (lambda g, out, x: _whole_grad(g, out, x),),
              ("grad shared equally by the elements equal to result",), saves_out=True)
AMAX = Op("AmaxBackward0", lambda x, dim, keepdim: xp.max(x, axis=dim, keepdims=keepdim), (_amax_grad,),
          ("grad shared equally by the elements equal to result along dim",), saves_out=True)
AMIN = Op("AminBackward0", lambda x, dim, keepdim: xp.min(x, axis=dim, keepdims=keepdim), (_amax_grad,),
          ("grad shared equally by the elements equal to result along dim",), saves_out=True)
MAX_DIM = Op("MaxBackward0", lambda x, dim, keepdim: _take_along(x, dim, keepdim, xp.argmax),
             (lambda g, out, x, dim, keepdim: _chosen_grad(g, x, dim, keepdim, xp.argmax),),
             ("grad put at indices along dim",))
MIN_DIM = Op("MinBackward0", lambda x, dim, keepdim: _take_along(x, dim, keepdim, xp.argmin),
             (lambda g, out, x, dim, keepdim: _chosen_grad(g, x, dim, keepdim, xp.argmin),),
             ("grad put at indices along dim",))
NORM = Op("LinalgVectorNormBackward0", lambda x, ord, dim, keepdim: vector_norm(x, ord, dim, keepdim),
          (_norm_grad,), ("grad * self * |self|^(ord-2) / result^(ord-1)",), saves_out=True)
LOGSUMEXP = Op("LogsumexpBackward0", _logsumexp, (_logsumexp_grad,), ("grad * exp(self - result)",),
               saves_out=True)


# ------------------------------------------------------------- primitives
def sum(x, dim=None, keepdim=False):
    """Unchecked sum over dims (a tuple) or all (None)."""
    if type(x) is Tensor:
        return apply(SUM, x) if dim is None else apply(SUM_DIM, x, dim=dim, keepdim=keepdim)
    return _sum(x, axis=dim, keepdims=keepdim)
