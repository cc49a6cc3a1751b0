"""PyTorch's order of float additions, bit for bit: sums, means, sum_to (a broadcast
gradient summed back) and the small matrix products of a training loop, against
PyTorch 2.13's own results (tests/fixtures/torch_summation_order.json, recorded by
record_summation_order.py; its inputs are rebuilt here from each case's seed)."""
import hashlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agcli.engine import backend

FIXTURES = Path(__file__).parent / "fixtures"
_spec = importlib.util.spec_from_file_location("record_summation_order", FIXTURES / "record_summation_order.py")
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)
FIXTURE = json.loads((FIXTURES / "torch_summation_order.json").read_text())

pytestmark = pytest.mark.skipif(backend.BACKEND != "numpy" or platform.machine() not in ("x86_64", "AMD64"),
                                reason="PyTorch's CPU order, emulated on the NumPy backend (recorded on x86-64)")


def _agcli(op, p):
    from agcli.engine.ops.layout import sum_to_array
    args = record.inputs(op, p)
    if op == "sum":
        return backend.reduce_sum(args[0]) if p["dim"] is None else \
            backend.reduce_sum(args[0], axis=tuple(p["dim"]), keepdims=p["keepdim"])
    if op == "mean":
        return backend.reduce_mean(args[0]) if p["dim"] is None else \
            backend.reduce_mean(args[0], axis=tuple(p["dim"]), keepdims=p["keepdim"])
    if op == "sum_to":
        return sum_to_array(args[0], p["target"])
    if op == "mm":
        return backend.mm_kernel(*args)
    x, weight, bias = args
    return backend.addmm_kernel(bias, x, weight.T)        # F.linear: addmm(bias, input, weight.t())


def _threads_matter(op, p) -> bool:
    """PyTorch splits a reduction among threads from 32768 elements on."""
    return op in ("sum", "mean", "sum_to") and int(np.prod(p["shape"])) >= 32768


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["name"] for c in FIXTURE["cases"]])
def test_bits_agree_with_pytorch(case):
    from agcli.engine.backend_sums_kernel import threads
    if _threads_matter(case["op"], case["params"]) and threads() != FIXTURE["threads"]:
        pytest.skip(f"recorded with {FIXTURE['threads']} threads, PyTorch here would use {threads()}")
    value = np.ascontiguousarray(np.asarray(_agcli(case["op"], case["params"])))
    expected = case["torch"]
    assert list(value.shape) == expected["shape"]
    first = float(value.reshape(-1)[0]).hex() if value.size else None
    assert (first, hashlib.sha256(value.tobytes()).hexdigest()) == (expected["first"], expected["sha256"])


def test_numpy_alone_would_differ():
    """The fixture tells the orders apart: NumPy's pairwise sum misses many of its sums."""
    missed = 0
    for case in FIXTURE["cases"]:
        if case["op"] == "sum" and case["params"]["dim"] is None:
            (x,) = record.inputs("sum", case["params"])
            missed += hashlib.sha256(np.add.reduce(x).tobytes()).hexdigest() != case["torch"]["sha256"]
    assert missed > 50


@pytest.mark.parametrize("shape, axis", [((17, 5), 0), ((40, 3, 8), 1), ((9, 2), 0), ((33, 1), 0),
                                         ((5, 33), 0), ((2, 33, 4), 0)])
def test_fold_adds_in_order(shape, axis):
    """kernel.fold is the left fold a[0] + a[1] + ... whichever way NumPy iterates."""
    from agcli.engine.backend_sums_kernel import fold
    rng = np.random.default_rng(len(shape) * 31 + axis)
    a = np.moveaxis(rng.standard_normal(shape).astype(np.float32) * 2.0 ** rng.integers(-8, 8, shape), axis, 0)
    expected = a[0].copy()
    for k in range(1, a.shape[0]):
        expected = expected + a[k]
    assert np.array_equal(fold(a), expected)


def test_start_up_does_not_load_the_order():
    """The summation order is imported by the first float sum, not by the engine's start."""
    code = ("import sys, agcli.engine.backend as b, agcli.engine.ops\n"
            "print('agcli.engine.backend_sums' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "AGCLI_ARRAY_BACKEND": "numpy"})
    assert out.stdout.strip() == "False", out.stderr
