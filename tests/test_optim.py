"""torch.optim (agcli/torchapi/optim/) against PyTorch 2.13, bit for bit.

tests/fixtures/torch_optim.json (record_optim.py) holds, for each optimizer and set
of options, the parameters' bits after 300 steps in float32 and float64, the gradient
set elementwise each step so that only the update rules are compared. PyTorch's sqrt
goes through MKL (one ulp off IEEE's in some values), so the fixture has each case
twice: agcli must give the "exact_sqrt" run's bits exactly, and the real run's, after a
few steps, within the few ulps those sqrt results make; with agcli[mkl] (MKL's sqrt), where
MKL takes the code it took there, the real run's bits exactly. The FMA the kernels use is checked against the
host-side emulation the random kernels use (torchapi/cpu_math.py), on ties too.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agcli.engine.backend import from_host, to_host
from agcli.engine import cpu_kernels
from agcli.engine.fma import fma, one_minus_square
from agcli.engine.tensor import Tensor
from agcli.errors import AgcliError
from agcli.state import state
from agcli.torchapi import functions, optim
from agcli.torchapi.cpu_math import fma32, fma64
from vector_math import mkl_differs

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "torch_optim.json").read_text())
_UINT = {"float32": np.uint32, "float64": np.uint64}


@pytest.fixture(autouse=True)
def _program_dtype():
    with state.using(default_float="float32"):
        yield


def _array(bits, dtype, shape):
    return np.array(bits, dtype=_UINT[dtype]).view(dtype).reshape(shape)


def _start(dtype):
    shapes = [tuple(s) for s in FIXTURE["shapes"]]
    return [[Tensor(from_host(_array(bits, dtype, shape))) for bits, shape in zip(group, shapes)]
            for group in FIXTURE["inputs"][dtype]]


def _run(case, steps=None):
    params, targets, scales = _start(case["dtype"])
    for p in params:
        p.requires_grad = True
    opt = getattr(optim, case["optimizer"])(params, **case["options"])
    for _ in range(steps or FIXTURE["steps"]):
        opt.zero_grad()
        for p, target, k in zip(params, targets, scales):
            p.grad = Tensor((p.data - target.data) * k.data)
        opt.step()
    return [to_host(p.data).ravel() for p in params]


def _name(case):
    options = ",".join(f"{k}={v}" for k, v in case["options"].items())
    return f"{case['optimizer']}({options})-{case['dtype']}"


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=_name)
def test_updates_are_pytorchs_bit_for_bit(case, monkeypatch):
    monkeypatch.setattr(cpu_kernels, "_vml", {})        # (IEEE's sqrt, also where agcli[mkl] is installed)
    dtype = case["dtype"]
    for values, want in zip(_run(case), case["exact_sqrt"]):
        assert values.view(_UINT[dtype]).tolist() == want


# PyTorch's own runs were recorded where MKL's vector math takes its AVX-512 code (an Intel CPU)
@pytest.mark.skipif(bool(mkl_differs("avx512")), reason=str(mkl_differs("avx512")))
@pytest.mark.parametrize("case", FIXTURE["cases"], ids=_name)
def test_with_mkl_updates_are_pytorchs_own_run_bit_for_bit(case):
    dtype = case["dtype"]
    for values, want in zip(_run(case), case["pytorch"]):
        assert values.view(_UINT[dtype]).tolist() == want


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=_name)
def test_pytorchs_own_sqrt_moves_a_few_ulps(case):
    dtype = case["dtype"]
    for values, want in zip(_run(case, FIXTURE["few"]), case["pytorch_few"]):
        np.testing.assert_allclose(values, _array(want, dtype, values.shape),
                                   rtol=4 * np.finfo(dtype).eps, atol=64 * np.finfo(dtype).eps)
    if case["optimizer"] in ("SGD", "Adamax", "Rprop", "ASGD"):      # no sqrt: PyTorch's own run is the exact one
        assert case["pytorch"] == case["exact_sqrt"]


def test_the_fixture_covers_every_optimizer_in_both_dtypes():
    seen = {(c["optimizer"], c["dtype"]) for c in FIXTURE["cases"]}
    assert seen == {(name, d) for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam",
                                           "Adamax", "Rprop", "ASGD")
                    for d in ("float32", "float64")}


@pytest.mark.parametrize("schedule", FIXTURE["schedules"], ids=lambda s: f"StepLR({s['step_size']},{s['gamma']})")
def test_step_lr_gives_pytorchs_floats(schedule):
    p = Tensor(from_host(np.zeros(1, np.float32)), requires_grad=True)
    opt = optim.SGD([p], lr=schedule["lr"])
    sched = optim.StepLR(opt, schedule["step_size"], gamma=schedule["gamma"])
    lrs = []
    for _ in schedule["lrs"]:
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0].hex())
    assert lrs == schedule["lrs"]
    assert sched.last_epoch == len(lrs) and opt.param_groups[0]["initial_lr"] == schedule["lr"]


@pytest.mark.parametrize("dtype, reference", [("float32", fma32), ("float64", fma64)])
def test_fma_is_one_rounding(dtype, reference):
    rng = np.random.default_rng(3)
    a, b, c = (rng.standard_normal(20000).astype(dtype) for _ in range(3))
    c[:5000] = (-(a[:5000].astype(np.float64) * b[:5000])).astype(dtype)        # cancellations
    half = np.finfo(dtype).eps / 2                                                 # exact ties: 1 + ulp/2 ...
    a[5000:6000], b[5000:6000], c[5000:6000] = half * (1 + np.arange(1000) % 3 * np.finfo(dtype).eps), 1, 1
    got = to_host(fma(from_host(a), from_host(b), from_host(c)))
    assert got.view(_UINT[dtype]).tolist() == np.asarray(reference(a, b, c), dtype).view(_UINT[dtype]).tolist()


def test_one_minus_square_is_the_fma_of_tanhs_backward():
    """1 - y*y for tanh's float64 values [-1, 1], as fma(-y, y, 1) (the host's own reference)."""
    rng = np.random.default_rng(6)
    y = np.concatenate([np.tanh(rng.standard_normal(20000) * 3), rng.uniform(-1, 1, 20000),
                        np.nextafter(1.0, 0) - rng.integers(0, 1000, 5000) * 2.0 ** -53, [0.0, -0.0, 1.0, -1.0]])
    got = to_host(one_minus_square(from_host(y)))
    assert got.tolist() == np.asarray(fma64(-y, y, np.ones_like(y)), np.float64).tolist()
    assert got.tolist() != (1 - y * y).tolist()      # (the plain formula differs: the test can fail)


@pytest.mark.parametrize("dtype, reference", [("float32", fma32), ("float64", fma64)])
def test_add_with_alpha_is_pytorchs_fma(dtype, reference):
    rng = np.random.default_rng(4)
    number = np.dtype(dtype).type
    x, y = rng.standard_normal(101).astype(dtype), rng.standard_normal(101).astype(dtype)
    got = to_host(functions.add(Tensor(from_host(x)), Tensor(from_host(y)), alpha=-0.1).data)
    assert got.tolist() == np.asarray(reference(y, number(-0.1), x), dtype).tolist()
    got = to_host(functions.sub(Tensor(from_host(x)), Tensor(from_host(y)), alpha=0.37).data)
    assert got.tolist() == np.asarray(reference(y, number(-0.37), x), dtype).tolist()


def _leaf(*values):
    return Tensor(from_host(np.array(values, np.float32)), requires_grad=True)


@pytest.mark.parametrize("make, kind, message", [
    (lambda: optim.SGD([], lr=0.1), "value", "optimizer got an empty parameter list"),
    (lambda: optim.SGD([_leaf(1.)], lr=-0.1), "value", "Invalid learning rate: -0.1"),
    (lambda: optim.SGD([_leaf(1.)], lr=0.1, nesterov=True), "value",
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda: optim.SGD(_leaf(1.), lr=0.1), "type", "params argument given to the optimizer should be an iterable "
     "of Tensors or dicts, but got torch.FloatTensor"),
    (lambda: optim.SGD([functions.mul(_leaf(1.), 2)], lr=0.1), "value", "can't optimize a non-leaf Tensor"),
    (lambda: optim.Adam([_leaf(1.)], betas=(0.9, 1.0)), "value", "Invalid beta parameter at index 1: 1.0"),
    (lambda: optim.RMSprop([_leaf(1.)], alpha=-1), "value", "Invalid alpha value: -1"),
    (lambda: optim.Adagrad([_leaf(1.)], lr_decay=-1), "value", "Invalid lr_decay value: -1"),
    (lambda: optim.SGD([{"params": [_leaf(1.)]}, {"params": 3}]), "type", "'int' object is not iterable"),
    (lambda: optim.SGD([_leaf(1.)], foreach=True), "not_implemented", "foreach=True"),
    (lambda: optim.NAdam([_leaf(1.)], momentum_decay=-1), "value", "Invalid momentum_decay value: -1"),
    (lambda: optim.RAdam([_leaf(1.)], lr=-1), "value", "Invalid learning rate: -1"),
    (lambda: optim.Adamax([_leaf(1.)], betas=(0.9, 1.5)), "value", "Invalid beta parameter at index 1: 1.5"),
    (lambda: optim.Rprop([_leaf(1.)], etas=(1.2, 0.5)), "value", "Invalid eta values: 1.2, 0.5"),
    (lambda: optim.ASGD([_leaf(1.)], weight_decay=-1), "value", "Invalid weight_decay value: -1"),
    (lambda: optim.LBFGS([{"params": [_leaf(1.)]}, {"params": [_leaf(2.)]}]), "value",
     "LBFGS doesn't support per-parameter options (parameter groups)"),
    (lambda: optim.LinearLR(optim.SGD([_leaf(1.)]), start_factor=0), "value",
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda: optim.OneCycleLR(optim.SGD([_leaf(1.)]), 0.1), "value",
     "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    (lambda: optim.CyclicLR(optim.Adagrad([_leaf(1.)]), 0.01, 0.1), "value",
     "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
    (lambda: optim.CosineAnnealingWarmRestarts(optim.SGD([_leaf(1.)]), 0), "value",
     "Expected positive integer T_0, but got 0"),
    (lambda: optim.SequentialLR(optim.SGD([_leaf(1.)]), [], []), "value",
     "SequentialLR expects at least one scheduler, but got no scheduler."),
])
def test_pytorchs_errors(make, kind, message):
    with pytest.raises(AgcliError, match=None) as error:
        make()
    assert error.value.kind == kind and message in error.value.message


def test_param_groups_zero_grad_and_print():
    w, b = _leaf(1., 2.), _leaf(3.)
    opt = optim.SGD([{"params": [w], "lr": 0.5}, {"params": b}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.1]
    assert list(opt.param_groups[0]) == ["params", "lr", "momentum", "dampening", "weight_decay", "nesterov",
                                         "maximize", "foreach", "differentiable", "fused"]
    assert repr(opt).splitlines()[:3] == ["SGD (", "Parameter Group 0", "    dampening: 0"]
    w.grad = Tensor(from_host(np.ones(2, np.float32)))
    opt.step()          # b has no gradient: no step, no state for it
    assert to_host(w.data).tolist() == [0.5, 1.5] and to_host(b.data).tolist() == [3.0]
    assert list(opt.state) == [w] and list(opt.state[w]) == ["momentum_buffer"]
    opt.zero_grad(set_to_none=False)
    assert to_host(w.grad.data).tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None
    assert opt.state_dict()["param_groups"][1]["params"] == [1]


def test_pytorchs_warnings_go_to_the_warning_stream():
    """PyTorch's texts (warnings.warn, UserWarning): scheduler.step() before optimizer.step(), get_lr()
    outside step(), a group holding a parameter twice."""
    seen = []
    with state.using(warn=seen.append):
        w = _leaf(1.)
        opt = optim.SGD([w], lr=0.1)
        sched = optim.StepLR(opt, 2)
        sched.step()
        sched.get_lr()
        opt.step()
        sched.step()        # (after optimizer.step(): nothing to say)
        optim.SGD([w, w], lr=0.1)
    assert seen == [
        "UserWarning: Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, "
        "you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do "
        "this will result in PyTorch skipping the first value of the learning rate schedule. See more details at "
        "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
        "UserWarning: To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
        "UserWarning: optimizer contains a parameter group with duplicate parameters; in future, this will cause an "
        "error; see github.com/pytorch/pytorch/issues/40967 for more information"]


def test_a_call_that_does_not_fit_is_the_programs_type_error():
    opt = optim.Adam([_leaf(1.)])
    with pytest.raises(AgcliError) as error:
        opt.step(1, 2)
    assert error.value.kind == "type"
    assert error.value.message == "Adam.step() takes from 1 to 2 positional arguments but 3 were given"
    with pytest.raises(AgcliError, match=r"Optimizer.zero_grad\(\) got an unexpected keyword argument 'foo'"):
        opt.zero_grad(foo=1)


def test_tanh_backward_value_by_value_equals_its_array_path():
    """Small arrays go through tanh's backward in Python's floats: the same bits as NumPy's
    path, for values near ±1, signed zeros, nan, and gradients with inf and nan."""
    from agcli.engine.fma import SMALL, times_one_minus_square
    rng = np.random.default_rng(7)
    y = np.concatenate([np.tanh(rng.standard_normal(3000) * 3), rng.uniform(-1, 1, 3000),
                        np.nextafter(1.0, 0) - rng.integers(0, 1000, 600) * 2.0 ** -53,
                        [0.0, -0.0, 1.0, -1.0, np.nan, 0.5, -0.25]])
    g = rng.standard_normal(y.size) * 10.0 ** rng.integers(-300, 300, y.size)
    g[:6] = [np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-320]
    expected = g * one_minus_square(y)
    got = np.concatenate([times_one_minus_square(g[i:i + SMALL], y[i:i + SMALL]) for i in range(0, y.size, SMALL)])
    assert got.view(np.uint64).tolist() == expected.view(np.uint64).tolist()
    one = times_one_minus_square(np.float64(2.0), np.array(0.5))         # a 0-d value and a NumPy scalar gradient
    assert one.shape == () and float(one) == 1.5


def test_the_new_schedulers_warn_as_pytorchs():
    """A step before optimizer.step() warns once, OneCycleLR past its total steps is PyTorch's ValueError,
    CosineAnnealingWarmRestarts (its own step) does not warn; state_dict round-trips through load_state_dict."""
    seen = []
    with state.using(warn=seen.append):
        opt = optim.SGD([_leaf(1.)], lr=0.1, momentum=0.9)
        one = optim.OneCycleLR(opt, max_lr=1.0, total_steps=2)
        one.step()
        one.step()
        with pytest.raises(AgcliError, match="Tried to step 3 times. The specified number of total steps is 2"):
            one.step()
        warm = optim.CosineAnnealingWarmRestarts(optim.SGD([_leaf(1.)], lr=0.1), T_0=2)
        warm.step()
        saved = warm.state_dict()
        warm.step()
        warm.load_state_dict(saved)
    assert len(seen) == 1 and seen[0].startswith("UserWarning: Detected call of `lr_scheduler.step()` before")
    assert warm.last_epoch == 1 and warm.T_cur == 1 and warm._step_count == 0


def test_lbfgs_dot_is_mkls_for_short_vectors():
    """float64 vectors of 1-24 elements and float32 ones of 1-8 (numbers of magnitudes 1e-3 to 1e3)."""
    from agcli.torchapi.optim.lbfgs_search import dot
    got, want = [], []
    for case in FIXTURE["dots"]:
        dtype = case["dtype"]
        a, b = (Tensor(from_host(np.array(case[k], _UINT[dtype]).view(dtype))) for k in ("a", "b"))
        got.append(int(to_host(dot(a, b).data).reshape(1).view(_UINT[dtype])[0]))
        want.append(case["dot"])
    assert got == want and len(want) == 6 * (24 + 8)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam"])
def test_a_0d_parameter_steps_as_any_other(name):
    """A 0-d parameter (torch.randn(())): the sqrt of its state is a 0-d tensor, which the step then
    writes into in place (it was a NumPy scalar, and the step an internal error)."""
    scalar, vector = Tensor(from_host(np.array(0.5))), Tensor(from_host(np.array([0.5])))
    for p in (scalar, vector):
        p.requires_grad = True
        opt = getattr(optim, name)([p], lr=0.1)
        for _ in range(3):
            p.grad = Tensor(p.data * 2)
            opt.step()
    assert to_host(scalar.data).shape == ()
    assert to_host(scalar.data).item() == to_host(vector.data)[0]
