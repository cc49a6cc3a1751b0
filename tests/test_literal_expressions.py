"""List literals in expressions (`agcli grad`, `agcli batch`) against PyTorch 2.13.

tests/fixtures/torch_literal_expressions.json (record_literal_expressions.py) holds, for
each expression, what PyTorch gives for the same computation with its literals made
tensors (torch.tensor, torch.stack where they hold the variables): value, grad_fn and the
gradients of the output's sum, or the exception's class and message. agcli evaluates each
three times, as a batch sees a repeated line (the third time replayed on raw arrays).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agcli.evaluate import run as api

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "torch_literal_expressions.json").read_text())
CASES = [pytest.param(case, id=case["expr"]) for case in FIXTURE["cases"]]


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


@pytest.mark.parametrize("case", CASES)
def test_a_literal_expression_gives_what_pytorch_gives(case):
    bindings = FIXTURE["bindings"]
    shape = case.get("shape")
    for _ in range(3):          # first sight, recorded, replayed
        result = api.evaluate(case["expr"], dict(bindings), grad_output=np.ones(shape) if shape else None)
        if "error" in case:
            assert result.error is not None, f"PyTorch raises {case['error']}"
            assert result.error.python_type == case["error"]["class"]
            assert result.error.message == case["error"]["message"]
            continue
        assert result.error is None, result.error
        np.testing.assert_allclose(np.asarray(result.value, dtype=float), np.asarray(case["value"], dtype=float),
                                   rtol=1e-12)
        assert result.grad_fn == case["grad_fn"]
        for name, want in case["grads"].items():
            got = result.grads.get(name)
            if want is None:
                assert got is None, name
            else:
                np.testing.assert_allclose(float(np.asarray(got)), want, rtol=1e-12, err_msg=name)
