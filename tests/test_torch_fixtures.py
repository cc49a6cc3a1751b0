"""agcli must say what PyTorch says for every case in tests/fixtures/cases.txt.

The expected results come from tests/fixtures/torch_cases.json, recorded from
real PyTorch (float64, CPU) by tests/fixtures/record_torch.py; this test never
imports torch. Each case line is parsed like a batch line and evaluated in
process; value, shape, dtype, grad_fn, the graph's nodes (execution order),
each leaf's gradient and, for errors, the message must all match.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from agcli.evaluate import run as api
from agcli.cli.arguments import parse_line

FIXTURE = Path(__file__).parent / "fixtures" / "torch_cases.json"
CASES = json.loads(FIXTURE.read_text())

_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

# Cases where agcli deliberately differs from PyTorch: case line -> (reason,
# what agcli gives instead). "value"/"grads" are the expected agcli results.
# The cases where torch's backward says "element 0 of tensors does not require
# grad and does not have a grad_fn" (constants, comparisons, detach) need no
# entry: agcli reports the same error, checked like any backward error below.
DELIBERATE = {
    '"(x + [[1, 2], [3, 4]]).sum()" --x "[0.37,-1.25]"': (
        "a list literal used as an operand is a tensor literal in agcli (torch raises TypeError)",
        # x + tensor([[1, 2], [3, 4]]) -> [[1.37, 0.75], [3.37, 2.75]], summed; x's grad is 2 per element
        {"value": 8.24, "grad_fn": "SumBackward0", "nodes": ["AddBackward0", "SumBackward0"],
         "grads": {"x": [2.0, 2.0]}},
    ),
}

# Error cases whose torch message comes from Python or from the recorder, not
# from PyTorch; agcli's own message is asserted instead.
EXPECTED_MESSAGE_OVERRIDE = {
    '"x.max(0)" --x "ones(2,3)"':
        # the recorder's placeholder for a tuple result; agcli says how to pick one
        "the expression gives a tuple (values, indices); pick one, e.g. x.max(0).values",
    '"undefined_name + x" --x 1':
        # Python's NameError text; agcli names what is wrong in its own words (and gives a hint)
        "unbound variable 'undefined_name'",
}


# Cases agcli cannot pass yet, for a reason outside the modules these tests may fix.
# strict: the day one passes, the test says so and the entry must go.
KNOWN_FAILURES = {
}

# Cases a device backend (CI's strict array-API stand-in) cannot run as the host does. strict, as above.
DEVICE_GAPS = {
    '"(eq(x, 2.5) + x.ne(0.37) + lt(x, 0) + x.ge(-0.5) + greater(x, 1) + less_equal(x, 1)) * x" --x '
    '"[0.37,-1.25,2.5,-0.5]" --grad-output "[1.,2.,3.,4.]"': "the array API adds no bools",
}


def _decode(x):
    if isinstance(x, list):
        return [_decode(v) for v in x]
    if isinstance(x, str):
        return _NONFINITE[x]
    return x


def _array(value, dtype="float64"):
    return np.array(_decode(value), dtype=np.dtype(dtype))


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


def _run(line):
    args = parse_line(line)
    return api.evaluate(args.expr, args.bindings, wrt=args.wrt, grad_output=args.grad_output)


def _assert_close(got, want, what):
    assert got is not None, f"{what}: agcli gives no value, torch gives {want!r}"
    want = np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != torch's {want.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=what)


def _check_grads(result, expected):
    assert set(result.grads) == set(expected), "leaves with a gradient entry differ"
    for name, want in expected.items():
        got = result.grads[name]
        if want is None:
            assert got is None, f"grad of {name}: torch has none, agcli gives {got!r}"
        else:
            assert got is not None, f"grad of {name}: agcli gives none"
            assert got.dtype == np.float64, f"grad of {name} has dtype {got.dtype}"
            _assert_close(got, _array(want), f"grad of {name}")


def _params():
    for c in CASES:
        reason = KNOWN_FAILURES.get(c["args"]) or (DEVICE_GAPS.get(c["args"]) if os.environ.get("AGCLI_ARRAY_BACKEND")
                                                     else None)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(c, id=c["args"], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_matches_torch(case):
    line = case["args"]
    result = _run(line)

    if line in DELIBERATE:
        _, want = DELIBERATE[line]
        assert result.error is None, result.error
        _assert_close(result.value, _array(want["value"]), "value")
        assert result.grad_fn == want["grad_fn"]
        assert [n.grad_fn for n in result.nodes] == want["nodes"]
        _check_grads(result, want["grads"])
        return

    error = case["error"]
    if error is not None and error["where"] == "forward":
        assert result.error is not None, f"torch raises {error['message']!r}; agcli gives no error"
        want = EXPECTED_MESSAGE_OVERRIDE.get(line, error["message"])
        assert result.error.message == want
        assert result.value is None
        # no gradient reached any leaf
        assert all(result.grads.get(name) is None for name in case["grads"])
        return

    # The forward pass succeeded in torch: it must in agcli too, with the same value and graph.
    if error is None:
        assert result.error is None, f"agcli fails: {result.error}"
    assert result.value is not None
    assert list(result.value.shape) == case["shape"]
    assert str(result.value.dtype) == case["dtype"]
    _assert_close(result.value, _array(case["value"], case["dtype"]), "value")
    assert result.grad_fn == case["grad_fn"]
    assert [n.grad_fn for n in result.nodes] == case["nodes"]

    if error is not None:  # backward failed in torch
        assert result.error is not None, f"torch's backward raises {error['message']!r}; agcli gives no error"
        assert result.error.message == EXPECTED_MESSAGE_OVERRIDE.get(line, error["message"])
        assert all(result.grads.get(name) is None for name in case["grads"])
        return
    _check_grads(result, case["grads"])


def test_every_deliberate_difference_and_override_names_a_case():
    lines = {c["args"] for c in CASES}
    assert set(DELIBERATE) <= lines
    assert set(EXPECTED_MESSAGE_OVERRIDE) <= lines
    assert set(KNOWN_FAILURES) <= lines
    for line in EXPECTED_MESSAGE_OVERRIDE:
        case = next(c for c in CASES if c["args"] == line)
        assert case["error"] is not None and case["error"]["message"] != EXPECTED_MESSAGE_OVERRIDE[line]


def test_fixture_covers_the_ops():
    assert len(CASES) >= 300
    assert sum(1 for c in CASES if c["error"]) >= 40
    no_grad = "element 0 of tensors does not require grad and does not have a grad_fn"
    assert sum(1 for c in CASES if c["error"] and c["error"]["message"] == no_grad) >= 5
