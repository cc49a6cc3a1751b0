"""More of PyTorch's in-place methods (x.ceil_(), x.cumsum_(0), x.fmod_(y), x.clip_(0, 1), ...): each
runs its out-of-place method as in_place.py runs an op in place (the node keeps x's old value, x takes
the result's value and history, a view's base is rebased), after PyTorch's checks, with its casting
rule. Only those whose node is the out-of-place one's are here: PyTorch's in-place asinh_, acosh_, atanh_
and polygamma_ record other nodes (AsinhBackward1, ...), and its in-place comparisons keep x's dtype."""
from __future__ import annotations

from ..engine.tensor import Tensor
from . import in_place as IP
from . import namespace
from . import nn as NN

# x.NAME_(...) is x.NAME(...) in place (the method names: a receiver first, as polygamma's n after it)
_SAME_NODE = ("ceil", "floor", "round", "trunc", "frac", "sign", "sgn", "fix", "erf", "erfc", "exp2", "expm1", "log2",
              "log10", "rsqrt", "sinh", "cosh", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "absolute",
              "negative", "square", "digamma", "lgamma", "deg2rad", "rad2deg", "sinc", "logit", "nan_to_num", "tril",
              "triu", "cumsum", "cumprod", "fmod", "hypot", "atan2", "arctan2", "copysign",
              "xlogy", "divide", "multiply", "subtract", "true_divide")


def in_place_with(fn, name):
    """x.NAME(...): fn(x's old value, ...) in place, after PyTorch's checks, with its casting rule."""
    def method(x, *args, **kwargs):
        x = IP._tensor(x)
        tensors = [a for a in (*args, *kwargs.values()) if type(a) is Tensor]
        IP.check_in_place(x, *tensors)
        IP.check_overlap(x, *tensors)
        result = fn(IP.before(x), *args, **kwargs)
        return IP.become(x, IP.castable(x, result, bool(tensors)))
    method.__name__ = method.__qualname__ = name
    return method


def _in_place_of(name):
    return in_place_with(lambda *args, **kwargs: namespace.METHODS[name](*args, **kwargs), f"{name}_")


IN_PLACE = {f"{name}_": _in_place_of(name) for name in _SAME_NODE}
IN_PLACE.update(swapaxes_=IP.transpose_, swapdims_=IP.transpose_, clip_=IP.clamp_)
# F.hardtanh_ and the activations whose inplace=True records the out-of-place node (HardtanhBackward0, ...)
ACTIVATIONS_IN_PLACE = {f"{name}_": in_place_with(getattr(NN, name), f"{name}_")
                        for name in ("hardtanh", "silu", "hardswish", "hardsigmoid", "mish")}
