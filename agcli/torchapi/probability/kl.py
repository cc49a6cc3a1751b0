"""torch.distributions.kl_divergence for two distributions of one family, computed as
torch/distributions/kl.py computes it (the places where the divergence is infinite or zero are
written in place, as PyTorch's index_put_ writes them)."""
from __future__ import annotations

import math

from ...errors import AgcliError
from .. import creation as C
from .. import functions as T
from ..autograd import setitem
from ..namespace import METHODS
from ..nn import softplus
from .families import Bernoulli, Categorical, Normal, Uniform
from .independent import Independent, sum_rightmost
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal, kl_multivariate_normal


def _normal(p, q):
    var_ratio = T.pow(T.div(p.scale, q.scale), 2)
    t1 = T.pow(T.div(T.sub(p.loc, q.loc), q.scale), 2)
    return T.mul(0.5, T.sub(T.sub(T.add(var_ratio, t1), 1), T.log(var_ratio)))


def _categorical(p, q):
    t = T.mul(p.probs, T.sub(p.logits, q.logits))
    setitem(t, METHODS["expand_as"](T.eq(q.probs, 0), t), math.inf)
    setitem(t, METHODS["expand_as"](T.eq(p.probs, 0), t), 0)
    return T.sum(t, -1)


def _bernoulli(p, q):
    t1 = T.mul(p.probs, T.sub(softplus(T.neg(q.logits)), softplus(T.neg(p.logits))))
    setitem(t1, T.eq(q.probs, 0), math.inf)
    setitem(t1, T.eq(p.probs, 0), 0)
    t2 = T.mul(T.sub(1, p.probs), T.sub(softplus(q.logits), softplus(p.logits)))
    setitem(t2, T.eq(q.probs, 1), math.inf)
    setitem(t2, T.eq(p.probs, 1), 0)
    return T.add(t1, t2)


def _uniform(p, q):
    result = T.log(T.div(T.sub(q.high, q.low), T.sub(p.high, p.low)))
    setitem(result, T.bitwise_or(T.gt(q.low, p.low), T.lt(q.high, p.high)), math.inf)
    return result


def _uniform_normal(p, q):
    common_term = T.sub(p.high, p.low)
    t1 = T.log(T.div(T.mul(math.sqrt(math.pi * 2), q.scale), common_term))
    t2 = T.div(T.pow(common_term, 2), 12)
    t3 = T.pow(T.div(T.sub(T.add(p.high, p.low), T.mul(2, q.loc)), 2), 2)
    return T.add(t1, T.div(T.mul(0.5, T.add(t2, t3)), T.pow(q.scale, 2)))


def _infinite(p, q):
    """A density with unbounded support against one with bounded support."""
    return C.full_like(p.loc, math.inf)


def _independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise AgcliError("", kind="not_implemented")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


_RULES = {(Normal, Normal): _normal, (Categorical, Categorical): _categorical, (Bernoulli, Bernoulli): _bernoulli,
          (Uniform, Uniform): _uniform, (Uniform, Normal): _uniform_normal, (Normal, Uniform): _infinite,
          (Independent, Independent): _independent, (MultivariateNormal, MultivariateNormal): kl_multivariate_normal,
          (LogNormal, LogNormal): lambda p, q: kl_divergence(p.base_dist, q.base_dist)}


def kl_divergence(p, q):
    """KL(p || q)."""
    rule = _RULES.get((type(p), type(q)))
    if rule is None:
        raise AgcliError(f"No KL(p || q) is implemented for p type {type(p).__name__} and q type "
                         f"{type(q).__name__}", kind="not_implemented")
    return rule(p, q)
