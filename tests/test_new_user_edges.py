"""What a new user met at the shell's edges (a hunt of 2,300 commands), answered as PyTorch answers:
whole-number powers that fit, PyTorch's warnings in a grad's output, Python's errors for
attributes of numbers and shapes passed as tensors, losses of nothing, aminmax's fields,
and the REPL's bare `exit`. The installed agcli, run as a subprocess."""
from __future__ import annotations

import json

import pytest

from installed import run_in as agcli


def as_json(proc) -> dict:
    return json.loads(proc.stdout)


@pytest.mark.parametrize("expr, value", [("x * 2**40", 2.0 ** 40), ("x * 2**62", 2.0 ** 62),
                                         ("x * (-2)**41", -(2.0 ** 41)), ("x * 10**18", 1e18)])
def test_whole_number_powers_that_fit_are_numbers(tmp_path, expr, value):
    out = as_json(agcli("grad", expr, "--x", "1", "-f", "json", cwd=tmp_path))
    assert out["error"] is None and out["value"] == value


def test_an_int_beyond_what_pytorch_unpacks_is_its_overflow_error(tmp_path):
    proc = agcli("grad", "x * 2**70", "--x", "1", cwd=tmp_path)
    assert proc.returncode == 1 and "int too big to convert" in proc.stderr


@pytest.mark.parametrize("expr, binding, warning", [
    ("x.std()", "[1.]", "UserWarning: std(): degrees of freedom is <= 0."),
    ("F.softmax(x)[0, 0]", "[[1., 2.], [3., 5.]]", "UserWarning: Implicit dimension choice for softmax"),
])
def test_pytorchs_warnings_reach_the_result(tmp_path, expr, binding, warning):
    out = as_json(agcli("grad", expr, "--x", binding, "-f", "json", cwd=tmp_path))
    assert any(w.startswith(warning) for w in out["warnings"]), out["warnings"]


@pytest.mark.parametrize("loss", ["mse_loss", "smooth_l1_loss", "huber_loss", "l1_loss"])
def test_a_loss_of_nothing_is_nan_with_an_empty_gradient(tmp_path, loss):
    out = as_json(agcli("grad", f"F.{loss}(x, x)", "--x", "[]", "-f", "json", cwd=tmp_path))
    assert out["error"] is None and out["value"] == "nan" and out["grads"] == {"x": []}


@pytest.mark.parametrize("expr, message", [
    ("(2).dtype * x", "'int' object has no attribute 'dtype'"),
    ("torch.sin(x.shape)", "sin(): argument 'input' (position 1) must be Tensor, not torch.Size"),
    ("torch.exp(torch.float32)", "exp(): argument 'input' (position 1) must be Tensor, not torch.dtype"),
])
def test_wrong_receivers_and_arguments_are_pythons_errors(tmp_path, expr, message):
    proc = agcli("grad", expr, "--x", "1", cwd=tmp_path)
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr


def test_aminmax_fields_in_an_expression(tmp_path):
    out = as_json(agcli("grad", "x.aminmax().max * 2 + torch.aminmax(x, dim=0).min", "--x", "[1., 5.]", "-f", "json",
                        cwd=tmp_path))
    assert out["value"] == 11.0 and out["grads"] == {"x": [1.0, 2.0]}
    proc = agcli("grad", "x.max", "--x", "[1., 5.]", cwd=tmp_path)
    assert proc.returncode != 0 and "'max' is a method: call it" in proc.stderr


def test_a_bare_exit_in_the_repl_says_how_to_leave(tmp_path):
    proc = agcli("repl", cwd=tmp_path, input="1\nexit\n2\nquit()\n3\n")
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["1", "Use exit() or Ctrl-D (i.e. EOF) to exit", "2"]
