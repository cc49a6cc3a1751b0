"""torch.nn.functional's unfold and fold: im2col (Im2ColBackward0), each sliding block of a
(N, C, H, W) input laid out as a column of (N, C * kh * kw, L), channel-major then the kernel's
offsets in order, and col2im (Col2ImBackward0), its adjoint, each column added back into the block
it came from, offset by offset (ATen's col2im order, so sums are PyTorch's bit for bit), the
padding cut off. Each is the other's gradient (derivatives.yaml), so create_graph records the
other's node; both are linear, so a tangent is mapped as the input is. Leading dims other than
the last three (two for col2im's input) are a batch. params: kernel, dilation, padding, stride
(pairs); col2im's output_size (a pair)."""
from __future__ import annotations

from itertools import product

from ..backend import copy, getitem, setitem, xp, zeros
from ..op import Op
from ..tensor import Tensor, apply
from .convolution import _padded, _window, out_sizes


def _count(pair):
    return pair[0] * pair[1]


def im2col(x, kernel, dilation, padding, stride):
    lead, (c, h, w) = tuple(x.shape[:-3]), tuple(x.shape[-3:])
    sizes = out_sizes((h, w), kernel, stride, padding, dilation)
    x = _padded(xp.reshape(x, (-1, c, h, w)), padding)
    cols = xp.stack([getitem(x, _window(o, stride, dilation, sizes)) for o in product(*map(range, kernel))], axis=2)
    return copy(xp.reshape(cols, lead + (c * _count(kernel), _count(sizes))))


def col2im(g, output_size, kernel, dilation, padding, stride):
    lead, (ck, _) = tuple(g.shape[:-2]), tuple(g.shape[-2:])
    c, sizes = ck // _count(kernel), out_sizes(output_size, kernel, stride, padding, dilation)
    cols = xp.reshape(g, (-1, c, _count(kernel)) + sizes)
    n = cols.shape[0]
    padded = zeros((n, c) + tuple(m + 2 * p for m, p in zip(output_size, padding)), dtype=g.dtype)
    for k, offset in enumerate(product(*map(range, kernel))):
        key = _window(offset, stride, dilation, sizes)
        setitem(padded, key, getitem(padded, key) + cols[:, :, k, ...])
    crop = (slice(None), slice(None)) + tuple(slice(p, p + m) for p, m in zip(padding, output_size))
    return copy(xp.reshape(getitem(padded, crop), lead + (c,) + tuple(output_size)))


def unfolded(x, **params):
    return apply(IM2COL, x, **params) if type(x) is Tensor else im2col(x, **params)


def folded(g, **params):
    return apply(COL2IM, g, **params) if type(g) is Tensor else col2im(g, **params)


IM2COL = Op("Im2ColBackward0", im2col,
            (lambda g, out, x, **p: folded(g, output_size=tuple(x.shape[-2:]), **p),),
            ("col2im(grad, {self.size(-2), self.size(-1)}, kernel_size, dilation, padding, stride)",),
            saves=False, jvps=(lambda t, out, x, **p: unfolded(t, **p),))
COL2IM = Op("Col2ImBackward0", col2im,
            (lambda g, out, x, output_size, **p: unfolded(g, **p),),
            ("im2col(grad, kernel_size, dilation, padding, stride)",), saves=False,
            jvps=(lambda t, out, x, **p: folded(t, **p),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
