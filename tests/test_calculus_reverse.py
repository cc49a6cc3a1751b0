"""agcli hessian, vjp, hvp, vhp and check against PyTorch 2.13's torch.autograd.functional
and gradcheck on random shapes (tests/fixtures/torch_calculus.json, record_calculus.py),
in-process through evaluate/calculus.py; the commands themselves as installed, through
a subprocess (their JSON, exit codes, batch lines that start with a command's word)."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agcli.evaluate.calculus import COMMANDS
from agcli.evaluate.run import configure
from agcli.state import state

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((ROOT / "tests" / "fixtures" / "torch_calculus.json").read_text())["cases"]


def _agcli(*args, stdin=None):
    exe = Path(sys.executable).with_name("agcli")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, input=stdin, timeout=120)


def _same(a, b):
    """Equal nested lists of numbers (float64 to the last few bits, nan with nan)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))


def _run(case):
    configure(dtype="float64", seed=case.get("seed"))
    options = {}
    if case["command"] == "vjp":
        options["grad_output"] = case["grad_output"]
    if case["command"] in ("hvp", "vhp"):
        options["vectors"] = case["vectors"]
    if case["command"] == "check":
        options["second_order"] = case["second_order"]
    return COMMANDS[case["command"]](case["expr"], case["bindings"], **options)


@pytest.mark.parametrize("case", [c for c in CASES if c["command"] != "check"],
                         ids=lambda c: f"{c['command']}:{c['expr']}")
def test_products_and_hessians_equal_pytorchs(case):
    result = _run(case)
    if "error" in case:
        assert result.error is not None and result.error.message == case["error"]
        return
    assert result.error is None, result.error
    if "value" in case:
        assert _same(result.value, case["value"])
    expected, got = case["answer"], result.answer
    assert got.keys() == expected.keys()
    for name in expected:
        if case["command"] == "hessian":
            assert got[name].keys() == expected[name].keys()
            for other in expected[name]:
                assert _same(got[name][other], expected[name][other]), (name, other)
        else:
            assert _same(got[name], expected[name]), name


@pytest.mark.parametrize("case", [c for c in CASES if c["command"] == "check"],
                         ids=lambda c: f"check{'2' if c['second_order'] else ''}:{c['expr']}")
def test_gradient_checks_pass_and_fail_where_pytorchs_do(case):
    result = _run(case)
    assert result.answer["ok"] is case["ok"]
    if case["ok"]:
        assert result.error is None, result.error
    else:
        assert result.error.kind == "gradcheck"
        assert result.error.message == case["report"].rstrip("\n")


def test_check_keeps_both_jacobians_and_their_largest_difference():
    configure(dtype="float64")
    result = COMMANDS["check"]("relu(x)", {"x": "[0.0, 1.0]"})
    found = result.answer["first_order"]["x"]
    assert found["numerical"][0].tolist() == [0.5, 0.0] and found["numerical"][1][1] == pytest.approx(1.0)
    assert found["analytical"].tolist() == [[0.0, 0.0], [0.0, 1.0]]
    assert found["max_abs_diff"] == 0.5


def test_hessian_by_forward_over_reverse_equals_the_per_row_one():
    from agcli.evaluate import calculus_reverse as CR
    configure(dtype="float64")
    expr, bindings = "tanh(W @ x).sum() + (x * x * y).sum()", {"W": "[[0.5, -1.0], [2.0, 0.25]]",
                                                                "x": "[0.3, -0.7]", "y": "[1.5, 2.0]"}
    fast = COMMANDS["hessian"](expr, bindings)
    original = CR._forward_over_reverse
    CR._forward_over_reverse = lambda fn, inputs: None
    try:
        slow = COMMANDS["hessian"](expr, bindings)
    finally:
        CR._forward_over_reverse = original
    for a in slow.answer:
        for b in slow.answer[a]:
            assert _same(fast.answer[a][b], slow.answer[a][b]), (a, b)


