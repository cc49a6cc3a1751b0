"""Hooks, saved tensors and print options, below the programs that use them.

The programs 76-79 (tests/fixtures/programs) check them against PyTorch's
transcripts; these tests check what a transcript cannot see: that a backward
with no hook registered takes no detour, that the saved-tensor table names
real nodes, that hooks compose with create_graph (by finite differences),
and that print options are a scoped setting.
"""
from __future__ import annotations

from weakref import WeakKeyDictionary

import numpy as np
import pytest

from agcli.engine import backend as B
from agcli.engine import backward as engine_backward
from agcli.engine import hooks
from agcli.engine.ops import ALL
from agcli.engine.saved import FIELDS, Arg, fields, inputs
from agcli.engine.tensor import Tensor
from agcli.state import PrintOptions, state
from agcli.torchapi import autograd, functions, nodes
from agcli.torchapi.print_options import set_printoptions
from agcli.torchapi.printing import tensor_repr


def _leaf(values):
    return Tensor(B.asarray(values, dtype=B.dtype("float64")), requires_grad=True)


def _host(t):
    return B.to_host(t.data)


def test_a_backward_without_hooks_takes_no_watch(monkeypatch):
    """The backward loop's cost stays what it was: no Watch unless a hook is registered."""
    monkeypatch.setattr(hooks, "REGISTRY", WeakKeyDictionary())

    class Refused:
        def __init__(self, order):
            raise AssertionError("a Watch was made for a backward without hooks")

    monkeypatch.setattr(engine_backward, "Watch", Refused)
    x = _leaf([1.0, 2.0])
    autograd.backward(functions.sum(functions.mul(x, x)))
    assert _host(x.grad).tolist() == [2.0, 4.0]
    nodes.register_hook(x, lambda g: None)
    with pytest.raises(AssertionError, match="a Watch was made"):
        autograd.backward(functions.sum(functions.mul(x, x)))


def test_saved_names_belong_to_nodes_agcli_records():
    names = {op.name for op in ALL}
    assert set(FIELDS) <= names, sorted(set(FIELDS) - names)
    for name, table in FIELDS.items():
        assert list(table) == sorted(table), f"{name}: dir() lists saved names alphabetically"


def test_a_saved_argument_is_the_tensor_itself_and_only_when_needed():
    x, w = _leaf([1.0, -2.0]), Tensor(B.asarray([3.0, 4.0], dtype=B.dtype("float64")))
    y = functions.mul(x, w)
    fn = nodes.GradFn(y.grad_fn)
    assert fn.saved("other") is w                  # x needs a gradient: w is kept
    assert fn.saved("self") is None                # w needs none: x is not
    assert inputs(y.grad_fn) == (0, 1)
    assert inputs(functions.pow(x, 2).grad_fn) == (0,)     # the exponent is a number, no input
    assert isinstance(fields(y.grad_fn)["other"], Arg)


def test_a_hook_replaces_the_gradient_inside_a_differentiable_graph():
    """y = x**3 with a hook doubling y's gradient: dy/dx is 6x², and its own derivative 12x
    (finite differences of the first in float64)."""
    def first(values, create_graph):
        x = _leaf(values)
        y = functions.pow(x, 3)
        nodes.register_hook(y, lambda g: g * 2)
        (g,) = autograd.autograd_grad(functions.sum(y), [x], create_graph=create_graph)
        return x, g

    x, g = first([0.5, -1.5], create_graph=True)
    assert np.allclose(_host(g), 6 * _host(x) ** 2)
    (gg,) = autograd.autograd_grad(functions.sum(g), [x])
    eps = 1e-6
    numeric = (_host(first([0.5 + eps, -1.5 + eps], False)[1]) - _host(first([0.5 - eps, -1.5 - eps], False)[1])) / (2 * eps)
    assert np.allclose(_host(gg), numeric, rtol=1e-6)
    assert np.allclose(_host(gg), 12 * _host(x))


def test_print_options_are_a_setting_scoped_like_the_others():
    t = Tensor(B.asarray([1.123456, 2.5], dtype=B.dtype("float32")))
    with state.using(default_float="float32", print_options=PrintOptions()):
        set_printoptions(precision=2)
        assert tensor_repr(t) == "tensor([1.12, 2.50])"          # PyTorch 2.13's words
        set_printoptions(profile="default")
        assert tensor_repr(t) == "tensor([1.1235, 2.5000])"
        set_printoptions(precision=6, sci_mode=True)
        assert state.print_options == PrintOptions(precision=6, sci_mode=True)
        set_printoptions(threshold=1)              # every call sets sci_mode: back to None
        assert state.print_options.sci_mode is None
    assert state.print_options == PrintOptions()
