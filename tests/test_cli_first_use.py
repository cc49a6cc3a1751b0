"""What a new user met trying each command as the README and --help show it (hunt 6): a bracket
left open is Python's "'(' was never closed", a name only programs have says `agcli run` has it,
an unquoted `*` the shell expanded is named, and a batch line prints as `agcli grad` with the
same words. The installed agcli, run as a subprocess."""
from __future__ import annotations


import pytest

from installed import run_in as agcli


@pytest.mark.parametrize("args, where, caret", [
    (["grad", "(x", "--x", "1"], "expression, line 1, column 1", "   | ^"),
    (["grad", "f(x, [1, 2", "--x", "1"], "expression, line 1, column 6", "   |      ^"),
    (["grad", "x", "--x", "[1, 2"], "value of --x, line 1, column 1", "   | ^"),
    (["jacobian", "x", "--x", "randn(2,"], "value of --x, line 1, column 6", "   |      ^"),
    (["run", "-e", "x = (1,"], "-e, line 1, column 5", "   |     ^"),
])
def test_a_bracket_left_open_at_the_end_is_pythons_error(tmp_path, args, where, caret):
    proc = agcli(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert "was never closed" in proc.stderr and f"--> {where}\n" in proc.stderr, proc.stderr
    assert caret + "\n" in proc.stderr and "end of input" not in proc.stderr


def test_an_operator_without_its_operand_is_still_said_so(tmp_path):
    proc = agcli("grad", "x +", "--x", "1", cwd=tmp_path)
    assert proc.returncode == 2 and "error: unexpected end of input" in proc.stderr


@pytest.mark.parametrize("expr, hint", [
    ("print(x)", "print() is Python's built-in, not PyTorch's: agcli grad prints the value itself"),
    ("len(x)", "len() is Python's built-in, not PyTorch's"),
    ("float(x)", "float() is Python's built-in"),
    ("x.grad", "agcli grad shows .grad itself"),
    ("x.grad_fn", "agcli grad shows .grad_fn itself"),
    ("x.tolist()", "an expression is one computation, without a tensor's state between lines"),
    ("x.retain_grad()", "an expression is one computation"),
    ("torch.autograd.grad(x * x, x)", "agcli grad is torch.autograd.grad (and backward) of the expression"),
    ("nn.Linear(2, 2)", "nn.Linear is a module class, for programs"),
    ("nn.relu(x)", "an expression calls torch.nn.functional's functions as F.relu(x)"),
])
def test_a_name_only_programs_have_points_to_agcli_run(tmp_path, expr, hint):
    proc = agcli("grad", expr, "--x", "[1., 2.]", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"hint: {hint}" in proc.stderr and "does not provide" not in proc.stderr, proc.stderr


def test_a_typo_still_gets_its_guess(tmp_path):
    proc = agcli("grad", "x.sinn()", "--x", "1", cwd=tmp_path)
    assert "hint: did you mean 'sin' or 'sinh' or 'sinc'?" in proc.stderr


@pytest.mark.parametrize("command", ["grad", "jacobian", "graph"])
def test_an_unquoted_star_the_shell_expanded_is_named(tmp_path, command):
    (tmp_path / "a.txt").write_text("")
    (tmp_path / "b.txt").write_text("")
    # what `agcli grad x * y --x 2 --y 3` reaches agcli as, in a folder of a.txt and b.txt
    proc = agcli(command, "x", "a.txt", "b.txt", "y", "--x", "2", "--y", "3", cwd=tmp_path)
    assert proc.returncode == 2
    assert "error: unexpected argument 'a.txt'" in proc.stderr
    assert "hint: the shell replaced an unquoted * with the names of the files here: quote the expression" \
        in proc.stderr
    other = agcli(command, "x", "y", "--x", "2", cwd=tmp_path)
    assert "hint: bindings are --NAME VALUE; quote the expression as one argument" in other.stderr


def test_run_with_a_file_and_e_says_not_both(tmp_path):
    (tmp_path / "p.py").write_text("print(1)\n")
    proc = agcli("run", "p.py", "-e", "print(2)", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr == "error: give one program: a FILE or -e PROGRAM, not both\n"


@pytest.mark.parametrize("words, batch_dtype", [
    (["x*2", "--x", "1", "--dtype", "float32"], "float64"),
    (["x*2", "--x", "1", "--dtype", "float64"], "float32"),
    (["x*2", "--x", "1"], "float32"),
    (["x.float()*2", "--x", "1"], "float64"),
])
def test_a_batch_line_prints_its_value_as_grad_does(tmp_path, words, batch_dtype):
    grad = agcli("grad", *words, *(["--dtype", batch_dtype] if "--dtype" not in words else []), cwd=tmp_path)
    line = " ".join(f'"{w}"' if not w.startswith("--") else w for w in words) + "\n"
    batch = agcli("batch", "-", "--dtype", batch_dtype, cwd=tmp_path, input=line)
    assert grad.returncode == batch.returncode == 0, batch.stderr
    assert grad.stdout.splitlines()[1] == batch.stdout.splitlines()[2]


def test_a_calculus_line_of_another_dtype_prints_as_its_command(tmp_path):
    alone = agcli("hessian", "x**3", "--x", "1", "--dtype", "float32", cwd=tmp_path)
    batch = agcli("batch", "-", cwd=tmp_path, input='hessian "x**3" --x 1 --dtype float32\n')
    assert alone.stdout.splitlines()[1] == batch.stdout.splitlines()[2] == "tensor(1.)"


@pytest.mark.parametrize("command, option, where", [
    ("grad", ["--vector", "x=1"], "agcli grad"), ("graph", ["--eps", "1"], "agcli graph"),
    ("explain", ["--second-order"], "agcli explain"), ("jacobian", ["--grad-output", "1"], "agcli jacobian"),
])
def test_another_commands_option_names_the_command_given(tmp_path, command, option, where):
    proc = agcli(command, "x*2", "--x", "1", *option, cwd=tmp_path)
    assert proc.returncode == 2 and f"error: {option[0]} is not an option of {where}\n" in proc.stderr


@pytest.mark.parametrize("line, message, hint", [
    ('"x*2 --x 1\n', "a quote is not closed", 'close each quoted word: "x*2" --x 1'),
    ('"x*2" --x 1 \\\n', "it ends in a backslash", "a batch line does not go on to the next: join them"),
])
def test_a_batch_line_that_does_not_split_says_why_in_its_words(tmp_path, line, message, hint):
    proc = agcli("batch", "-", cwd=tmp_path, input=line)
    assert proc.returncode == 1
    assert f"error: cannot split the line into arguments: {message}\n" in proc.stderr
    assert f"hint: {hint}\n" in proc.stderr and "No closing" not in proc.stderr and "No escaped" not in proc.stderr


NAN = "Function '{}' returned nan values in its 0th output."


# PyTorch 2.13 under torch.autograd.detect_anomaly(): functional.jacobian, jvp and hessian run backward
# passes, and the first that returns nan stops them with its message (recorded by hand)
@pytest.mark.parametrize("args, message", [
    (["jacobian", "x.sqrt()", "--x", "[0., 1.]"], "Function 'SqrtBackward0' returned nan values in its 0th output."),
    (["jvp", "x.sqrt()", "--x", "[0., 1.]", "--vector", "x=[0., 1.]"],
     "Function 'SqrtBackward0' returned nan values in its 0th output."),
    (["hessian", "x.pow(1.5).sum()", "--x", "[0., 1.]"], NAN.format("PowBackward0")),
    (["hessian", "x.rsqrt().sum()", "--x", "[0., 1.]"], NAN.format("PowBackward0")),
    (["hessian", "(1/x).sum()", "--x", "[0., 1.]"], NAN.format("MulBackward0")),
])
def test_anomaly_mode_stops_the_calculus_commands_where_pytorchs_stops(tmp_path, args, message):
    proc = agcli(*args, "--detect-anomaly", cwd=tmp_path)
    assert proc.returncode == 1 and f"error: {message}\n" in proc.stderr, proc.stderr
    assert agcli(*args, cwd=tmp_path).returncode == 0      # without it: PyTorch's inf and nan, and exit 0


def test_a_jvp_in_anomaly_mode_has_its_value_and_product(tmp_path):
    import json
    words = ["jvp", "x.sqrt()*y", "--x", "[1., 2.]", "--y", "2", "--vector", "x=[0., 1.]", "-f", "json"]
    plain = json.loads(agcli(*words, cwd=tmp_path).stdout)
    anomaly = json.loads(agcli(*words, "--detect-anomaly", cwd=tmp_path).stdout)
    assert anomaly == plain and plain["value"] == [2.0, 2.8284271247461903]
    assert plain["jvp"] == [1.0, 2.121320343559643]     # torch.autograd.functional.jvp's, in float64


def test_a_file_of_other_things_than_numbers_says_what_it_holds(tmp_path):
    import numpy
    numpy.save(tmp_path / "s.npy", numpy.array(["a", "b"]))
    numpy.save(tmp_path / "d.npy", numpy.array(["2020-01-01"], dtype="datetime64[D]"))
    (tmp_path / "h.csv").write_text("a,b\n1,2\n")
    for name, said in [("s.npy", "the array holds strings, not real numbers"),
                       ("d.npy", "the array holds dates, not real numbers")]:
        proc = agcli("grad", "x.sum()", "--x", f"@{name}", cwd=tmp_path)
        assert proc.returncode == 2 and said in proc.stderr and "dtype" not in proc.stderr, proc.stderr
    proc = agcli("grad", "x.sum()", "--x", "@h.csv", cwd=tmp_path)
    assert "line 1, column 1 is not a number\n  hint: a header line? start it with # (a comment)" in proc.stderr
    (tmp_path / "h.csv").write_text("# a,b\n1,2\n")
    assert agcli("grad", "x.sum()", "--x", "@h.csv", cwd=tmp_path).stdout.splitlines()[1] == \
        "tensor(3., grad_fn=<SumBackward0>)"


def test_an_expression_where_the_command_goes_is_told_to_put_grad_first(tmp_path):
    proc = agcli("sin(x)", "--x", "[1, 2]", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("error: 'sin(x)' is not a command: the command comes first\n"
                           "  hint: agcli grad 'sin(x)' --x '[1, 2]'  (or graph, explain, jacobian, ...: "
                           "agcli --help lists them)\n")
    (tmp_path / "lines.txt").write_text('"x" --x 1\n')
    proc = agcli("lines.txt", cwd=tmp_path)
    assert "hint: agcli run lines.txt for a program, agcli batch lines.txt for lines of grad calls" in proc.stderr
    typo = agcli("gradd", "x", cwd=tmp_path)      # a word: Click's own guess
    assert typo.returncode == 2 and "Did you mean 'grad', 'graph'?" in typo.stderr


@pytest.mark.parametrize("expr, hint", [
    ("x..sum()", "expected a name"),                          # (was "expected something else")
    ("(x y)", "expected ')', ',' or an operator"),            # (was every closer, ';' and the end of the line)
    ("x[0 1]", "expected ']', ',', ':' or an operator"),
    ("x y", "expected ',', ':', ';', an operator or the end of the line"),
])
def test_what_the_parser_expected_is_what_could_come_there(tmp_path, expr, hint):
    proc = agcli("grad", expr, "--x", "[1., 2.]", "--y", "2", cwd=tmp_path)
    assert proc.returncode == 2 and f"hint: {hint}\n" in proc.stderr, proc.stderr


# torch.set_default_dtype(torch.float64); torch.manual_seed(0); torch.autograd.functional.X(f, x): f runs
# once, so its randn(2) is the first two draws (1.5409961082440433, -0.2934289057609464); agcli ran the
# expression two or three times and answered with later draws (recorded from PyTorch 2.13)
R1, R2 = 1.5409961082440433, -0.2934289057609464
H = 0.3672804852002578      # (x * x * randn(2)).sum() at [1., 2.]


@pytest.mark.parametrize("words, value, key, answer", [
    (["jacobian", "x * randn(2)"], [R1, 2 * R2], "jacobian", {"x": [[R1, 0.0], [0.0, R2]]}),
    (["jacobian", "(x * randn(2)).sum()"], R1 + 2 * R2, "jacobian", {"x": [R1, R2]}),
    (["jacobian", "x * randn(2)", "--detect-anomaly"], [R1, 2 * R2], "jacobian", {"x": [[R1, 0.0], [0.0, R2]]}),
    (["vjp", "(x * randn(2)).sum()"], R1 + 2 * R2, "vjp", {"x": [R1, R2]}),
    (["vjp", "x * randn(2)", "--grad-output", "[1., 1.]"], [R1, 2 * R2], "vjp", {"x": [R1, R2]}),
    (["hessian", "(x * x * randn(2)).sum()"], H, "hessian", {"x": {"x": [[2 * R1, 0.0], [0.0, 2 * R2]]}}),
    (["hvp", "(x * x * randn(2)).sum()", "--vector", "x=[1., 1.]"], H, "hvp", {"x": [2 * R1, 2 * R2]}),
    (["vhp", "(x * x * randn(2)).sum()", "--vector", "x=[1., 1.]"], H, "vhp", {"x": [2 * R1, 2 * R2]}),
    (["jvp", "x * randn(2)", "--vector", "x=[1., 1.]"], [R1, 2 * R2], "jvp", [R1, R2]),
    (["jvp", "x * randn(2)", "--vector", "x=[1., 1.]", "--detect-anomaly"], [R1, 2 * R2], "jvp", [R1, R2]),
])
def test_a_calculus_command_draws_its_random_numbers_once_as_pytorchs_does(tmp_path, words, value, key, answer):
    import json
    out = json.loads(agcli(*words, "--x", "[1., 2.]", "--seed", "0", "-f", "json", cwd=tmp_path).stdout)
    assert out["error"] is None and out["value"] == pytest.approx(value, rel=1e-15)
    assert out[key] == answer       # (-0. == 0.: forward mode's signed zeros are documented)


def test_a_variable_drawn_before_the_expression_keeps_its_numbers(tmp_path):
    import json
    out = json.loads(agcli("jacobian", "x * w * randn(2)", "--x", "[1., 2.]", "--w", "randn(2)", "--seed", "0",
                           "-f", "json", cwd=tmp_path).stdout)
    assert out["jacobian"] == {"x": [[-3.357505958460337, 0.0], [0.0, -0.16679416769276345]],
                               "w": [[-2.1787893820745574, 0.0], [0.0, 1.1368625545613356]]}


def test_without_a_seed_every_run_of_one_command_draws_the_same_numbers(tmp_path):
    import json
    out = json.loads(agcli("jacobian", "x * randn(2)", "--x", "[1., 1.]", "-f", "json", cwd=tmp_path).stdout)
    assert out["jacobian"]["x"][0][0] == out["value"][0] and out["jacobian"]["x"][1][1] == out["value"][1]


# torch.autograd.functional.jacobian (PyTorch 2.13, float64): where a derivative is undefined its inf and nan
# stand in the row of the output element whose backward made them
@pytest.mark.parametrize("expr, x, jacobian", [
    ("x.sqrt()", "[0., 4.]", [["inf", 0.0], ["nan", 0.25]]),
    ("x.log()", "[0., 1.]", [["inf", 0.0], ["nan", 1.0]]),
    ("x.erfinv()", "[0., 1.]", [[0.8862269254527579, "nan"], [0.0, "inf"]]),
    ("x.cumsum(0).sqrt()", "[0., 0., 4.]", [["nan", "nan", 0.0], ["nan", "inf", 0.0], ["nan", "nan", 0.25]]),
])
def test_a_jacobian_with_inf_or_nan_has_them_where_pytorchs_has(tmp_path, expr, x, jacobian):
    import json
    out = json.loads(agcli("jacobian", expr, "--x", x, "-f", "json", cwd=tmp_path).stdout)
    assert out["jacobian"]["x"] == jacobian
    assert "the Jacobian for x holds inf or nan" in out["warnings"]


@pytest.mark.parametrize("expr, x, hessian", [      # torch.autograd.functional.hessian's, PyTorch 2.13
    ("x.pow(1.5).sum()", "[0., 1.]", [["inf", 0.0], ["nan", 0.75]]),
    ("(1/x).sum()", "[0., 1.]", [["inf", 0.0], ["nan", 2.0]]),
    ("x.rsqrt().sum()", "[0., 4.]", [["inf", 0.0], ["nan", 0.0234375]]),
])
def test_a_hessian_with_inf_or_nan_has_them_where_pytorchs_has(tmp_path, expr, x, hessian):
    import json
    out = json.loads(agcli("hessian", expr, "--x", x, "-f", "json", cwd=tmp_path).stdout)
    assert out["hessian"] == {"x": {"x": hessian}}
