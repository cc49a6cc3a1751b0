"""Devices in programs. On this CPU build every tensor is on "cpu" and asking for
CUDA fails as PyTorch 2.13 without CUDA does (transcript 55_devices_on_a_cpu_build).
A process started with --device cuda has two device labels; with no GPU here
that process is simulated (the engine's flag and the device choice), and the
expected texts are PyTorch's own, as tests/fixtures/torch_issue9.json's notes
quote them from torch/_tensor_str.py and libtorch."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from agcli.engine import tensor as engine_tensor
from agcli.errors import AgcliError
from agcli.language.program import run_program
from agcli.state import state
from agcli.torchapi import devices

NOTES = json.loads((Path(__file__).parent / "fixtures" / "torch_issue9.json").read_text())["notes"]


@pytest.fixture
def on_the_gpu(monkeypatch):
    monkeypatch.setattr(engine_tensor, "TWO_DEVICES", True)
    monkeypatch.setattr(devices, "chosen", lambda: ("cuda", "numpy"))


def _printed(source):
    """What `source` prints, run as `agcli run` runs it (float32 by default)."""
    out = []
    with state.using(default_float="float32"):
        run_program("import torch\n" + source, out.append)
    return "".join(out).splitlines()


def test_a_cuda_tensor_prints_its_device_first(on_the_gpu):
    assert "device=" in json.dumps(NOTES["cuda_repr_suffix_order"])       # what the expectations rest on
    assert _printed("x = torch.tensor([1., 2.], device='cuda', requires_grad=True)\nprint(x)\n"
                    "print(x * 2)\nprint(x.double())\nprint(x.device, repr(x.device), x.is_cuda)\n"
                    "print(torch.cuda.is_available())") == [
        "tensor([1., 2.], device='cuda:0', requires_grad=True)",
        "tensor([2., 4.], device='cuda:0', grad_fn=<MulBackward0>)",
        "tensor([1., 2.], device='cuda:0', dtype=torch.float64,",     # over 80 columns: PyTorch wraps
        "       grad_fn=<ToCopyBackward0>)",
        "cuda:0 device(type='cuda', index=0) True",
        "True",
    ]


def test_moving_between_devices_is_recorded_and_its_gradient_comes_back(on_the_gpu):
    assert _printed("x = torch.tensor([1., 2.], requires_grad=True)\ny = x.cuda()\nprint(y)\n"
                    "z = (y * 3).cpu()\nprint(z)\nz.sum().backward()\nprint(x.grad)\n"
                    "w = torch.ones(2, device='cuda', requires_grad=True)\n(w * 2).sum().backward()\n"
                    "print(w.grad)\nprint(torch.zeros(2).to('cuda') is not None, x.to('cpu') is x)") == [
        "tensor([1., 2.], device='cuda:0', grad_fn=<ToCopyBackward0>)",
        "tensor([3., 6.], grad_fn=<ToCopyBackward0>)",
        "tensor([3., 3.])",
        "tensor([2., 2.], device='cuda:0')",
        "True True",
    ]


def test_mixing_devices_is_pytorchs_error_and_a_0d_cpu_tensor_is_a_scalar(on_the_gpu):
    assert _printed("x = torch.ones(2, device='cuda')\nprint(x * torch.tensor(2.))") == [
        "tensor([2., 2.], device='cuda:0')"]
    for mix in ("torch.ones(2, device='cuda') + torch.ones(2)", "torch.ones(2) * torch.ones(2).cuda()"):
        with pytest.raises(AgcliError) as caught:
            _printed(mix)
        assert caught.value.message == ("Expected all tensors to be on the same device, but found at least "
                                        "two devices, cuda:0 and cpu!")
        assert caught.value.python_type == "RuntimeError"


def test_on_the_cpu_cuda_is_pytorchs_assertion_and_bad_strings_its_runtime_errors():
    for ask in ("torch.ones(2).cuda()", "torch.ones(2, device='cuda')", "torch.ones(2).to('cuda:0')"):
        with pytest.raises(AgcliError) as caught:
            _printed(ask)
        assert (caught.value.python_type, caught.value.message) == ("AssertionError",
                                                                     "Torch not compiled with CUDA enabled")
    with pytest.raises(AgcliError) as caught:
        _printed("torch.device('cuda:x')")
    assert caught.value.message == "Invalid device string: 'cuda:x'"

