"""torch.nn.utils.rnn.pad_sequence, as ATen's pad_sequence makes it: a tensor full of
padding_value, and each sequence copied in place into its stretch (so the graph is PyTorch's
chain of CopySlices, one a sequence). The packed sequences of torch.nn.utils.rnn are not here.
"""
from __future__ import annotations

from ...engine import backend as B
from ...engine.tensor import Tensor
from ...errors import AgcliError
from ...torchapi import creation as C
from ...torchapi import in_place
from ...torchapi.indexing import select
from ...torchapi.shaping import narrow
from ..program_exceptions import raise_python
from ..program_iteration import iterate
from ..program_values import type_name


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    if sequences is None or isinstance(sequences, (bool, int, float)):
        raise_python(RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                                  f"<class '{type_name(sequences)}'>"))
    seqs = tuple(iterate(sequences))        # (a tensor: its rows, as tuple() gives them)
    if padding_side not in ("left", "right"):
        raise AgcliError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if not seqs:
        raise AgcliError("received an empty list of sequences")
    for k, s in enumerate(seqs):
        if type(s) is not Tensor:
            raise AgcliError(f"expected Tensor as element {k} in argument 0, but got {type_name(s)}", kind="type")
    first = seqs[0]
    if first.data.ndim == 0:        # (ATen's sizes().slice(1) of no sizes)
        raise AgcliError("ArrayRef: invalid slice, N = 1; size = 0")
    longest = max(s.data.shape[0] if s.data.ndim else 0 for s in seqs)
    lead = (len(seqs), longest) if batch_first else (longest, len(seqs))
    out = C.full(lead + tuple(first.data.shape[1:]), padding_value, dtype=B.dtype_name(first.data.dtype),
                 device=first.device)
    for i, s in enumerate(seqs):
        if s.data.ndim == 0:
            raise AgcliError("Dimension specified as 0 but tensor has no dimensions", kind="index")
        n = s.data.shape[0]
        start = longest - n if padding_side == "left" else 0
        if batch_first:
            in_place.copy_(narrow(select(out, 0, i), 0, start, n), s)
        else:
            in_place.copy_(select(narrow(out, 0, start, n), 1, i), s)
    return out


FUNCTIONS = {"pad_sequence": pad_sequence}
# torch.nn.utils.rnn's other names (importing one says PyTorch has it)
PYTORCH_ONLY = frozenset(("PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence",
                          "unpack_sequence", "unpad_sequence", "invert_permutation"))
