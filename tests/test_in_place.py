"""In-place ops and changes through views against central finite differences (float64).

Each case is a function of leaf tensors that changes tensors in place (copy_,
zero_, fill_, scatter_, the in-place view ops t_/transpose_/squeeze_/unsqueeze_, in-place
arithmetic through views, which rebases the base's history onto CopySlices,
and views whose history regrows as AsStridedBackward0 after their base
changed) and returns a scalar. agcli's gradients (one backward) must match
central differences of the same function run forward only. PyTorch's names,
values and messages for the same programs are in the transcripts
72_in_place_variants_more, 73_views_rebase_history, 74_views_regrow_history
and 75_scatter_index_fill_gather (tests/fixtures/programs).
"""
from __future__ import annotations

import numpy as np
import pytest

from agcli.engine.backend import from_host as D, to_host
from agcli.engine.backward import backward
from agcli.engine.tensor import Tensor
from agcli.evaluate import run as api
from agcli.torchapi import autograd, functions as F, in_place as I, in_place_more as IM

EPS = 1e-6
R = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


def t(a):
    return Tensor(D(np.asarray(a, dtype=np.float64)))


def idx(a):
    return Tensor(D(np.asarray(a, dtype=np.int64)))


W23 = R.standard_normal((2, 3))
W3 = R.standard_normal(3)


def weighted(y, w):
    return F.sum(F.mul(y, t(w)))


def copy_broadcast(x, s):
    y = F.mul(x, 1.5)
    I.copy_(y, s)                              # y's old value gets no gradient; s, broadcast, gets it all
    return F.add(weighted(y, W23), F.sum(F.mul(x, x)))


def mul_through_a_row(x, w):
    y = F.mul(x, 2.0)
    I.mul_(F.getitem(y, 1), w)                 # CopySlices wrapping MulBackward0
    return weighted(F.mul(y, y), W23)


def exp_through_a_transposed_column(x):
    y = F.sin(x)
    I.exp_(F.getitem(F.t(y), 2))               # the inner op saves its result (the view)
    return weighted(y, W23)


def add_through_a_view_of_a_view(x, w):
    y = F.mul(x, x)
    v = F.getitem(y, (slice(None), slice(1, None)))
    I.add_(F.getitem(v, 0), w, alpha=3)
    return weighted(y, W23)


def assign_through_a_view(x, w):
    y = F.mul(x, 1.0)
    autograd.setitem(F.getitem(y, 0), (slice(1, None),), F.mul(w, 3.0))
    return weighted(F.exp(y), W23)


def regrown_after_the_base_changed(x, w):
    y = F.mul(x, 2.0)
    v = F.getitem(y, (slice(None), 1))         # made before the change: its history regrows (AsStrided)
    I.mul_(y, w)
    return F.add(F.sum(F.mul(v, v)), weighted(y, W23))


def reshaped_in_place(x):
    y = F.mul(x, 1.0)
    I.t_(y)
    I.unsqueeze_(y, 0)
    I.transpose_(y, 1, 2)
    I.squeeze_(y)
    I.unsqueeze_(y, -1)
    I.squeeze_(y, (2,))
    I.mul_(F.getitem(y, 0), 2.0)               # through a view after all that
    return weighted(F.mul(y, y), W23)


def scatters_in_place(x, s):
    y = F.mul(x, 1.0)
    I.scatter_(y, 1, idx([[2, 0], [1, 2]]), F.getitem(s, (slice(None), slice(0, 2))))
    I.scatter_add_(F.getitem(y, 0), 0, idx([0, 0, 1]), F.getitem(s, 1))
    I.index_fill_(y, 1, idx([1]), -0.5)
    return weighted(F.mul(y, y), W23)


def zeroed_and_filled(x, w):
    y = F.sin(x)
    I.zero_(F.getitem(y, (slice(None), 0)))            # ZeroBackward0, through a view
    I.fill_(F.getitem(y, 1), F.getitem(w, 0))          # FillBackward3: w[0] gets the gradient of the row
    z = F.mul(x, 3.0)
    I.fill_(z, 0.5)                                    # FillBackward2: nothing flows back through z
    return F.add(weighted(F.mul(y, y), W23), weighted(z, W23))


def leaky_relu_in_place(x):
    y = F.sub(x, 1.0)                                  # (inputs on both sides of the kink)
    I.leaky_relu_(y, 0.2)                              # LeakyReluBackward1: its rule reads the result
    return weighted(F.mul(y, y), W23)


