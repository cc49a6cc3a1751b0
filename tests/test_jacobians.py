"""agcli jacobian and jvp against PyTorch 2.13 on random shapes (tests/fixtures/
torch_jacobians.json, record_jacobians.py: torch.autograd.functional.jacobian and
jvp, torch.func.jacfwd and jvp), in-process through evaluate/calculus.py, with the
Jacobian in both of its modes (forward: one batched evaluation; reverse: one
backward pass per output element); the JVP's zeros keep the signs forward mode
gives them. Then the errors, the limit, and the installed commands (a subprocess).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from installed import AGCLI, base_env
from agcli.evaluate.calculus import COMMANDS, Calculus
from agcli.evaluate.jacobians import jacobians
from agcli.evaluate.run import configure
from agcli.state import state

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((ROOT / "tests" / "fixtures" / "torch_jacobians.json").read_text())["cases"]
TUTORIAL = "[a[0]**2 + a[1], a[1] + a[2], a[2]**3]"     # the tutorials' b from a = [1, 2, 3]


@pytest.fixture(autouse=True)
def _float64():
    configure(dtype="float64", seed=None, max_elements=10**8)


def _same(got, want):
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-10, atol=1e-12))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["expr"])
def test_the_jacobian_is_pytorchs_in_either_mode(case):
    result = COMMANDS["jacobian"](case["expr"], case["bindings"])
    assert result.error is None, result.error
    assert _same(result.value, case["value"])
    for mode in ("forward", "reverse"):
        answer = jacobians(Calculus(case["expr"], "jacobian"), case["expr"], case["bindings"], mode=mode)
        for name in case["bindings"]:
            assert _same(answer[name], case["jacobian"][name]), (mode, name)
            assert _same(answer[name], case["jacfwd"][name]), (mode, name)
    for name in case["bindings"]:
        assert _same(result.answer[name], case["jacobian"][name]), name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["expr"])
def test_the_jvp_is_pytorchs_with_the_signs_of_its_zeros(case):
    result = COMMANDS["jvp"](case["expr"], case["bindings"], vectors=case["vectors"])
    assert result.error is None, result.error
    assert _same(result.answer, case["jvp"]) and _same(result.answer, case["func_jvp"])
    want = np.asarray(case["func_jvp"], dtype=float)
    zeros = want == 0
    assert (np.signbit(result.answer[zeros]) == np.signbit(want[zeros])).all()


def test_the_tutorials_jacobian_rows_in_one_command():
    result = COMMANDS["jacobian"](TUTORIAL, {"a": "[1., 2., 3.]"})
    assert result.answer["a"].tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 27]]


def test_modes_are_picked_by_size():
    """Fewer outputs than inputs: reverse mode (a scalar output: one backward pass); else forward."""
    from agcli.engine import backward as engine_backward
    from agcli.evaluate import jacobians as module
    passes = []
    real = module.backward

    def counted(*args, **kwargs):
        passes.append(1)
        return real(*args, **kwargs)
    module.backward = counted
    try:
        scalar = COMMANDS["jacobian"]("(x * w).sum()", {"x": "[1., 2., 3.]", "w": "[4., 5., 6.]"})
        assert len(passes) == 1
        assert scalar.answer["x"].tolist() == [4, 5, 6] and scalar.answer["w"].tolist() == [1, 2, 3]
        passes.clear()
        square = COMMANDS["jacobian"]("tanh(W @ x)", {"W": "eye(3) * 0.5", "x": "[1., 2., 3.]"}, wrt=["x"])
        assert not passes and square.answer["x"].shape == (3, 3)
    finally:
        module.backward = real
    assert engine_backward.backward is real


def test_variables_the_output_does_not_reach_get_zeros_and_a_warning():
    result = COMMANDS["jacobian"]("x * 2", {"x": "[1., 2.]", "y": "3"})
    assert result.answer["y"].tolist() == [0, 0] and result.answer["x"].tolist() == [[2, 0], [0, 2]]
    assert result.warnings == ["'y' is bound but the expression does not use it"]
    constant = COMMANDS["jacobian"]("x.argmax()", {"x": "[1., 3., 2.]"})
    assert constant.answer["x"].tolist() == [0, 0, 0] and constant.answer["x"].dtype == np.float64


def test_wrt_picks_the_variables():
    result = COMMANDS["jacobian"]("a * b", {"a": "[1., 2.]", "b": "3"}, wrt=["b"])
    assert list(result.answer) == ["b"] and result.answer["b"].tolist() == [1, 2]


def test_a_scalar_variable_defaults_to_one_in_a_jvp():
    result = COMMANDS["jvp"]("sin(x) * y", {"x": "[1., 2.]", "y": "3"}, vectors={"x": "[1, 0]"})
    np.testing.assert_allclose(result.answer, [np.cos(1) * 3 + np.sin(1), np.sin(2)], rtol=1e-15)


def test_jvp_errors_name_what_is_wrong():
    missing = COMMANDS["jvp"]("W @ x", {"W": "eye(2)", "x": "[1., 2.]"}, vectors={"x": "[1, 0]"})
    assert missing.error.message == "no --vector for W: a JVP needs a tangent for every variable differentiated"
    assert missing.error.exit_code == 2 and "--vector W=VALUE" in missing.error.hint
    shape = COMMANDS["jvp"]("x * 2", {"x": "[1., 2.]"}, vectors={"x": "[1, 2, 3]"})
    assert shape.error.message == "the --vector for x has shape (3,), but x has shape (2,)"
    stray = COMMANDS["jvp"]("x * 2", {"x": "[1., 2.]"}, vectors={"x": "[1, 0]", "z": "1"})
    assert stray.error.message == "--vector z names no variable differentiated"
    bad = COMMANDS["jvp"]("x * 2", {"x": "[1., 2.]"}, vectors={"x": "[1, "})
    assert bad.error is not None and bad.error.origin == "--vector x"


def test_a_jacobian_larger_than_the_limit_is_refused():
    with state.using(max_elements=1000):
        result = COMMANDS["jacobian"]("x * 2", {"x": "ones(40)"})
    assert result.error.kind == "limit" and "1600 elements (40 outputs x 40 inputs)" in result.error.message


def test_float32_stays_float32():
    configure(dtype="float32", seed=None)
    result = COMMANDS["jacobian"]("x ** 2", {"x": "[1., 2.]"})
    assert result.answer["x"].dtype == np.float32
    assert COMMANDS["jvp"]("x ** 2", {"x": "[1., 2.]"}, vectors={"x": "[1, 1]"}).answer.dtype == np.float32


# ------------------------------------------------------ the installed commands
def _agcli(*args):
    import subprocess
    return subprocess.run([AGCLI, *args], capture_output=True, text=True, timeout=120, env=base_env(),
                          stdin=subprocess.DEVNULL)


def test_agcli_jacobian_shows_one_matrix_per_variable():
    proc = _agcli("jacobian", TUTORIAL, "--a", "[1., 2., 3.]")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == [TUTORIAL, "tensor([ 3.,  5., 27.])"]
    assert "variable   output × variable   jacobian" in proc.stdout
    assert "a          (3,) × (3,)         [[ 2.,  1.,  0.]," in proc.stdout
    assert "[ 0.,  0., 27.]]" in lines[-1]


def test_agcli_jacobian_and_jvp_json():
    proc = _agcli("jacobian", "x * w", "--x", "[1., 2.]", "--w", "3", "--format", "json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["jacobian"] == {"x": [[3.0, 0.0], [0.0, 3.0]], "w": [1.0, 2.0]}
    assert (out["expr"], out["shape"], out["dtype"], out["value"], out["error"]) == ("x * w", [2], "float64",
                                                                                      [3.0, 6.0], None)
    proc = _agcli("jvp", "x * w", "--x", "[1., 2.]", "--w", "3", "--vector", "x=[1, -1]", "--format", "json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["jvp"] == [4.0, -1.0] and out["command"] == "jvp"


def test_agcli_jvp_without_a_vector_is_rejected_with_exit_2():
    proc = _agcli("jvp", "W @ x", "--W", "eye(2)", "--x", "[1., 2.]", "--vector", "x=[1, 0]", "--format", "json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 2 and out["error"]["message"].startswith("no --vector for W")
    assert "no --vector for W" in proc.stderr
