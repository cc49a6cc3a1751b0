"""`agcli run` shows PyTorch's warnings on stderr as Python's default filter does: each
text once per line that makes it (once a run for those PyTorch makes in its own code),
as Python writes them (`prog.py:4: UserWarning: text`, then the line's source).

Every tests/fixtures/program_warnings/NNN_name.py is a PyTorch program; its .warnings
holds the warnings PyTorch 2.13 showed (tests/fixtures/record_program_warnings.py).
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from installed import AGCLI, base_env

PROGRAMS = Path(__file__).resolve().parent / "fixtures" / "program_warnings"
START = re.compile(r"^(PROGRAM:\d+: )?\w*Warning: ")


def agcli_warnings(stderr: str) -> list[str]:
    found = []
    for line in stderr.splitlines():
        if START.match(line) or not found:
            found.append(line)
        else:
            found[-1] += "\n" + line
    return found


@pytest.mark.parametrize("program", sorted(PROGRAMS.glob("*.py")), ids=lambda p: p.stem)
def test_program_warns_as_pytorch_warns(program, tmp_path):
    expected = program.with_suffix(".warnings").read_text(encoding="utf-8").rstrip("\n").split("\n---\n")
    proc = subprocess.run([AGCLI, "run", str(program)], cwd=tmp_path, env=base_env(HOME=str(tmp_path)),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert agcli_warnings(proc.stderr.replace(str(program), "PROGRAM")) == expected


NON_LEAF = "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed."
SOURCE = "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\nprint(y.grad)\nprint(y.grad)\n"


def test_a_program_from_e_or_standard_input_names_its_place_as_python_does(tmp_path):
    """`python -c` writes <string>:LINE:, `python -` writes <stdin>:LINE:, neither with the line's source."""
    for args, input, name in ((["run", "-e", SOURCE], None, "<string>"), (["run", "-"], SOURCE, "<stdin>")):
        proc = subprocess.run([AGCLI, *args], cwd=tmp_path, env=base_env(HOME=str(tmp_path)), input=input,
                              capture_output=True, text=True, encoding="utf-8", timeout=60)
        lines = proc.stderr.splitlines()
        assert proc.returncode == 0 and len(lines) == 2, proc.stderr
        for number, line in zip((4, 5), lines):
            assert line.startswith(f"{name}:{number}: {NON_LEAF}")
            assert line.endswith("(Triggered internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/"
                                 "TensorBody.h:493.)")


def test_the_repl_shows_a_warning_once_a_session_at_stdin_line_1(tmp_path):
    """Python's REPL compiles each input as line 1 of <stdin>: a text shows once."""
    proc = subprocess.run([AGCLI, "repl"], cwd=tmp_path, env=base_env(HOME=str(tmp_path)), input=SOURCE,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count(NON_LEAF) == 1 and f"<stdin>:1: {NON_LEAF}" in proc.stderr, proc.stderr
    assert proc.stdout.count("None") == 2


def test_the_repl_shows_anomaly_modes_forward_traceback_and_the_error_at_backward(tmp_path):
    """PyTorch's REPL: each input is <stdin>, a function's lines counted in the input that defined it."""
    source = ("import torch\ntorch.autograd.set_detect_anomaly(True)\ndef f(x):\n    return x.sqrt()\n\n"
              "x = torch.tensor([0.0, 1.0], requires_grad=True)\ny = f(x)\n(y * 0).sum().backward()\n")
    proc = subprocess.run([AGCLI, "repl"], cwd=tmp_path, env=base_env(HOME=str(tmp_path)), input=source,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert ("UserWarning: Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n"
            '  File "<stdin>", line 1, in <module>\n  File "<stdin>", line 2, in f\n (Triggered internally at '
            "/__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)\n") in proc.stderr, proc.stderr
    assert "   | (y * 0).sum().backward()\n   |               ^^^^^^^^" in proc.stderr, proc.stderr
