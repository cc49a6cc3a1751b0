"""What the subprocess tests share: the installed `agcli` command (the one beside
the Python running the tests, i.e. the environment under test, else the one on
PATH) and the environment to run it in."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_beside = Path(sys.executable).parent / "agcli"
AGCLI = str(_beside) if _beside.exists() else shutil.which("agcli")
if AGCLI is None:
    raise RuntimeError("the agcli command is not installed: pip install '.[test]' first")


def base_env(**extra) -> dict:
    """The caller's environment without anything that changes colour or width."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES")}
    env.update(extra)
    return env


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def without_addresses(text: str) -> str:
    """Text with each ` at 0x7f...>` of an object's repr taken out, as the fixtures record PyTorch's
    output (tests/fixtures/record_programs.py): addresses differ from run to run, in both programs."""
    return _ADDRESS.sub(">", text)


def run_in(*args, cwd, input=None) -> subprocess.CompletedProcess:
    """`agcli ARGS` in the folder `cwd` (stdin closed unless `input`), as a new user runs it: never a
    traceback nor an internal error."""
    proc = subprocess.run([AGCLI, *args], cwd=cwd, env=base_env(), input=input,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert "Traceback (most recent" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return proc
