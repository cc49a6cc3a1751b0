"""The rarer in-place draws, x.log_normal_(mean, std) and x.geometric_(p), with PyTorch's numbers
(torchapi/distributions.py) and its checks in its words; recorded as sampling.py's are."""
from __future__ import annotations

from . import distributions as Dn
from .generator import chosen
from .sampling import _fill, _floating, _g, _not_for, _number, _target
from ..engine import backend as B
from ..engine.ops import sampled as R
from ..errors import AgcliError


def log_normal_(x, mean=1.0, std=2.0, *, generator=None):
    _target(x)
    mean, std = float(_number(mean)), float(_number(std))
    if not std > 0.0:
        raise AgcliError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    d = _floating(B.dtype_name(x.data.dtype), "log_normal_cpu")
    g = chosen(generator)
    return _fill(x, lambda n, contiguous, _: Dn.log_normal(g, n, d, mean, std), R.LOG_NORMAL_)


def geometric_(x, p, *, generator=None):
    _target(x)
    p = float(_number(p))
    if not 0 < p < 1:
        raise AgcliError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    d = B.dtype_name(x.data.dtype)
    if d == "bool":
        _not_for(d, "geometric_cpu")
    g = chosen(generator)
    return _fill(x, lambda n, contiguous, _: Dn.geometric(g, n, d, p), R.GEOMETRIC_)


IN_PLACE = {"log_normal_": log_normal_, "geometric_": geometric_}
