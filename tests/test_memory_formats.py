"""Where PyTorch's channels_last kernels add in another order than the row-major ones agcli follows, agcli
refuses (its words, a NotImplementedError a program may catch) rather than give other last bits; without
gradients conv2d's values are the row-major kernel's, as PyTorch's are (fixture 971). The formats' strides
and errors are checked against PyTorch in the fixtures (965-971, 983, 987-989)."""
from __future__ import annotations

import pytest

from installed import run_in

SET_UP = ("import torch\nimport torch.nn.functional as F\ntorch.manual_seed(0)\n"
          "x = torch.randn(2, 3, 5, 5).to(memory_format=torch.channels_last)\n")


@pytest.mark.parametrize("call, what", [
    ("F.conv2d(x.requires_grad_(), torch.randn(4, 3, 3, 3))", "conv2d of a channels_last tensor"),
    ("F.conv2d(x, torch.randn(4, 3, 3, 3, requires_grad=True))", "conv2d of a channels_last tensor"),
    ("F.conv_transpose2d(x, torch.randn(3, 4, 3, 3))", "conv_transpose2d of a channels_last tensor"),
    ("F.batch_norm(x, None, None, training=True)", "batch_norm of a channels_last tensor"),
    ("F.group_norm(x, 3)", "group_norm of a channels_last tensor"),
])
def test_channels_last_kernels_that_add_in_another_order_are_refused(tmp_path, call, what):
    proc = run_in("run", "-e", SET_UP + call + "\n", cwd=tmp_path)
    assert proc.returncode != 0 and proc.stdout == ""
    assert f"NotImplementedError: agcli does not compute {what}" in proc.stderr, proc.stderr
    assert "hint: make the tensors .contiguous() first" in proc.stderr


def test_a_refusal_is_an_exception_a_program_catches_and_contiguous_avoids(tmp_path):
    source = SET_UP + ("w = torch.randn(4, 3, 3, 3, requires_grad=True)\n"
                       "try:\n    F.conv2d(x, w)\nexcept NotImplementedError:\n    print('refused')\n"
                       "y = F.conv2d(x.contiguous(), w)\ny.sum().backward()\n"
                       "with torch.no_grad():\n    z = F.conv2d(x, w)\n"
                       "print(y.grad_fn, z.grad_fn, torch.equal(y.detach(), z), w.grad.shape)\n")
    proc = run_in("run", "-e", source, cwd=tmp_path)
    assert proc.stdout.startswith("refused\n<ConvolutionBackward0 object at 0x"), proc.stderr
    assert proc.stdout.endswith("> None True torch.Size([4, 3, 3, 3])\n")
