"""Issue 14, findings 1, 2 and 8: option typos are caught, unused bindings are
named, a missing gradient says why, and PyTorch's names agcli lacks are told
apart from typos. The installed `agcli`, as a subprocess."""
from __future__ import annotations

import json
import subprocess

import pytest

from installed import AGCLI, base_env
from agcli.cli.arguments import GRAD_OPTIONS
from agcli.language.unknown_names import OPTION_NAMES


def agcli(*args, cwd):
    proc = subprocess.run([AGCLI, *args], cwd=cwd, env=base_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.mark.parametrize("typo, option", [
    (["--sed", "0"], "--seed"), (["--fromat", "json"], "--format"), (["--grad_output", "ones(2)"], "--grad-output"),
    (["--wtr", "a"], "--wrt"), (["--dtyp", "float32"], "--dtype"), (["--devce", "cpu"], "--device"),
])
def test_a_mistyped_option_is_refused_not_bound(tmp_path, typo, option):
    proc = agcli("grad", "rand(2)*a", "--a", "1", *typo, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"error: unknown option {typo[0]}" in proc.stderr
    assert f"did you mean {option}?" in proc.stderr


def test_a_variable_named_like_an_option_is_a_variable_when_used(tmp_path):
    proc = agcli("grad", "a*dev + sed", "--a", "1", "--dev", "3", "--sed", "2", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["value"] == 5.0 and out["grads"] == {"a": 3.0, "dev": 1.0, "sed": 1.0}


def test_an_unused_binding_is_a_warning_and_an_error_when_strict(tmp_path):
    proc = agcli("grad", "a*b", "--a", "1", "--b", "2", "--c", "3", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["warnings"] == ["'c' is bound but the expression does not use it"]
    assert out["grads"]["c"] is None and out["no_grad"] == {"c": "the expression does not use it"}
    assert "warning: 'c' is bound but the expression does not use it" in proc.stderr
    strict = agcli("grad", "a*b", "--a", "1", "--b", "2", "--c", "3", "--strict", cwd=tmp_path)
    assert strict.returncode == 2 and "tensor" not in strict.stdout
    assert "error: 'c' is bound but the expression does not use it" in strict.stderr


def test_an_option_used_as_a_variable_is_told_to_use_define(tmp_path):
    proc = agcli("grad", "seed*2", "--seed", "3", cwd=tmp_path)
    assert proc.returncode == 2
    assert "hint: --seed is one of agcli's options: bind a variable of that name with -D seed=VALUE" in proc.stderr
    fixed = agcli("grad", "seed*2", "-D", "seed=3", "-f", "json", cwd=tmp_path)
    assert json.loads(fixed.stdout)["value"] == 6.0


@pytest.mark.parametrize("expr, why", [
    ("a.long()*b", ".long(): integer tensors carry no gradient"),
    ("a.detach()*b", ".detach(): it returns a tensor outside the graph"),
    ("torch.where(a > 0, b, 2*b)", "a comparison: bool tensors carry no gradient"),
    ("a.data*b", ".data: it shares the value without the graph"),
    ("ones_like(a)*b", "ones_like(): it uses only the shape and dtype"),
    ("torch.tensor(a)*b", "tensor(): it copies the value without its graph"),
])
def test_a_missing_gradient_names_the_cut(tmp_path, expr, why):
    proc = agcli("grad", expr, "--a", "1", "--b", "2", "-f", "json", cwd=tmp_path)
    out = json.loads(proc.stdout)
    assert out["grads"] == {"a": None, "b": out["grads"]["b"]} and out["grads"]["b"] is not None
    assert out["no_grad"] == {"a": why}
    table = agcli("grad", expr, "--a", "1", "--b", "2", cwd=tmp_path)
    assert f"None ({why})" in table.stdout


def test_a_stacked_literal_keeps_every_gradient(tmp_path):
    proc = agcli("grad", "([a, b] * c).sum()", "--a", "1", "--b", "2", "--c", "3", "-f", "json", cwd=tmp_path)
    out = json.loads(proc.stdout)
    assert out["value"] == 9.0 and out["grads"] == {"a": 3.0, "b": 3.0, "c": 3.0} and out["no_grad"] == {}


def test_a_leaf_made_in_the_expression_gets_its_gradient(tmp_path):
    expr = "x = torch.tensor([1., 2.], requires_grad=True); (x**2).sum()"
    out = json.loads(agcli("grad", expr, "-f", "json", cwd=tmp_path).stdout)
    assert out["value"] == 5.0 and out["grads"] == {"x": [2.0, 4.0]}
    table = agcli("grad", expr, cwd=tmp_path).stdout
    assert "gradients" in table and "[2., 4.]" in table


@pytest.mark.parametrize("expr, hint", [
    ("nn.Linear(a)", "nn.Linear is a module class, for programs: one run by `agcli run` makes its modules"),
    ("torch.stft(a)", "PyTorch has torch.stft, but agcli does not provide it"),
    ("a.backward()", "agcli grad runs backward from the expression's value itself: drop .backward()"),
    ("a.tahn()", "did you mean 'tan' or 'tanh'"),
])
def test_pytorch_names_agcli_lacks_are_not_typos(tmp_path, expr, hint):
    proc = agcli("grad", expr, "--a", "1", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"hint: {hint}" in proc.stderr


def test_the_option_names_lowering_knows_are_grads_options():
    assert OPTION_NAMES == {o[2:] for o in GRAD_OPTIONS if o.startswith("--") and "-" not in o[2:]}
