"""Piecewise activations: hardtanh (and relu6), hardsigmoid, hardswish, threshold, softshrink,
hardshrink, and mish. Each has PyTorch's own backward op, so that a gradient taken with
create_graph records HardtanhBackwardBackward0, ...; kernels compute in the input's dtype,
as PyTorch's CPU kernels do. Each entry: grad_fn name, kernel, one rule per input, the
rules in words."""
from __future__ import annotations

from .. import cpu_kernels as K
from ..backend import asarray, itemsize, kind, xp
from ..layouts import iterated, lay_out
from ..op import Op, no_derivative, no_forward_derivative
from ..tensor import Tensor, apply, data
from .pointwise import EXP, LOG1P, SIGMOID, SUB, TANH, add, div_scalar, mul, threshold_backward, where, zeros_like

# hardsigmoid's rule multiplies by 1.0f / 6.0f: float's sixth, in float64 too
_ONE_SIXTH = 0.1666666716337204


def _hardtanh(x, min_val, max_val):
    """min(max(x, min_val), max_val), x itself on a tie (-0. stays) and nan kept; an integer
    tensor's bounds are integers (C's conversion: toward zero)."""
    if kind(x.dtype) != "f":
        min_val, max_val = int(min_val), int(max_val)
    low, high = asarray(min_val, dtype=x.dtype), asarray(max_val, dtype=x.dtype)
    x = xp.where(x < low, low, x)
    return xp.where(x > high, high, x)


def _hardtanh_backward(g, x, min_val, max_val):
    """grad, 0 where self <= min_val or self >= max_val."""
    return xp.where((x <= min_val) | (x >= max_val), xp.zeros_like(g), g)


def _hardsigmoid(x):
    return xp.minimum(xp.maximum(x + 3, 0), 6) / 6


def _hardsigmoid_backward(g, x):
    """grad / 6 (float's sixth) where -3 < self < 3, else 0."""
    return xp.where((x > -3) & (x < 3), g * asarray(_ONE_SIXTH, dtype=g.dtype), xp.zeros_like(g))


def _hardswish(x):
    return x * xp.minimum(xp.maximum(x + 3, 0), 6) / 6


def _hardswish_backward(g, x):
    """0 where self <= -3, grad * (self / 3 + 0.5) where self < 3, else grad."""
    middle = xp.where(x < 3, g * (x / 3 + 0.5), g)
    return xp.where(x <= -3, xp.zeros_like(g), middle)


def _hardswish_double(gg, g, x):
    """where(-3 < self < 3, grad * grad_output / 3, 0)."""
    inside = (data(x) > -3) & (data(x) < 3)
    value = div_scalar(mul(gg, g), 3.0)
    return where(inside, value, asarray(0, dtype=data(value).dtype))


def _threshold(x, threshold, value):
    if kind(x.dtype) != "f":        # (an integer tensor: the numbers converted to it, toward zero)
        threshold, value = int(threshold), int(value)
    return xp.where(x <= threshold, asarray(value, dtype=x.dtype), x)


def _softshrink(x, lambd):
    """x - lambd above lambd, x + lambd below -lambd, else 0: PyTorch's vector loop (64-byte
    vectors, its whole ones first) gives 0., its scalar tail x * 0 (-0. for a negative x)."""
    shrunk = xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, x * 0))
    vector = 64 // itemsize(x.dtype)
    whole = x.size // vector * vector
    if whole:
        flat = xp.reshape(shrunk, (-1,))
        head = flat[:whole]
        flat = xp.concat([xp.where(head == 0, xp.zeros_like(head), head), flat[whole:]])
        shrunk = xp.reshape(flat, x.shape)
    return shrunk


def _shrink_backward(g, x, lambd):
    """grad, 0 where -lambd <= self <= lambd (softshrink's and hardshrink's)."""
    return xp.where((x >= -lambd) & (x <= lambd), xp.zeros_like(g), g)


def _hardshrink(x, lambd):
    return xp.where((x >= -lambd) & (x <= lambd), xp.zeros_like(x), x)


def _mish(x):
    """x * tanh(log1p(exp(x))), each function in the input's dtype (float32's: float64's rounded once)."""
    return x * K.tanh(K.log1p(K.exp(x)))


def _mish_backward(g, x):
    """grad * (tanh_softplus + x * sigmoid * (1 - tanh_softplus²)), in the input's dtype."""
    one = asarray(1, dtype=x.dtype)
    sigmoid = one / (one + K.exp(-x))
    tanh_softplus = K.tanh(K.log1p(K.exp(x)))
    return g * (tanh_softplus + x * sigmoid * (one - tanh_softplus * tanh_softplus))


def _mish_rule(g, out, x):
    """mish_backward(grad, self); with create_graph infinitely_differentiable_mish_backward:
    grad * (t + self * sigmoid(self) * (1.0 - t * t)), t = tanh(log1p(exp(self))), recorded."""
    if type(g) is not Tensor and type(x) is not Tensor:
        return _mish_backward(g, x)
    sigmoid = apply(SIGMOID, x)
    tanh_softplus = apply(TANH, apply(LOG1P, apply(EXP, x)))
    squared = mul(tanh_softplus, tanh_softplus)
    one_minus = apply(SUB, xp.ones_like(data(squared)), squared)        # (1.0 - t: SubBackward0)
    return mul(g, add(tanh_softplus, mul(mul(x, sigmoid), one_minus)))


