"""The engine's node for a program-supplied backward (engine/function_node.py):
one callable gives the gradients of all inputs at once, once per backward pass.

The forward here is computed by agcli's functions under no_grad, as
language/program_autograd_function.py does for a program's Function; the
backward is a Python callable written by hand and held to central finite
differences in float64. Programs that use torch.autograd.Function are checked
against PyTorch's transcripts in tests/fixtures/nn_programs/00[1-8]_*.
"""
from __future__ import annotations

import numpy as np
import pytest

from agcli.engine.backend import from_host, to_host
from agcli.engine.backend import dtype as dtype_named
from agcli.engine.backward import backward
from agcli.engine.ops.shapes import to_dtype
from agcli.engine.function_node import FunctionNode, Port
from agcli.engine.tensor import Tensor, set_grad_enabled
from agcli.errors import AgcliError
from agcli.evaluate import run as api
from agcli.torchapi import functions as F

EPS = 1e-6


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


def leaf(values):
    return Tensor(from_host(np.asarray(values, dtype=np.float64)), requires_grad=True)


def host(t):
    return np.asarray(to_host(t.data if type(t) is Tensor else t))


def custom(name, forward, vjp, *inputs, calls=None):
    """forward(*inputs) under no_grad, given a FunctionNode whose backward is vjp(grads) -> grads."""
    with set_grad_enabled(False):
        outs = forward(*inputs)
    several = isinstance(outs, tuple)
    outputs = list(outs) if several else [outs]

    def run(grads):
        if calls is not None:
            calls.append(len(grads))
        return vjp(grads)
    stand_in = outputs[0] if not several else Tensor(outputs[0].data)
    node = FunctionNode(name, list(inputs), outputs, stand_in, run)
    for k, out in enumerate(outputs):
        out.grad_fn = Port(node, k, out) if several else node
        out.requires_grad = True
    return outs


def cube(x, calls=None):
    """x ** 3 with its derivative by hand; it reads x (a tensor under create_graph)."""
    return custom("CubeBackward", lambda x: F.pow(x, 3), lambda gs: [gs[0] * 3 * F.pow(x, 2)], x, calls=calls)


def numeric_grad(f, x0, weights):
    """d/dx sum(f(x) * weights) by central differences."""
    grad = np.zeros_like(x0)
    for i in range(x0.size):
        up, down = x0.copy(), x0.copy()
        up.flat[i] += EPS
        down.flat[i] -= EPS
        grad.flat[i] = (np.sum(f(up) * weights) - np.sum(f(down) * weights)) / (2 * EPS)
    return grad


def test_the_callable_gives_the_gradient_and_runs_once_per_pass():
    x0 = np.array([0.3, -1.2, 2.0])
    weights = np.array([1.0, -2.0, 0.5])
    x = leaf(x0)
    calls = []
    y = cube(x, calls)
    assert y.grad_fn.name == "CubeBackward" and y.grad_fn.next == (x.edge(),)
    backward(y, Tensor(from_host(weights)).data)
    assert calls == [1]
    np.testing.assert_allclose(host(x.grad), numeric_grad(lambda v: v ** 3, x0, weights), rtol=1e-6)


def test_several_inputs_several_outputs_and_finite_differences():
    """(a*b, sin(a)+b) with one callable for both inputs; the outputs' gradients arrive apart."""
    a0, b0 = np.array([0.5, -0.7]), np.array([1.5, 2.5])
    a, b = leaf(a0), leaf(b0)
    calls = []

    def vjp(grads):
        g_prod, g_sum = grads
        return [g_prod * b + g_sum * F.cos(a), g_prod * a + g_sum]

    prod, total = custom("PairBackward", lambda a, b: (a * b, F.sin(a) + b), vjp, a, b, calls=calls)
    assert type(prod.grad_fn) is Port and prod.grad_fn.function is total.grad_fn.function
    loss = F.sum(prod * 3.0 + total * total)
    backward(loss)
    assert calls == [2]

    def f_a(v):
        return 3 * v * b0 + (np.sin(v) + b0) ** 2

    def f_b(v):
        return 3 * a0 * v + (np.sin(a0) + v) ** 2
    np.testing.assert_allclose(host(a.grad), numeric_grad(f_a, a0, 1.0), rtol=1e-6)
    np.testing.assert_allclose(host(b.grad), numeric_grad(f_b, b0, 1.0), rtol=1e-6)


def test_an_output_without_gradient_reaches_the_callable_as_none():
    a = leaf([1.0, 2.0])
    seen = []

    def vjp(grads):
        seen.append([g is None for g in grads])
        return [grads[1] * 3]
    _, second = custom("TwoBackward", lambda a: (a * 2, a * 3), vjp, a)
    backward(F.sum(second))
    assert seen == [[True, False]]
    np.testing.assert_array_equal(host(a.grad), [3.0, 3.0])


def test_none_for_an_input_sends_nothing_to_it():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = custom("FirstOnlyBackward", lambda a, b: a * b, lambda gs: [gs[0] * b, None], a, b)
    backward(F.sum(y))
    assert b.grad is None
    np.testing.assert_array_equal(host(a.grad), [3.0, 4.0])


def test_create_graph_makes_the_gradient_differentiable_again():
    x0 = np.array([0.5, -1.0, 2.0])
    x = leaf(x0)
    y = cube(x)
    (g,) = backward(F.sum(y), create_graph=True, accumulate=False, inputs=[x]).values()
    np.testing.assert_allclose(host(g), 3 * x0 ** 2)
    assert g.requires_grad
    (g2,) = backward(F.sum(g), accumulate=False, inputs=[x]).values()
    np.testing.assert_allclose(host(g2), numeric_grad(lambda v: 3 * v ** 2, x0, 1.0), rtol=1e-6)


def test_without_retain_graph_the_node_is_released_but_may_run_again():
    """The engine frees nothing of it (the program's ctx says when its saved tensors are gone)."""
    x = leaf([1.0, 2.0])
    calls = []
    y = F.sum(cube(x, calls))
    node = y.grad_fn.next[0]
    backward(y, retain_graph=True)
    assert not node.released
    backward(y)
    assert node.released and calls == [1, 1]
    np.testing.assert_array_equal(host(x.grad), [6.0, 24.0])


def test_a_broadcast_gradient_is_summed_and_a_wrong_shape_refused():
    x = leaf([1.0, 2.0])
    wide = custom("WideBackward", lambda x: x * 1.0, lambda gs: [F.stack([gs[0], gs[0] * 2])], x)
    backward(F.sum(wide))
    np.testing.assert_array_equal(host(x.grad), [3.0, 3.0])
    narrow = custom("NarrowBackward", lambda x: x * 1.0, lambda gs: [F.sum(gs[0])], x)
    with pytest.raises(AgcliError, match=r"Function NarrowBackward returned an invalid gradient at index 0 - got "
                                         r"\[\] but expected shape compatible with \[2\]"):
        backward(F.sum(narrow))


def test_a_gradient_comes_back_in_the_inputs_dtype():
    x = leaf([1.0, 2.0])
    y = custom("CastBackward", lambda x: x * 1.0, lambda gs: [to_dtype(gs[0], dtype_named("float32"))], x)
    (g,) = backward(F.sum(y), create_graph=True, accumulate=False, inputs=[x]).values()
    assert host(g).dtype == np.float64
