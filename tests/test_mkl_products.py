"""The `mkl` extra (pip install 'agcli[mkl]'): PyTorch's x86-64 CPU build computes matrix products
with Intel MKL's gemm, and agcli then calls the same library as PyTorch calls it (engine/backend_gemm.py),
so products, a linear layer's gradients and a whole training loop print PyTorch's numbers to the last
bit (tests/fixtures/mkl_programs, recorded from PyTorch 2.13; NumPy's products differ in the last bits
of about a third of them). Skipped where the extra is not installed, or where MKL takes other code than
where the fixtures were recorded (it picks its kernels by the processor, as PyTorch's MKL does); CI installs
the extra (.ci/run).
"""
from __future__ import annotations

import re
import subprocess
import sys

import numpy
import pytest

from installed import AGCLI, base_env
from transcripts import assert_prints_the_transcript, check_folder, programs, run_program
from agcli.engine.mkl import library

RECORDED_CODE = "def"      # the code MKL's BLAS took where the fixtures were recorded (an AMD CPU: its generic code)


def _code_here():
    """The code MKL's BLAS takes on this processor (read off the kernel library its first product loads)."""
    from agcli.engine import backend_gemm
    backend_gemm.mm(numpy.ones((2, 2), "float32"), numpy.ones((2, 2), "float32"))
    with open("/proc/self/maps", encoding="utf-8") as maps:
        found = re.search(r"libmkl_(def|mc3|avx2|avx512|avx)\.so", maps.read())
    return found.group(1) if found else None


pytestmark = pytest.mark.skipif(library() is None or _code_here() != RECORDED_CODE,
                                reason="the mkl extra is not installed, or MKL takes other code on this processor "
                                       f"than the fixtures' ({RECORDED_CODE}): its last bits are other ones")


def test_there_are_mkl_programs():
    check_folder("mkl_programs", at_least=3)


@pytest.mark.parametrize("program", programs("mkl_programs"))
def test_mkl_program_prints_what_pytorch_prints(program, tmp_path):
    assert_prints_the_transcript(program, tmp_path)


@pytest.mark.parametrize("program", programs("mkl_programs"))
def test_without_mkl_the_numbers_are_numpys(program, tmp_path, monkeypatch):
    """AGCLI_NO_MKL leaves MKL out: the same program runs on NumPy's products, and its last bits differ."""
    monkeypatch.setenv("AGCLI_NO_MKL", "1")
    proc = run_program(program, tmp_path, 60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout != program.with_suffix(".out").read_text(encoding="utf-8")


def test_start_up_does_not_load_the_library():
    code = "import sys; import agcli.cli.main; print('ctypes' in sys.modules, 'agcli.engine.mkl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=base_env(), timeout=60)
    assert out.stdout.split() == ["False", "True"] or out.stdout.split() == ["False", "False"], out.stderr


def test_the_threads_follow_pytorchs_variables(tmp_path):
    """MKL's blocking depends on its threads: OMP_NUM_THREADS sets them as it sets PyTorch's pool."""
    program = tmp_path / "p.py"
    program.write_text("import torch\ntorch.manual_seed(0)\n"
                       "print((torch.randn(5, 10) @ torch.randn(10, 64)).view(torch.int32).sum().item())\n")
    runs = {n: subprocess.run([AGCLI, "run", str(program)], cwd=tmp_path, capture_output=True, text=True,
                              env=base_env(OMP_NUM_THREADS=n), timeout=60).stdout for n in ("1", "2")}
    assert runs["1"] and runs["2"] and runs["1"] != runs["2"]
