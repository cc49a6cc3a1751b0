"""Folders of program transcripts under tests/fixtures/: NNN_name.py beside the
NNN_name.out that Python with PyTorch 2.13 printed (tests/fixtures/record_programs.py
FOLDER). The tests of each folder ask the same two things: the folder is well
formed, and the installed `agcli run` prints exactly the .out.
"""
from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pytest

from installed import AGCLI, base_env, without_addresses

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def programs(folder: str) -> list:
    """One pytest parameter per program of the folder, named by its stem."""
    return [pytest.param(p, id=p.stem) for p in sorted((FIXTURES / folder).glob("*.py"))]


def check_folder(folder: str, at_least: int) -> None:
    """Three-digit names, `import torch` first, a recorded .out with no address or build tag."""
    found = sorted((FIXTURES / folder).glob("*.py"))
    assert at_least <= len(found) <= 999          # three digits name them
    for program in found:
        assert re.fullmatch(r"\d\d\d_\w+\.py", program.name), program.name
        assert program.read_text(encoding="utf-8").startswith("import torch"), program.name
        assert program.with_suffix(".out").exists(), \
            f"{program.name}: run tests/fixtures/record_programs.py {folder} {program.stem}"
        text = program.with_suffix(".out").read_text(encoding="utf-8")
        assert " at 0x" not in text and "+cpu" not in text, program.name


def run_program(path: Path, cwd: Path, timeout: int) -> subprocess.CompletedProcess:
    """`agcli run PATH` as a user runs it: in an empty folder, stdin closed (addresses taken out)."""
    proc = subprocess.run([AGCLI, "run", str(path)], cwd=cwd, env=base_env(HOME=str(cwd)),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout)
    proc.stdout, proc.stderr = without_addresses(proc.stdout), without_addresses(proc.stderr)
    return proc


def assert_prints_the_transcript(program: Path, cwd: Path, timeout: int = 60, tolerance=None) -> None:
    """Exactly the .out; with tolerance=(rel, abs), the same text with every number within it."""
    proc = run_program(program, cwd, timeout)
    assert "Traceback (most recent call last)" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    expected = program.with_suffix(".out").read_text(encoding="utf-8")
    if tolerance is None:
        assert proc.stdout == expected
    else:
        assert_same_but_last_bits(proc.stdout, expected, *tolerance)


_NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?|-?\d+e[-+]?\d+")


def assert_same_but_last_bits(got: str, expected: str, rel: float, abs_: float) -> None:
    """The same words and lines, and each floating-point number within rel (relative) or abs_."""
    assert _NUMBER.sub("#", got) == _NUMBER.sub("#", expected)
    for a, b in zip(_NUMBER.findall(got), _NUMBER.findall(expected)):
        assert math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_), (a, b)
