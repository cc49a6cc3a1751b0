"""Transposed convolution (conv_transpose1d/2d/3d: ConvolutionBackward0 with transposed=True): the
adjoint of a convolution, so its kernels are convolution.py's, their roles exchanged. The output
is a convolution's input gradient (col2im of the weight times the input), its input's gradient a
convolution of the output's gradient, its weight's gradient a convolution's weight gradient with
input and output exchanged. The weight is (C_in, C_out/groups, *kernel). With create_graph the
gradients record convolution.py's ops (ConvolutionBackward0 / ConvolutionBackwardBackward0, where
PyTorch records ConvolutionBackwardBackward0 for all three)."""
from __future__ import annotations

from ..backend import xp
from ..op import Op
from ..tensor import Tensor, apply, data
from . import convolution as CV
from . import tangents as T
from .shapes import reshape


def out_sizes(sizes, kernel, stride, padding, dilation, output_padding) -> tuple:
    return tuple((n - 1) * s - 2 * p + d * (k - 1) + o + 1
                 for n, k, s, p, d, o in zip(sizes, kernel, stride, padding, dilation, output_padding))


class _Shape:
    """What the output's shape is, where a kernel reads only that."""

    def __init__(self, shape):
        self.shape = shape


def transposed(x, w, b, stride, padding, dilation, groups, output_padding):
    sizes = out_sizes(x.shape[2:], w.shape[2:], stride, padding, dilation, output_padding)
    y = CV.input_grad(x, _Shape((x.shape[0], w.shape[1] * groups) + sizes), w, stride, padding, dilation, groups)
    return y if b is None else y + xp.reshape(b, (1, -1) + (1,) * len(sizes))


def _plain(params):
    """The convolution's own params (without output_padding)."""
    return {k: params[k] for k in ("stride", "padding", "dilation", "groups")}


def conv_transposed(x, w, b=None, **params):
    if any(type(v) is Tensor for v in (x, w, b)):
        return apply(CONVOLUTION_TRANSPOSED, x, w, b, **params)
    return transposed(x, w, b, **params)


def _by_x(g, out, x, w, b, **params):
    return CV.conv(g, w, None, **_plain(params))


def _by_w(g, out, x, w, b, **params):
    return CV.conv_weight_grad(x, g, w, **_plain(params))


def _by_b(g, out, x, w, b, **params):
    return CV.conv_bias(g, x, w, **_plain(params))


def _x_tangent(t, out, x, w, b, **params):
    """Linear in x: the batch dims folded into the samples."""
    lead = T.lead(t, x)
    y = conv_transposed(reshape(t, (-1,) + tuple(data(x).shape[1:])), w, None, **params)
    return reshape(y, tuple(t.shape[:lead]) + tuple(data(x).shape[:1]) + tuple(data(y).shape[1:]))


def _w_tangent(t, out, x, w, b, **params):
    """Linear in w: one transposed convolution a batch entry of t, stacked."""
    return CV.lead_call(t, w, conv_transposed, x, None, params, 1)


CONVOLUTION_TRANSPOSED = Op(
    "ConvolutionBackward0", transposed, (_by_x, _by_w, _by_b),
    ("convolution(grad, weight, stride, padding, dilation, groups)",
     "convolution_backward(input, grad, weight, stride, padding, dilation, groups)[1]",
     "grad summed over the samples and positions"),
    reads=((0, 1), (0, 1), (0, 1)),
    jvps=(_x_tangent, _w_tangent, lambda t, out, x, w, b, **params: CV.bias_tangent(t, out, b)))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