# ---------------------------------------------------------------- the installed commands
def test_hessian_json_nests_the_blocks_by_variable():
    proc = _agcli("hessian", "(x**3).sum() + (x*y).sum()", "--x", "[1., 2.]", "--y", "[3., 4.]", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["command"] == "hessian" and out["value"] == 20.0 and out["shape"] == [] and out["error"] is None
    assert out["hessian"] == {"x": {"x": [[6.0, 0.0], [0.0, 12.0]], "y": [[1.0, 0.0], [0.0, 1.0]]},
                              "y": {"x": [[1.0, 0.0], [0.0, 1.0]], "y": [[0.0, 0.0], [0.0, 0.0]]}}


def test_hessian_of_a_vector_output_is_pytorchs_error():
    proc = _agcli("hessian", "x**3", "--x", "[1., 2.]")
    assert proc.returncode == 1
    assert "error: The Tensor returned by the function given to hessian should contain a single element" \
        in proc.stderr


def test_vjp_is_what_grad_with_grad_output_gives():
    words = ["(inp+1).pow(2).t()", "--inp", "eye(4, 5)", "--grad-output", "ones(5, 4)", "--format", "json"]
    vjp = json.loads(_agcli("vjp", *words).stdout)
    grad = json.loads(_agcli("grad", *words).stdout)
    assert vjp["vjp"] == grad["grads"] and vjp["value"] == grad["value"]


def test_vjp_without_grad_output_needs_a_scalar_output():
    proc = _agcli("vjp", "x * 2", "--x", "[1., 2.]")
    assert proc.returncode == 1
    assert ("The vector v can only be None if the user-provided function returns a single Tensor with a single "
            "element.") in proc.stderr
    proc = _agcli("vjp", "x * 2", "--x", "[1., 2.]", "--grad-output", "[1., 2., 3.]")
    assert proc.returncode == 1
    assert "v has invalid size: should be torch.Size([2]) but got torch.Size([3])." in proc.stderr


@pytest.mark.parametrize("command", ["jvp", "hvp", "vhp"])
def test_a_vector_of_the_wrong_shape_is_one_binding_error(command):
    proc = _agcli(command, "(x**3).sum()", "--x", "[1., 2.]", "--vector", "x=[1., 2., 3.]")
    assert proc.returncode == 2
    assert "error in --vector x: the --vector for x has shape (3,), but x has shape (2,)" in proc.stderr


def test_hvp_and_vhp_need_a_vector_per_variable_but_a_scalar_ones():
    proc = _agcli("hvp", "(x**2 * y).sum()", "--x", "[1., 2.]", "--y", "3", "--vector", "x=[1, 0]",
                  "--format", "json")
    assert proc.returncode == 0, proc.stderr
    # H = [[2y, 0, 2x0], [0, 2y, 2x1], [2x0, 2x1, 0]], v = (1, 0, 1): y's vector is 1
    assert json.loads(proc.stdout)["hvp"] == {"x": [8.0, 4.0], "y": 2.0}
    proc = _agcli("vhp", "(x**2 * y).sum()", "--x", "[1., 2.]", "--y", "3")
    assert proc.returncode == 2
    assert "vhp needs a vector for each variable differentiated; missing: x" in proc.stderr
    proc = _agcli("hvp", "(x**2).sum()", "--x", "[1., 2.]", "--vector", "z=[1, 0]")
    assert proc.returncode == 2 and "--vector z: it is not among the variables differentiated" in proc.stderr


def test_check_exits_1_with_pytorchs_report_where_gradcheck_fails():
    proc = _agcli("check", "relu(x)", "--x", "0")
    assert proc.returncode == 1
    assert ("error: Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor([[0.5000]], "
            "dtype=torch.float64)\nanalytical:tensor([[0.]], dtype=torch.float64)") in proc.stderr
    proc = _agcli("check", "x/0", "--x", "1")      # (the value's warning in agcli's words, once; never NumPy's)
    assert proc.returncode == 1 and "RuntimeWarning" not in proc.stderr and proc.stderr.count("divide by zero") == 1
    proc = _agcli("check", "abs(x)", "--x", "0", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["ok"] is True and out["check"]["first_order"]["x"] == {
        "max_abs_diff": 0.0, "numerical": [[0.0]], "analytical": [[0.0]]}


def test_check_tolerances_and_second_order():
    # relu's kink at 0 is off by 0.5: an atol above it passes
    assert _agcli("check", "relu(x)", "--x", "0", "--atol", "0.6").returncode == 0
    proc = _agcli("check", "(x*y).sin().sum()", "--x", "[1., 2.]", "--y", "[3., 4.]", "--second-order",
                  "--format", "json")
    assert proc.returncode == 0, proc.stderr
    second = json.loads(proc.stdout)["check"]["second_order"]
    assert set(second) == {"x", "y"} and set(second["x"]) == {"x", "y", "grad_output"}


def test_detect_anomaly_points_at_the_operation_whose_backward_gave_nan():
    proc = _agcli("grad", "a = x*2; b = a/y; b.sum()", "--x", "[0., 1.]", "--y", "[0., 2.]", "--detect-anomaly")
    assert proc.returncode == 1
    assert "error: Function 'DivBackward0' returned nan values in its 1th output." in proc.stderr
    assert "   | a = x*2; b = a/y; b.sum()\n   |               ^" in proc.stderr
    # without it, backward's nan is only a gradient
    assert _agcli("grad", "a = x*2; b = a/y; b.sum()", "--x", "[0., 1.]", "--y", "[0., 2.]").returncode == 0
    proc = _agcli("hessian", "(x/y).sum()", "--x", "0", "--y", "0", "--detect-anomaly")
    assert proc.returncode == 1 and "returned nan values" in proc.stderr


def test_batch_lines_may_start_with_a_command_word():
    lines = ('hessian "(x**3).sum()" --x "[1., 2.]"\n'
             'vjp "x*2" --x "[1., 2.]" --grad-output "[1, 1]"\n'
             '"x*x" --x 3\n'
             'grad hessian --hessian 2\n'
             'check "relu(x)" --x 0\n')
    proc = _agcli("batch", "-", "--format", "jsonl", stdin=lines)
    assert proc.returncode == 1        # the check fails
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert out[0]["hessian"] == {"x": {"x": [[6.0, 0.0], [0.0, 12.0]]}} and out[0]["line"] == 1
    assert out[1]["vjp"] == {"x": [2.0, 2.0]}
    assert out[2]["grads"] == {"x": 6.0} and "command" not in out[2]
    assert out[3]["expr"] == "hessian" and out[3]["grads"] == {"hessian": 1.0}
    assert out[4]["ok"] is False and out[4]["error"]["kind"] == "gradcheck"


def test_another_commands_option_on_a_line_is_refused_unless_the_expression_reads_it():
    proc = _agcli("batch", "-", "--format", "jsonl", stdin='hessian "(x**2).sum()" --x 1 --vector x=1\n'
                                                          'hessian "(x*vector).sum()" --x 1 --vector 2\n')
    refused, bound = map(json.loads, proc.stdout.splitlines())
    assert refused["error"]["kind"] == "usage" and refused["error"]["message"].startswith("--vector is not an option")
    assert "agcli jvp" in refused["error"]["hint"]
    assert bound["error"] is None and bound["hessian"]["x"]["vector"] == 1.0


def teardown_module():
    state.detect_anomaly = False


@pytest.mark.parametrize("command", ["hessian", "vjp", "hvp", "vhp", "check"])
def test_every_help_example_runs(command):
    import shlex
    text = _agcli(command, "--help").stdout
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith(f"agcli {command} ")]
    assert examples
    for example in examples:
        words, _, comment = example.partition("  #")
        proc = _agcli(*shlex.split(words)[1:])
        assert proc.returncode == (1 if "fails" in comment else 0), (example, proc.stderr)


def test_detect_anomaly_in_a_program_points_at_its_line(tmp_path):
    program = tmp_path / "nan.py"
    program.write_text("import torch\nx = torch.tensor([0., 1.], requires_grad=True)\n"
                       "y = torch.tensor([0., 2.], requires_grad=True)\nz = x.sqrt() * 2\n"
                       "w = (z / y).sum()\nw.backward()\nprint(x.grad)\n")
    proc = _agcli("run", str(program), "--detect-anomaly")
    assert proc.returncode == 1
    assert "error: RuntimeError: Function 'DivBackward0' returned nan values in its 1th output." in proc.stderr
    assert "line 5, column 8\n   | w = (z / y).sum()\n   |        ^" in proc.stderr
    proc = _agcli("run", str(program))
    assert proc.returncode == 0 and proc.stdout == "tensor([   inf, 0.5000])\n"
