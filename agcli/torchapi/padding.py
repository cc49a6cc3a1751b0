"""torch.nn.functional's pad with all its modes: a constant (nn.py's, ConstantPadNdBackward0), and
reflect and replicate (Reflection/ReplicationPad1D/2D/3DBackward0) for the combinations of
padding length and input dims ATen takes, with ATen's checks in its words, and circular, which
ATen composes from copies into slices of a new tensor (its graph: CopySlices)."""
from __future__ import annotations

from ..engine.ops import padding_modes as PM
from ..engine.tensor import apply
from . import creation as C
from .in_place import copy_
from .shaping import narrow
from .checks import fail, is_int, ndim_of, shape_of, tensors_only
from .nn import pad as constant_pad

_COMBINATIONS = ("Supported combinations for non-constant padding:\n"
                 "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                 "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                 "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def pad(input, pad, mode="constant", value=None):
    """F.pad (torch._C._nn.pad)."""
    if mode == "constant":
        return constant_pad(input, pad, mode, value)
    if mode not in ("reflect", "replicate", "circular"):
        fail(f"Unrecognised padding mode {mode}", "not_implemented")
    tensors_only("pad", input=input)
    if not isinstance(pad, (tuple, list)) or not all(is_int(p) for p in pad):
        fail(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}", "type")
    pad = tuple(int(p) for p in pad)
    n = ndim_of(input)
    if len(pad) % 2:
        fail("Padding length must be divisible by 2")
    if len(pad) > 2 * n:
        fail(f"Padding length should be less than or equal to two times the input dimension but got padding length "
             f"{len(pad)} and input of dimension {n}")
    if value is not None and value != 0:
        fail(f'Padding mode "{mode}" doesn\'t take in value argument')
    d = len(pad) // 2
    if d not in (1, 2, 3) or n not in (d + 1, d + 2):
        fail(f"Padding size {len(pad)} is not supported for {n}D input tensor.\n{_COMBINATIONS}", "not_implemented")
    shape = shape_of(input)
    if mode == "circular":
        return _circular(input, pad, shape, d)
    if mode == "reflect":
        for k in range(d):                  # (the last dim first: Argument #4, #6, #8)
            dim = n - 1 - k
            before, after = pad[2 * k], pad[2 * k + 1]
            if not (before < shape[dim] and after < shape[dim]):
                fail(f"Argument #{4 + 2 * k}: Padding size should be less than the corresponding input dimension, but "
                     f"got: padding ({before}, {after}) at dimension {dim} of input {_sizes(shape)}")
    out = [shape[n - 1 - k] + pad[2 * k] + pad[2 * k + 1] for k in range(d)]
    if d == 1 and out[0] < 1:
        fail(f"input (W: {shape[-1]}) is too small. Calculated output W: {out[0]}")
    if all(v < 1 for v in out):
        names = "WHD"[:d]
        fail(f"input ({', '.join(f'{a}: {shape[n - 1 - k]}' for k, a in reversed(list(enumerate(names))))}) is too "
             f"small. Calculated output {' '.join(f'{a}: {v}' for a, v in reversed(list(zip(names, out))))}")
    return apply(PM.PADS[mode, d], input, mode=mode, pad=pad, in_shape=tuple(shape))


def _circular(input, pad, shape, d):
    """ATen's _pad_circular: the input copied into the middle of a new tensor, then each padded dim's
    ends copied from the far side of what is there (corners are written more than once)."""
    kept = len(shape) - d
    out_shape = list(shape)
    for i in range(d):
        before, after = pad[2 * (d - i - 1)], pad[2 * (d - i - 1) + 1]
        size = shape[kept + i]
        out_shape[kept + i] = size + before + after
        if not (before <= size and after <= size):
            fail("Padding value causes wrapping around more than once.")
        if out_shape[kept + i] < 0:
            fail("Negative padding value is resulting in an empty dimension")
    out = C.new_empty(input, tuple(out_shape))
    out_slice, in_slice = out, input
    for i in range(d):
        dim, before, after = len(shape) - 1 - i, pad[2 * i], pad[2 * i + 1]
        start, end = max(before, 0), out_shape[dim] - max(after, 0)
        out_slice = narrow(out_slice, dim, start, end - start)
        start, end = max(-before, 0), shape[dim] - max(-after, 0)
        in_slice = narrow(in_slice, dim, start, end - start)
    copy_(out_slice, in_slice)
    for i in range(d):
        dim, before, after = len(shape) - 1 - i, pad[2 * i], pad[2 * i + 1]
        if before > 0:
            copy_(narrow(out, dim, 0, before), narrow(out, dim, out_shape[dim] - before - max(after, 0), before))
        if after > 0:
            copy_(narrow(out, dim, out_shape[dim] - after, after), narrow(out, dim, max(before, 0), after))
    return out


# For the namespace (torchapi/namespace.py): a recorded op of its input, which a batch may replay
RECORDED = {"pad": pad}
