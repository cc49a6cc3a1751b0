"""The activations nn modules use beyond relu, tanh and sigmoid: leaky_relu, elu, celu,
logsigmoid, silu and gelu, with PyTorch's own backward ops where it has them (so a
gradient taken with create_graph records LeakyReluBackwardBackward0, ...). Each
entry: grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

import struct

from .. import backend_vector_loop as VL, cpu_kernels as K
from ...errors import AgcliError
from ...state import state
from ..backend import astype, xp
from ..fma import fma
from ..layouts import iterated, lay_out
from ..op import Op
from ..tensor import Tensor, apply, data
from .pointwise import SUB, TANH, add_scalar, exp, mask, mul, mul_scalar, sigmoid, zeros_like


def _leaky_relu_backward(g, x, negative_slope):
    return xp.where(x > 0, g, g * negative_slope)


def _elu(x, alpha, scale, input_scale):
    """x <= 0 ? expm1(x * input_scale) * alpha * scale : x * scale (PyTorch's kernel)."""
    return xp.where(x <= 0, K.expm1(xp.where(x <= 0, x, 0) * input_scale) * (alpha * scale), x * scale)


def _elu_backward(g, x, alpha, scale, input_scale):
    """x <= 0 ? grad * input_scale * alpha * scale * exp(x * input_scale) : grad * scale."""
    return xp.where(x <= 0, g * input_scale * (alpha * scale) * K.exp(xp.where(x <= 0, x, 0) * input_scale),
                    g * scale)


def _elu_double(gg, g, x, alpha, scale, input_scale):
    """elu_double_backward: elu_backward(grad * grad_output * input_scale, self) * (self < 0)."""
    inner = mul(gg, g)
    if input_scale != 1:
        inner = mul_scalar(inner, input_scale)
    return mul(elu_backward(inner, x, alpha, scale, input_scale), mask(data(x) < 0, inner))


def _elu_of_result(g, r, alpha, scale, input_scale):
    """elu_backward with is_result: r <= 0 ? grad * input_scale * (r + alpha * scale) : grad * scale."""
    return xp.where(r <= 0, g * input_scale * (r + alpha * scale), g * scale)


def _elu_double_of_result(gg, g, r, input_scale):
    """elu_double_backward with is_result: grad * grad_output * input_scale * (result <= 0)."""
    inner = mul(gg, g)
    if input_scale != 1:
        inner = mul_scalar(inner, input_scale)
    return mul(inner, mask(data(r) <= 0, inner))


def _log_sigmoid(x):
    """min(x, 0) - log1p(exp(-|x|)) (PyTorch's kernel)."""
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _log_sigmoid_backward(g, x):
    """grad * ((x < 0) - (x < 0 ? 1 : -1) * z / (1 + z)), z = exp(-|x|)."""
    z = K.exp(-xp.abs(x))         # (PyTorch's scalar lines: glibc's exp, float64's rounded once)
    negative = astype(x < 0, x.dtype)
    return g * (negative - (negative * 2 - 1) * (z / (1 + z)))


def _log_sigmoid_double(gg, x):
    """log_sigmoid_double_backward(grad * grad_output, self): grad * (sigmoid(self) - 1) * sigmoid(self)."""
    z = sigmoid(x)
    return gg * add_scalar(z, -1) * z


@K.halves_in_float
def _silu(x):
    if x.dtype == K.FLOAT32:            # (its vectors' e^-x is Sleef's, its scalar line's glibc's)
        return VL.silu(x, lambda x: x / (1 + K.exp(-x)))
    return x / (1 + xp.exp(-x))


def _silu_grad(g, x):
    """silu_backward: grad * sigmoid * (1 + self * (1 - sigmoid)); with create_graph PyTorch's
    infinitely_differentiable_silu_backward, the same formula in recorded ops."""
    if type(g) is Tensor or type(x) is Tensor:
        s = sigmoid(x)
        return mul(mul(g, s), add_scalar(mul(x, apply(SUB, xp.ones_like(data(s)), s)), 1.0))
    s = VL.sigmoid(x, lambda x: 1 / (1 + K.exp(-x)))
    return g * s * fma(x, 1 - s, xp.ones_like(x))      # (GCC fuses 1 + x * (1 - s) in PyTorch's kernel)


def _silu_tangent(t, x):
    """silu's tangent: its backward on the tangent, the infinitely differentiable one (recorded ops, no
    FMA) when grad mode is on, as PyTorch's formula picks it."""
    if type(t) is Tensor or type(x) is Tensor or not state.grad_enabled:
        return _silu_grad(t, x)
    s = 1 / (1 + K.exp(-x))
    return t * s * (1 + x * (1 - s))


# gelu (ATen/native/cpu/Activation.cpp, its kernels' scalar lines: GCC fuses `a * b + c`)
_ALPHA = 0.70710678118654752440                                 # M_SQRT1_2
_PDF = 1.12837916709551257390 * 0.70710678118654752440 * 0.5    # M_2_SQRTPI * M_SQRT1_2 * 0.5
_TANH_BETA = 1.41421356237309504880 * 1.12837916709551257390 * 0.5     # M_SQRT2 * M_2_SQRTPI * 0.5
_KAPPA = 0.044715


@K.halves_in_float
def _gelu(x, approximate):
    """x * 0.5 * (1 + erf(x * M_SQRT1_2)); 'tanh': 0.5 * x * (1 + tanh(kBeta * (x + kKappa * x³)))."""
    if approximate == "tanh":
        inner = fma(xp.full_like(x, _KAPPA), x * x * x, x) * _TANH_BETA
        return 0.5 * x * (1 + K.tanh(inner))
    return x * 0.5 * (1 + K.erf(x * _ALPHA))


def _gelu_backward(g, x, approximate):
    """gelu_backward: grad * (cdf + x * pdf), or the tanh form's derivative."""
    if approximate == "tanh":
        x_sq = x * x
        t = K.tanh(fma(xp.full_like(x, _KAPPA), x_sq * x, x) * _TANH_BETA)
        inner_derivative = fma(xp.full_like(x, 3 * _KAPPA), x_sq, xp.ones_like(x)) * _TANH_BETA
        right = 0.5 * x * fma(-t, t, xp.ones_like(x)) * inner_derivative
        return g * (0.5 * (1 + t) + right)
    cdf = 0.5 * (1 + K.erf(x * _ALPHA))
    return g * fma(x, _PDF * K.exp(x * x * -0.5), cdf)


def _gelu_double(gg, g, x, approximate):
    """gelu_double_backward(ggI, gO, self): ggI * gO * d(gelu')/dself, in recorded ops when asked."""
    if approximate == "tanh":
        t = apply(TANH, _tanh_inner(x)) if type(x) is Tensor else K.tanh(_tanh_inner(x))
        g_ = 1 - t * t
        h = mul_scalar(add_scalar(mul_scalar(x * x, 3 * _KAPPA), 1), _TANH_BETA)
        f_prime_gh = mul_scalar(g_ * h, 0.5)
        g_prime_fh = mul_scalar(x, 0.5) * h * mul_scalar(g_ * t * h, -2)     # 2 sech * (-sech * tanh) * h
        h_prime_fg = mul_scalar(x, 0.5) * g_ * mul_scalar(x, 6 * _KAPPA * _TANH_BETA)
        return gg * g * (f_prime_gh + f_prime_gh + g_prime_fh + h_prime_fg)
    x_sq = x * x
    pdf = mul_scalar(exp(mul_scalar(x_sq, -0.5)), _PDF)
    return gg * g * (mul_scalar(pdf, 2) - x_sq * pdf)


def _tanh_inner(x):
    return mul_scalar(x + mul_scalar(x * x * x, _KAPPA), _TANH_BETA)


GELU = Op("GeluBackward0", _gelu,
          (lambda g, out, x, approximate: gelu_backward(g, x, approximate),),
          ("gelu_backward(grad, self, approximate)",),
          jvps=(lambda t, out, x, approximate: gelu_backward(t, x, approximate),))
GELU_BACKWARD = Op("GeluBackwardBackward0", _gelu_backward,
                   (lambda gg, out, g, x, approximate: gelu_backward(gg, x, approximate),
                    lambda gg, out, g, x, approximate: _gelu_double(gg, g, x, approximate)),
                   ("gelu_backward(grad, self, approximate)",
                    "gelu_double_backward(grad, grad_output, self, approximate)"),
                   jvps=(lambda t, out, g, x, approximate: gelu_backward(t, x, approximate),
                         lambda t, out, g, x, approximate: _gelu_double(t, g, x, approximate)), broadcasts=True)


def gelu_backward(g, x, approximate):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(GELU_BACKWARD, g, x, approximate=approximate)
    return _gelu_backward(g, x, approximate)


LEAKY_RELU = Op("LeakyReluBackward0", lambda x, negative_slope: xp.where(x > 0, x, x * negative_slope),
                (lambda g, out, x, negative_slope: leaky_relu_backward(g, x, negative_slope),),
                ("leaky_relu_backward(grad, self, negative_slope): self > 0 ? grad : grad * negative_slope",),
                jvps=(lambda t, out, x, negative_slope: leaky_relu_backward(t, x, negative_slope),))
_NEGATIVE_SLOPE_IN_PLACE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is "
    "caused by calling in-place forward function with a negative slope, please call out-of-place version instead. "
    "File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward "
    "calculation with negative slope")


