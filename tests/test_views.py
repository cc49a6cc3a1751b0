"""In-place changes through views (PyTorch's semantics are in transcript
60_views_write_back and 58_what_each_op_saves, recorded from PyTorch 2.13)."""
from __future__ import annotations

import pytest

from agcli.errors import AgcliError
from agcli.language.program import run_program
from agcli.state import state


def _printed(source):
    out = []
    with state.using(default_float="float32"):
        run_program("import torch\n" + source, out.append)
    return "".join(out).splitlines()


def test_an_in_place_change_through_a_view_in_the_graph_is_refused_not_miscounted():
    """PyTorch rebases the base's history (CopySlices) for y[1].mul_(3); agcli does not
    yet, and a gradient that missed the change would be silently wrong: it refuses."""
    with pytest.raises(AgcliError) as caught:
        _printed("x = torch.ones(2, 2, requires_grad=True)\ny = x * 2\ny[1].mul_(3)")
    assert "in-place change through a view" in caught.value.message and "y[1] = y[1] * 3" in caught.value.hint
    assert _printed("x = torch.ones(2, 2, requires_grad=True)\ny = x * 2\ny[1] = y[1] * 3\n"
                    "y.sum().backward()\nprint(x.grad)") == ["tensor([[2., 2.],", "        [6., 6.]])"]
