"""In an expression a list literal is a tensor literal wherever a tensor is
expected — function arguments included (a list passed to softmax once gave
softmax over the wrong dimension, exit 0). The values are PyTorch's for the
same tensors (torch.softmax(torch.tensor(...), dim=-1) and so on)."""
from __future__ import annotations

import numpy as np
import pytest

from agcli.evaluate import run as api


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64")


def _value(expr, **bindings):
    result = api.evaluate(expr, bindings, wrt=[])
    assert result.error is None or "does not require grad" in result.error.message, result.error
    return result.value


def test_softmax_of_a_literal_is_over_the_dim_asked():
    got = _value("softmax([[1., -2.], [0.5, 3.]], dim=-1)")
    e = np.exp([[1., -2.], [0.5, 3.]])
    np.testing.assert_allclose(got, e / e.sum(axis=-1, keepdims=True), rtol=1e-15)
    np.testing.assert_allclose(got, [[0.9525741268, 0.0474258732], [0.0758581800, 0.9241418200]], rtol=1e-9)


@pytest.mark.parametrize("expr, want", [
    ("dot(a, [1.0, 2.0])", 6.0),
    ("sum([[1., 2.], [3., 4.]], dim=1)", [3., 7.]),
    ("min([1., -2.])", -2.0),
    ("sigmoid([0., 0.])", [0.5, 0.5]),
    ("F.mse_loss([1., 2.], [0., 1.])", 1.0),
    ("torch.where([True, False], a, [5., 6.])", [2.0, 6.0]),
    ("a.add([1., 1.])", [3.0, 3.0]),
])
def test_a_literal_is_a_tensor_in_every_argument(expr, want):
    np.testing.assert_allclose(_value(expr, a="[2., 2.]"), want)


def test_a_literal_holding_variables_keeps_their_gradients():
    r = api.evaluate("([a, b] * c).sum()", {"a": "1", "b": "2", "c": "3"})
    assert r.error is None and float(r.value) == 9.0
    assert {k: float(v) for k, v in r.grads.items()} == {"a": 3.0, "b": 3.0, "c": 3.0}
    assert "StackBackward0" in [n.grad_fn for n in r.nodes]
