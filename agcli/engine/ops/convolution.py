"""Convolution over 1, 2 or 3 spatial dims (ConvolutionBackward0), and its three gradients,
which create_graph records as ConvolutionBackwardBackward0 (PyTorch's one node with three
outputs; here a node an output, each with the inputs (grad, input, weight) PyTorch's has).

The kernels follow ATen's slow_conv2d: the input's windows laid out as columns (im2col,
channel-major, then the kernel's offsets in order), one matrix product a group, and the
input's gradient added back window by window (col2im, in the kernel's order). Every
array is (N, C, *spatial); params: stride, padding, dilation (a number a spatial dim)
and groups. Each entry: grad_fn name, kernel, rules, the rules in words."""
from __future__ import annotations

from itertools import product

from ..backend import copy, getitem, reduce_sum, setitem, xp, zeros
from ..op import Op, undefined
from ..saved import FIELDS, Arg, Computed, Param
from ..tensor import Tensor, apply, data
from . import tangents as T
from .shapes import STACK, expand, permute, reshape, select


def out_sizes(sizes, kernel, stride, padding, dilation) -> tuple:
    """The output's spatial sizes (ATen's conv_output_size)."""
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation))


def _count(sizes) -> int:
    total = 1
    for n in sizes:
        total *= n
    return total


def _window(offset, stride, dilation, sizes) -> tuple:
    """The key of the padded input's elements that a kernel offset meets, for each output position."""
    return (slice(None), slice(None)) + tuple(slice(o * d, o * d + (n - 1) * s + 1, s)
                                              for o, s, d, n in zip(offset, stride, dilation, sizes))


def _padded(x, padding):
    if not any(padding):
        return x
    out = zeros(tuple(x.shape[:2]) + tuple(n + 2 * p for n, p in zip(x.shape[2:], padding)), dtype=x.dtype)
    setitem(out, (slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(padding, x.shape[2:])), x)
    return out


