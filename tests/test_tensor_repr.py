"""agcli.tensor_repr must print exactly what PyTorch prints.

The expected strings come from tests/fixtures/tensor_repr.json, recorded from
real torch by tests/fixtures/record_tensor_repr.py; this test never imports
torch.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from agcli.torchapi.printing import format_data, format_tensor

FIXTURE = Path(__file__).parent / "fixtures" / "tensor_repr.json"
CASES = json.loads(FIXTURE.read_text())

_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _decode(x):
    if isinstance(x, list):
        return [_decode(v) for v in x]
    if isinstance(x, str):
        return _NONFINITE[x]
    return x


def _array(case: dict) -> np.ndarray:
    dtype = np.dtype(case["dtype"])
    if dtype.kind == "c":
        real = np.array(_decode(case["data"]), dtype=np.float64)
        imag = np.array(_decode(case["imag"]), dtype=np.float64)
        # Build through real/imag so a -0.0 imaginary part survives.
        arr = np.empty(real.shape, dtype=dtype)
        arr.real, arr.imag = real, imag
    else:
        arr = np.array(_decode(case["data"]), dtype=dtype)
    return arr.reshape(case["shape"])


def test_fixture_is_big_enough():
    assert len(CASES) >= 150


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_torch(case):
    got = format_tensor(
        _array(case),
        dtype=case["dtype"],
        default_dtype=case["default_dtype"],
        grad_fn=case["grad_fn"],
        requires_grad=case["requires_grad"],
    )
    assert got == case["repr"]


# --- hand-written cases from the PyTorch autograd tutorials -------------------


def test_scalar_add_backward_float64():
    got = format_tensor(np.float64(46.4), dtype="float64", default_dtype="float64",
                        grad_fn="AddBackward0", requires_grad=True)
    assert got == "tensor(46.4000, grad_fn=<AddBackward0>)"


def test_clone_backward_matrix():
    got = format_tensor(np.full((2, 2), 4.5, dtype=np.float32), dtype="float32",
                        grad_fn="CloneBackward0")
    assert got == (
        "tensor([[4.5000, 4.5000],\n"
        "        [4.5000, 4.5000]], grad_fn=<CloneBackward0>)"
    )


def test_leaf_requires_grad():
    assert format_tensor(np.float32(1.0), dtype="float32", requires_grad=True) == (
        "tensor(1., requires_grad=True)"
    )


def test_sci_mode_mixed_magnitudes():
    data = np.array([1.024e2, 1.024e3, 1.024e-1], dtype=np.float32)
    assert format_tensor(data, dtype="float32") == (
        "tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])"
    )


def test_negative_matrix_alignment():
    data = np.array([[-67, -52 / 9, -9],
                     [-74 / 49, -64, -16.75],
                     [-198, -10.5, -184 / 9]], dtype=np.float32)
    assert format_tensor(data, dtype="float32") == (
        "tensor([[ -67.0000,   -5.7778,   -9.0000],\n"
        "        [  -1.5102,  -64.0000,  -16.7500],\n"
        "        [-198.0000,  -10.5000,  -20.4444]])"
    )


def test_non_default_float_dtype_is_shown():
    assert format_tensor(np.float64(2.0), dtype="float64") == (
        "tensor(2., dtype=torch.float64)"
    )
    assert format_tensor(np.float32(2.0), dtype="float32", default_dtype="float64") == (
        "tensor(2., dtype=torch.float32)"
    )


def test_format_data_has_no_prefix_indent():
    data = np.array([[1.5, 2.0], [3.0, 4.0]])
    assert format_data(data, dtype="float64") == "[[1.5000, 2.0000],\n [3.0000, 4.0000]]"
    assert format_data(np.zeros((0, 3)), dtype="float32") == "[]"
