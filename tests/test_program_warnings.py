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
