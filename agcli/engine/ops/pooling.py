"""Max and average pooling over the last 2 or 3 dims (1-d pooling is 2-d over an unsqueezed
dim, as ATen does it): MaxPool2DWithIndicesBackward0, AvgPool2DBackward0 and their 3-d
names, and their gradients, which create_graph records as ...BackwardBackward0.

As ATen's CPU kernels: a max pool's window picks its first largest value, or its last nan,
and its index counts positions in the input's plane; an average adds its window's values in
order from zero and divides by the window's size (padding counted or not, or a divisor
given). Gradients are added back output by output, in order. Each entry: grad_fn name,
kernel, rules, the rules in words."""
from __future__ import annotations

from itertools import product

from ..backend import add_at, arange, asarray, astype, copy, full, getitem, kind, setitem, xp, zeros
from ..op import Op
from ..saved import FIELDS, Arg, Computed, Param
from ..tensor import Tensor, apply, data
from . import tangents as T
from .pointwise import zeros_like
from .shapes import reshape
from .writes import gather
from ..layouts import follows_channels_last, lay_out


def pool_sizes(sizes, kernel, stride, padding, dilation, ceil_mode) -> tuple:
    """The output's sizes (ATen's pooling_output_shape)."""
    out = []
    for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation):
        o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:      # the last window must start in the input or its left padding
            o -= 1
        out.append(o)
    return tuple(out)


def _count(sizes) -> int:
    total = 1
    for n in sizes:
        total *= n
    return total


def _offsets(kernel):
    return list(product(*map(range, kernel)))


def _key(offset, stride, dilation, sizes) -> tuple:
    """The padded plane's elements a kernel offset meets, an output position each."""
    return (...,) + tuple(slice(o * d, o * d + (n - 1) * s + 1, s)
                          for o, s, d, n in zip(offset, stride, dilation, sizes))


def _extent(x_sizes, kernel, stride, padding, dilation, sizes) -> tuple:
    """The padded plane's sizes: the padding before, and after as far as the last window reaches."""
    return tuple(p + max(n, (o - 1) * s + d * (k - 1) + 1 - p)
                 for n, k, s, p, d, o in zip(x_sizes, kernel, stride, padding, dilation, sizes))


def _inner(padding, x_sizes) -> tuple:
    return (...,) + tuple(slice(p, p + n) for p, n in zip(padding, x_sizes))


# ---------------------------------------------------------------- max
def max_choice(x, kernel, stride, padding, dilation, ceil_mode):
    """(values, indices): each window's largest value (its last nan, if it holds one) and
    where it is in its plane (a flat index into the last len(kernel) dims)."""
    d = len(kernel)
    x_sizes = tuple(x.shape[-d:])
    sizes = pool_sizes(x_sizes, kernel, stride, padding, dilation, ceil_mode)
    extent = _extent(x_sizes, kernel, stride, padding, dilation, sizes)
    low = _lowest(x.dtype)
    padded = full(tuple(x.shape[:-d]) + extent, low, dtype=x.dtype)
    setitem(padded, _inner(padding, x_sizes), x)
    valid = zeros(extent, dtype=xp.bool)
    setitem(valid, _inner(padding, x_sizes), True)
    offsets = _offsets(kernel)
    keys = [_key(o, stride, dilation, sizes) for o in offsets]
    axis = -d - 1
    values = xp.stack([getitem(padded, k) for k in keys], axis=axis)
    ok = xp.stack([getitem(valid, k) for k in keys], axis=0)
    nan = xp.isnan(values) & ok if kind(x.dtype) == "f" else None
    clean = xp.where(ok & ~nan if nan is not None else ok, values, low)
    best = xp.max(clean, axis=axis, keepdims=True)
    choice = xp.argmax(astype((clean == best) & ok, xp.int8), axis=axis)
    if nan is not None:
        last_nan = len(offsets) - 1 - xp.argmax(astype(xp.flip(nan, axis=axis), xp.int8), axis=axis)
        choice = xp.where(xp.any(nan, axis=axis), last_nan, choice)
    picked = xp.reshape(arange(len(offsets)), (-1,) + (1,) * d) == xp.expand_dims(choice, axis=axis)
    out = xp.max(xp.where(picked, values, low), axis=axis)
    table = asarray(offsets, dtype=xp.int64) if offsets else zeros((0, d), dtype=xp.int64)
    flat_choice = xp.reshape(choice, (-1,))
    index = zeros(choice.shape, dtype=xp.int64)
    for i in range(d):
        grid = xp.reshape(arange(sizes[i], dtype=xp.int64) * stride[i] - padding[i],
                          tuple(sizes[i] if j == i else 1 for j in range(d)))
        offset = xp.reshape(xp.take(table[:, i], flat_choice), choice.shape) * dilation[i]
        index = index * x_sizes[i] + grid + offset
    return out, index


