"""`agcli plot`: f and its derivative over a range, through the installed command.

JSON values against NumPy's sin/cos and hand-written derivatives (the command
needs no extra for JSON); the derivative of an expression that is not
elementwise computed properly, or refused where it cannot be; the text chart in
a pipe (plain ASCII, no escape codes); PNG and SVG through matplotlib, the SVG
the same bytes every time (docs/plot.svg is the README's command's output); and
the one-line messages when the plot extra is missing (its modules hidden).
Drawing tests skip when the plot extra is not installed (pip install '.[test,plot]').
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from installed import AGCLI, base_env

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
SIN = ("sin(x)", "--x", "linspace(0, 2*pi, 200)")
INSTALL = "pip install 'agcli[plot]'"

needs_uniplot = pytest.mark.skipif(importlib.util.find_spec("uniplot") is None,
                                   reason="the plot extra is not installed: pip install '.[test,plot]'")
needs_matplotlib = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                      reason="the plot extra is not installed: pip install '.[test,plot]'")


@pytest.fixture
def run(tmp_path):
    """run(*args, env=None) -> CompletedProcess of `agcli *args` in tmp_path; never a traceback."""

    def run(*args, hide=(), **env):
        extra = dict(env)
        if hide:
            extra["PYTHONPATH"] = str(_hiding(tmp_path, hide))
        proc = subprocess.run([AGCLI, *map(str, args)], cwd=tmp_path, env=base_env(HOME=str(tmp_path), **extra),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                              timeout=TIMEOUT)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    return run


def _hiding(tmp_path: Path, modules) -> Path:
    """A folder that shadows each module with one whose import fails, as if it were not installed."""
    folder = tmp_path / "hidden"
    for name in modules:
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / "__init__.py").write_text(f"raise ImportError(\"No module named '{name}'\")\n")
    return folder


def plot_json(run, *args, **options):
    proc = run("plot", *args, "--format", "json", **options)
    return proc, json.loads(proc.stdout)


# ------------------------------------------------------------ values
def test_sin_and_its_derivative_are_numpys_sin_and_cos(run):
    proc, out = plot_json(run, *SIN)
    assert proc.returncode == 0, proc.stderr
    x = np.linspace(0, 2 * np.pi, 200)
    assert out["variable"] == "x" and out["wrt"] == ["x"] and out["method"] == {"x": "backward"}
    assert out["shape"] == [200] and out["dtype"] == "float64" and out["error"] is None
    np.testing.assert_allclose(out["x"], x, rtol=0, atol=1e-15)
    np.testing.assert_allclose(out["f"], np.sin(x), rtol=0, atol=1e-15)
    np.testing.assert_allclose(out["df"], np.cos(x), rtol=0, atol=1e-15)


def test_several_variables_give_a_derivative_each_at_every_point(run):
    proc, out = plot_json(run, "a * x**3", "--x", "linspace(-1, 1, 11)", "--a", "2", "--wrt", "x,a")
    assert proc.returncode == 0, proc.stderr
    x = np.linspace(-1, 1, 11)
    assert list(out["df"]) == ["x", "a"]
    np.testing.assert_allclose(out["f"], 2 * x**3, atol=1e-15)
    np.testing.assert_allclose(out["df"]["x"], 6 * x**2, atol=1e-14)       # elementwise: one backward
    np.testing.assert_allclose(out["df"]["a"], x**3, atol=1e-15)           # d f_i / d a: a Jacobian column
    assert out["method"] == {"x": "backward", "a": "jacobian_column"}


@pytest.mark.parametrize("expr, derivative", [
    ("x.cumsum(0)", lambda x: np.ones_like(x)),                                  # d(sum_{j<=i} x_j)/dx_i = 1
    ("x * x.sum()", lambda x: x.sum() + x),
    ("softmax(x, 0)", lambda x: (s := np.exp(x) / np.exp(x).sum()) * (1 - s)),
    ("x * x.sort(descending=True).values", lambda x: x[::-1] + np.where(np.arange(x.size) == x.size // 2, x, 0)),
])
def test_an_expression_that_is_not_elementwise_gets_the_jacobians_diagonal(run, expr, derivative):
    proc, out = plot_json(run, expr, "--x", "linspace(-1, 2, 21)")
    assert proc.returncode == 0, proc.stderr
    x = np.linspace(-1, 2, 21)
    assert out["method"] == {"x": "jacobian_diagonal"}
    np.testing.assert_allclose(out["df"], derivative(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("expr", ["x.reshape(7, 3).exp().flatten()", "where(x > 0, x**2, -x)", "x.clamp(0, 1) * 3"])
def test_elementwise_through_reshapes_and_picks_is_one_backward(run, expr):
    proc, out = plot_json(run, expr, "--x", "linspace(-1, 2, 21)")
    assert proc.returncode == 0, proc.stderr
    assert out["method"] == {"x": "backward"}
    x = np.linspace(-1, 2, 21)
    expected = {"x.reshape(7, 3).exp().flatten()": np.exp(x), "where(x > 0, x**2, -x)": np.where(x > 0, 2 * x, -1.),
                "x.clamp(0, 1) * 3": np.where((x >= 0) & (x <= 1), 3., 0.)}[expr]
    np.testing.assert_allclose(out["df"], expected, atol=1e-14)


@pytest.mark.parametrize("args, says", [
    (("(x * rand(50)).cumsum(0)", "--x", "linspace(0, 1, 50)", "--seed", "0"), "draws random numbers"),
    (("x.cumsum(0)", "--x", "linspace(0, 1, 5000)"), "4096 points at most"),
    (("x.sum()", "--x", "linspace(0, 1, 50)"), "f must have x's shape (50,), but it gives shape ()"),
    (("x * w", "--x", "linspace(0, 1, 5)", "--w", "[1., 2., 3., 4., 5.]", "--wrt", "x,w"), "variable of one number"),
    (("sin(x)", "--x", "3"), "needs a variable bound to a range"),
    (("x * y", "--x", "linspace(0, 1, 5)", "--y", "linspace(0, 1, 5)"), "x and y are both bound to ranges"),
])
def test_what_cannot_be_plotted_is_refused_with_a_reason(run, args, says):
    proc = run("plot", *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert says in proc.stderr
    proc, out = plot_json(run, *args)
    assert proc.returncode == 2 and out["error"]["kind"] == "usage" and says in out["error"]["message"]
    assert out["f"] is None and out["df"] is None


def test_random_numbers_in_an_elementwise_expression_are_drawn_once(run):
    proc, out = plot_json(run, "x * rand(30)", "--x", "linspace(1, 2, 30)", "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_allclose(np.array(out["f"]) / np.array(out["x"]), out["df"], rtol=1e-14)


# ------------------------------------------------------------ drawing
@needs_uniplot
def test_a_pipe_gets_plain_ascii_with_axes_and_a_legend(run):
    proc = run("plot", *SIN)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "\x1b" not in text and text.isascii()
    lines = text.splitlines()
    assert lines[0].strip() == "f = sin(x)"
    assert lines[1] == "+" + "-" * 60 + "+"                           # the frame, 60 columns of plot
    assert re.search(r"\| 1$", lines[2]) and re.search(r"\| -1$", lines[18])     # the y axis's numbers
    assert lines[20].split() == ["0", "2", "4", "6"]                  # the x axis's
    assert "** f" in lines[21] and "oo df/dx" in lines[21]            # the legend
    assert "x axis: x" in text and "df/dx: one backward with a ones output gradient" in text
    assert all(line == line.rstrip() for line in lines)


@needs_uniplot
def test_values_that_are_not_finite_are_left_out_of_the_chart(run):
    proc = run("plot", "log(x)", "--x", "linspace(-2, -1, 20)")
    assert proc.returncode == 0 and "invalid value encountered" in proc.stderr
    assert "not drawn, no finite value: f\n" in proc.stdout and "** df/dx" in proc.stdout
    proc = run("plot", "log(x)", "--x", "linspace(-1, 1, 21)")         # nan, -inf at 0, then finite
    assert proc.returncode == 0 and "** f   oo df/dx" in proc.stdout and "not drawn" not in proc.stdout
    assert "left out where not finite (inf or nan; a line joins across the gap): f (11 points)\n" in proc.stdout


@needs_uniplot
def test_colour_when_asked_and_never_in_a_pipe_otherwise(run):
    assert "\x1b[" in run("plot", *SIN, "--color", "always").stdout
    assert "\x1b" not in run("plot", *SIN, FORCE_COLOR="1", NO_COLOR="1").stdout


@needs_matplotlib
def test_an_svg_is_the_same_bytes_every_time(run, tmp_path):
    assert run("plot", *SIN, "--out", "a.svg").returncode == 0
    (tmp_path / "sub").mkdir()
    assert run("plot", *SIN, "--out", "sub/b.svg").returncode == 0
    first = (tmp_path / "a.svg").read_bytes()
    assert first == (tmp_path / "sub" / "b.svg").read_bytes()
    assert first.startswith(b"<?xml") and b"<dc:date>" not in first


@needs_matplotlib
def test_docs_plot_svg_is_the_readmes_command(run, tmp_path):
    import matplotlib
    committed = (ROOT / "docs" / "plot.svg").read_bytes()
    if f"Matplotlib v{matplotlib.__version__},".encode() not in committed:
        pytest.skip("docs/plot.svg was drawn by another matplotlib version")
    assert f'agcli plot "sin(x)" --x "linspace(0, 2*pi, 200)" --out docs/plot.svg' in \
        (ROOT / "README.md").read_text(encoding="utf-8")
    assert run("plot", *SIN, "--out", "plot.svg").returncode == 0
    assert (tmp_path / "plot.svg").read_bytes() == committed


@needs_matplotlib
def test_png_and_json_together(run, tmp_path):
    proc, out = plot_json(run, "tanh(x)", "--x", "linspace(-3, 3, 50)", "--out", "t.png")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_allclose(out["df"], 1 - np.tanh(np.linspace(-3, 3, 50)) ** 2, atol=1e-15)


def test_out_takes_a_picture_name_only(run):
    proc = run("plot", *SIN, "--out", "values.txt")
    assert proc.returncode == 2 and "name it .png or .svg" in proc.stderr


# ------------------------------------------------------------ without the plot extra
def test_without_uniplot_the_text_plot_says_how_to_install_it(run):
    proc = run("plot", *SIN, hide=("uniplot",))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"error: drawing a plot in text needs the uniplot package, which is not installed: {INSTALL}"]


def test_without_matplotlib_a_file_says_how_to_install_it(run, tmp_path):
    proc = run("plot", *SIN, "--out", "f.svg", hide=("matplotlib",))
    assert proc.returncode == 2 and not (tmp_path / "f.svg").exists()
    assert proc.stderr.strip().splitlines() == [
        f"error: writing SVG needs the matplotlib package, which is not installed: {INSTALL}"]


def test_json_needs_no_extra(run):
    proc, out = plot_json(run, *SIN, hide=("uniplot", "matplotlib"))
    assert proc.returncode == 0 and proc.stderr == ""
    assert len(out["df"]) == 200


def test_help_has_examples(run):
    proc = run("plot", "--help")
    assert proc.returncode == 0
    assert 'agcli plot "sin(x)" --x "linspace(0, 2*pi, 200)"' in proc.stdout
    assert "pip install 'agcli[plot]'" in proc.stdout
