"""`dtype=` of the reductions and of softmax, and expand's messages, against
PyTorch 2.13 (tests/fixtures/torch_issue9.json, recorded by
tests/fixtures/record_issue9.py): the value, its printing, the graph down to
the leaves, the gradient and its dtype, or PyTorch's error."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agcli.engine.backend import to_host
from agcli.engine.backward import backward
from agcli.errors import AgcliError
from agcli.language.program import run_program
from agcli.state import state
from agcli.torchapi import functions
from agcli.torchapi.printing import tensor_repr

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "torch_issue9.json").read_text())
CASES = [c for c in FIXTURES["cases"] if c["section"] in ("dtype", "expand")]


def _graph(node):
    """[name, children...] down to the leaves, as the recorder wrote it (None: no gradient)."""
    if node is None:
        return None
    name = "torch::autograd::AccumulateGrad" if node.name == "AccumulateGrad" else node.name
    return [name] + [_graph(n) for n in node.next]


def _run(case):
    *lines, last = case["code"].splitlines()
    source = "\n".join(["import torch", "import torch.nn.functional as F", *lines, f"result = {last}"])
    with state.using(default_float=case["default_dtype"]):
        return run_program(source, lambda text: None)


@pytest.mark.parametrize("case", CASES, ids=[c["code"].splitlines()[-1] for c in CASES])
def test_as_pytorch_says(case):
    if "error" in case:
        with pytest.raises(AgcliError) as caught:
            _run(case)
        assert caught.value.python_type == case["error"]["type"]
        assert caught.value.message == case["error"]["message"]
        return
    env = _run(case)
    result = env["result"]
    with state.using(default_float=case["default_dtype"]):
        assert tensor_repr(result) == case["repr"]
        assert _graph(result.grad_fn) == case["graph"]
        if case.get("grads"):
            backward(result if result.data.ndim == 0 else functions.sum(result))
        for name, want in case.get("grads", {}).items():
            grad = env[name].grad
            np.testing.assert_allclose(to_host(grad.data), want["value"], rtol=1e-6, atol=1e-12)
            if "e-1" not in want["repr"]:          # rounding noise prints differently in its last digits
                assert tensor_repr(grad) == want["repr"]