def _shrink_ops(name, kernel):
    """A shrink's op, its gradient's op and the primitive its rule calls (softshrink and hardshrink
    share the gradient's kernel: zero inside [-lambd, lambd])."""
    lower = name.lower()

    def gradient(g, x, lambd):
        return apply(backward, g, x, lambd=lambd) if type(g) is Tensor or type(x) is Tensor else \
            _shrink_backward(g, x, lambd)
    backward = Op(f"{name}BackwardBackward0", _shrink_backward,
                  (lambda gg, out, g, x, lambd: gradient(gg, x, lambd), lambda gg, out, g, x, lambd: zeros_like(gg)),
                  (f"{lower}_backward(grad, self, lambd)", "zeros_like(grad)"),
                  jvps=(lambda t, out, g, x, lambd: gradient(t, x, lambd), lambda t, out, g, x, lambd: zeros_like(t)),
                  broadcasts=True)
    op = Op(f"{name}Backward0", kernel, (lambda g, out, x, lambd: gradient(g, x, lambd),),
            (f"{lower}_backward(grad, self, lambd)",), jvps=(lambda t, out, x, lambd: gradient(t, x, lambd),))
    return op, backward, gradient


def _backward(op, kernel):
    def primitive(g, x, **params):
        if type(g) is Tensor or type(x) is Tensor:
            return apply(op, g, x, **params)
        return kernel(g, x, **params)
    return primitive


HARDTANH = Op("HardtanhBackward0", _hardtanh,
              (lambda g, out, x, min_val, max_val: hardtanh_backward(g, x, min_val=min_val, max_val=max_val),),
              ("hardtanh_backward(grad, self, min_val, max_val)",),
              jvps=(lambda t, out, x, min_val, max_val: hardtanh_backward(t, x, min_val=min_val, max_val=max_val),))
HARDTANH_BACKWARD = Op("HardtanhBackwardBackward0", _hardtanh_backward,
                       (lambda gg, out, g, x, min_val, max_val: hardtanh_backward(gg, x, min_val=min_val,
                                                                                  max_val=max_val),
                        lambda gg, out, g, x, min_val, max_val: zeros_like(gg)),
                       ("hardtanh_backward(grad, self, min_val, max_val)", "zeros_like(grad)"),
                       jvps=(lambda t, out, g, x, min_val, max_val: hardtanh_backward(t, x, min_val=min_val,
                                                                                      max_val=max_val),
                             lambda t, out, g, x, min_val, max_val: zeros_like(t)), broadcasts=True)
HARDSIGMOID = Op("HardsigmoidBackward0", _hardsigmoid, (lambda g, out, x: hardsigmoid_backward(g, x),),
                 ("hardsigmoid_backward(grad, self)",), jvps=(lambda t, out, x: hardsigmoid_backward(t, x),))
HARDSIGMOID_BACKWARD = Op("NotImplemented", _hardsigmoid_backward,
                          (lambda gg, out, g, x: hardsigmoid_backward(gg, x), no_derivative("hardsigmoid_backward")),
                          ("hardsigmoid_backward(grad, self)", "not implemented"),
                          jvps=(lambda t, out, g, x: hardsigmoid_backward(t, x),
                                no_forward_derivative("hardsigmoid_backward")),
                          broadcasts=True)
HARDSWISH = Op("HardswishBackward0", _hardswish, (lambda g, out, x: hardswish_backward(g, x),),
               ("hardswish_backward(grad, self)",), jvps=(lambda t, out, x: hardswish_backward(t, x),))
HARDSWISH_BACKWARD = Op("HardswishBackwardBackward0", _hardswish_backward,
                        (lambda gg, out, g, x: hardswish_backward(gg, x),
                         lambda gg, out, g, x: _hardswish_double(gg, g, x)),
                        ("hardswish_backward(grad, self)",
                         "where(-3 < self < 3, grad * grad_output / 3, 0)"),
                        jvps=(lambda t, out, g, x: hardswish_backward(t, x),
                              lambda t, out, g, x: _hardswish_double(t, g, x)), broadcasts=True)
THRESHOLD = Op("ThresholdBackward0", _threshold,
               (lambda g, out, x, threshold, value: threshold_backward(g, x, threshold),),
               ("threshold_backward(grad, self, threshold)",),
               jvps=(lambda t, out, x, threshold, value: threshold_backward(t, x, threshold),))
THRESHOLD_ = Op("ThresholdBackward1", _threshold, THRESHOLD.vjps, THRESHOLD.says,     # threshold_: its rule reads
                jvps=THRESHOLD.jvps)                                                # self's old value (a clone)
SOFTSHRINK, SOFTSHRINK_BACKWARD, softshrink_backward = _shrink_ops("Softshrink", _softshrink)
HARDSHRINK, HARDSHRINK_BACKWARD, hardshrink_backward = _shrink_ops("Hardshrink", _hardshrink)
MISH = Op("MishBackward0", _mish, (_mish_rule,), ("mish_backward(grad, self)",), jvps=(_mish_rule,))

hardtanh_backward = _backward(HARDTANH_BACKWARD, _hardtanh_backward)
hardsigmoid_backward = _backward(HARDSIGMOID_BACKWARD, _hardsigmoid_backward)
hardswish_backward = _backward(HARDSWISH_BACKWARD, _hardswish_backward)


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import ELEMENTWISE, declare  # noqa: E402  (after the entries)

declare(ELEMENTWISE, HARDTANH, HARDTANH_BACKWARD, HARDSIGMOID, HARDSIGMOID_BACKWARD, HARDSWISH, HARDSWISH_BACKWARD,
        THRESHOLD, THRESHOLD_, SOFTSHRINK, SOFTSHRINK_BACKWARD, HARDSHRINK, HARDSHRINK_BACKWARD, MISH)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, HARDTANH, HARDTANH_BACKWARD, HARDSIGMOID, HARDSIGMOID_BACKWARD, HARDSWISH, HARDSWISH_BACKWARD,
       THRESHOLD, THRESHOLD_, MISH)