def _leaky_relu_of_result(g, out, negative_slope):
    """leaky_relu_backward(grad, result, negative_slope, true): the result's sign is the input's
    only for a slope >= 0 (PyTorch refuses the others here, in backward)."""
    if negative_slope < 0:
        raise AgcliError(_NEGATIVE_SLOPE_IN_PLACE)
    return leaky_relu_backward(g, out, negative_slope)


LEAKY_RELU_ = Op("LeakyReluBackward1", lambda x, negative_slope: xp.where(x > 0, x, x * negative_slope),
                 (lambda g, out, x, negative_slope: _leaky_relu_of_result(g, out, negative_slope),),
                 ("leaky_relu_backward(grad, result, negative_slope, true)",), saves_out=True, reads=((),),
                 jvps=(lambda t, out, x, negative_slope: _leaky_relu_of_result(t, out, negative_slope),))
ELU = Op("EluBackward0", _elu,
         (lambda g, out, x, alpha, scale, input_scale: elu_backward(g, x, alpha, scale, input_scale),),
         ("elu_backward(grad, alpha, scale, input_scale, self)",),
         jvps=(lambda t, out, x, alpha, scale, input_scale: elu_backward(t, x, alpha, scale, input_scale),))


def _celu_scale(alpha):
    """celu's rule's input_scale, 1.0 / alpha.toFloat(): alpha rounded to float32 first (its forward's is 1 / alpha)."""
    return 1.0 / struct.unpack("f", struct.pack("f", alpha))[0]


