"""torch.nn.functional's pools written in Python over the others: lp_pool1d/2d/3d (a power average:
avg_pool of input**p, then sign(out) * relu(abs(out)) times the window's size to the 1/p, nodes and
all, as functional.py composes it; a max pool of abs for p = inf) and max_pool1d/2d/3d_with_indices
(the pool and its indices, whatever return_indices says)."""
from __future__ import annotations

from . import convolution as CV
from .arithmetic import abs, mul, neg, pow, relu
from .functions import sign
from .checks import is_int

_INF = float("inf")


def _lp_pool(d, input, norm_type, kernel_size, stride, ceil_mode):
    avg, max_pool = ((CV.avg_pool1d, CV.max_pool1d), (CV.avg_pool2d, CV.max_pool2d),
                     (CV.avg_pool3d, CV.max_pool3d))[d - 1]
    if isinstance(norm_type, (int, float)):
        if norm_type == _INF:
            return max_pool(abs(input), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -_INF:
            return neg(max_pool(neg(abs(input)), kernel_size, stride, 0, 1, ceil_mode))
    out = avg(pow(input, norm_type), kernel_size, stride, 0, ceil_mode) if stride is not None else \
        avg(pow(input, norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    size = kernel_size
    if d > 1:           # (_pair, _triple: an int repeated)
        size = 1
        for k in ((kernel_size,) * d if is_int(kernel_size) else kernel_size):
            size *= k
    return pow(mul(mul(sign(out), relu(abs(out))), size), 1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def _with_indices(pool):
    def with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        return pool(input, kernel_size, stride, padding, dilation, ceil_mode, True)
    with_indices.__name__ = with_indices.__qualname__ = f"{pool.__name__}_with_indices"
    return with_indices


# For the namespace (rarer_names.py): the lp pools record their ops; the max pools' indices are values.
RECORDED = {"lp_pool1d": lp_pool1d, "lp_pool2d": lp_pool2d, "lp_pool3d": lp_pool3d}
VALUED = {f"{pool.__name__}_with_indices": _with_indices(pool)
          for pool in (CV.max_pool1d, CV.max_pool2d, CV.max_pool3d)}