def _lowest(dtype):
    """What padding holds in a max pool: below every value (-inf, or the integers' least)."""
    return -xp.inf if kind(dtype) == "f" else xp.iinfo(dtype).min if kind(dtype) in "iu" else False


def _flat_rows(x, d):
    """x's planes (the last d dims) as rows: (planes, plane size)."""
    return xp.reshape(x, (-1, _count(x.shape[x.ndim - d:])))


def max_grad(g, x, kernel, stride, padding, dilation, ceil_mode):
    """g added at each window's index, output by output."""
    d = len(kernel)
    _, index = max_choice(x, kernel, stride, padding, dilation, ceil_mode)
    planes, plane = _count(x.shape[:x.ndim - d]), _count(x.shape[x.ndim - d:])
    at = xp.reshape(_flat_rows(index, d) + xp.reshape(arange(planes, dtype=xp.int64) * plane, (-1, 1)), (-1,))
    out = zeros((planes * plane,), dtype=g.dtype)
    add_at(out, (at,), xp.reshape(g, (-1,)))
    return xp.reshape(out, x.shape)


def _picked(t, x, out_shape, params):
    """t (with leading batch dims) at the windows' indices of x: max_pool_double_backward."""
    d = len(params["kernel"])
    _, index = max_choice(data(x), **params)
    nb = T.lead(t, x)
    shape = tuple(t.shape)
    rows = reshape(t, shape[:len(shape) - d] + (-1,))
    index = xp.reshape(index, tuple(index.shape[:index.ndim - d]) + (-1,))
    index = xp.broadcast_to(xp.reshape(index, (1,) * nb + tuple(index.shape)),
                            shape[:len(shape) - d] + tuple(index.shape[-1:]))
    picked = gather(rows, len(shape) - d, index)
    return reshape(picked, shape[:len(shape) - d] + tuple(out_shape[len(out_shape) - d:]))


def _max_rule(g, out, x, **params):
    return apply(_MAX_GRADS[len(params["kernel"])], g, x, **params) if type(g) is Tensor \
        else max_grad(g, x, **params)


def _max_ops(d):
    name = f"MaxPool{d}DWithIndicesBackward0"
    pool = Op(name, lambda x, **params: max_choice(x, **params)[0], (_max_rule,),
              (f"max_pool{d}d_with_indices_backward(grad, self, kernel_size, stride, padding, dilation, ceil_mode, "
               "indices)",),
              jvps=(lambda t, out, x, **params: _picked(t, x, data(out).shape, params),))
    grad = Op(f"MaxPool{d}DWithIndicesBackwardBackward0", lambda g, x, **params: max_grad(g, x, **params),
              (lambda gg, out, g, x, **params: _picked(gg, x, data(g).shape, params), _zeros),
              (f"max_pool_double_backward(grad, indices, {d})", "zeros_like(self)"),
              reads=((1,), ()),
              jvps=(lambda t, out, g, x, **params: grad_tangent(t, g, x, _MAX_GRADS[d], params), None))
    return pool, grad


def _zeros(gg, out, g, x, **params):
    """zeros_like(self): the gradient ops' rule for the input, which they read indices or shapes of
    (their output, and so gg, has the input's shape)."""
    return zeros_like(gg)


def grad_tangent(t, g, x, op, params):
    """The tangent of a pool's gradient op (linear in g) for a tangent of g with leading batch dims:
    x broadcast over them (pooling's rules do not mix planes)."""
    nb = T.lead(t, g)
    x = data(x)
    if nb:
        x = xp.broadcast_to(x, tuple(t.shape[:nb]) + tuple(x.shape))
    return apply(op, t, x, **params) if type(t) is Tensor else op.forward(t, x, **params)


# ---------------------------------------------------------------- average
def _divisors(x_sizes, kernel, stride, padding, sizes, count_include_pad, divisor_override, dtype):
    """Each output's divisor: its window's size, padding counted or not, or the given one."""
    if divisor_override:
        return divisor_override
    total = None
    d = len(kernel)
    for i, (n, k, s, p, o) in enumerate(zip(x_sizes, kernel, stride, padding, sizes)):
        start = arange(o, dtype=xp.int64) * s - p
        end = xp.minimum(start + k, n + p)
        size = end - start if count_include_pad else xp.minimum(end, n) - xp.maximum(start, 0)
        size = xp.reshape(size, tuple(o if j == i else 1 for j in range(d)))
        total = size if total is None else total * size
    return astype(total, dtype)