CELU = Op("CeluBackward0", lambda x, alpha: _elu(x, alpha, 1, 1.0 / alpha),     # elu with input_scale 1/alpha
          (lambda g, out, x, alpha: elu_backward(g, x, alpha, 1, _celu_scale(alpha)),),
          ("elu_backward(grad, alpha, 1, 1 / float(alpha), self)",),
          jvps=(lambda t, out, x, alpha: elu_backward(t, x, alpha, 1, _celu_scale(alpha)),))
# In place (elu_, selu_, celu_): the rule reads the result, elu_backward(..., is_result=true, result).
ELU_ = Op("EluBackward1", _elu,
          (lambda g, out, x, alpha, scale, input_scale: elu_backward_of_result(g, out, alpha, scale, input_scale),),
          ("elu_backward(grad, alpha, scale, input_scale, true, result)",), saves_out=True, reads=((),),
          jvps=(lambda t, out, x, alpha, scale, input_scale: elu_backward_of_result(t, out, alpha, scale,
                                                                                    input_scale),))
CELU_ = Op("CeluBackward1", lambda x, alpha: _elu(x, alpha, 1, 1.0 / alpha),
           (lambda g, out, x, alpha: elu_backward_of_result(g, out, alpha, 1, _celu_scale(alpha)),),
           ("elu_backward(grad, alpha, 1, 1 / float(alpha), true, result)",), saves_out=True, reads=((),),
           jvps=(lambda t, out, x, alpha: elu_backward_of_result(t, out, alpha, 1, _celu_scale(alpha)),))
LOG_SIGMOID = Op("LogSigmoidBackward0", _log_sigmoid,
                 (lambda g, out, x: log_sigmoid_backward(g, x),),
                 ("log_sigmoid_backward(grad, self)",),
                 jvps=(lambda t, out, x: log_sigmoid_backward(t, x),))
SILU = Op("SiluBackward0", _silu, (lambda g, out, x: _silu_grad(g, x),),
          ("grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))",),
          jvps=(lambda t, out, x: _silu_tangent(t, x),))

