"""More of PyTorch's in-place methods (x.ceil_(), x.cumsum_(0), x.fmod_(y), x.clip_(0, 1), ...): each
runs its out-of-place method as in_place.py runs an op in place (the node keeps x's old value, x takes
the result's value and history, a view's base is rebased), after PyTorch's checks, with its casting
rule. Only those whose node is the out-of-place one's are here: PyTorch's in-place asinh_, acosh_, atanh_
and polygamma_ record other nodes (AsinhBackward1, ...), and its in-place comparisons keep x's dtype."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import activations as A
from ..engine.ops import piecewise as PW
from ..engine.tensor import Tensor, apply, data
from . import in_place as IP
from . import namespace
from . import nn as NN
from .checks import fail

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


def _result_read(op, checks):
    """F.elu_ and kin: checks(x, *args) -> the op's params; its node reads the result (EluBackward1, ...)."""
    def method(x, *args):
        x = IP._tensor(x)
        params = checks(x, *args)
        IP.check_in_place(x)
        IP.check_overlap(x)
        return IP.become(x, apply(op, IP.before(x), **params))
    return method


def _elu_checks(x, alpha=1.0):
    NN._floating(x, "elu_cpu")
    return {"alpha": NN._number(alpha, "elu", "alpha", 2), "scale": 1, "input_scale": 1}


def _selu_checks(x):
    NN._floating(x, "elu_cpu")
    return {"alpha": NN._SELU_ALPHA, "scale": NN._SELU_SCALE, "input_scale": 1}


def _celu_checks(x, alpha=1.0):
    alpha = NN._number(alpha, "celu", "alpha", 2)
    if alpha == 0:
        fail("ZeroDivisionError: alpha cannot be 0 for CELU")
    NN._floating(x, "elu_cpu")
    return {"alpha": alpha}


def threshold_(x, threshold, value):
    """F.threshold_: ThresholdBackward1, whose rule reads x's old value (a clone), as the out-of-place one reads x."""
    return in_place_with(lambda old, t, v: _threshold(old, t, v, PW.THRESHOLD_), "threshold_")(x, threshold, value)


def _threshold(x, threshold, value, op):
    threshold = NN._number(threshold, "threshold", "threshold", 2)
    if B.kind(data(x).dtype) == "b":
        fail('"threshold_cpu" not implemented for \'Bool\'', "not_implemented")
    return apply(op, x, threshold=threshold, value=NN._number(value, "threshold", "value", 3))


# F.hardtanh_ and the activations whose inplace=True records the out-of-place node (HardtanhBackward0, ...),
# and elu_, selu_, celu_ and threshold_, whose nodes are their own
ACTIVATIONS_IN_PLACE = {f"{name}_": in_place_with(getattr(NN, name), f"{name}_")
                        for name in ("hardtanh", "silu", "hardswish", "hardsigmoid", "mish")}
ACTIVATIONS_IN_PLACE.update(elu_=_result_read(A.ELU_, _elu_checks), selu_=_result_read(A.ELU_, _selu_checks),
                            celu_=_result_read(A.CELU_, _celu_checks), threshold_=threshold_)
