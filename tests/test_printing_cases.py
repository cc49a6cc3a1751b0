"""Tensors print, and dtypes compute, as PyTorch's do: ~400 short random programs.

tests/fixtures/printing_cases.json holds programs written from a fixed seed by
tests/fixtures/record_printing.py (print, repr, str, f-strings and format specs, tolist,
numpy(), print options and their resets, summaries, containers, return types, modules;
type promotion with numbers and 0-d tensors, integer wrap-around, division by zero,
arange/linspace, float16 arithmetic), each case in a try block after a marker line, and
what PyTorch 2.13 printed (its addresses dropped). `agcli run` must print exactly the same lines.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from installed import AGCLI, base_env

FIXTURE = Path(__file__).parent / "fixtures" / "printing_cases.json"
GROUPS = json.loads(FIXTURE.read_text())
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _cases(out: str) -> dict:
    """Each case's printed lines, by its marker line (`@@ N`)."""
    cases, current = {}, None
    for line in out.split("\n"):
        marker = re.fullmatch(r"@@ (\d+)", line)
        if marker:
            current = marker.group(1)
            cases[current] = []
        elif current is not None:
            cases[current].append(line)
    return {k: "\n".join(v).rstrip("\n") for k, v in cases.items()}


@pytest.mark.parametrize("index", range(len(GROUPS)))
def test_cases_print_as_pytorch(index, tmp_path):
    group = GROUPS[index]
    path = tmp_path / "cases.py"
    path.write_text(group["program"])
    done = subprocess.run([AGCLI, "run", str(path)], cwd=tmp_path, env=base_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    got, expected = _cases(_ADDRESS.sub(" at 0x", done.stdout)), _cases(group["torch"])
    differ = [f"case {k}:\n--- PyTorch\n{want}\n--- agcli\n{got.get(k)}" for k, want in expected.items()
              if got.get(k) != want]
    assert not differ, f"{len(differ)} of {len(expected)} cases differ:\n" + "\n".join(differ[:5])
