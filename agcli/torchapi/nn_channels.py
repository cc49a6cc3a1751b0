"""torch.nn.functional's channel-wise functions: prelu, glu, pixel_shuffle, pixel_unshuffle,
channel_shuffle, local_response_norm (composed as F composes it), bilinear, rrelu, alpha_dropout and
feature_alpha_dropout (their draws from agcli's copy of PyTorch's CPU generator), checked in ATen's words."""
from __future__ import annotations

import math

import numpy

from ..engine import backend as B
from ..engine.ops import channels as CH
from ..engine.ops.shapes import reshape, squeeze, unsqueeze
from ..engine.tensor import Tensor, apply, data
from ..errors import torch_type_name
from . import distributions as Dn
from .arithmetic import add, div, mul, pow
from .checks import dim_index, fail, is_int, ndim_of, numel, shape_of, tensors_only
from .convolution import avg_pool2d, avg_pool3d
from .cpu_math import fma64
from .generator import chosen
from .in_place import add_, become, before, check_in_place, check_overlap, mul_
from .sampling import drawn_like
from .nn import pad


def _floating(x, kernel):
    if B.kind(data(x).dtype) != "f":
        fail(f'"{kernel}" not implemented for \'{torch_type_name(data(x).dtype)}\'', "not_implemented")


