"""nn.RNN, nn.LSTM, nn.GRU and their cells (language/nn/recurrent.py, cells.py): every parameter's,
input's and initial state's gradient against central finite differences in float64, the differences
taken by the program itself (each element moved by +-1e-6 through `p.data`, the loss recomputed under
no_grad). The values, graphs, printing and errors are PyTorch's recorded ones: tests/fixtures/programs
320-327."""
from __future__ import annotations

import pytest

from agcli.language.program import run_program
from agcli.state import state
from finite_differences import BY_ELEMENT

_CHECK = """
import torch
import torch.nn as nn
torch.set_default_dtype(torch.float64)
torch.manual_seed(7)
model = {model}
x = torch.randn({x}, requires_grad=True)
states = {states}
out = model(x, *states) if states else model(x)
flat = [o for item in (out if isinstance(out, tuple) else (out,))
        for o in (item if isinstance(item, tuple) else (item,))]
weights = [torch.randn(o.shape) for o in flat]


def loss():
    out = model(x, *states) if states else model(x)
    flat = [o for item in (out if isinstance(out, tuple) else (out,))
            for o in (item if isinstance(item, tuple) else (item,))]
    return sum((o * w).sum() for o, w in zip(flat, weights))


""" + BY_ELEMENT

_STATE = "torch.randn({}, requires_grad=True)"
CASES = [
    ("nn.RNN(2, 3, num_layers=2, bidirectional=True, batch_first=True)", "2, 3, 2", (_STATE.format("4, 2, 3"),)),
    ("nn.RNN(2, 2, nonlinearity='relu', bias=False)", "3, 2, 2", ()),
    ("nn.LSTM(2, 2, num_layers=2, bidirectional=True)", "3, 2, 2",
     (f"({_STATE.format('4, 2, 2')}, {_STATE.format('4, 2, 2')})",)),
    ("nn.LSTM(3, 2, batch_first=True)", "3, 3", ()),
    ("nn.GRU(2, 3, num_layers=2, bidirectional=True, batch_first=True)", "2, 3, 2", ()),
    ("nn.GRU(2, 2, bias=False)", "3, 2", (_STATE.format("1, 2"),)),
    ("nn.RNNCell(3, 2)", "4, 3", (_STATE.format("4, 2"),)),
    ("nn.LSTMCell(3, 2)", "4, 3", (f"({_STATE.format('4, 2')}, {_STATE.format('4, 2')})",)),
    ("nn.GRUCell(3, 2, bias=False)", "3", (_STATE.format("2"),)),
]


@pytest.mark.parametrize("model, x, states", CASES, ids=[c[0].split("(")[0] + str(i) for i, c in enumerate(CASES)])
def test_gradients_match_central_differences(model, x, states):
    out = []
    with state.using(default_float="float32"):
        run_program(_CHECK.format(model=model, x=x, states="(" + "".join(s + ", " for s in states) + ")"),
                    out.append)
    count, worst = "".join(out).split()
    assert int(count) > 1
    assert float(worst) < 1e-7, "".join(out)


def test_projections_are_refused_with_agclis_words():
    """PyTorch's LSTM(proj_size=) projects h: agcli refuses it rather than compute something else."""
    from agcli.errors import AgcliError
    with pytest.raises(AgcliError) as caught:
        run_program("import torch\ntorch.nn.LSTM(3, 4, proj_size=2)\n", lambda text: None)
    assert caught.value.kind == "not_implemented" and "proj_size" in caught.value.message
