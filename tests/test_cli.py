"""The installed `agcli` command, run as a subprocess.

Every call runs in a fresh temporary directory with stdin closed and a
timeout; `run` also checks that no stderr ever shows a Python traceback.
Exit codes (agcli/errors.py): 0 ok, 1 evaluation failed or a batch line
failed, 2 the input was rejected.
"""
from __future__ import annotations

import json
import os
import pty
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from installed import AGCLI, base_env
SEEDS = Path(__file__).resolve().parents[1] / "samples" / "seeds.txt"
TIMEOUT = 60

SEED_EXPR = "a*b + c*d**2/e"
SEED_BINDINGS = ["--a", "2", "--b", "4", "--c", "6", "--d", "8", "--e", "10"]
CONTRACT_KEYS = {"expr", "value", "shape", "dtype", "grad_fn", "nodes", "grads", "error"}
ANSI = "\x1b["


@pytest.fixture
def run(tmp_path):
    """run(*args, input=None, env=None) -> CompletedProcess of `agcli *args` in tmp_path."""

    def run(*args, input=None, env=None, timeout=TIMEOUT):
        proc = subprocess.run([AGCLI, *map(str, args)], cwd=tmp_path, env=env or base_env(),
                              input=input, stdin=subprocess.DEVNULL if input is None else None,
                              capture_output=True, text=True, timeout=timeout)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    return run


@pytest.fixture
def run_json(run):
    """run_json(*args) -> (CompletedProcess, the one JSON object on stdout) for `agcli grad --format json`."""

    def run_json(*args, **kw):
        proc = run("grad", *args, "--format", "json", **kw)
        lines = proc.stdout.splitlines()
        assert len(lines) == 1, proc.stdout
        return proc, json.loads(lines[0])

    return run_json