def _columns(x, kernel, stride, padding, dilation, groups):
    """im2col: (groups, C/groups * prod(kernel), N * prod(out)), channel-major then kernel offsets."""
    sizes = out_sizes(x.shape[2:], kernel, stride, padding, dilation)
    x = _padded(x, padding)
    n, c = x.shape[:2]
    cols = xp.stack([getitem(x, _window(o, stride, dilation, sizes)) for o in product(*map(range, kernel))], axis=2)
    cols = xp.reshape(cols, (n, groups, c // groups * _count(kernel), _count(sizes)))
    return xp.reshape(xp.permute_dims(cols, (1, 2, 0, 3)), (groups, c // groups * _count(kernel), n * _count(sizes)))


def _weights(w, groups):
    """The weight as one matrix a group: (groups, C_out/groups, C_in/groups * prod(kernel))."""
    return xp.reshape(w, (groups, w.shape[0] // groups, _count(w.shape[1:])))


def _by_group(y, groups, n, sizes):
    """(groups, C/groups, N * prod(sizes)) -> (N, C, *sizes)."""
    y = xp.reshape(y, (y.shape[0], y.shape[1], n, _count(sizes)))
    return xp.reshape(xp.permute_dims(y, (2, 0, 1, 3)), (n, y.shape[0] * y.shape[1]) + tuple(sizes))


def _grouped(g, groups):
    """(N, C, *sizes) -> (groups, C/groups, N * prod(sizes))."""
    n, c = g.shape[:2]
    g = xp.reshape(g, (n, groups, c // groups, _count(g.shape[2:])))
    return xp.reshape(xp.permute_dims(g, (1, 2, 0, 3)), (groups, c // groups, n * _count(g.shape[3:])))


def convolve(x, w, b, stride, padding, dilation, groups):
    """The convolution of x by w, plus b (None: no bias)."""
    sizes = out_sizes(x.shape[2:], w.shape[2:], stride, padding, dilation)
    y = xp.matmul(_weights(w, groups), _columns(x, w.shape[2:], stride, padding, dilation, groups))
    # (laid out as PyTorch's: contiguous, which views and random fills in memory order rely on)
    y = copy(_by_group(y, groups, x.shape[0], sizes))
    return y if b is None else y + xp.reshape(b, (1, -1) + (1,) * len(sizes))


def input_grad(g, x, w, stride, padding, dilation, groups):
    """The input's gradient: the weight's transpose times g, each column added back into the
    window it came from (col2im), the padding cut off. x gives only the input's shape."""
    kernel, sizes = w.shape[2:], g.shape[2:]
    n, c = x.shape[:2]
    cols = xp.matmul(xp.permute_dims(_weights(w, groups), (0, 2, 1)), _grouped(g, groups))
    cols = xp.reshape(cols, (c, _count(kernel), n) + tuple(sizes))
    padded = zeros((n, c) + tuple(m + 2 * p for m, p in zip(x.shape[2:], padding)), dtype=g.dtype)
    for k, offset in enumerate(product(*map(range, kernel))):
        key = _window(offset, stride, dilation, sizes)
        column = xp.permute_dims(cols[:, k, ...], (1, 0) + tuple(range(2, 2 + len(sizes))))    # (N, C, *sizes)
        setitem(padded, key, getitem(padded, key) + column)
    return copy(getitem(padded, (slice(None), slice(None)) + tuple(slice(p, p + m)
                                                                   for p, m in zip(padding, x.shape[2:]))))


def weight_grad(g, x, w, stride, padding, dilation, groups):
    """The weight's gradient: g times the input's columns, over every output position of every
    sample. w gives only the weight's shape."""
    cols = _columns(x, w.shape[2:], stride, padding, dilation, groups)
    return xp.reshape(xp.matmul(_grouped(g, groups), xp.permute_dims(cols, (0, 2, 1))), w.shape)


def bias_grad(g):
    return reduce_sum(g, axis=(0,) + tuple(range(2, g.ndim)))


# ----- the rules: on raw arrays they compute, on tensors they record (so create_graph works)

def _any_tensor(*values) -> bool:
    return any(type(v) is Tensor for v in values)


def conv(x, w, b=None, **params):
    return apply(CONVOLUTION, x, w, b, **params) if _any_tensor(x, w, b) else convolve(x, w, b, **params)


def conv_input_grad(g, x, w, **params):
    return apply(CONV_INPUT_GRAD, g, x, w, **params) if _any_tensor(g, w) else input_grad(g, data(x), w, **params)


def conv_weight_grad(g, x, w, **params):
    return apply(CONV_WEIGHT_GRAD, g, x, w, **params) if _any_tensor(g, x) else weight_grad(g, x, data(w), **params)


def conv_bias(g, x, w, **params):
    """The bias's gradient: g summed over the samples and positions."""
    return apply(CONV_BIAS_GRAD, g, x, w, **params) if type(g) is Tensor else bias_grad(g)


def _bias_rule(g, out, x, w, b, **params):
    return conv_bias(g, x, w, **params)


# ----- forward mode: a tangent may carry leading batch dims, folded into the samples or the
# output channels and unfolded after

def _input_tangent(t, out, x, w, b, **params):
    nb = T.lead(t, x)
    y = conv(reshape(t, (-1,) + tuple(x.shape[1:])), w, None, **params)
    return reshape(y, tuple(t.shape[:nb]) + tuple(x.shape[:1]) + tuple(data(y).shape[1:]))


def _weight_tangent(t, out, x, w, b, **params):
    """conv(x, t): a batch of weights is a convolution with more output channels a group."""
    nb, groups = T.lead(t, w), params["groups"]
    batch, count = tuple(t.shape[:nb]), _count(t.shape[:nb])
    per = w.shape[0] // groups
    t = reshape(t, (count, groups, per) + tuple(w.shape[1:]))
    t = reshape(permute(t, (1, 0) + tuple(range(2, t.ndim))), (groups * count * per,) + tuple(w.shape[1:]))
    y = conv(x, t, None, **params)
    shape = tuple(data(y).shape)
    y = reshape(y, (shape[0], groups, count, per) + shape[2:])
    y = permute(y, (2, 0, 1) + tuple(range(3, len(shape) + 2)))
    return reshape(y, batch + (shape[0], groups * per) + shape[2:])


def _bias_tangent(t, out, x, w, b, **params):
    return bias_tangent(t, out, b)


def bias_tangent(t, out, b):
    """The bias's tangent, laid out to broadcast against the output (after t's batch dims)."""
    nb = T.lead(t, b)
    return reshape(t, tuple(t.shape[:nb]) + (1, b.shape[0]) + (1,) * (data(out).ndim - 2))


def _input_grad_rules():
    """grad_input = conv_transpose(g, w): linear in g and in w."""
    def by_g(gg, out, g, x, w, **params):
        return conv(gg, w, None, **params)

    def by_w(gg, out, g, x, w, **params):
        return conv_weight_grad(g, gg, w, **params)

    return by_g, undefined, by_w


def _weight_grad_rules():
    """grad_weight = g (x) columns of x: linear in g and in x."""
    def by_g(gg, out, g, x, w, **params):
        return conv(x, gg, None, **params)

    def by_x(gg, out, g, x, w, **params):
        return conv_input_grad(g, x, gg, **params)

    return by_g, by_x, undefined


def _bias_grad_rule(gg, out, g, x, w, **params):
    shape = tuple(data(g).shape)
    gg = reshape(gg, (1, shape[1]) + (1,) * (len(shape) - 2))
    return expand(gg, shape) if type(gg) is Tensor else xp.broadcast_to(gg, shape)


_NAME = "ConvolutionBackward0"
_TWICE = "ConvolutionBackwardBackward0"
CONVOLUTION = Op(_NAME, convolve,
                 (lambda g, out, x, w, b, **params: conv_input_grad(g, x, w, **params),
                  lambda g, out, x, w, b, **params: conv_weight_grad(g, x, w, **params),
                  _bias_rule),
                 ("convolution_backward(grad, input, weight, stride, padding, dilation, groups)[0]",
                  "convolution_backward(grad, input, weight, stride, padding, dilation, groups)[1]",
                  "convolution_backward(grad, input, weight, stride, padding, dilation, groups)[2]"),
                 reads=((0, 1), (0, 1), (0, 1)),       # (PyTorch saves both for any of the three)
                 jvps=(_input_tangent, _weight_tangent, _bias_tangent))
CONV_INPUT_GRAD = Op(_TWICE, lambda g, x, w, **params: input_grad(g, x, w, **params), _input_grad_rules(),
                     ("convolution(grad, weight, None, stride, padding, dilation, groups)",
                      "undefined (it reads the input's shape only)",
                      "convolution_backward(grad_output, grad, weight, stride, padding, dilation, groups)[1]"),
                     reads=((2,), (), (0,)),
                     jvps=(lambda t, out, g, x, w, **params: lead_call(t, g, conv_input_grad, x, w, params, 0), None,
                           lambda t, out, g, x, w, **params: lead_call(t, w, conv_input_grad, g, x, params, 2)))
CONV_WEIGHT_GRAD = Op(_TWICE, lambda g, x, w, **params: weight_grad(g, x, w, **params), _weight_grad_rules(),
                      ("convolution(input, grad, None, stride, padding, dilation, groups)",
                       "convolution_backward(grad_output, input, grad, stride, padding, dilation, groups)[0]",
                       "undefined (it reads the weight's shape only)"), reads=((1,), (0,), ()),
                      jvps=(lambda t, out, g, x, w, **params: lead_call(t, g, conv_weight_grad, x, w, params, 0),
                            lambda t, out, g, x, w, **params: lead_call(t, x, conv_weight_grad, g, w, params, 1),
                            None))
CONV_BIAS_GRAD = Op(_TWICE, lambda g, x, w, **params: bias_grad(g), (_bias_grad_rule, undefined, undefined),
                    ("grad.reshape(1, C, 1, ...).expand(grad_output.sizes())", "undefined", "undefined"), saves=False,
                    jvps=(lambda t, out, g, x, w, **params: T.summed(t, g, (0,) + tuple(range(2, g.ndim))), None, None))


def lead_call(t, like, rule, first, second, params, at):
    """rule with the tangent t in argument place `at` (the other two arguments given in
    order), once a batch entry of t's leading dims (as many as t has beyond `like`'s), stacked."""
    nb = T.lead(t, like)
    if nb == 0:
        return rule(*_placed(t, first, second, at), **params)
    batch = tuple(t.shape[:nb])
    flat = reshape(t, (-1,) + tuple(t.shape[nb:]))
    pieces = [rule(*_placed(select(flat, 0, i), first, second, at), **params) for i in range(_count(batch))]
    stacked = apply(STACK, *pieces, dim=0) if _any_tensor(*pieces) else xp.stack(pieces, axis=0)
    return reshape(stacked, batch + tuple(data(stacked).shape[1:]))


def _placed(t, first, second, at):
    args = [first, second]
    args.insert(at, t)
    return args



# What the nodes keep, by PyTorch's names (grad_fn._saved_stride, ...: engine/saved.py).
FIELDS[_NAME] = {"bias_sym_sizes_opt": Computed(lambda node: tuple(node.shapes[2]) or (0,), tensor=False),
                 "dilation": Param("dilation"), "groups": Param("groups"), "input": Arg(0),
                 "output_padding": Computed(lambda node: node.params.get("output_padding")
                                            or (0,) * len(node.params["stride"]), tensor=False),
                 "padding": Param("padding"), "stride": Param("stride"),
                 "transposed": Computed(lambda node: "output_padding" in node.params, tensor=False),
                 "weight": Arg(1)}

# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
