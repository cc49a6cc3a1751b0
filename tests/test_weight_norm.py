"""torch._weight_norm's gradients (engine/ops/weight_norm.py, the fused kernel over dim 0, and the
composite over the whole tensor) against central differences in float64, first order, and with
create_graph (PyTorch's _weight_norm_differentiable_backward gives the same first-order values).
Its values against PyTorch's, bit for bit: program fixture 715_weight_norm_and_parametrizations."""
from __future__ import annotations

import numpy as np
import pytest

from agcli.engine.backend import from_host as D, to_host
from agcli.engine.backward import backward
from agcli.engine.tensor import Tensor
from agcli.torchapi import functions
from agcli.torchapi import weight_norm as WN

EPS = 1e-6
R = np.random.default_rng(11)


def _objective(v, g, dim, weights):
    return functions.sum(functions.mul(functions.pow(WN._weight_norm(v, g, dim), 3), D(weights)))


def _grads(arrays, dim, weights, create_graph=False):
    leaves = [Tensor(D(np.array(a, dtype=np.float64)), requires_grad=True) for a in arrays]
    found = backward(_objective(*leaves, dim, weights), None, create_graph=create_graph, accumulate=False)
    return [to_host(found[x].data) for x in leaves]


def _numeric(arrays, dim, weights):
    result = []
    for i, a in enumerate(arrays):
        grad = np.zeros_like(a)
        for k in np.ndindex(a.shape):
            moved = [np.array(b, dtype=np.float64) for b in arrays]
            moved[i][k] += EPS
            up = to_host(_objective(*[Tensor(D(m)) for m in moved], dim, weights).data)
            moved[i][k] -= 2 * EPS
            down = to_host(_objective(*[Tensor(D(m)) for m in moved], dim, weights).data)
            grad[k] = (up - down) / (2 * EPS)
        result.append(grad)
    return result


@pytest.mark.parametrize("v_shape, g_shape, dim", [((3, 4), (3, 1), 0), ((2, 3, 2), (2, 1, 1), 0),
                                                   ((5,), (5,), 0), ((3, 4), (), -1), ((2, 3, 4), (1, 3, 1), 1)])
def test_weight_norm_gradients_match_finite_differences(v_shape, g_shape, dim):
    arrays = [R.standard_normal(v_shape), R.standard_normal(g_shape) + 2.0]
    weights = R.standard_normal(v_shape)
    numeric = _numeric(arrays, dim, weights)
    for create_graph in (False, True):
        for got, want in zip(_grads(arrays, dim, weights, create_graph), numeric):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_the_fused_kernel_names_its_node():
    v = Tensor(D(R.standard_normal((2, 3))), requires_grad=True)
    g = Tensor(D(R.standard_normal((2, 1))), requires_grad=True)
    assert WN._weight_norm(v, g, 0).grad_fn.name == "WeightNormInterfaceBackward0"
    assert WN._weight_norm(v, g, -1).grad_fn.name == "MulBackward0"
