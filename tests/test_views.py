"""In-place changes through views (PyTorch's semantics are in transcripts
60_views_write_back, 58_what_each_op_saves, 73_views_rebase_history and
74_views_regrow_history, recorded from PyTorch 2.13; gradients against finite
differences in test_in_place.py)."""
from __future__ import annotations

import pytest

from agcli.errors import AgcliError
from agcli.language.program import run_program
from agcli.state import state
from installed import without_addresses


def _printed(source):
    out = []
    with state.using(default_float="float32"):
        run_program("import torch\n" + source, out.append)
    return without_addresses("".join(out)).splitlines()


def test_a_change_through_a_view_rebases_the_base_history():
    """PyTorch's rebase_history: y's grad_fn becomes CopySlices (wrapping mul_'s backward),
    the view's AsStridedBackward0, and x's gradient sees the change (transcript 73)."""
    assert _printed("x = torch.ones(2, 2, requires_grad=True)\ny = x * 2\nv = y[1]\nv.mul_(3)\n"
                    "print(y.grad_fn, v.grad_fn, y._version, v._version)\n"
                    "y.sum().backward()\nprint(x.grad)") == [
        "<CopySlices object> <AsStridedBackward0 object> 1 1", "tensor([[2., 2.],", "        [6., 6.]])"]


def test_a_change_through_a_column_of_a_transpose_reaches_the_right_elements():
    assert _printed("x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x * 1\n"
                    "y.t()[0].mul_(torch.tensor([10., 100.]))\nprint(y)\ny.sum().backward()\nprint(x.grad)") == [
        "tensor([[ 10.,   2.],", "        [300.,   4.]], grad_fn=<CopySlices>)",
        "tensor([[ 10.,   1.],", "        [100.,   1.]])"]


def test_a_view_regrows_its_history_after_its_base_changed_in_place():
    """v was taken before y.mul_(3): its gradient must see the change (AsStridedBackward0 of y now)."""
    assert _printed("x = torch.ones(2, 2, requires_grad=True)\ny = x * 2\nv = y[0]\ny.mul_(3)\n"
                    "print(v.grad_fn, v.grad_fn.next_functions)\nv.sum().backward()\nprint(x.grad)") == [
        "<AsStridedBackward0 object> ((<MulBackward0 object>, 0),)", "tensor([[6., 6.],", "        [0., 0.]])"]


def test_a_view_of_a_detached_alias_is_not_a_view_of_the_leaf():
    """x.detach()[0] and x.data[0] may change in place although x requires grad (their base does not)."""
    assert _printed("x = torch.ones(3, requires_grad=True)\nx.detach()[0].mul_(2)\nx.data[1].mul_(3)\n"
                    "print(x, x._version)") == ["tensor([2., 3., 1.], requires_grad=True) 1"]


def test_a_view_whose_base_was_laid_out_anew_is_refused_not_misplaced():
    """agcli finds a view's elements from its base's layout when the view was taken; after
    y.t_() that layout is gone, so a change through the old view is refused (PyTorch follows it)."""
    with pytest.raises(AgcliError) as caught:
        _printed("x = torch.ones(2, 3, requires_grad=True)\ny = x * 2\nv = y[0]\ny.t_()\nv.mul_(2)")
    assert "laid out anew" in caught.value.message and "take the view again" in caught.value.hint