def prelu(input, weight):
    """_prelu_kernel(input, weight viewed as (1, C, 1, ...)): PreluKernelBackward0 over ViewBackward0."""
    tensors_only("prelu", input=input, weight=weight)
    x, w = data(input), data(weight)
    if x.dtype != w.dtype:
        fail(f"prelu: Type promoting not supported. Got {torch_type_name(x.dtype)} and {torch_type_name(w.dtype)}")
    if w.size != 1:
        if x.ndim == 0:
            fail("Not allow zero-dim input tensor.")
        channels = x.shape[1] if x.ndim > 1 else 1
        if channels != w.size:
            fail(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {w.size} and "
                 f"channel size = {channels}.")
    if w.ndim > 1:
        fail(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    _floating(input, "prelu_cpu")
    if x.ndim != w.ndim:
        shape = [1] * x.ndim
        if x.ndim > 1:
            shape[1] = w.size
        weight = reshape(weight, tuple(shape))
    return apply(CH.PRELU, input, weight)


def glu(input, dim=-1):
    tensors_only("glu", input=input)
    if ndim_of(input) == 0:
        fail("glu does not support scalars because halving size must be even")
    d = dim_index(dim, ndim_of(input))
    size = shape_of(input)[d]
    if size % 2:
        fail(f"Halving dimension must be even, but dimension {d} is size {size}")
    _floating(input, "glu_cpu")
    return apply(CH.GLU, input, dim=d - ndim_of(input))


def _factor(name, input, factor, what):
    tensors_only(name, input=input)
    if not is_int(factor):
        fail(f"{name}(): argument '{what}' (position 2) must be int, not {type(factor).__name__}", "type")
    if ndim_of(input) < 3:
        fail(f"{name} expects input to have at least 3 dimensions, but got input with {ndim_of(input)} dimension(s)")
    if factor <= 0:
        fail(f"{name} expects a positive {what}, but got {factor}")
    return int(factor)


def pixel_shuffle(input, upscale_factor):
    r = _factor("pixel_shuffle", input, upscale_factor, "upscale_factor")
    c = shape_of(input)[-3]
    if c % (r * r):
        fail(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
             f"but input.size(-3)={c} is not divisible by {r * r}")
    return apply(CH.PIXEL_SHUFFLE, input, upscale_factor=r)


def pixel_unshuffle(input, downscale_factor):
    r = _factor("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    for name, size in (("height", shape_of(input)[-2]), ("width", shape_of(input)[-1])):
        if size % r:
            fail(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but input.size("
                 f"{-2 if name == 'height' else -1})={size} is not divisible by {r}")
    return apply(CH.PIXEL_UNSHUFFLE, input, downscale_factor=r)


def channel_shuffle(input, groups):
    tensors_only("channel_shuffle", input=input)
    shape = shape_of(input)
    if len(shape) <= 2:
        fail(f"channel_shuffle expects input with > 2 dims, but got input with sizes [{', '.join(map(str, shape))}]")
    if groups <= 0:
        fail(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    if shape[1] % groups:
        fail(f"Number of channels must be divisible by groups. Got {shape[1]} channels and {groups} groups.")
    return apply(CH.CHANNEL_SHUFFLE, input, groups=int(groups))


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input / (k + alpha * avg_pool(pad(input * input)))^beta over `size` neighbouring channels, as F
    composes it (a 3-d input through avg_pool2d, more dims through avg_pool3d on a view)."""
    dim = ndim_of(input)
    if dim < 3:
        fail(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)", "value")
    if numel(shape_of(input)) == 0:
        return input
    div_ = mul(input, input)
    if dim == 3:
        div_ = pad(unsqueeze(div_, 1), (0, 0, size // 2, (size - 1) // 2))
        div_ = squeeze(avg_pool2d(div_, (size, 1), stride=1), 1)
    else:
        sizes = shape_of(input)
        div_ = reshape(div_, (sizes[0], 1, sizes[1], sizes[2], -1))
        div_ = pad(div_, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div_ = squeeze(avg_pool3d(div_, (size, 1, 1), stride=1), 1)
        div_ = reshape(div_, sizes)
    div_ = pow(add(mul(div_, alpha), k), beta)
    return div(input, div_)


def _bounds(lower, upper):
    if lower > upper:
        fail("Lower bound should be less than or equal to the upper bound")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Evaluation: leaky_relu with slope (lower + upper) / 2; training: each input <= 0 times a slope
    drawn from uniform(lower, upper), one draw an element in memory order (RreluWithNoiseBackward0)."""
    tensors_only("rrelu", input=input)
    _bounds(lower, upper)
    if inplace:
        check_in_place(input)
        check_overlap(input)
    if not training:
        _floating(input, "leaky_relu_cpu")
        return _recorded(input, inplace, None, (lower + upper) / 2)
    x = data(input)
    dtype = B.dtype_name(x.dtype)
    if dtype not in ("float32", "float64"):        # (PyTorch's CPU kernel: these two only)
        fail(f'"rrelu_with_noise_out_cpu" not implemented for \'{torch_type_name(x.dtype)}\'', "not_implemented")
    host = B.to_host(x)
    flat = numpy.ascontiguousarray(host).reshape(-1)
    negative = flat <= 0
    low, high = (float(numpy.float32(v)) for v in (lower, upper)) if dtype == "float32" else (lower, upper)
    draws = (chosen(None).words64(int(negative.sum())) & numpy.uint64(2**53 - 1)).astype(numpy.float64) * 2.0**-53
    noise = numpy.ones(flat.shape, dtype=dtype)
    noise[negative] = fma64(draws, high - low, low).astype(dtype)
    return _recorded(input, inplace, B.from_host(noise.reshape(host.shape)), None)


def _recorded(input, inplace, noise, slope):
    """RreluWithNoiseBackward0, or in place RreluWithNoiseBackward1 (its rule reads the result)."""
    if inplace:
        return become(input, apply(CH.RRELU_, before(input), noise=noise, negative_slope=slope))
    return apply(CH.RRELU, input, noise=noise, negative_slope=slope)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


_SELU_ALPHA = 1.7580993408473766


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """ATen's _dropout_impl with alpha: input * (mask * a) + ((mask - 1) * alpha' a + alpha' a p), the mask
    of bernoulli_(1 - p) draws (MulBackward0 then AddBackward0); the input itself when not training."""
    return _alpha_dropped(input, p, training, inplace, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout with one draw a sample and channel (a (N, C, 1, ...) mask)."""
    return _alpha_dropped(input, p, training, inplace, True)


def _alpha_dropped(input, p, training, inplace, feature):
    if not 0.0 <= p <= 1.0:
        fail(f"dropout probability has to be between 0 and 1, but got {p}", "value")
    if not training or p == 0 or numel(shape_of(input)) == 0:
        return input
    d = B.dtype_name(data(input).dtype)
    if p == 1:
        zero = Tensor(B.zeros((), dtype=B.dtype(d)), device=input.device)
        return mul_(input, zero) if inplace else mul(input, zero)
    shape = shape_of(input)
    if feature and len(shape) < 2:
        fail("Feature dropout requires at least 2 dimensions in the input")
    a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    g = chosen(None)
    like = Tensor(B.empty(shape[:2] + (1,) * (len(shape) - 2), dtype=B.dtype(d))) if feature else input
    mask = drawn_like(like, lambda n, contiguous, _: Dn.bernoulli_scalar(g, n, 1 - p).astype(d))
    def scalar(v):      # (a 0-d array of the mask's dtype: its rounding, on its device)
        return B.asarray(v, dtype=B.dtype(d))
    b = (mask + scalar(-1.0)) * scalar(_SELU_ALPHA * a) + scalar(_SELU_ALPHA * a * p)
    noise = mask * scalar(a)
    noise, b = Tensor(noise, device=input.device), Tensor(b, device=input.device)
    return add_(mul_(input, noise), b) if inplace else add(mul(input, noise), b)


def bilinear(input1, input2, weight, bias=None):
    """x1ᵀ A x2 + b over the last dims: _trilinear(x1 as (-1, in1), weight, x2 as (-1, in2)) viewed back
    (ViewBackward0 over TrilinearBackward0), then + bias (AddBackward0), as ATen's bilinear composes it."""
    tensors_only("bilinear", input1=input1, input2=input2, weight=weight)
    names = [("input1", input1), ("input2", input2), ("weight", weight)] + ([("bias", bias)] if bias is not None
                                                                            else [])
    dtypes = [data(t).dtype for _, t in names]
    if any(d != dtypes[0] for d in dtypes):
        fail("All tensors must have the same dtype, got " + ", ".join(
            f"{n}: {_c_name(d)}" for (n, _), d in zip(names, dtypes)))
    s1, s2, sw = shape_of(input1), shape_of(input2), shape_of(weight)
    if len(s1) != len(s2):
        fail(f"bilinear(): input dimensions do not match: got {len(s1)} and {len(s2)}")
    for i in range(len(s1) - 1):
        if s1[i] != s2[i]:
            fail(f"bilinear(): input batch dimensions do not match at dim {i}: got {s1[i]} and {s2[i]}")
    if len(sw) < 2 or s1[-1] != sw[1]:
        fail(f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected "
             f"{sw[1] if len(sw) > 1 else 1}")
    if len(sw) < 3 or s2[-1] != sw[2]:
        fail(f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected "
             f"{sw[2] if len(sw) > 2 else 1}")
    if bias is not None and shape_of(bias)[-1:] != sw[:1]:
        fail(f"bilinear(): bias size does not match weight size: got {(shape_of(bias) or (1,))[-1]} but expected "
             f"{sw[0]}")
    rows = numel(s1[:-1])
    flat1, flat2 = reshape(input1, (rows, s1[-1])), reshape(input2, (rows, s2[-1]))
    out = apply(CH.TRILINEAR, flat1, weight, flat2, expand1=(1, 3), expand2=(0,), expand3=(1, 2), sumdim=(2, 3),
                ndim=4)
    out = reshape(out, tuple(s1[:-1]) + (sw[0],))
    return out if bias is None else add(out, bias)


def _c_name(dtype):
    """A dtype as c10 prints it in messages (float, double, long, ...)."""
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "float16": "c10::Half",
            "bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int"}.get(
        B.dtype_name(dtype), B.dtype_name(dtype))


def softmax2d_check(input):
    if ndim_of(input) not in (3, 4):
        fail(f"Softmax2d: expected input to be 3D or 4D, got {ndim_of(input)}D instead", "value")


# For the namespace (more_names.py): recorded ops of their inputs; random draws (never replayed).
RECORDED = {"prelu": prelu, "glu": glu, "pixel_shuffle": pixel_shuffle, "pixel_unshuffle": pixel_unshuffle,
            "channel_shuffle": channel_shuffle, "local_response_norm": local_response_norm, "bilinear": bilinear}
RANDOM = {"rrelu": rrelu, "rrelu_": rrelu_, "alpha_dropout": alpha_dropout, "feature_alpha_dropout": feature_alpha_dropout}
METHODS = {"prelu": prelu}
