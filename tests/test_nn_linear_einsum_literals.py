"""log1p, softplus, F.linear, F.binary_cross_entropy and einsum take a list
literal as a tensor in every tensor argument of an expression (weight, bias
and einsum's operands included), while einsum keeps PyTorch's two other
forms: the operands as one list, and sublists. The values are PyTorch 2.13's
for the same tensors (float64)."""
from __future__ import annotations

import numpy as np
import pytest

from agcli.evaluate import run as api


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64")


def _evaluate(expr, **bindings):
    return api.evaluate(expr, bindings, wrt=[])


@pytest.mark.parametrize("expr, want", [
    ("log1p([0.5, 1.])", [0.4054651081081644, 0.6931471805599453]),
    ("F.softplus([0.5, -1.], beta=2)", [0.6566308437591114, 0.06346400552148625]),
    ("F.linear(a, [[1., 2.], [3., 4.], [0.5, 0.5]], [1., 0., -1.])", [7.0, 14.0, 1.0]),
    ("F.linear([[1., 2.]], [[1., 2.], [3., 4.]])", [[5.0, 11.0]]),
    ("F.binary_cross_entropy([0.25, 0.5], [1., 0.], weight=[2., 1.])", 1.7328679513998633),
    ("torch.einsum('i,i->', [1., 2.], [3., 4.])", 11.0),
    ("torch.einsum('i,i->', a, [3., 4.])", 14.0),
    ("torch.einsum('ij,j->i', [[1., 2.], [3., 4.]], a)", [6.0, 14.0]),
])
def test_a_literal_is_a_tensor_in_every_argument(expr, want):
    result = _evaluate(expr, a="[2., 2.]")
    assert result.error is None or "does not require grad" in result.error.message, result.error
    np.testing.assert_allclose(result.value, want, rtol=1e-15)


def test_einsum_keeps_the_list_of_operands_and_the_sublist_form():
    m = "[[1., 2.], [3., 4.]]"
    as_list = api.evaluate("einsum('ij,j->i', [m, a]).sum()", {"m": m, "a": "[2., 2.]"})
    sublists = api.evaluate("einsum(m, [0, 1], a, [1], [0]).sum()", {"m": m, "a": "[2., 2.]"})
    for result in (as_list, sublists):
        assert result.error is None, result.error
        assert float(result.value) == 20.0
        np.testing.assert_allclose(result.grads["a"], [4.0, 6.0])
        np.testing.assert_allclose(result.grads["m"], [[2.0, 2.0], [2.0, 2.0]])
        assert [n.grad_fn for n in result.nodes][-3:] == ["PermuteBackward0", "ViewBackward0", "SumBackward0"]


def test_one_list_of_numbers_is_einsums_list_of_operands_as_in_pytorch():
    result = _evaluate("einsum('i', [1., 2.])")
    assert result.error is not None
    assert result.error.message == "expected Tensor as element 0 in argument 1, but got float"
    assert result.error.python_type == "TypeError"
