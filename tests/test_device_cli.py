"""--device, AGCLI_DEVICE and AGCLI_ARRAY_BACKEND through the installed `agcli`.

A device or array backend agcli cannot use is refused before anything runs:
one error on stderr with a hint, exit 2, never a traceback nor an "internal
error" (agcli/device.py words it; the commands show it).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import agcli as agcli_api
from agcli.device import chosen, cuda_available
from installed import AGCLI, base_env

SEEDS = Path(__file__).resolve().parents[1] / "samples" / "seeds.txt"
TIMEOUT = 60
COMMANDS = {
    "grad": ("grad", "a*b", "--a", "2", "--b", "3"),
    "batch": ("batch", str(SEEDS), "--format", "jsonl"),
    "run": ("run", "-e", "print(torch.ones(2) * 3)"),
    "repl": ("repl",),
}
no_gpu = pytest.mark.skipif(cuda_available(), reason="this machine has CuPy and a CUDA GPU")


def agcli(*args, env=None, prefix=(AGCLI,)):
    """`agcli *args` with standard input closed, in an environment without agcli's device variables (plus env)."""
    clean = base_env()
    for name in ("AGCLI_DEVICE", "AGCLI_ARRAY_BACKEND"):
        clean.pop(name, None)
    clean.update(env or {})
    proc = subprocess.run([*prefix, *args], env=clean, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def assert_refused(proc, *words):
    """Exit 2, nothing on stdout, one error on stderr that says `words`, not an internal error."""
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "internal error" not in proc.stderr
    assert sum(line.lower().startswith("error") for line in proc.stderr.splitlines()) == 1, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


@no_gpu
@pytest.mark.parametrize("command", COMMANDS)
def test_device_cuda_without_cupy_or_a_gpu_is_refused(command):
    assert_refused(agcli(*COMMANDS[command], "--device", "cuda"), "the cuda device needs", "hint:")


@no_gpu
@pytest.mark.parametrize("command", COMMANDS)
def test_agcli_device_cuda_is_refused_likewise(command):
    assert_refused(agcli(*COMMANDS[command], env={"AGCLI_DEVICE": "cuda"}), "cuda device needs", "hint:")


@no_gpu
def test_device_cuda_refused_with_format_json_prints_one_json_error():
    proc = agcli(*COMMANDS["grad"], "--device", "cuda", "--format", "json")
    assert proc.returncode == 2
    obj = json.loads(proc.stdout)
    assert obj["expr"] == "a*b" and obj["value"] is None
    assert obj["error"]["kind"] == "usage" and "the cuda device needs" in obj["error"]["message"]
    assert obj["error"]["hint"]
    assert "the cuda device needs" in proc.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_device_is_refused_with_the_choices(command):
    assert_refused(agcli(*COMMANDS[command], "--device", "gpu"), "gpu", "cpu", "cuda")


def test_an_unknown_agcli_device_is_refused():
    assert_refused(agcli(*COMMANDS["grad"], env={"AGCLI_DEVICE": "gpu"}), "AGCLI_DEVICE", "cpu or cuda")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_array_backend_is_refused(command):
    assert_refused(agcli(*COMMANDS[command], env={"AGCLI_ARRAY_BACKEND": "bogus"}), "AGCLI_ARRAY_BACKEND", "bogus")


@pytest.mark.parametrize("command", COMMANDS)
def test_device_cpu_is_the_default(command):
    def said(proc):     # (a piped REPL says its banner on stderr, as Python's)
        return proc.stderr if command == "repl" else proc.stdout
    default = agcli(*COMMANDS[command])
    assert default.returncode == 0, default.stderr
    assert said(default)
    for env in ({}, {"AGCLI_DEVICE": "cuda"}):      # the option wins over the variable
        cpu = agcli(*COMMANDS[command], "--device", "cpu", env=env)
        assert (cpu.returncode, said(cpu)) == (0, said(default)), cpu.stderr
    assert said(agcli(*COMMANDS[command], env={"AGCLI_DEVICE": "cpu"})) == said(default)


def test_a_batch_line_cannot_choose_a_device(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text('"a*b" --a 2 --b 3\n"a*b" --a 2 --b 3 --device cpu\n')
    proc = agcli("batch", str(path), "--format", "jsonl")
    assert proc.returncode == 1         # a failed line
    ok, refused = map(json.loads, proc.stdout.splitlines())
    assert (ok["value"], ok["error"]) == (6.0, None)
    assert refused["error"]["kind"] == "usage"
    assert "--device" in refused["error"]["message"] and "chosen once per run" in refused["error"]["message"]


# The engine asks agcli/device.py for its array backend when it is first
# imported, and may refuse then: each command must show that as an error too.
REFUSING_ENGINE = """
import sys
from agcli.errors import AgcliError

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "agcli.engine.backend":
            raise AgcliError("the array backend is not installed", kind="usage", hint="install it")

sys.meta_path.insert(0, Refuse())
sys.argv[0] = "agcli"
from agcli.cli.main import main
main()
"""


@pytest.mark.parametrize("command", COMMANDS)
def test_an_engine_that_refuses_at_import_is_an_error_not_a_crash(command):
    proc = agcli(*COMMANDS[command], prefix=(sys.executable, "-c", REFUSING_ENGINE))
    assert_refused(proc, "the array backend is not installed", "hint: install it")


def test_an_engine_that_refuses_at_import_gives_a_json_error_with_format_json():
    proc = agcli(*COMMANDS["grad"], "--format", "json", prefix=(sys.executable, "-c", REFUSING_ENGINE))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["message"] == "the array backend is not installed"
    assert "the array backend is not installed" in proc.stderr


def test_the_python_api_computes_on_the_process_device_and_refuses_another():
    here = chosen()[0]
    assert float(agcli_api.grad("a*b", a=2, b=3, device=here).value) == 6.0
    for other in ({"cpu": "cuda", "cuda": "cpu"}[here], "gpu"):
        with pytest.raises(agcli_api.AgcliError) as refused:
            agcli_api.grad("a*b", a=2, b=3, device=other)
        assert refused.value.kind == "usage"