def jsonl(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def caret_column(stderr: str, source: str) -> int:
    """1-based column, within `source`, of the first ^ on the line under `source`."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.endswith(source):
            start = len(line) - len(source)
            carets = lines[i + 1]
            assert "^" in carets[start:], stderr
            return carets.index("^", start) - start + 1
    raise AssertionError(f"no line showing {source!r} in:\n{stderr}")


def batch_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def data_lines(path: Path) -> list[int]:
    """Numbers of the lines `agcli batch` runs: not blank, not a # comment."""
    return [n for n, line in enumerate(path.read_text().splitlines(), 1)
            if line.strip() and not line.strip().startswith("#")]


# ---------------------------------------------------------------- version and help
def test_version(run):
    from agcli import __version__
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"agcli {__version__}"


@pytest.mark.parametrize("command, example", [
    ((), 'agcli grad "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10'),
    (("grad",), 'agcli grad "a*b + c*d**2/e" --a 2 --b 4 --c 6 --d 8 --e 10'),
    (("batch",), "agcli batch samples/seeds.txt"),
])
def test_help_shows_an_example(run, command, example):
    proc = run(*command, "--help")
    assert proc.returncode == 0
    assert example in proc.stdout


def test_python_dash_m_runs_the_same_command():
    """`python -m agcli` (an environment whose scripts are not on PATH) is the `agcli` command."""
    args = ("grad", SEED_EXPR, *SEED_BINDINGS, "--format", "json")
    as_module = subprocess.run([sys.executable, "-m", "agcli", *args], capture_output=True, text=True,
                               env=base_env(), cwd=Path(__file__).parent)
    as_command = subprocess.run([AGCLI, *args], capture_output=True, text=True, env=base_env())
    assert as_module.returncode == 0, as_module.stderr
    assert as_module.stdout == as_command.stdout
    assert json.loads(as_module.stdout)["grad_fn"] == "AddBackward0"
    usage = subprocess.run([sys.executable, "-m", "agcli", "--help"], capture_output=True, text=True,
                           env=base_env())
    assert usage.returncode == 0 and "python -m agcli" in usage.stdout


# ---------------------------------------------------------------- the seed example
def test_seed_example_rich_output(run):
    proc = run("grad", SEED_EXPR, *SEED_BINDINGS)
    assert proc.returncode == 0, proc.stderr
    assert "tensor(46.4000, grad_fn=<AddBackward0>)" in proc.stdout
    for name in ("MulBackward0", "PowBackward0", "DivBackward0", "AddBackward0"):
        assert name in proc.stdout
    assert ANSI not in proc.stdout and ANSI not in proc.stderr


def test_seed_example_json_contract(run_json):
    proc, obj = run_json(SEED_EXPR, *SEED_BINDINGS)
    assert proc.returncode == 0
    assert CONTRACT_KEYS <= obj.keys()
    assert obj["expr"] == SEED_EXPR
    assert obj["value"] == pytest.approx(46.4, abs=1e-12)
    assert obj["shape"] == []
    assert obj["dtype"] == "float64"
    assert obj["grad_fn"] == "AddBackward0"
    assert [n["grad_fn"] for n in obj["nodes"]] == [
        "MulBackward0", "PowBackward0", "MulBackward0", "DivBackward0", "AddBackward0"]
    for node in obj["nodes"]:
        assert node.keys() >= {"name", "grad_fn", "shape"}
        assert node["shape"] == []
    expected = {"a": 4.0, "b": 2.0, "c": 6.4, "d": 9.6, "e": -3.84}
    assert obj["grads"].keys() == expected.keys()
    for name, grad in expected.items():
        assert obj["grads"][name] == pytest.approx(grad, abs=1e-12), name
    assert obj["error"] is None


def test_json_line_is_the_result_as_json():
    """render.result_json_line writes the nodes itself: it must say what to_json says."""
    import agcli
    from agcli.output.json_lines import result_json_line
    from agcli.output.render import result_json
    r = agcli.grad('g = a*b; α_1 = g.reshape(2, 1) + c; α_1.sum()', a=2, b=[4, 5], c=[[1., 2.]])
    assert [n.name for n in r.nodes] == ["g", None, "α_1", None]
    line = json.loads(result_json_line(r, 7))
    assert line.pop("line") == 7
    assert line == result_json(r)
    assert line["nodes"][2] == {"name": "α_1", "grad_fn": "AddBackward0", "shape": [2, 2]}


def test_nodes_read_or_set_after_the_json_written_from_records():
    """A Result keeps its nodes as tuples until `nodes` is read: both ways give the same JSON,
    and nodes set afterwards are what the JSON then says."""
    import agcli
    from agcli.evaluate.result import NodeInfo
    from agcli.output.json_lines import result_json_line
    r = agcli.grad('(a*b).sum()', a=[1., 2.], b=3.)
    assert r.node_records is not None
    first = result_json_line(r)
    nodes = r.nodes
    assert r.node_records is None and r.nodes is nodes
    assert [(n.name, n.grad_fn, n.shape) for n in nodes] == [(None, "MulBackward0", (2,)), (None, "SumBackward0", ())]
    assert nodes[0].value.tolist() == [3., 6.]
    assert result_json_line(r) == first
    r.nodes = [NodeInfo("m", "MulBackward0", (2,), nodes[0].value)]
    assert json.loads(result_json_line(r))["nodes"] == [{"name": "m", "grad_fn": "MulBackward0", "shape": [2]}]


# ---------------------------------------------------------------- bindings and options
def test_binding_with_equals_sign(run_json):
    proc, obj = run_json("a*b", "--a=3", "--b=5")
    assert proc.returncode == 0
    assert obj["value"] == 15.0
    assert obj["grads"] == {"a": 5.0, "b": 3.0}


def test_define_binds_names_that_clash_with_options(run_json):
    proc, obj = run_json("seed * out + x", "-D", "seed=3", "--define", "out=4", "-Dx=1", "--seed", "7")
    assert proc.returncode == 0, proc.stderr
    assert obj["value"] == 13.0
    assert obj["grads"] == {"seed": 4.0, "out": 3.0, "x": 1.0}


MATRIX = [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize("suffix, write", [
    (".npy", lambda p: np.save(p, np.array(MATRIX))),
    (".csv", lambda p: p.write_text("1,2\n3,4\n")),
    (".txt", lambda p: p.write_text("1 2\n3   4\n")),
    (".json", lambda p: p.write_text(json.dumps(MATRIX))),
])
def test_file_binding(run_json, tmp_path, suffix, write):
    write(tmp_path / f"m{suffix}")
    proc, obj = run_json("(m*m).sum()", "--m", f"@m{suffix}")
    assert proc.returncode == 0, proc.stderr
    assert obj["value"] == 30.0
    assert obj["grads"] == {"m": [[2.0, 4.0], [6.0, 8.0]]}


def test_wrt_leaves_a_variable_out(run_json):
    proc, obj = run_json("a*b", "--a", "3", "--b", "5", "--wrt", "a")
    assert proc.returncode == 0
    assert obj["grads"] == {"a": 5.0}


def test_wrt_names_that_are_not_bound_are_refused(run):
    proc = run("grad", "a*b", "--a", "3", "--b", "5", "--wrt", "c,a,d")
    assert proc.returncode == 2
    assert "error: --wrt names c, d, which are not bound" in proc.stderr
    proc = run("grad", "a*b", "--a", "3", "--b", "5", "--wrt", "c")
    assert "error: --wrt names c, which is not bound" in proc.stderr


def test_grad_output_is_a_vector_jacobian_product(run_json):
    proc, obj = run_json("x*x", "--x", "[1., 2., 3.]", "--grad-output", "[1., 10., 100.]")
    assert proc.returncode == 0, proc.stderr
    assert obj["value"] == [1.0, 4.0, 9.0]
    assert obj["grads"] == {"x": [2.0, 40.0, 600.0]}


def test_dtype_float32(run_json):
    proc, obj = run_json("(x*3).sum()", "--x", "[0.1, 0.2]", "--dtype", "float32")
    assert proc.returncode == 0
    assert obj["dtype"] == "float32"
    assert obj["value"] == pytest.approx(0.9, rel=1e-6)
    assert obj["value"] != pytest.approx(0.9, abs=1e-12)   # really computed in float32


def test_dtype_float32_survives_constant_arithmetic(run_json):
    proc, obj = run_json("(a * 2**0.5).sum()", "--a", "[1.]", "--dtype", "float32")
    assert proc.returncode == 0
    assert obj["dtype"] == "float32"


def test_a_binding_that_chooses_its_float_dtype_keeps_it(run_json):
    # PyTorch: torch.tensor([1., 2.], dtype=torch.float32, requires_grad=True) / 3 is float32
    # (0.3333333432674408 as a double); it was made float64 without a word.
    proc, obj = run_json("(x / 3).sum()", "--x", "tensor([1., 2.], dtype=torch.float32)")
    assert proc.returncode == 0, proc.stderr
    assert obj["dtype"] == "float32"
    assert obj["value"] == float(np.float32(1) / np.float32(3) + np.float32(2) / np.float32(3))
    assert obj["grads"]["x"] == [float(np.float32(1) / np.float32(3))] * 2
    proc, obj = run_json("x.sum()", "--x", "ones(2).half()")
    assert obj["dtype"] == "float16"
    proc, obj = run_json("x.sum()", "--x", "tensor([1., 2.], dtype=torch.float64)", "--dtype", "float32")
    assert obj["dtype"] == "float64"
    # numbers, lists, files and integer tensors still take --dtype (the documented default)
    proc, obj = run_json("x.sum()", "--x", "arange(3)", "--dtype", "float32")
    assert obj["dtype"] == "float32"


def test_a_batch_keeps_each_lines_chosen_dtype(run, tmp_path):
    # The replay of a repeated expression is keyed by its leaves' dtypes as well as their shapes.
    lines = ['"(x / 3).sum()" --x "tensor([1., 2.])"'] * 3 + ['"(x / 3).sum()" --x "tensor([1., 2.], dtype=torch.float32)"']
    (tmp_path / "lines.txt").write_text("\n".join(lines) + "\n")
    proc = run("batch", "lines.txt", "--format", "jsonl", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["dtype"] for line in proc.stdout.splitlines()] == ["float64"] * 3 + ["float32"]


def test_seed_makes_randn_reproducible(run_json):
    def value(*seed):
        proc, obj = run_json("w.sum()", "--w", "randn(5, 3)", *seed)
        assert proc.returncode == 0
        return obj["value"]

    assert value("--seed", "0") == value("--seed", "0")
    assert value("--seed", "0") != value("--seed", "1")


def test_out_saves_value_and_gradients(run, tmp_path):
    proc = run("grad", "(a*b).sum()", "--a", "[1., 2.]", "--b", "3", "--out", "out.npz")
    assert proc.returncode == 0, proc.stderr
    with np.load(tmp_path / "out.npz") as saved:
        assert sorted(saved.files) == ["a", "b", "value"]
        np.testing.assert_array_equal(saved["value"], 9.0)
        np.testing.assert_array_equal(saved["a"], [3.0, 3.0])
        np.testing.assert_array_equal(saved["b"], 3.0)


@pytest.mark.parametrize("name", ["file", "allow_pickle"])
def test_out_saves_variables_named_like_savez_arguments(run, tmp_path, name):
    # Regression: numpy.savez(path, **arrays) took these as its own arguments.
    proc = run("grad", f"{name} * 2", f"--{name}", "3", "--out", "out.npz")
    assert proc.returncode == 0, proc.stderr
    with np.load(tmp_path / "out.npz") as saved:
        assert sorted(saved.files) == sorted(["value", name])
        np.testing.assert_array_equal(saved[name], 2.0)


def test_out_refuses_a_variable_named_value(run, tmp_path):
    # Its gradient would overwrite the output under the key "value".
    proc = run("grad", "value * 2", "--value", "3", "--out", "out.npz")
    assert proc.returncode == 2
    assert "value" in proc.stderr and "--out" in proc.stderr
    assert not (tmp_path / "out.npz").exists()


@pytest.mark.parametrize("out, said", [("nodir/r.npz", "cannot write nodir/r.npz: there is no folder nodir"),
                                        ("adir.npz", "cannot write adir.npz: it is a folder")])
def test_out_that_cannot_be_written_is_refused_before_anything_is_computed(run, tmp_path, out, said):
    (tmp_path / "adir.npz").mkdir()
    proc = run("grad", "a * 2", "--a", "3", "--out", out)
    assert proc.returncode == 2
    assert said in proc.stderr and proc.stdout == ""


# ---------------------------------------------------------------- input rejected or evaluation failed
def test_syntax_error(run):
    proc = run("grad", "a*b + * c", "--a", "1", "--b", "2", "--c", "3")
    assert proc.returncode == 2
    assert caret_column(proc.stderr, "a*b + * c") == 7
    assert "expected" in proc.stderr


def test_unbound_variable(run):
    proc = run("grad", "a*b + c", "--a", "1", "--b", "2")
    assert proc.returncode == 2
    assert "unbound variable 'c'" in proc.stderr
    assert caret_column(proc.stderr, "a*b + c") == 7
    assert "--c" in proc.stderr   # the hint says how to bind it


def test_unknown_function_suggests_a_name(run):
    proc = run("grad", "sinn(a)", "--a", "1")
    assert proc.returncode == 2
    assert "unknown function 'sinn'" in proc.stderr
    assert "did you mean" in proc.stderr and "'sin'" in proc.stderr
    assert caret_column(proc.stderr, "sinn(a)") == 1


def test_unknown_method(run):
    proc = run("grad", "a.sinn()", "--a", "1")
    assert proc.returncode == 2
    assert "unknown method" in proc.stderr and "sinn" in proc.stderr
    assert caret_column(proc.stderr, "a.sinn()") == 3


def test_bad_keyword_argument(run):
    proc = run("grad", "torch.sum(a, dimm=0)", "--a", "[1., 2.]")
    assert proc.returncode == 2
    assert "sum() received an invalid combination of arguments - got (Tensor, dimm=int), but expected one of:\n" \
        " * (Tensor input, *, torch.dtype dtype = None)\n" in proc.stderr       # (PyTorch's words)
    proc = run("grad", "a.sum(dim=0, keepdimm=True)", "--a", "[1., 2.]")
    assert proc.returncode == 2
    assert "sum() got an unexpected keyword argument 'keepdimm'" in proc.stderr
    assert caret_column(proc.stderr, "a.sum(dim=0, keepdimm=True)") == 14


def test_shape_error_is_pytorchs(run):
    proc = run("grad", "a @ b", "--a", "[1, 2, 3]", "--b", "[1, 2]")
    assert proc.returncode == 1
    assert ("inconsistent tensor size, expected tensor [3] and src [2] to have the same number of "
            "elements, but got 3 and 2 elements respectively") in proc.stderr
    assert caret_column(proc.stderr, "a @ b") == 3


def test_non_scalar_output_needs_grad_output(run):
    proc = run("grad", "a * 2", "--a", "[1, 2, 3]")
    assert proc.returncode == 1
    assert "grad can be implicitly created only for scalar outputs" in proc.stderr
    assert "--grad-output" in proc.stderr


@pytest.mark.parametrize("command", ["grad", "jacobian", "hessian", "check"])
@pytest.mark.parametrize("expr, said", [
    ("x.shape", "the expression gives torch.Size([2]), a shape, not a tensor"),
    ("(x, x.sum())", "the expression gives a tuple of 2, not a tensor"),
    ("x.max(0)", "the expression gives a tuple (values, indices)"),
])
def test_an_expression_that_is_not_a_tensor_is_named(run, command, expr, said):
    proc = run(command, expr, "--x", "[1., 2.]")
    assert proc.returncode == 1
    assert said in proc.stderr


def test_ragged_literal_binding(run):
    proc = run("grad", "a * 2", "--a", "[[1, 2], [3]]")
    assert proc.returncode == 2
    assert "--a" in proc.stderr
    assert "expected sequence of length 2 at dim 1 (got 1)" in proc.stderr     # PyTorch's words


def test_missing_file_binding(run):
    proc = run("grad", "a * 2", "--a", "@missing.npy")
    assert proc.returncode == 2
    assert "--a" in proc.stderr and "missing.npy" in proc.stderr


def test_tensor_over_max_elements_is_refused_before_allocation(run):
    start = time.monotonic()
    proc = run("grad", "a.sum()", "--a", "ones(100000, 100000)", timeout=30)
    elapsed = time.monotonic() - start
    assert proc.returncode != 0
    assert "100,000,000" in proc.stderr and "--max-elements" in proc.stderr
    assert elapsed < 15, f"took {elapsed:.1f}s: was the tensor allocated?"


def test_max_elements_option_sets_the_limit(run):
    assert run("grad", "a.sum()", "--a", "ones(3)", "--max-elements", "3").returncode == 0
    proc = run("grad", "a.sum()", "--a", "ones(3)", "--max-elements", "2")
    assert proc.returncode != 0
    assert "limit of 2" in proc.stderr


@pytest.mark.parametrize("command, expr, what", [
    ("hessian", "(x**3).sum()", "the Hessian would have 16 elements (4 inputs x 4 inputs)"),
    ("check", "x * 2", "the numerical Jacobian would have 16 elements (4 outputs x 4 inputs)"),
    ("jacobian", "x * 2", "the Jacobian would have 16 elements (4 outputs x 4 inputs)")])
def test_calculus_matrices_over_max_elements_are_refused(run, command, expr, what):
    """A Hessian or gradcheck's Jacobian of n x n elements is refused as a Jacobian is (it took GBs)."""
    proc = run(command, expr, "--x", "ones(4)", "--max-elements", "15")
    assert proc.returncode == 1
    assert f"error: {what}, more than the limit of 15" in proc.stderr
    assert run(command, expr, "--x", "ones(4)", "--max-elements", "16").returncode == 0


def test_dunder_import_is_an_unknown_function(run):
    proc = run("grad", "__import__('os')", "--a", "1")
    assert proc.returncode == 2
    assert "unknown function '__import__'" in proc.stderr


def test_log_of_a_negative_number_is_nan_with_a_warning(run_json):
    proc, obj = run_json("torch.log(a)", "--a", "[-1., 1.]", "--grad-output", "ones(2)")
    assert proc.returncode == 0
    assert obj["value"] == ["nan", 0.0]
    assert obj["grads"] == {"a": [-1.0, 1.0]}
    assert "warning" in proc.stderr and "nan" in proc.stderr


def test_division_by_zero_is_inf_with_a_warning(run):
    proc = run("grad", "x / 0", "--x", "1")
    assert proc.returncode == 0
    assert "tensor(inf, grad_fn=<DivBackward0>)" in proc.stdout
    assert "warning" in proc.stderr and "divide by zero" in proc.stderr


@pytest.mark.parametrize("expr, x, warned", [
    ("(1 / x).sum()", [0., 1.], True),           # the gradient -1/x**2 is -inf at 0
    ("(x * 1e308).sum()", [1., 1.], False),      # its gradient sums to inf, yet every entry is finite
    ("x.sum()", [1., 2.], False),
])
def test_a_gradient_holding_inf_or_nan_is_warned_of(expr, x, warned):
    import warnings

    import agcli
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # agcli's warnings only, none of NumPy's
        r = agcli.grad(expr, x=x)
    assert ("the gradient of x holds inf or nan" in r.warnings) is warned


# ---------------------------------------------------------------- JSON error objects
@pytest.mark.parametrize("args, code, kind, column", [
    (("a*b + * c", "--a", "1", "--b", "2", "--c", "3"), 2, "syntax", 7),
    (("a*b + c", "--a", "1", "--b", "2"), 2, "name", 7),
    (("sinn(a)", "--a", "1"), 2, "name", 1),
    (("a @ b", "--a", "[1, 2, 3]", "--b", "[1, 2]"), 1, "shape", 3),
])
def test_json_error_object(run_json, args, code, kind, column):
    proc, obj = run_json(*args)
    assert proc.returncode == code
    assert CONTRACT_KEYS <= obj.keys()
    error = obj["error"]
    assert error.keys() >= {"kind", "message", "line", "column"}
    assert error["kind"] == kind
    assert error["message"]
    assert (error["line"], error["column"]) == (1, column)


def test_json_error_object_for_rejected_arguments(run_json):
    proc, obj = run_json("a", "--a", "1", "extra")
    assert proc.returncode == 2
    assert CONTRACT_KEYS <= obj.keys()
    assert obj["error"]["kind"] == "usage"
    assert "extra" in obj["error"]["message"]


# ---------------------------------------------------------------- colour
def test_piped_output_has_no_colour_even_on_error(run):
    proc = run("grad", "a*b + * c", "--a", "1")
    assert ANSI not in proc.stdout and ANSI not in proc.stderr


def test_no_color_when_piped(run):
    proc = run("grad", SEED_EXPR, *SEED_BINDINGS, env=base_env(NO_COLOR="1"))
    assert proc.returncode == 0
    assert ANSI not in proc.stdout


def run_in_terminal(tmp_path, *args, env) -> tuple[int, str]:
    """Run agcli with stdout and stderr on a pseudo-terminal; its exit code and everything it wrote."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([AGCLI, *args], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=slave)
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:     # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return proc.wait(timeout=TIMEOUT), b"".join(chunks).decode()


@pytest.mark.parametrize("args", [
    ("grad", SEED_EXPR, *SEED_BINDINGS),
    ("grad", "a*b + * c", "--a", "1"),          # an error, on stderr
])
def test_terminal_output_is_coloured_unless_no_color(tmp_path, args):
    code, coloured = run_in_terminal(tmp_path, *args, env=base_env(TERM="xterm-256color"))
    assert ANSI in coloured
    code_plain, plain = run_in_terminal(tmp_path, *args, env=base_env(TERM="xterm-256color", NO_COLOR="1"))
    assert code_plain == code
    assert ANSI not in plain
    assert "Traceback" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain   # the same text, only without codes


def _screen(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]


@pytest.mark.parametrize("args", [
    ("grad", "g = a*b; h = c*d**2/e; g + h", *SEED_BINDINGS),
    ("grad", "(inp+1).pow(2).t()", "--inp", "eye(3, 4)", "--grad-output", "ones(4, 3)", "--wrt", "inp"),
    ("grad", "x.sum() * 0 + y", "--x", "[1., 2.]", "--y", "3", "--wrt", "x"),   # no gradient reaches x
    ("grad", "a*b + * c", "--a", "1"),          # an error, on stderr
])
def test_piped_output_is_the_terminal_layout_as_plain_text(tmp_path, run, args):
    """Rich draws for a terminal; a pipe gets render.plain_text's text: the same lines."""
    _, drawn = run_in_terminal(tmp_path, *args, env=base_env(TERM="xterm-256color", NO_COLOR="1"))
    piped = run(*args)
    assert _screen(piped.stdout + piped.stderr) == _screen(drawn)
    assert all(line == line.rstrip() for line in (piped.stdout + piped.stderr).split("\n"))


def test_plain_grid_aligns_wide_characters_and_several_lines():
    from agcli.output.render import Grid, Line, plain_text
    grid = Grid("gradients", [("#", "right"), ("leaf", "left"), ("grad", "left")])
    grid.rows += [[("9", None), ("中文", "green"), ("[1.,\n 2.]", None)],
                  [("10", None), ("a", "green"), ("3.", None)]]
    assert plain_text([Line(("x", "bold"), (" y", None)), grid]).split("\n") == [
        "x y",
        "gradients",
        " #   leaf   grad",
        "─" * 16,
        " 9   中文   [1.,",
        "             2.]",
        "10   a      3.",
    ]


def test_piped_grad_does_not_import_rich():
    """Rich's import is a fifth of a short `agcli grad`: a pipe does without it."""
    script = ("import sys; from agcli.cli.grad import run_grad; code = run_grad(sys.argv[1:]); "
              "sys.stderr.write('rich imported' if 'rich' in sys.modules else 'no rich')")
    proc = subprocess.run([sys.executable, "-c", script, SEED_EXPR, *SEED_BINDINGS],
                          capture_output=True, text=True, timeout=TIMEOUT, env=base_env())
    assert "tensor(46.4000, grad_fn=<AddBackward0>)" in proc.stdout
    assert proc.stderr == "no rich"


# ---------------------------------------------------------------- batch
def test_batch_seeds_jsonl(run):
    proc = run("batch", SEEDS, "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    results = jsonl(proc.stdout)
    assert [r["line"] for r in results] == data_lines(SEEDS)
    for r in results:
        assert CONTRACT_KEYS <= r.keys()
        assert r["error"] is None, r
    assert results[0]["value"] == pytest.approx(46.4)
    assert results[0]["grads"]["d"] == pytest.approx(9.6)


def test_batch_bad_lines_fail_alone(run, tmp_path):
    path = batch_file(tmp_path,
                      '"a*b" --a 2 --b 3',
                      '"a*b + * c" --a 1',
                      "# a comment",
                      "",
                      '"a @ b" --a "[1, 2, 3]" --b "[1, 2]"',
                      '"a+b" --a 1 --b 2')
    proc = run("batch", path, "--format", "jsonl")
    assert proc.returncode == 1
    results = jsonl(proc.stdout)
    assert [r["line"] for r in results] == [1, 2, 5, 6]
    ok1, syntax, shape, ok2 = results
    assert (ok1["value"], ok1["error"]) == (6.0, None)
    assert syntax["error"]["kind"] == "syntax" and syntax["error"]["column"] == 7
    assert shape["error"]["kind"] == "shape" and "inconsistent tensor size" in shape["error"]["message"]
    assert (ok2["value"], ok2["error"]) == (3.0, None)


def test_batch_reads_stdin(run):
    proc = run("batch", "-", "--format", "jsonl", input='"x @ x" --x "[1., 2., 3.]"\n"a*b" --a 2 --b 3\n')
    assert proc.returncode == 0, proc.stderr
    results = jsonl(proc.stdout)
    assert [(r["line"], r["value"]) for r in results] == [(1, 14.0), (2, 6.0)]
    assert results[0]["grads"] == {"x": [2.0, 4.0, 6.0]}


def test_batch_streams_each_result_before_input_ends(tmp_path):
    proc = subprocess.Popen([AGCLI, "batch", "-", "--format", "jsonl"], cwd=tmp_path, env=base_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    try:
        proc.stdin.write('"a*b" --a 2 --b 3\n')
        proc.stdin.flush()
        first = json.loads(lines.get(timeout=30))   # stdin is still open
        assert (first["line"], first["value"]) == (1, 6.0)
        proc.stdin.write('"a+b" --a 2 --b 3\n')
        proc.stdin.close()
        assert proc.wait(timeout=TIMEOUT) == 0
        reader.join(timeout=TIMEOUT)
        second = json.loads(lines.get(timeout=1))
        assert (second["line"], second["value"]) == (2, 5.0)
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_batch_options_apply_to_every_line(run, tmp_path):
    path = batch_file(tmp_path,
                      '"(a*b).sum()" --a "randn(3)" --b 2',
                      '"(a*b).sum()" --a "randn(3)" --b 2 --wrt b',
                      '"(a*b).sum()" --a "randn(3)" --b 2 --dtype float64')

    def results(*options):
        proc = run("batch", path, "--format", "jsonl", *options)
        assert proc.returncode == 0, proc.stderr
        return jsonl(proc.stdout)

    first, own_wrt, own_dtype = results("--dtype", "float32", "--seed", "3", "--wrt", "a")
    assert first["dtype"] == own_wrt["dtype"] == "float32"
    assert own_dtype["dtype"] == "float64"              # the line's own --dtype wins
    assert first["grads"].keys() == {"a"}
    assert own_wrt["grads"].keys() == {"b"}              # the line's own --wrt wins
    assert first["value"] == results("--dtype", "float32", "--seed", "3")[0]["value"]
    assert first["value"] != results("--dtype", "float32", "--seed", "4")[0]["value"]


def test_batch_line_seed_wins(run, tmp_path):
    path = batch_file(tmp_path, '"w.sum()" --w "randn(4)" --seed 3')
    values = [jsonl(run("batch", path, "--format", "jsonl", "--seed", s).stdout)[0]["value"] for s in ("1", "2")]
    assert values[0] == values[1]


def test_batch_rich_output_has_line_headers(run, tmp_path):
    path = batch_file(tmp_path, "# first", '"a*b" --a 2 --b 3', "", '"a*b + * c" --a 1')
    proc = run("batch", path)
    assert proc.returncode == 1
    assert re.search(r"^── line 2 ──", proc.stdout, re.M)
    assert re.search(r"^── line 4 ──", proc.stdout, re.M)
    assert "tensor(6., grad_fn=<MulBackward0>)" in proc.stdout
    assert "unexpected '*'" in proc.stderr
    assert ANSI not in proc.stdout and ANSI not in proc.stderr


def test_batch_of_2000_lines_repeating_one_expression(run, tmp_path):
    # One expression, new bindings every line, and shapes that alternate
    # (scalar c, then a vector c): a reused parse must not mix them up.
    lines = [f'"(a*b + c**2).sum()" --a {i} --b 0.5 --c ' + (f'"[1., {i}]"' if i % 2 else str(i))
             for i in range(2000)]
    path = batch_file(tmp_path, *lines)
    proc = run("batch", path, "--format", "jsonl", timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = jsonl(proc.stdout)
    assert [r["line"] for r in results] == list(range(1, 2001))
    for i, r in enumerate(results):
        if i % 2:   # a*b is broadcast over the two elements of c
            assert r["value"] == 2 * i * 0.5 + 1 + i * i, r
            assert r["grads"] == {"a": 1.0, "b": 2.0 * i, "c": [2.0, 2.0 * i]}, r
        else:
            assert r["value"] == i * 0.5 + i * i, r
            assert r["grads"] == {"a": 0.5, "b": float(i), "c": 2.0 * i}, r


def test_batch_progress_bar_is_drawn_only_on_a_terminal(run, tmp_path):
    path = batch_file(tmp_path, *[f'"a * {i}" --a 2' for i in range(50)])
    proc = run("batch", path, "--format", "jsonl", "--progress")
    assert proc.returncode == 0
    values = [json.loads(line)["value"] for line in proc.stdout.splitlines()]
    assert values == [2.0 * i for i in range(50)]
    assert proc.stderr == ""        # stderr is a pipe: no bar (tests/test_terminal.py draws one)


def test_batch_in_workers_writes_what_one_process_writes(run, tmp_path):
    # Over 200 lines of a file: worker processes (--jobs); bad lines among good ones,
    # repeated expressions (replays, per worker) and distinct ones.
    lines = []
    for i in range(320):
        if i % 37 == 5:
            lines.append(f'"a * * {i}" --a 1')                       # a syntax error
        elif i % 41 == 7:
            lines.append(f'"(x @ y).sum()" --x "[1., {i}]" --y "[1., 2., 3.]"')   # a shape error
        elif i % 3:
            lines.append(f'"(tanh(x) * {i % 5} + x**2).sum()" --x "[{i / 7}, -1.5, 2.25]"')
        else:
            lines.append(f'"sin(a) * b - a / (1 + b**2)" --a {i / 11} --b -0.{i}')
    path = batch_file(tmp_path, *lines)
    one = run("batch", path, "--format", "jsonl", "--jobs", "1", timeout=300)
    two = run("batch", path, "--format", "jsonl", "--jobs", "2", "--progress", timeout=300)
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout
    results = jsonl(two.stdout)
    assert [r["line"] for r in results] == list(range(1, 321))
    assert sum(r["error"] is not None for r in results) == 9 + 8     # 5 + 37k, then 7 + 41k
    assert '"value"' not in two.stderr


def test_batch_lines_split_as_a_shell_does():
    """arguments.split_words (its str-method and regex fast paths) against shlex.split."""
    import random
    import shlex

    from agcli.cli.arguments import split_words
    rng = random.Random(0)
    pieces = ["a", "--x", "=", " ", "  ", "\t", '"', '"', "'", "\\", "[1, 2]", '""', "é"]
    texts = ['"a*b" --a 2 --b "[1, 2]"', '--x="1, 2" "e"', 'a"b"c d', '"" x', 'x ""', '"a""b"', "  'a' \"b\"  "]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in texts:
        try:
            expected = shlex.split(text)
        except ValueError:      # unbalanced quotes: an AgcliError, as tested elsewhere
            continue
        assert split_words(text) == expected, text


def test_what_a_command_made_is_frozen_as_it_ends():
    # Python's exit collects whatever the collector tracks: what a command made (some 40,000
    # objects for a short `agcli run`) is frozen once the command has ended, so the exit's
    # collection need not walk it. A command that is not over yet keeps the usual collector.
    code = """
import gc, json
from agcli.cli.sink import finish
made = []
def tracked(obj):
    return any(o is obj for o in gc.get_objects())
def command():
    made.append([])
    made.append(tracked(made[0]))
    return 3
code = finish(command)
print(json.dumps([code, made[1], tracked(made[0])]))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL, env=base_env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [3, True, False]


def test_repeated_wrt_keeps_every_name(run_json):
    _, out = run_json("x*y*z", "--x", "2", "--y", "3", "--z", "5", "--wrt", "x", "--wrt", "y,x")
    assert out["grads"] == {"x": 15.0, "y": 10.0}


@pytest.mark.parametrize("words, message", [
    (["--seed", "1", "--seed", "2"], "--seed is given twice"),
    (["--dtype", "float32", "--dtype", "float64"], "--dtype is given twice"),
    (["--format", "json", "-f", "rich"], "-f is given twice")])
def test_an_option_given_twice_is_refused(run, words, message):
    proc = run("grad", "x*2", "--x", "1", *words)
    assert proc.returncode == 2
    assert f"error: {message}" in proc.stderr


@pytest.mark.parametrize("command, words, meant", [
    ("grad", ["--x", "1", "--strictt"], "--strict"),
    ("grad", ["--strictt", "--x", "1"], "--strict"),
    ("grad", ["--detect_anomaly", "--x", "1"], "--detect-anomaly"),
    ("check", ["--x", "1", "--second_order"], "--second-order")])
def test_a_mistyped_flag_is_named_as_one(run, command, words, meant):
    """A flag's typo has no value after it: not 'needs a value' nor 'unexpected argument'."""
    proc = run(command, "x*2", *words)
    assert proc.returncode == 2
    assert "error: unknown option --" in proc.stderr and f"did you mean {meant}?" in proc.stderr


@pytest.mark.parametrize("expr", ["torch.softmax(x)[0, 1]", "x.softmax()[0, 1]", "torch.log_softmax(x)[0, 1]"])
def test_softmax_without_dim_is_refused_as_pytorch_refuses_it(run, expr):
    """torch.softmax and the method have no default dim (F.softmax's implicit one is deprecated)."""
    proc = run("grad", expr, "--x", "[[1., 2.], [3., 5.]]")
    assert proc.returncode != 0
    assert 'missing 1 required positional arguments: "dim"' in proc.stderr
    assert run("grad", "torch.softmax(x, 1)[0, 1]", "--x", "[[1., 2.], [3., 5.]]").returncode == 0


def test_a_directory_or_a_key_of_an_npy_file_is_named_as_such(run, tmp_path):
    np.save(tmp_path / "v.npy", np.ones(3))
    proc = run("grad", "x.sum()", "--x", f"@{tmp_path}")
    assert proc.returncode == 2 and "is a directory, not a file" in proc.stderr
    proc = run("grad", "x.sum()", "--x", "@v.npy:foo")
    assert proc.returncode == 2 and "'v.npy' holds one array: :foo names an array in an .npz" in proc.stderr
    assert "no such file 'nope.npy'" in run("grad", "x.sum()", "--x", "@nope.npy").stderr
    proc = run("grad", "x.sum()", "--x", "@")
    assert proc.returncode == 2 and "error in --x: @ names no file" in proc.stderr and "write @PATH" in proc.stderr
