"""Ops that record a random draw (x.normal_(), torch.bernoulli(p), torch.normal(mean, std), ...),
and unique (its values found above the engine too, with NumPy's sort).

The values are drawn above the engine (torchapi/sampling.py, PyTorch's generator) and
reach the op as its `values` parameter, so the forward is deterministic; PyTorch's
derivatives.yaml gives each input a zero gradient (a draw does not move with its
parameters), and bernoulli(x, p) has none at all (its node is NotImplemented).
"""
from __future__ import annotations

from ..op import Op, forward_ad_not_implemented, no_derivative, no_forward_derivative
from .pointwise import zeros_like


def _drawn(*inputs_and_values, values):
    return values


def _zero(g, out, *inputs, values):
    return zeros_like(g)


def _zeros(name, inputs):      # forward mode too: a zero tangent (self_t.zero_(), auto_element_wise of zeros)
    return Op(name, _drawn, (_zero,) * inputs, ("zeros_like(grad)",) * inputs, saves=False, jvps=(_zero,) * inputs)


NORMAL_ = _zeros("NormalBackward0", 1)             # x.normal_(mean, std)
NORMAL_MEAN = _zeros("NormalBackward1", 1)         # torch.normal(mean tensor, std number)
NORMAL_STD = _zeros("NormalBackward2", 1)          # torch.normal(mean number, std tensor)
NORMAL_BOTH = _zeros("NormalBackward3", 2)         # torch.normal(mean tensor, std tensor)
UNIFORM_ = _zeros("UniformBackward0", 1)           # x.uniform_(from, to)
BERNOULLI = _zeros("BernoulliBackward0", 1)        # torch.bernoulli(p)
BERNOULLI_TENSOR_ = _zeros("BernoulliBackward1", 2)     # x.bernoulli_(p tensor)
BERNOULLI_ = _zeros("BernoulliBackward2", 1)       # x.bernoulli_(p number)
RANDOM_FROM_TO_ = _zeros("RandomBackward0", 1)     # x.random_(from, to)
RANDOM_TO_ = _zeros("RandomBackward1", 1)          # x.random_(to)
RANDOM_ = _zeros("RandomBackward2", 1)             # x.random_()
EXPONENTIAL_ = _zeros("ExponentialBackward0", 1)   # x.exponential_(lambd)
CAUCHY_ = _zeros("CauchyBackward0", 1)             # x.cauchy_(median, sigma)
LOG_NORMAL_ = _zeros("LogNormalBackward0", 1)      # x.log_normal_(mean, std)
GEOMETRIC_ = _zeros("GeometricBackward0", 1)       # x.geometric_(p)
POISSON = _zeros("PoissonBackward0", 1)            # torch.poisson(rates)
BINOMIAL = Op("NotImplemented", _drawn, (no_derivative("binomial"),) * 2,         # torch.binomial(count, prob)
              ("not implemented",) * 2, saves=False, jvps=(no_forward_derivative("binomial"),) * 2)
BERNOULLI_P = Op("NotImplemented", _drawn, (no_derivative("bernoulli"),),     # torch.bernoulli(x, p number)
                 ("not implemented",), saves=False, jvps=(no_forward_derivative("bernoulli"),))



def _no_rules(name):
    """The rules of an op PyTorch differentiates in neither mode: its errors."""
    from ...errors import AgcliError

    def rule(*args, **params):
        raise AgcliError(f"the derivative for '{name}' is not implemented.", kind="not_implemented")

    return (rule,), ("not implemented",), (forward_ad_not_implemented(name, tail=""),)


UNIQUE = Op("Unique2Backward0", _drawn, *_no_rules("_unique2")[:2], saves=False, jvps=_no_rules("_unique2")[2])
UNIQUE_CONSECUTIVE = Op("UniqueConsecutiveBackward0", _drawn, *_no_rules("unique_consecutive")[:2], saves=False,
                        jvps=_no_rules("unique_consecutive")[2])


UNIQUE_DIM = Op("UniqueDimBackward0", _drawn, *_no_rules("unique_dim")[:2], saves=False,
                jvps=_no_rules("unique_dim")[2])


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import UNBATCHED, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), UNBATCHED)  # in-place writes and random draws: a sweep runs them line by line

