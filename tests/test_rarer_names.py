"""The rarer groups of names (torchapi/rarer_names.py) are declared when lowering first misses a name
or a program starts, not at start-up: each test runs a fresh interpreter, where nothing is loaded yet."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest


def _fresh(code: str) -> str:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_a_common_expression_loads_no_rarer_group():
    out = _fresh("import sys, agcli; r = agcli.grad('a*b + c*d**2/e', a=2, b=4, c=6, d=8, e=10); "
                 "print(float(r.value), sorted(m for m in ('agcli.torchapi.rarer_names', 'agcli.engine.ops.convolution', "
                 "'agcli.engine.ops.upsample', 'agcli.torchapi.more_names') if m in sys.modules))")
    assert out.split() == ["46.4", "[]"]


def test_an_expression_of_operators_loads_no_namespace():
    # (start-up, issue 15: the namespace and the families behind it are most of agcli's imports)
    heavy = ("agcli.torchapi.namespace", "agcli.torchapi.linalg", "agcli.torchapi.nn", "agcli.torchapi.einsum")
    out = _fresh(f"import sys, agcli; r = agcli.grad('a*b + c*d**2/e', a=2, b=4, c=6, d=8, e=10); "
                 f"print(float(r.value), [m for m in {heavy!r} if m in sys.modules]); "
                 f"r = agcli.grad('(a @ b).exp()', a=[1., 2.], b=[3., 4.]); "
                 f"print(float(r.value), [m for m in {heavy!r} if m in sys.modules])")
    assert out.splitlines() == ["46.4 []", f"{math.exp(11.0)} ['agcli.torchapi.namespace', 'agcli.torchapi.linalg',"
                                           " 'agcli.torchapi.nn', 'agcli.torchapi.einsum']"]


@pytest.mark.parametrize("expression, bindings, expected", [
    ("torch.kron(a, b).sum()", {"a": [1.0, 2.0], "b": [3.0, 4.0]}, {"a": [7.0, 7.0], "b": [3.0, 3.0]}),
    ("F.pad(a, (1, 1), mode='reflect').sum()", {"a": [[1.0, 2.0, 3.0]]}, {"a": [[1.0, 3.0, 1.0]]}),
    ("a.kthvalue(2)[0]", {"a": [3.0, 1.0, 2.0]}, {"a": [0.0, 0.0, 1.0]}),
    ("torch.linalg.det(a)", {"a": [[2.0, 1.0], [1.0, 3.0]]}, {"a": [[3.0, -1.0], [-1.0, 2.0]]}),
    ("torch.batch_norm(a, None, None, None, None, True, 0.1, 1e-5, False).sum()", {"a": [[1.0, 2.0], [3.0, 5.0]]},
     {"a": [[0.0, 0.0], [0.0, 0.0]]}),
])
def test_a_rarer_name_is_found_at_its_first_use(expression, bindings, expected):
    out = _fresh(f"import json, agcli; r = agcli.grad({expression!r}, **{bindings!r}); "
                 "print(json.dumps({k: v.tolist() for k, v in r.grads.items()}))")
    got = json.loads(out)
    assert got.keys() == expected.keys()
    for name, grad in expected.items():
        np.testing.assert_allclose(got[name], grad, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("expression, message, hint", [
    ("kron + a", "'kron' is a function: call it, e.g. kron(x)", None),
    ("kronn(a)", "unknown function 'kronn'", "kron"),
    ("a.kthvalu(1)", "unknown method '.kthvalu()'", "kthvalue"),
])
def test_errors_about_a_rarer_name_know_it(expression, message, hint):
    out = _fresh(f"import agcli\ntry:\n    agcli.grad({expression!r}, a=[1.0, 2.0])\n"
                 "except agcli.AgcliError as e:\n    print(e.message); print(e.hint)")
    got_message, got_hint = out.splitlines()[:2]
    assert got_message == message
    assert hint is None or hint in got_hint


def test_declaring_the_rarer_names_changes_no_name_declared_before():
    out = _fresh("""
from agcli.torchapi import namespace as N
tables = ("FUNCTIONS", "METHODS", "ATTRIBUTES", "LINALG", "SPECIAL", "REPLAY", "VALUE_ARGUMENTS", "TORCH_ONLY")
before = {t: dict(getattr(N, t)) for t in tables}
from agcli.torchapi import rarer_names
assert rarer_names.declare() and not rarer_names.declare()
changed = [f"{t}.{k}" for t in tables for k, v in before[t].items() if getattr(N, t)[k] is not v]
grown = all(len(getattr(N, t)) > len(before[t]) for t in ("FUNCTIONS", "METHODS", "LINALG", "SPECIAL"))
print(changed, grown)
""")
    assert out.split() == ["[]", "True"]


def test_every_op_family_is_still_listed():
    from pathlib import Path

    from agcli.engine import ops
    helpers = {"__init__", "cascade", "layout", "on_host", "tangents", "dirichlet_float"}    # (no ops)
    files = {p.stem for p in Path(ops.__file__).parent.glob("*.py")} - helpers
    assert {f.__name__.rpartition(".")[2] for f in ops.families()} == files
    assert len(ops.ALL) > 300
