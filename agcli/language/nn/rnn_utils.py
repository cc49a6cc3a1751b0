"""torch.nn.utils.rnn: PackedSequence (a named tuple of data, batch_sizes, sorted_indices and
unsorted_indices, printed as Python prints one), pad_sequence, pack_padded_sequence,
pad_packed_sequence, pack_sequence, unpad_sequence, unpack_sequence and invert_permutation,
as torch/nn/utils/rnn.py and ATen (aten/src/ATen/native/PackedSequence.cpp) compose them, so
that the graph is PyTorch's: pad_sequence and pad_packed_sequence copy into slices of a tensor
filled with the padding value (CopySlices), packing is one PackPaddedSequenceBackward0 node.
"""
from __future__ import annotations

from ...engine import backend as B
from ...engine.ops.packing import PACK_PADDED, batch_sizes as sizes_of
from ...engine.tensor import Tensor, apply
from ...errors import AgcliError
from ...torchapi import creation as C
from ...torchapi import functions as Fn
from ...torchapi.dtypes import dtype_name
from ...torchapi.indexing import getitem
from ..program_exceptions import raise_python
from ..program_iteration import iterate
from ..program_names import receiver_tables
from ..program_values import type_name, value_repr
from .layers import method
from .native import typename

_FIELDS = ("data", "batch_sizes", "sorted_indices", "unsorted_indices")


class PackedSequence(tuple):
    """What pack_padded_sequence and the recurrent layers return: (data, batch_sizes,
    sorted_indices, unsorted_indices), also by name."""

    type_name, pytorch_module = "PackedSequence", "torch.nn.utils.rnn"      # (as type() names it)
    program_attributes = {**{n: n for n in _FIELDS}, "is_cuda": "is_cuda"}
    program_methods = frozenset(("to", "cpu", "double", "float", "half", "long", "int", "is_pinned"))

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise_python(AssertionError("Expected data to be a list or tuple of length 2"))
            data, batch_sizes = data
        return super().__new__(cls, (data, batch_sizes, sorted_indices, unsorted_indices))

    data = property(lambda self: self[0])
    batch_sizes = property(lambda self: self[1])
    sorted_indices = property(lambda self: self[2])
    unsorted_indices = property(lambda self: self[3])
    is_cuda = property(lambda self: False)

    def to(self, *args, **kwargs):
        data = receiver_tables()[0]["to"](self.data, *args, **kwargs)
        return self if data is self.data else PackedSequence(data, *self[1:])

    def cpu(self, *args, **kwargs):
        return self

    def is_pinned(self):
        return False

    def double(self):
        return self.to("float64")

    def float(self):
        return self.to("float32")

    def half(self):
        return self.to("float16")

    def long(self):
        return self.to("int64")

    def int(self):
        return self.to("int32")

    def __repr__(self):
        return "PackedSequence(" + ", ".join(f"{n}={value_repr(v)}" for n, v in zip(_FIELDS, self)) + ")"


def int_list(t):
    return [int(v) for v in B.tolist(t.data)]


def _long(values):
    return C.tensor(list(values), dtype="int64")


def invert_permutation(permutation):
    if permutation is None:
        return None
    order = int_list(permutation)
    inverse = [0] * len(order)
    for i, p in enumerate(order):
        inverse[p] = i
    return _long(inverse)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """ATen's pad_sequence: a tensor full of padding_value, each sequence copied into its slice."""
    if isinstance(sequences, (int, float, bool)) or sequences is None:
        raise AgcliError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                         f"<class '{typename(sequences)}'>")
    sequences = tuple(iterate(sequences))
    for k, seq in enumerate(sequences):
        if type(seq) is not Tensor:
            raise_python(TypeError(f"expected Tensor as element {k} in argument 0, but got {typename(seq)}"))
    if not sequences:
        raise AgcliError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise AgcliError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    first = sequences[0]
    lengths = [method(seq, "size", 0) for seq in sequences]
    longest = max(lengths)
    dims = (len(sequences), longest) if batch_first else (longest, len(sequences))
    out = C.full(dims + tuple(first.shape[1:]), padding_value, dtype=dtype_name(first.data.dtype),
                 device=first.device)
    for i, (seq, length) in enumerate(zip(sequences, lengths)):
        start = longest - length if padding_side == "left" else 0
        if batch_first:
            target = method(method(out, "select", 0, i), "narrow", 0, start, length)
        else:
            target = method(method(out, "narrow", 0, start, length), "select", 1, i)
        method(target, "copy_", seq)
    return out


