"""torch.nn.utils.rnn (language/nn/rnn_utils.py) and the recurrent layers given a PackedSequence
(recurrent_packed.py): every parameter's, input's and initial state's gradient through
pad_sequence, pack_padded_sequence, the packed layers and pad_packed_sequence against central
finite differences in float64, taken by the program itself (each element moved by +-1e-6 through
`p.data`, the loss recomputed under no_grad). Values, graphs, printing and errors are PyTorch's
recorded ones: tests/fixtures/programs 635-639; the packing op's rules: tests/test_gradcheck.py."""
from __future__ import annotations

import pytest

from agcli.language.program import run_program
from agcli.state import state
from finite_differences import BY_ELEMENT

_CHECK = """
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
torch.set_default_dtype(torch.float64)
torch.manual_seed(7)
model = {model}
x = torch.randn(3, 4, 2, requires_grad=True)
states = {states}


def outputs():
    padded = pad_sequence([x[0, :2], x[1], x[2, :3]], batch_first=True, padding_side="{side}")
    packed = pack_padded_sequence(padded, [2, 4, 3], batch_first=True, enforce_sorted=False)
    out, hidden = model(packed, *states)
    unpacked, _ = pad_packed_sequence(out, total_length=5, padding_value=0.5)
    return [unpacked] + list(hidden if isinstance(hidden, tuple) else (hidden,))


weights = [torch.randn(o.shape) for o in outputs()]


def loss():
    return sum((o * w).sum() for o, w in zip(outputs(), weights))


""" + BY_ELEMENT

_STATE = "torch.randn({}, requires_grad=True)"
CASES = [
    ("nn.RNN(2, 3, num_layers=2, bidirectional=True)", (_STATE.format("4, 3, 3"),), "right"),
    ("nn.GRU(2, 2, batch_first=True)", (), "left"),
    ("nn.LSTM(2, 2, bidirectional=True)", (f"({_STATE.format('2, 3, 2')}, {_STATE.format('2, 3, 2')})",), "right"),
    ("nn.LSTM(2, 2, num_layers=2)", (), "right"),
]


@pytest.mark.parametrize("model, states, side", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_central_differences(model, states, side):
    out = []
    with state.using(default_float="float32"):
        run_program(_CHECK.format(model=model, states="[" + ", ".join(states) + "]", side=side), out.append)
    count, worst = "".join(out).split()
    assert int(count) >= 3
    assert float(worst) < 1e-7, "".join(out)
