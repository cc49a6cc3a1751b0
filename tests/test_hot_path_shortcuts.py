"""The per-op shortcuts of the hot path (issue 15) give what the general code gives.

Node's input shapes and edges are spelled out for one and two inputs, dtype
names and a Result's dtype text are remembered: each must agree with the
general form for every kind of input."""
import numpy as np
import pytest

from agcli.engine import backend as B
from agcli.engine.backward import backward
from agcli.engine.backend import from_host, to_host
from agcli.engine.ops import pointwise as P
from agcli.engine.tensor import Node, Tensor, apply, bump_version
from agcli.errors import AgcliError
from agcli.evaluate.result import Result
from agcli.evaluate.run import evaluate


def _general_shapes(arrays):
    return tuple(getattr(a, "shape", ()) for a in arrays)


def test_shapes_agree_with_the_general_form():
    m, v = from_host(np.zeros((2, 3))), from_host(np.zeros(3))
    cases = [[m, v], [v, 2.0], [3, m], [True, v], [m], [2.5], [m, v, 4], [], [None, v]]
    if B.ON_HOST:
        cases.append([np.float64(1.5), v])
    for arrays in cases:
        node = Node(P.ADD, (None,) * len(arrays), tuple(arrays), None, {}, arrays)
        assert node.shapes == _general_shapes(arrays), arrays


def test_edges_agree_with_each_tensor_edge():
    x = Tensor(from_host(np.ones(3)), requires_grad=True)
    c = Tensor(from_host(np.ones(3)))
    y = apply(P.EXP, x)
    for args in [(x, c), (y, 2.0), (2.0, x), (x,), (x, y, c)]:
        edges = Node(P.ADD, None, args, None, {}).next
        assert edges == tuple(a.edge() if type(a) is Tensor else None for a in args)
    edges = Node(P.ADD, None, (x, c), None, {}).next
    assert edges[0] is x.edge() and edges[1] is None


def test_a_node_records_its_inputs_shapes():
    x = Tensor(from_host(np.arange(6.0).reshape(2, 3)), requires_grad=True)
    z = apply(P.MUL, x, 2.0)
    assert z.grad_fn.shapes == ((2, 3), ())
    assert apply(P.EXP, x).grad_fn.shapes == ((2, 3),)
    backward(z, from_host(np.ones((2, 3))))
    assert to_host(x.grad.data).tolist() == [[2.0] * 3] * 2


@pytest.mark.skipif(not B.ON_HOST, reason="NumPy's spellings of dtypes")
def test_dtype_names_whatever_spells_them():
    for spelled, name in [(np.float64, "float64"), ("float32", "float32"), (np.dtype("int64"), "int64"),
                          (np.dtype(bool), "bool"), ("f8", "float64"), (float, "float64"), (np.uint8, "uint8")]:
        assert B.dtype_name(spelled) == name
        assert B.dtype_name(spelled) == name        # the remembered answer is the same


def test_result_dtype_text():
    r = Result("x")
    assert r.dtype is None
    for value, text in [(np.zeros(2), "float64"), (np.zeros(2, dtype=np.float32), "float32"),
                        (np.array(True), "bool"), (np.zeros(2, dtype=">f8"), ">f8")]:
        r.value = value
        assert r.dtype == text == str(value.dtype)


def test_an_in_place_change_is_still_refused_after_lines_without_one():
    # Backward skips the version check while nothing changed in place: a change must still be seen.
    assert evaluate("sum(x * x)", {"x": "[1.0, 2.0]"}).error is None     # (resets the count of changes)
    x = Tensor(from_host(np.array([1.0, 2.0])), requires_grad=True)
    y = apply(P.EXP, x)                 # saves its result
    bump_version(y)
    with pytest.raises(AgcliError, match="modified by an inplace operation"):
        backward(y, from_host(np.ones(2)))
