"""torch.nn.utils.rnn's packing: a padded batch's valid steps gathered time-major into one
tensor (_pack_padded_sequence: PackPaddedSequenceBackward0), and its gradient, which ATen
composes (_pack_padded_sequence_backward: zeros, each step's rows copied in, CopySlices when
create_graph records it). Lengths are sorted in decreasing order (the caller checks).
"""
from __future__ import annotations

from ..backend import getitem, setitem, swapaxes, xp, zeros
from ..op import Op, forward_ad_not_implemented
from ..tensor import Tensor, apply
from .shapes import COPY_SLICES, slice_, transpose


def _blocks(lengths):
    """ATen's loop: (first step, last step, batch size) of each block of steps with one batch size,
    scanning the lengths from the shortest."""
    blocks, previous, batch = [], 0, len(lengths)
    for i in range(batch):
        length = lengths[batch - 1 - i]
        if length > previous:
            blocks.append((previous, length, batch - i))
            previous = length
    return blocks


def batch_sizes(lengths):
    """Each step's batch size (the number of sequences longer than the step)."""
    return [size for start, stop, size in _blocks(lengths) for _ in range(stop - start)]


def _packed(x, lengths, batch_first):
    x = swapaxes(x, 0, 1) if batch_first else x
    rest = tuple(x.shape[2:])
    pieces = [xp.reshape(getitem(x, (slice(start, stop), slice(0, size))), (-1,) + rest)
              for start, stop, size in _blocks(lengths)]
    return xp.concat(pieces, axis=0)


def _unpacked(g, shape, lengths, batch_first):
    """_pack_padded_sequence_backward: zeros of the input's (time-major) shape, each step's rows of
    g copied into its first rows, then transposed back when batch_first."""
    shape = (shape[1], shape[0]) + tuple(shape[2:]) if batch_first else tuple(shape)
    offset = 0
    if type(g) is Tensor:
        out = Tensor(zeros(shape, dtype=g.data.dtype))
        for i, size in enumerate(batch_sizes(lengths)):
            out = apply(COPY_SLICES, out, slice_(g, 0, offset, offset + size, 1), key=(i, slice(0, size)))
            offset += size
        return transpose(out, 0, 1) if batch_first else out
    out = zeros(shape, dtype=g.dtype)
    for i, size in enumerate(batch_sizes(lengths)):
        setitem(out, (i, slice(0, size)), getitem(g, (slice(offset, offset + size),)))
        offset += size
    return swapaxes(out, 0, 1) if batch_first else out


_no_forward = forward_ad_not_implemented("_pack_padded_sequence")


PACK_PADDED = Op("PackPaddedSequenceBackward0", _packed,
                 (lambda g, out, x, lengths, batch_first: _unpacked(g, x.shape, lengths, batch_first),),
                 ("_pack_padded_sequence_backward(grad, input.sizes(), result1, batch_first)",), saves=False,
                 jvps=(_no_forward,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