def elu_family_in_place(x):
    y = F.sub(x, 0.5)                                  # (inputs on both sides of zero)
    IM.ACTIVATIONS_IN_PLACE["elu_"](y, 0.7)            # EluBackward1: its rule reads the result
    z = F.add(x, 0.3)
    IM.ACTIVATIONS_IN_PLACE["celu_"](z, 1.3)           # CeluBackward1
    w = F.mul(x, 2.0)
    IM.ACTIVATIONS_IN_PLACE["selu_"](w)
    v = F.mul(x, 1.5)
    IM.ACTIVATIONS_IN_PLACE["threshold_"](v, 0.2, -1.0)     # ThresholdBackward1: x's old value's mask
    return F.add(F.add(weighted(F.mul(y, y), W23), weighted(F.mul(z, w), W23)), weighted(F.mul(v, x), W23))


CASES = [
    pytest.param(copy_broadcast, [(2, 3), (3,)], id="copy_ broadcast"),
    pytest.param(mul_through_a_row, [(2, 3), (3,)], id="y[1].mul_(w)"),
    pytest.param(exp_through_a_transposed_column, [(2, 3)], id="y.t()[2].exp_()"),
    pytest.param(add_through_a_view_of_a_view, [(2, 3), (2,)], id="y[:, 1:][0].add_(w, alpha=3)"),
    pytest.param(assign_through_a_view, [(2, 3), (2,)], id="y[0][1:] = w * 3"),
    pytest.param(regrown_after_the_base_changed, [(2, 3), (3,)], id="v = y[:, 1]; y.mul_(w)"),
    pytest.param(reshaped_in_place, [(2, 3)], id="t_ unsqueeze_ transpose_ squeeze_"),
    pytest.param(scatters_in_place, [(2, 3), (2, 3)], id="scatter_ scatter_add_ index_fill_"),
    pytest.param(zeroed_and_filled, [(2, 3), (2,)], id="zero_ fill_"),
    pytest.param(leaky_relu_in_place, [(2, 3)], id="leaky_relu_"),
    pytest.param(elu_family_in_place, [(2, 3)], id="elu_ celu_ selu_ threshold_"),
]


def _value(f, arrays):
    return float(to_host(f(*[t(a) for a in arrays]).data))


def _gradients(f, arrays):
    xs = [t(a) for a in arrays]
    for x in xs:
        x.requires_grad = True
    grads = backward(f(*xs), None, accumulate=False)
    return [to_host(grads[x].data) if x in grads else np.zeros(x.shape) for x in xs]


@pytest.mark.parametrize("f, shapes", CASES)
def test_in_place_gradients_match_finite_differences(f, shapes):
    arrays = [R.uniform(0.5, 1.5, s) for s in shapes]
    got = _gradients(f, arrays)
    for k, a in enumerate(arrays):
        want = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            moved = [b.copy() for b in arrays]
            moved[k][i] += EPS
            up = _value(f, moved)
            moved[k][i] -= 2 * EPS
            want[i] = (up - _value(f, moved)) / (2 * EPS)
        np.testing.assert_allclose(got[k], want, rtol=1e-6, atol=1e-8, err_msg=f"d/d(input {k}) of {f.__name__}")


def test_finite_differences_here_catch_a_gradient_that_misses_the_change():
    """The harness itself: the gradient as if the view's change were not there must fail."""
    arrays = [R.uniform(0.5, 1.5, (2, 3)), R.uniform(0.5, 1.5, 3)]
    unchanged = 2 * 2 * (2 * arrays[0]) * W23          # d/dx of sum(W * (2x)^2), the change ignored
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(unchanged, _gradients(mul_through_a_row, arrays)[0], rtol=1e-6)


def test_second_derivative_through_copy_slices():
    """create_graph: CopySlices's rules run the in-place op's rules on tensors, so the
    gradient is differentiable; its derivative along v matches differences of gradients."""
    x0, v = R.uniform(0.5, 1.5, (2, 3)), R.standard_normal((2, 3))

    def grad_at(a, create_graph=False):
        x = t(a)
        x.requires_grad = True
        y = F.sin(x)
        I.mul_(F.getitem(y, 1), F.getitem(x, 0))
        g = backward(weighted(F.mul(y, y), W23), None, accumulate=False, create_graph=create_graph)[x]
        return x, g

    x, g = grad_at(x0, create_graph=True)
    assert g.grad_fn is not None
    hv = to_host(backward(F.sum(F.mul(g, t(v))), None, accumulate=False)[x].data)
    numeric = (to_host(grad_at(x0 + EPS * v)[1].data) - to_host(grad_at(x0 - EPS * v)[1].data)) / (2 * EPS)
    np.testing.assert_allclose(hv, numeric, rtol=1e-6, atol=1e-8)
