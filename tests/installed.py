"""What the subprocess tests share: the installed `agcli` command (the one beside
the Python running the tests, i.e. the environment under test, else the one on
PATH) and the environment to run it in."""
import os
import shutil
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
