"""Issue 14: 10,000 mutated expressions through `agcli batch` — every line
answered, no traceback, no hang, no internal error, and no message in
Python's or NumPy's words (agcli's own, or PyTorch's). The lines come from
tests/fuzz_lines.py (the fixture cases, mutated as a hurried typist would)."""
from __future__ import annotations

import json
import re
import subprocess

from fuzz_lines import fuzz_lines
from installed import AGCLI, base_env

COUNT = 10_000
# Wording that is Python's or NumPy's, not agcli's nor PyTorch's. (agcli's call
# checks say "sum() got an unexpected keyword argument 'p'" and "positional
# argument follows keyword argument" as Python and PyTorch do: those are fine.)
LEAKS = re.compile("|".join([
    r"Traceback", r"internal error", r"ufunc", r"ndarray", r"numpy", r"array element",
    r"(?<!indexing tensors could not be )broadcast together",      # (PyTorch's words for index tensors are its own)
    r"dtype\('", r"values of type object", r"'NoneType' object", r"'(?:float|int|list|tuple|str|bool)' object",
    r"object is not (?:subscriptable|iterable|callable)", r"has no attribute", r"invalid literal for", r"could not convert", r"index out of range",
    r"unhashable", r"recursion depth", r"not supported between instances", r"unsupported operand type\(s\) for \S+: '(?:float|int)' and '(?:float|int)'",
    r"can't multiply sequence", r"can only concatenate", r"must be real number", r"too many values to unpack",
    r"not enough values to unpack", r"cannot be interpreted as an integer", r"math domain error",
]))


def test_ten_thousand_mutated_lines_leak_nothing(tmp_path):
    lines = fuzz_lines(COUNT)
    path = tmp_path / "fuzz.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.run([AGCLI, "batch", str(path), "--format", "jsonl", "--max-elements", "1000000"],
                          cwd=tmp_path, env=base_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", timeout=900)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    # A line the batch skips (blank, or a # comment after mutation) has no result.
    assert len(results) >= COUNT * 0.95
    assert [r["line"] for r in results] == sorted({r["line"] for r in results})
    leaked = []
    for r in results:
        error = r["error"]
        if error is None:
            continue
        words = f"{error['message']} {error.get('hint') or ''}"
        if LEAKS.search(words) or error["kind"] == "internal":
            leaked.append(f"line {r['line']}: {lines[r['line'] - 1]}\n    {error['kind']}: {words}")
    assert not leaked, f"{len(leaked)} of {len(results)} errors leak Python's or NumPy's words:\n" + \
        "\n".join(leaked[:30])
    assert "Traceback" not in proc.stderr
