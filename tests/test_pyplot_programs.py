"""`import matplotlib.pyplot as plt` in `agcli run`: the last tutorial's plotting
cell runs as it is pasted (samples/seeds/004_plotting_cell.py, the seed
notebook's cell byte for byte), plt.show() draws in text, plt.savefig() writes
PNG/SVG inside the current directory only, and what plt refuses is worded as
matplotlib or PyTorch word it. Through the installed command; drawing tests
skip without the plot extra (pip install '.[test,plot]').
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from installed import AGCLI, base_env
from test_plot import _hiding, needs_matplotlib, needs_uniplot

ROOT = Path(__file__).resolve().parents[1]
CELL = ROOT / "samples" / "seeds" / "004_plotting_cell.py"
TIMEOUT = 120


@pytest.fixture
def run(tmp_path):
    def run(*args, hide=(), input=None):
        env = base_env(HOME=str(tmp_path), **({"PYTHONPATH": str(_hiding(tmp_path, hide))} if hide else {}))
        proc = subprocess.run([AGCLI, *map(str, args)], cwd=tmp_path, env=env, input=input,
                              stdin=subprocess.DEVNULL if input is None else None, capture_output=True, text=True,
                              encoding="utf-8", timeout=TIMEOUT)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc
    return run


def program(tmp_path, source) -> Path:
    path = tmp_path / "prog.py"
    path.write_text("import matplotlib.pyplot as plt\nimport numpy as np\nimport torch\n" + source, encoding="utf-8")
    return path


def test_the_cell_is_the_seed_notebooks_as_pasted():
    seeds = ROOT.parent / "shared" / "seeds"
    notebooks = list(seeds.glob("004_*.txt")) if seeds.is_dir() else []
    if not notebooks:
        pytest.skip("the shared seed notebooks are not here")
    text = notebooks[0].read_text(encoding="utf-8")
    cells = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert CELL.read_text(encoding="utf-8") in cells


@needs_uniplot
def test_the_tutorials_plotting_cell_runs_and_shows_both_curves(run):
    proc = run("run", CELL)
    assert proc.returncode == 0 and proc.stderr == ""
    out = proc.stdout
    assert "Error" not in out and "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].strip() == "y=sin(x) & dy = cos(x)dx"
    assert "** red" in out and "oo blue" in out                    # both curves, by the colours the cell gave
    assert "x axis: x   y axis: y" in out
    body = "\n".join(line for line in lines[2:19])
    assert body.count("*") > 60 and body.count("o") > 60


def test_without_uniplot_the_cell_runs_and_says_how_to_draw(run):
    proc = run("run", CELL, hide=("uniplot",))
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "warning: drawing a plot in text needs the uniplot package, which is not installed: "
        "pip install 'agcli[plot]'"]


@needs_uniplot
def test_subplots_scatter_formats_and_labels(run, tmp_path):
    proc = run("run", program(tmp_path, """
x = np.linspace(-2, 2, 41)
fig = plt.figure(figsize=(8, 3))
print(fig)
plt.subplot(1, 2, 1)
plt.plot(x, np.tanh(x), 'r--', label='tanh')
plt.legend()
ax = plt.subplot(122)
ax.scatter(x, x**2)
ax.set_title("square")
print(ax)
plt.show()
plt.show()
"""))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("<Figure size 800x300 with 0 Axes>\n<Axes: title={'center': 'square'}>\n")
    assert "subplot 1, 2, 1" in out and "subplot 1, 2, 2" in out and "** tanh" in out
    assert out.count("subplot 1, 2, 1") == 1            # show() closed the figure: the second draws nothing


@needs_matplotlib
def test_savefig_writes_png_and_svg_in_the_current_directory(run, tmp_path):
    proc = run("run", program(tmp_path, """
x = torch.linspace(0, 3, 30)
plt.plot(x, torch.sin(x), c="red")
plt.title("sin")
plt.savefig("sin.png")
plt.savefig("sin.svg")
"""))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "sin.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "sin.svg").read_bytes().startswith(b"<?xml")


def test_savefig_refuses_paths_outside_and_other_formats(run, tmp_path):
    (tmp_path / "out").symlink_to("/tmp")
    proc = run("run", program(tmp_path, """
plt.plot([1, 2, 3])
for path in ("../up.png", "/tmp/abs.png", "out/link.png", "fig.pdf"):
    try:
        plt.savefig(path)
    except ValueError as e:
        print("ValueError:", e)
"""))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "ValueError: savefig() writes inside the current directory only: '../up.png' is outside it",
        "ValueError: savefig() writes inside the current directory only: '/tmp/abs.png' is outside it",
        "ValueError: savefig() writes inside the current directory only: 'out/link.png' is outside it",
        "ValueError: agcli's savefig() writes PNG or SVG, not 'pdf'"]
    assert not list(tmp_path.glob("*.p[dn][fg]")) and not Path("/tmp/abs.png").exists()


def test_plt_refuses_as_matplotlib_and_pytorch_do(run, tmp_path):
    proc = run("run", program(tmp_path, """
t = torch.linspace(0, 1, 5, requires_grad=True)
for call in (lambda: plt.plot(t, t), lambda: plt.plot([1, 2, 3], [1, 2]), lambda: plt.plot([1, 2], [1, 2], 'q'),
             lambda: plt.scatter([1, 2, 3], [1, 2]), lambda: plt.subplot(3, 1, 5)):
    try:
        call()
    except (RuntimeError, ValueError) as e:
        print(type(e).__name__ + ":", e)
try:
    plt.plot([1, 2], [3, 4], foo=1)
except TypeError as e:
    print("TypeError:", e)
plt.colorbar()
"""))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "RuntimeError: Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        "ValueError: x and y must have same first dimension, but have shapes (3,) and (2,)",
        "ValueError: 'q' is not a valid format string (unrecognized character 'q')",
        "ValueError: x and y must be the same size",
        "ValueError: num must be an integer with 1 <= num <= 3, not 5",
        "TypeError: plt.plot() in agcli does not take foo="]
    assert "module 'matplotlib.pyplot' has no attribute 'colorbar'" in proc.stderr
