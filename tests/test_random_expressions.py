"""Random expressions, with literals and numbers in every argument position, agree with PyTorch.

tests/fixtures/random_cases.json holds ~3,000 expressions written from a fixed
seed by tests/fixtures/record_random.py, with what PyTorch 2.13 (float64, CPU)
said for each: the value, its grad_fn, each variable's gradient, or the
exception's class and message. (Where agcli differs on purpose, the recorder
wrote the PyTorch side as agcli means it; its docstring says how.) This test
never imports torch: it runs each expression through agcli's Python API and
compares.

Values and gradients: exact for integers and booleans, and for expressions
whose every operation is exact on the values given (the recorder binds short
binary fractions and writes literals of them: sums, products, matmul, max,
relu, reshapes... of those are exactly representable, so any correct
computation gives them bit for bit). Otherwise within a relative 1e-12 of the
array's largest element, or 1e-14 absolutely: the last bits of a
transcendental function or of a sum taken in another order may differ, and a
value that cancels to about 1e-16 in one order may be 0 in another.

Errors: the same exception class; and the same message, except
  - for the errors agcli finds before evaluating (unknown names, a call that
    does not fit the function's signature: kinds 'call', 'name', 'syntax'),
    which agcli words itself, and
  - PyTorch's listing of the overloads a call matched none of ("received an
    invalid combination of arguments - got (...), but expected one of: ..."):
    agcli says which argument is wrong instead.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from agcli.errors import INPUT_KINDS
from agcli.evaluate import run as api

FIXTURE = Path(__file__).parent / "fixtures" / "random_cases.json"
CASES = json.loads(FIXTURE.read_text())

_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
RTOL, ATOL = 1e-12, 1e-14
# The operations whose results can be inexact (rounded) on exact inputs: any other
# expression's values and gradients are compared bit for bit.
INEXACT = re.compile(r"\b(exp|log|sqrt|sin|cos|tan|tanh|sigmoid|reciprocal|div|divide|true_divide|pow|remainder|"
                     r"mean|norm|logsumexp|softmax|log_softmax|mse_loss|cross_entropy|nll_loss|"
                     r"binary_cross_entropy_with_logits)\b|/|\*\*|%")
OVERLOADS = re.compile(r"^\w+\(\) received an invalid combination of arguments")


def _decode(x):
    if isinstance(x, list):
        return [_decode(v) for v in x]
    return _NONFINITE.get(x, x) if isinstance(x, str) else x


def _differs(got, want, dtype="float64", exact=False) -> str | None:
    """What differs between agcli's array and PyTorch's recorded value, or None."""
    want = np.array(_decode(want), dtype=np.dtype(dtype))
    if got is None:
        return f"agcli gives nothing, PyTorch {want.tolist()}"
    if got.shape != want.shape:
        return f"shape {got.shape}, PyTorch's {want.shape}"
    if str(got.dtype) != str(want.dtype):
        return f"dtype {got.dtype}, PyTorch's {want.dtype}"
    if exact or want.dtype.kind != "f":
        same = (got == want) | (np.isnan(got) & np.isnan(want)) if want.dtype.kind == "f" else got == want
        if not np.all(same):
            return f"{got.tolist()}, PyTorch's {want.tolist()} (exactly)"
        return None
    finite = np.abs(want[np.isfinite(want)])
    scale = float(finite.max()) if finite.size else 0.0
    if not np.allclose(got, want, rtol=0, atol=RTOL * scale + ATOL, equal_nan=True) \
            or not np.array_equal(np.isfinite(got), np.isfinite(want)) \
            or not np.array_equal(got[~np.isfinite(got)], want[~np.isfinite(want)], equal_nan=True):
        return f"{got.tolist()}, PyTorch's {want.tolist()}"
    return None


def evaluate(case):
    return api.evaluate(case["e"], case["b"], grad_output=case.get("o"))


def disagreement(case, result) -> str | None:
    """How agcli's result differs from what PyTorch said, or None if it agrees."""
    error = case.get("x")
    if error is not None and error[2] == "forward":
        if result.error is None:
            return f"PyTorch raises {error[0]}: {error[1]!r}; agcli gives {result.value!r}"
        return _error_differs(result.error, error) or \
            (f"agcli gives a value with its error: {result.value!r}" if result.value is not None else None)
    if result.value is None:
        return f"agcli raises {result.error.python_type}: {result.error.message!r}; PyTorch gives {case['v']!r}"
    exact = not INEXACT.search(case["e"])
    problem = _differs(result.value, case["v"], case.get("d", "float64"), exact)
    if problem:
        return "value: " + problem
    if result.grad_fn != case.get("f"):
        return f"grad_fn {result.grad_fn}, PyTorch's {case.get('f')}"
    if error is not None:      # PyTorch's backward raised
        if result.error is None:
            return f"PyTorch's backward raises {error[0]}: {error[1]!r}; agcli's does not"
        problem = _error_differs(result.error, error)
        if problem:
            return problem
        reached = [n for n, g in result.grads.items() if g is not None]
        return f"gradients reached {reached} after the error" if reached else None
    if result.error is not None:
        return f"agcli raises {result.error.python_type}: {result.error.message!r}; PyTorch does not"
    if set(result.grads) != set(case["g"]):
        return f"gradients of {sorted(result.grads)}, PyTorch's of {sorted(case['g'])}"
    for name, want in case["g"].items():
        got = result.grads[name]
        if want is None or got is None:
            if want is not got:
                return f"grad of {name}: {got!r}, PyTorch's {want!r}"
            continue
        problem = _differs(got, want, exact=exact)
        if problem:
            return f"grad of {name}: {problem}"
    return None


def _error_differs(error, want) -> str | None:
    kind, message = want[0], want[1]
    if error.python_type != kind:
        return f"agcli raises {error.python_type}: {error.message!r}; PyTorch {kind}: {message!r}"
    if error.kind not in INPUT_KINDS and not OVERLOADS.match(message) and error.message != message:
        return f"message {error.message!r}, PyTorch's {message!r}"
    return None


@pytest.fixture(scope="module", autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


GROUP = 100     # cases per test: 3,000 tests of one case each would spend most of the time in pytest


@pytest.mark.parametrize("start", range(0, len(CASES), GROUP), ids=lambda s: f"cases {s}-{s + GROUP - 1}")
def test_agrees_with_pytorch(start):
    problems = []
    for i, case in enumerate(CASES[start:start + GROUP], start):
        problem = disagreement(case, evaluate(case))
        if problem is not None:
            problems.append(f"case {i}: {case['e']}  with {case['b']}: {problem}")
    assert not problems, "\n".join(problems)


def test_the_fixture_covers_what_it_should():
    assert len(CASES) >= 2500
    errors = [c["x"] for c in CASES if "x" in c]
    assert len({e[0] for e in errors}) >= 4                        # several exception classes
    assert sum(e[2] == "forward" for e in errors) >= 100
    assert sum("[" in c["e"] and "(" in c["e"] for c in CASES) >= 1000    # literals inside calls
    assert sum("=" in c["e"] for c in CASES) >= 300                 # keyword arguments
    assert sum(any(g is not None for g in c.get("g", {}).values()) for c in CASES) >= 1500