LEAKY_RELU_BACKWARD = Op("LeakyReluBackwardBackward0", _leaky_relu_backward,
                         (lambda gg, out, g, x, negative_slope: leaky_relu_backward(gg, x, negative_slope),
                          lambda gg, out, g, x, negative_slope: zeros_like(gg)),
                         ("leaky_relu_backward(grad, self, negative_slope)", "zeros_like(grad)"),
                         jvps=(lambda t, out, g, x, negative_slope: leaky_relu_backward(t, x, negative_slope),
                               lambda t, out, g, x, negative_slope: zeros_like(t)), broadcasts=True)
ELU_BACKWARD = Op("EluBackwardBackward0", _elu_backward,
                  (lambda gg, out, g, x, alpha, scale, input_scale: elu_backward(gg, x, alpha, scale, input_scale),
                   lambda gg, out, g, x, alpha, scale, input_scale: _elu_double(gg, g, x, alpha, scale, input_scale)),
                  ("elu_backward(grad, alpha, scale, input_scale, self)",
                   "elu_double_backward(grad, grad_output, alpha, scale, input_scale, self)"),
                  jvps=(lambda t, out, g, x, alpha, scale, input_scale: elu_backward(t, x, alpha, scale, input_scale),
                        lambda t, out, g, x, alpha, scale, input_scale: _elu_double(t, g, x, alpha, scale,
                                                                                    input_scale)),
                  broadcasts=True)
ELU_BACKWARD_OF_RESULT = Op(
    "EluBackwardBackward0", lambda g, r, alpha, scale, input_scale: _elu_of_result(g, r, alpha, scale, input_scale),
    (lambda gg, out, g, r, alpha, scale, input_scale: elu_backward_of_result(gg, r, alpha, scale, input_scale),
     lambda gg, out, g, r, alpha, scale, input_scale: _elu_double_of_result(gg, g, r, input_scale)),
    ("elu_backward(grad, alpha, scale, input_scale, true, self_or_result)",
     "grad * grad_output * input_scale * (self_or_result <= 0)"),
    jvps=(lambda t, out, g, r, alpha, scale, input_scale: elu_backward_of_result(t, r, alpha, scale, input_scale),
          lambda t, out, g, r, alpha, scale, input_scale: _elu_double_of_result(t, g, r, input_scale)),
    broadcasts=True)
LOG_SIGMOID_BACKWARD = Op("LogSigmoidBackwardBackward0", _log_sigmoid_backward,
                          (lambda gg, out, g, x: log_sigmoid_backward(gg, x),
                           lambda gg, out, g, x: _log_sigmoid_double(gg * g, x)),
                          ("log_sigmoid_backward(grad, self)",
                           "log_sigmoid_double_backward(grad * grad_output, self)"),
                          jvps=(lambda t, out, g, x: log_sigmoid_backward(t, x),
                                lambda t, out, g, x: _log_sigmoid_double(t * g, x)), broadcasts=True)


def leaky_relu_backward(g, x, negative_slope):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(LEAKY_RELU_BACKWARD, g, x, negative_slope=negative_slope)
    return _leaky_relu_backward(g, x, negative_slope)


def elu_backward(g, x, alpha, scale, input_scale):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(ELU_BACKWARD, g, x, alpha=alpha, scale=scale, input_scale=input_scale)
    return _elu_backward(g, x, alpha, scale, input_scale)


def elu_backward_of_result(g, r, alpha, scale, input_scale):
    if type(g) is Tensor or type(r) is Tensor:
        return apply(ELU_BACKWARD_OF_RESULT, g, r, alpha=alpha, scale=scale, input_scale=input_scale)
    return _elu_of_result(g, r, alpha, scale, input_scale)


def log_sigmoid_backward(g, x):
    if type(g) is Tensor or type(x) is Tensor:
        return apply(LOG_SIGMOID_BACKWARD, g, x)
    return _log_sigmoid_backward(g, x)



# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does


def log_sigmoid(x):
    return apply(LOG_SIGMOID, x) if type(x) is Tensor else _log_sigmoid(x)


# TensorIterator lays these ops' results out as their inputs (engine/layouts.py).
lay_out(iterated, GELU, GELU_BACKWARD, LEAKY_RELU, LEAKY_RELU_, ELU, CELU, ELU_, CELU_, LOG_SIGMOID, SILU,
       LEAKY_RELU_BACKWARD, ELU_BACKWARD, LOG_SIGMOID_BACKWARD)