def _lengths(lengths):
    """torch.as_tensor(lengths, dtype=torch.int64), or lengths.to(torch.int64)."""
    if type(lengths) is Tensor:
        return C.tensor(B.tolist(lengths.data), dtype="int64") if lengths.data.ndim else \
            C.tensor(int(B.item(lengths.data)), dtype="int64")
    return C.tensor([int(B.item(v.data)) if type(v) is Tensor else v for v in iterate(lengths)], dtype="int64")


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    if type(input) is not Tensor:
        raise_python(AttributeError(f"'{type_name(input)}' object has no attribute 'index_select'"))
    lengths = _lengths(lengths)
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = Fn.sort(lengths, descending=True)
        input = method(input, "index_select", 0 if batch_first else 1, sorted_indices)
    if lengths.data.ndim != 1:
        raise AgcliError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.data.ndim}D cpu "
                         "Long tensor")
    values = int_list(lengths)
    batch = method(input, "size", 0 if batch_first else 1)
    if input.data.size == 0:
        raise AgcliError("Cannot pack empty tensors.")
    if len(values) != batch:
        raise AgcliError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(values)} "
                         f"(batch_size={batch})")
    if values[-1] <= 0:
        raise AgcliError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                         "is <= 0")
    if any(a < b for a, b in zip(values, values[1:])):
        raise AgcliError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
                         "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                         "requirement if you do not need ONNX exportability.")
    data = apply(PACK_PADDED, input, lengths=tuple(values), batch_first=bool(batch_first))
    return PackedSequence(data, _long(sizes_of(values)), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """ATen's _pad_packed_sequence: each block of steps with one batch size copied from the data into
    a tensor full of padding_value, then the batch put back in its order."""
    if not isinstance(sequence, PackedSequence):
        raise_python(AttributeError(f"'{type_name(sequence)}' object has no attribute 'batch_sizes'"))
    data, batch_sizes, _, unsorted_indices = sequence
    sizes = int_list(batch_sizes)
    length = len(sizes)
    if total_length is not None:
        if total_length < length:
            raise_python(ValueError("Expected total_length to be at least the length of the longest sequence in "
                                    f"input, but got total_length={total_length} and max sequence length being "
                                    f"{length}"))
        length = total_length
    rest = tuple(data.shape[1:])
    output = C.full((length, sizes[0]) + rest, padding_value, dtype=dtype_name(data.data.dtype), device=data.device)
    lengths = [0] * sizes[0]
    offset, previous, previous_i = 0, sizes[0], 0
    for i in range(len(sizes) + 1):
        size = sizes[i] if i != len(sizes) else 0
        if size != previous:
            count = previous * (i - previous_i)
            piece = method(method(data, "narrow", 0, offset, count), "view", (i - previous_i, previous) + rest)
            method(method(method(output, "narrow", 0, previous_i, i - previous_i), "narrow", 1, 0, previous),
                   "copy_", piece)
            offset, previous_i = offset + count, i
        for j in range(size, previous):
            lengths[j] = i
        previous = size
    if batch_first:
        output = method(output, "transpose", 0, 1)
    if unsorted_indices is not None:
        order = int_list(unsorted_indices)
        return method(output, "index_select", 0 if batch_first else 1, unsorted_indices), \
            _long(lengths[k] for k in order)
    return output, _long(lengths)


def pack_sequence(sequences, enforce_sorted=True):
    sequences = list(iterate(sequences))
    lengths = C.tensor([method(v, "size", 0) for v in sequences]) if sequences else C.tensor([])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    if not batch_first:
        method(padded_sequences, "transpose_", 0, 1)
    longest = padded_sequences.shape[1]
    unpadded = []
    for seq, length in zip(iterate(padded_sequences), iterate(lengths)):
        count = int(B.item(length.data)) if type(length) is Tensor else length
        unpadded.append(getitem(seq, C.tensor([k < count for k in range(longest)])))
    return unpadded


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


FUNCTIONS = {f.__name__: f for f in (pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence,
                                     unpad_sequence, unpack_sequence, invert_permutation)}
