"""The calculus commands as a new user checks them against PyTorch (hunt 16): `agcli hvp` and
`vhp` are torch.autograd.functional's double backwards, whose last bits follow the order PyTorch's
engine adds in (each node's formulas in derivatives.yaml's sorted order, several outputs in one
pass); `agcli jacobian` in reverse mode is torch.autograd.functional.jacobian's, in forward mode
torch.func.jacfwd's, bit for bit. The installed agcli, run as a subprocess."""
from __future__ import annotations

import json

import pytest

from installed import run_in as agcli

VECTORS = [word for name in "abcde" for word in ("--vector", f"{name}=0.5")]


# torch.autograd.functional.hvp and vhp of `a*b + c*d**2/e` at (2., 4., 6., 8., 10.), every vector
# entry 0.5, float64 (PyTorch 2.13): their e entries differ from each other in the last bit.
@pytest.mark.parametrize("command, expected", [
    ("hvp", {"a": 0.5, "b": 0.5, "c": 0.48000000000000004, "d": 0.9200000000000002, "e": -0.416}),
    ("vhp", {"a": 0.5, "b": 0.5, "c": 0.48000000000000004, "d": 0.9200000000000002, "e": -0.4160000000000001}),
])
def test_second_order_products_are_pytorchs_to_the_last_bit(tmp_path, command, expected):
    proc = agcli(command, "a*b + c*d**2/e", "--a", "2", "--b", "4", "--c", "6", "--d", "8", "--e", "10",
                 *VECTORS, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[command] == expected


# torch.func.jacfwd and torch.autograd.functional.jacobian (PyTorch 2.13, float64): forward mode
# (as many outputs as inputs) is jacfwd's, where the reverse-mode answer differs in the last bit of
# [1][1]; fewer outputs than inputs run in reverse mode, functional.jacobian's (jacfwd's [0][0] and
# [1][3] differ in the last bit there).
@pytest.mark.parametrize("expr, x, expected", [
    ("x / x.sum()", "[0.3, 1.7, -0.9]",
     [[0.6611570247933884, -0.2479338842975206, -0.2479338842975206],
      [-1.40495867768595, -0.49586776859504106, -1.40495867768595],
      [0.7438016528925618, 0.7438016528925618, 1.652892561983471]]),
    ("x.reshape(2, 2).sum(0) / x.reshape(2, 2).prod(1)", "[0.3, 1.7, -0.9, 2.2]",
     [[5.882352941176472, 0.6920415224913496, 1.9607843137254901, 0.0],
      [0.0, -0.505050505050505, -2.1885521885521886, 0.39026629935720847]]),
])
def test_a_jacobian_is_pytorchs_in_its_mode(tmp_path, expr, x, expected):
    proc = agcli("jacobian", expr, "--x", x, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["jacobian"]["x"] == expected
