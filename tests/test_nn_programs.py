"""Past raw autograd (issue 16): every tests/fixtures/nn_programs/NNN_name.py is a
small program of the kind learners write right after the autograd tutorials — a
custom torch.autograd.Function, an nn.Module with its layers and losses, a
training loop with torch.optim, random numbers after torch.manual_seed — in its
ordinary use and in its errors (caught and printed); its .out is what PyTorch
2.13 printed (tests/fixtures/record_programs.py nn_programs). `agcli run` must
print exactly that.

Every agcli call is a subprocess of the installed command, in a fresh temporary
directory, stdin closed, with a timeout.
"""
from __future__ import annotations

import pytest

from transcripts import assert_prints_the_transcript, assert_same_but_last_bits, check_folder, programs, run_program
from vector_math import mkl_differs

# Programs whose float32 numbers PyTorch computes with Intel MKL's own kernels, which agcli
# (NumPy only) cannot reproduce bit for bit (README, "Where agcli differs"): the text must be
# the same and every number within (relative, absolute) tolerance of PyTorch's.
_MKL_SIN = "y = torch.sin(x) in float32: PyTorch's sin is MKL's vector math, a last bit off in ~5% of values"
LAST_BITS = {
    "070_polynomial_tensor": ((1e-5, 1e-7), _MKL_SIN),
    "071_polynomial_autograd": ((1e-5, 1e-7), _MKL_SIN),
    "072_polynomial_custom_function": ((1e-5, 1e-7), _MKL_SIN),
    "073_polynomial_nn": ((1e-5, 1e-7), "the weight gradient, a 2000-term float32 sum in MKL's gemm order"),
    # RMSprop near its optimum turns last bits into visible ones: PyTorch's float32 sqrt is MKL's
    # (the weight gradients follow PyTorch's bits for 500 steps; then RMSprop amplifies MKL's sqrt's last bits)
    "074_polynomial_optim": ((1e-2, 1e-3), "MKL's sqrt and gemm; RMSprop amplifies last-bit differences"),
    "077_dynamic_net": ((1e-5, 1e-7), _MKL_SIN),
}


def test_there_are_nn_programs():
    check_folder("nn_programs", at_least=1)


# With the mkl extra (MKL's vector math, taking the code it took where they were recorded) these are exact
EXACT_WITH_MKL = ("070_polynomial_tensor", "071_polynomial_autograd", "072_polynomial_custom_function",
                  "073_polynomial_nn", "074_polynomial_optim")


@pytest.mark.parametrize("program", programs("nn_programs"))
def test_nn_program_prints_what_pytorch_prints(program, tmp_path):
    exact = program.stem in EXACT_WITH_MKL and not mkl_differs("def")
    tolerance = None if exact else LAST_BITS.get(program.stem, (None,))[0]
    assert_prints_the_transcript(program, tmp_path, timeout=120, tolerance=tolerance)


def test_the_last_bits_tolerance_can_fail():
    assert_same_but_last_bits("99 582.6502685546875\n", "99 582.650390625\n", 1e-5, 1e-7)
    with pytest.raises(AssertionError):
        assert_same_but_last_bits("99 582.6\n", "99 583.6\n", 1e-5, 1e-7)
    with pytest.raises(AssertionError):
        assert_same_but_last_bits("99 loss 582.6\n", "99 582.6\n", 1e-5, 1e-7)


def test_a_warning_shows_once_per_run_as_pythons_default_filter_shows_it(tmp_path):
    """A loop's warning (nn.MSELoss's broadcast warning, a non-leaf's .grad) shows once on stderr, as
    Python's default filter shows it once per place; float() of a tensor requiring grad warns once
    (TORCH_WARN_ONCE)."""
    program = tmp_path / "warns.py"
    program.write_text("import torch\nimport torch.nn as nn\nx = torch.ones(3, 1, requires_grad=True)\n"
                       "loss_fn = nn.MSELoss()\nfor i in range(4):\n    y = x * 2\n"
                       "    loss = loss_fn(y, torch.ones(3))\n    print(y.grad, float(loss))\n", encoding="utf-8")
    proc = run_program(program, tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "None 1.0\n" * 4
    assert proc.stderr.count("Using a target size (torch.Size([3])) that is different to the input size") == 1
    assert proc.stderr.count("The .grad attribute of a Tensor that is not a leaf Tensor") == 1
    assert proc.stderr.count("Converting a tensor with requires_grad=True to a scalar") == 1