def average(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    d = len(kernel)
    x_sizes = tuple(x.shape[-d:])
    ones = (1,) * d
    sizes = pool_sizes(x_sizes, kernel, stride, padding, ones, ceil_mode)
    padded = zeros(tuple(x.shape[:-d]) + _extent(x_sizes, kernel, stride, padding, ones, sizes), dtype=x.dtype)
    setitem(padded, _inner(padding, x_sizes), x)
    total = zeros(tuple(x.shape[:-d]) + sizes, dtype=x.dtype)
    for offset in _offsets(kernel):                 # (in the window's order, from zero: ATen's sum)
        total = total + getitem(padded, _key(offset, stride, ones, sizes))
    divisors = _divisors(x_sizes, kernel, stride, padding, sizes, count_include_pad, divisor_override, x.dtype)
    if kind(x.dtype) != "f":        # (C++'s integer division: toward zero)
        quotient = xp.abs(total) // xp.abs(divisors)
        return astype(xp.where((total < 0) != (divisors < 0), -quotient, quotient), x.dtype)
    return total / divisors


def average_grad(g, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """Each output's g over its divisor, added to its window's elements. The kernel's offsets
    run backwards, so that each element takes its outputs' shares in the outputs' order."""
    d = len(kernel)
    x_sizes = tuple(x.shape[-d:])
    ones = (1,) * d
    sizes = tuple(g.shape[-d:])
    share = g / _divisors(x_sizes, kernel, stride, padding, sizes, count_include_pad, divisor_override, g.dtype)
    padded = zeros(tuple(x.shape[:-d]) + _extent(x_sizes, kernel, stride, padding, ones, sizes), dtype=g.dtype)
    for offset in reversed(_offsets(kernel)):
        key = _key(offset, stride, ones, sizes)
        setitem(padded, key, getitem(padded, key) + share)
    return copy(getitem(padded, _inner(padding, x_sizes)))      # (contiguous, as PyTorch's)


def _average_rule(g, out, x, **params):
    if type(g) is Tensor:
        return apply(_AVERAGE_GRADS[len(params["kernel"])], g, x, **params)
    return average_grad(g, data(x), **params)


def _average_tangent(t, out, x, **params):
    return apply(AVERAGES[len(params["kernel"])], t, **params) if type(t) is Tensor else average(t, **params)


def _average_ops(d):
    pool = Op(f"AvgPool{d}DBackward0", average, (_average_rule,),
              (f"avg_pool{d}d_backward(grad, self, kernel_size, stride, padding, ceil_mode, count_include_pad, "
               "divisor_override)",),
              jvps=(_average_tangent,))      # (it reads x's shape only, but PyTorch saves x: its version is checked)
    grad = Op(f"AvgPool{d}DBackwardBackward0", average_grad,
              (lambda gg, out, g, x, **params: _average_tangent(gg, None, x, **params), _zeros),
              (f"avg_pool{d}d(grad, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)",
               "zeros_like(self)"), saves=False,
              jvps=(lambda t, out, g, x, **params: grad_tangent(t, g, x, _AVERAGE_GRADS[d], params), None))
    return pool, grad


MAX_POOL_2D, MAX_POOL_2D_GRAD = _max_ops(2)
MAX_POOL_3D, MAX_POOL_3D_GRAD = _max_ops(3)
AVG_POOL_2D, AVG_POOL_2D_GRAD = _average_ops(2)
AVG_POOL_3D, AVG_POOL_3D_GRAD = _average_ops(3)
MAX_POOLS = {2: MAX_POOL_2D, 3: MAX_POOL_3D}
_MAX_GRADS = {2: MAX_POOL_2D_GRAD, 3: MAX_POOL_3D_GRAD}
AVERAGES = {2: AVG_POOL_2D, 3: AVG_POOL_3D}
_AVERAGE_GRADS = {2: AVG_POOL_2D_GRAD, 3: AVG_POOL_3D_GRAD}



def _indices(node):
    """max pool's indices (PyTorch's result1), as a tensor."""
    return Tensor(max_choice(node.arrays[0] if node.arrays is not None else data(node.inputs[0]),
                             **node.params)[1], device=node.out.device)


# What the nodes keep, by PyTorch's names (grad_fn._saved_kernel_size, ...: engine/saved.py).
for _d in (2, 3):
    FIELDS[f"MaxPool{_d}DWithIndicesBackward0"] = {
        "ceil_mode": Param("ceil_mode"), "dilation": Param("dilation"), "kernel_size": Param("kernel"),
        "padding": Param("padding"), "result1": Computed(_indices), "self": Arg(0), "stride": Param("stride")}
    FIELDS[f"AvgPool{_d}DBackward0"] = {
        "ceil_mode": Param("ceil_mode"), "count_include_pad": Param("count_include_pad"),
        "divisor_override": Param("divisor_override"), "kernel_size": Param("kernel"), "padding": Param("padding"),
        "self": Arg(0), "stride": Param("stride")}

# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line

# a channels_last input (or weight) gives a channels_last result (suggest_memory_format)
lay_out(follows_channels_last, MAX_POOL_2D, MAX_POOL_3D, AVG_POOL_2D, AVG_POOL_3D)
