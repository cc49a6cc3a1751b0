"""torch.nn.functional's losses (torchapi/nn_losses.py) where the fixtures do not reach: which calls
a batch may replay, and nll_loss's sums in PyTorch's cascade order past 16 targets (the
transcripts tests/fixtures/nn_programs/041-045 hold the rest, recorded from PyTorch 2.13)."""
from __future__ import annotations

import numpy as np
import pytest

from agcli.engine.backend import from_host as D, to_host
from agcli.engine.tensor import Tensor
from agcli.evaluate import run as api
from agcli.language.replay_safety import replayable
from agcli.language.syntax import parse
from agcli.torchapi import functions as F


@pytest.fixture(autouse=True)
def _fresh():
    api.configure()
    api._replays.clear()
    yield
    api._replays.clear()


@pytest.mark.parametrize("expr", [
    "F.nll_loss(x, tensor([0, 2]), weight=w)",          # the class weights are kept with the op
    "F.nll_loss(x, tensor([0, 2]), w)",
    "F.cross_entropy(x, tensor([0, 2]), weight=w)",
    "F.cross_entropy(x, tensor([0, 2]), label_smoothing=0.1)",   # counts the targets not ignored
])
def test_a_loss_whose_values_reach_it_outside_its_ops_is_not_replayed(expr):
    assert not replayable(parse(expr))


@pytest.mark.parametrize("expr", [
    "F.nll_loss(x, tensor([0, 2]))", "F.nll_loss(x, tensor([0, 2]), weight=None)",
    "F.l1_loss(x, y, weight=y)", "F.huber_loss(x, y, delta=0.5)", "F.smooth_l1_loss(x, y, beta=0.5)",
    "F.binary_cross_entropy_with_logits(x, y, weight=y, pos_weight=y)", "F.leaky_relu(x, 0.2) + F.silu(x)",
])
def test_the_other_losses_replay(expr):
    assert replayable(parse(expr))


# (PyTorch 2.13: F.nll_loss(x, tensor([0, 2]), weight=w) for x = [[0.1, 0.2, 0.3], [1., 2., 3.]])
@pytest.mark.parametrize("weight, want", [("[1.,2.,3.]", -2.275), ("[5.,2.,1.]", -0.5833333333333334),
                                          ("[1.,1.,9.]", -2.71)])
def test_a_batch_with_other_weights_gives_each_ones_loss(weight, want):
    api.configure(dtype="float64")
    expr = "F.nll_loss(x, tensor([0, 2]), weight=w)"
    for w in ("[1.,2.,3.]", "[1.,2.,3.]", "[1.,2.,3.]", weight):   # (a replay, once trusted, would keep the first)
        result = api.evaluate(expr, {"x": "[[0.1,0.2,0.3],[1.,2.,3.]]", "w": w}, wrt=["x"])
    assert result.error is None
    assert float(result.value) == want      # (a result holds host arrays)


def test_nll_loss_adds_as_pytorchs_cascade_does():
    """40 targets: the first level hands its sum up every 16 (PyTorch 2.13's values, float32 and float64)."""
    values = np.linspace(-3.0, 2.0, 120).reshape(40, 3) ** 3 / 7
    target = Tensor(D(np.arange(40) % 3))
    weight = np.array([0.3, 1.7, 0.9])
    want = {"float32": (0.47516384720802307, 0.4649926722049713),
            "float64": (0.47516384210629364, 0.46499269560904916)}
    for dtype, (plain, weighted) in want.items():
        x = Tensor(D(values.astype(dtype)))
        assert float(to_host(F.nll_loss(x, target).data)) == plain
        assert float(to_host(F.nll_loss(x, target, weight=Tensor(D(weight.astype(dtype)))).data)) == weighted
