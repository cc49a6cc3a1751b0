"""The array backend, chosen once per process (agcli/device.py, agcli/engine/backend.py).

Under AGCLI_ARRAY_BACKEND=array-api-strict (CI runs the engine's tests so)
every array the engine makes must live on the stand-in's non-default
device, and a Result must hold host NumPy arrays only. Whatever backend this
process has, the installed command must give the same bytes under NumPy and
under the stand-in, and refuse an unknown backend in one clear line.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from agcli.engine import backend, backend_watch, backward, replay, tensor
from agcli.engine.tensor import Tensor
from agcli.evaluate import run as api
from installed import AGCLI, base_env

ROOT = Path(__file__).resolve().parents[1]
STRICT = backend.BACKEND == "array-api-strict"
strict_only = pytest.mark.skipif(not STRICT, reason="checks the array-api-strict stand-in: "
                                 "run with AGCLI_ARRAY_BACKEND=array-api-strict")
try:
    import array_api_strict  # noqa: F401
    HAVE_STRICT = True
except ImportError:
    HAVE_STRICT = False

# Lines that reach the backend's helpers: indexing beyond the standard, its
# gradient's scatter, copies into slices, the inf/nan warnings, promotion,
# a repeated expression (replayed from its third line on).
LINES = [
    '"(x[[0, 2, 0]] ** 2).sum()" --x "[1., 2., 3.]"',
    '"(x[[0, 2, 0]] * x[tensor([True, False, True])].sum()).sum()" --x "[1., 2., 3.]"',
    '"(x[:, [1, 0]] ** 2).sum()" --x "[[1., 2.], [3., 4.]]"',
    '"log(x).sum()" --x "[-1., 0., 2.]"',
    '"(1 / x).sum()" --x "[0., 1.]"',
    '"exp(x * 1000).sum()" --x "[1., 0.5]"',
    '"(x * tensor([1, 2])).sum()" --x "[1.5, 2.]" --dtype float32',
    '"F.nll_loss(F.log_softmax(x, 1), tensor([1, 0]))" --x "[[0.2, 0.5, 0.1], [1.0, -1.0, 0.3]]"',
    '"x.reshape(2, 3).t().reshape(6).sum() * (x @ x)" --x "[1., 2., 3., 4., 5., 6.]"',
    '"x[5]" --x "[1., 2., 3.]"',
    '"x[[0, 5]].sum()" --x "[1., 2., 3.]"',
] + [f'"(sin(a) * b).sum()" --a "[{i}., 0.5]" --b "[2., {i}.5]"' for i in range(4)]


def _agcli(*args, backend_name=None, input=None):
    env = base_env()
    env.pop("AGCLI_ARRAY_BACKEND", None)
    if backend_name is not None:
        env["AGCLI_ARRAY_BACKEND"] = backend_name
    return subprocess.run([AGCLI, *args], env=env, input=input, capture_output=True, text=True, timeout=120)


# ------------------------------------------------------------ one device
def _on_device(a, where):
    if isinstance(a, (list, tuple)):
        for x in a:
            _on_device(x, where)
    elif type(a) is Tensor:
        _on_device(a.data, where)
    elif hasattr(a, "shape"):
        assert type(a) is backend.ndarray and a.device == backend._ON["device"], f"{where}: {type(a)} {a!r}"


@strict_only
def test_every_array_an_evaluation_makes_lives_on_the_device(monkeypatch):
    """Each op's inputs and output (graph and replay), each tensor and each gradient."""
    seen = []

    def watch(arrays, out, original=backend_watch.watch):
        _on_device(list(arrays) + [out], "an op")
        seen.append(out)
        original(arrays, out)

    def propagate(steps, grads, observer=None, original=backward.propagate):
        grads = original(steps, grads, observer)
        _on_device(list(grads.values()), "a gradient")
        return grads

    init = Tensor.__init__

    def made(self, data, *args, **kwargs):
        _on_device(data, "a tensor")
        init(self, data, *args, **kwargs)

    monkeypatch.setattr(tensor, "watch", watch)
    monkeypatch.setattr(replay, "watch", watch)
    monkeypatch.setattr(backward, "propagate", propagate)
    monkeypatch.setattr(replay, "propagate", propagate)
    monkeypatch.setattr(Tensor, "__init__", made)
    api.configure(dtype="float64")
    for i in range(4):          # the third and fourth replay
        r = api.evaluate("(x[[0, 2, 0]] * sin(x[1:2])).sum() + (x.t() @ x).sum()",
                         {"x": f"[[{i}., 2.], [3., 4.], [5., .5]]"})
        assert r.error is None, r.error
        for a in [r.value, *r.grads.values(), *(n.value for n in r.nodes)]:
            assert type(a) is np.ndarray, "a Result holds host NumPy arrays"
    assert len(seen) > 20


@strict_only
def test_no_host_array_reaches_the_engine():
    """The stand-in refuses what NumPy would let pass: a host array meeting a device one."""
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        backend.xp.add(backend.asarray([1.0]), backend.xp.asarray([1.0]))
    with pytest.raises(RuntimeError):
        np.asarray(backend.asarray([1.0]))


# --------------------------------------------- the helpers beyond the standard
@strict_only
@pytest.mark.parametrize("key", [(1,), (slice(None), 0), (None, 1), (Ellipsis, 1), ([0, 2, 0],),
                                 (slice(None), [1, 0]), ([[0, 1]], [1, 1])])
def test_indexing_is_numpys(key):
    host = np.arange(12.0).reshape(3, 4)
    device_key = tuple(backend.asarray(k) if isinstance(k, list) else k for k in key)
    a = backend.from_host(host)
    assert np.array_equal(backend.to_host(backend.getitem(a, device_key)), host[key])
    out, want = backend.zeros((3, 4), dtype="float64"), np.zeros((3, 4))
    values = np.ones(want[key].shape)
    backend.add_at(out, device_key, backend.from_host(values))
    np.add.at(want, key, values)
    assert np.array_equal(backend.to_host(out), want)
    backend.setitem(out, device_key, 7.0)
    want[key] = 7.0
    assert np.array_equal(backend.to_host(out), want)


@strict_only
def test_strides_are_numpys():
    host = np.arange(24.0).reshape(2, 3, 4)
    a = backend.from_host(host)
    for view, want in ((backend.xp.permute_dims(a, (2, 0, 1)), host.transpose(2, 0, 1)),
                       (backend.swapaxes(a, 0, 2), host.swapaxes(0, 2)),
                       (backend.getitem(a, (slice(None), slice(None, None, 2))), host[:, ::2])):
        assert backend.strides(view) == tuple(s // 8 for s in want.strides)
    assert backend.strides(backend.clone(backend.xp.permute_dims(a, (2, 0, 1)), True)) == (6, 3, 1)


# ------------------------------------------------- the same bytes under both
def _same_bytes(tmp_path, *args):
    numpy_run = _agcli(*args, backend_name="numpy")
    strict_run = _agcli(*args, backend_name="array-api-strict")
    assert "Traceback" not in numpy_run.stderr + strict_run.stderr, strict_run.stderr
    assert strict_run.returncode == numpy_run.returncode, strict_run.stderr
    assert strict_run.stdout == numpy_run.stdout
    return numpy_run


@pytest.mark.skipif(not HAVE_STRICT, reason="array-api-strict is not installed (pip install '.[strict]')")
def test_batch_gives_the_same_json_under_numpy_and_the_strict_stand_in(tmp_path):
    run = _same_bytes(tmp_path, "batch", str(ROOT / "samples" / "seeds.txt"), "--format", "jsonl")
    assert run.returncode == 0 and run.stdout.count("\n") >= 10


@pytest.mark.skipif(not HAVE_STRICT, reason="array-api-strict is not installed (pip install '.[strict]')")
def test_indexing_warnings_and_replays_give_the_same_json(tmp_path):
    lines = tmp_path / "lines.txt"
    lines.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    run = _same_bytes(tmp_path, "batch", str(lines), "--format", "jsonl")
    assert "divide by zero encountered" in run.stdout and "overflow encountered" in run.stdout
    assert "index 5 is out of bounds for dimension 0 with size 3" in run.stdout


# ------------------------------------------------------- an unknown backend
@pytest.mark.parametrize("args", [("grad", "a*b", "--a", "2", "--b", "3"),
                                  ("batch", str(ROOT / "samples" / "seeds.txt"), "--format", "jsonl"),
                                  ("run", "-e", "import torch\nprint(torch.ones(2))")])
def test_an_unknown_backend_is_refused_in_one_clear_line(args):
    proc = _agcli(*args, backend_name="bogus")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "AGCLI_ARRAY_BACKEND='bogus' is not an array backend agcli knows" in proc.stderr


@pytest.mark.skipif(not backend.ON_HOST, reason="NumPy's object arrays: a host backend's")
def test_an_op_that_gives_no_numbers_is_refused():
    """Tensors hold numbers, so apply checks the dtype of what NumPy gave only when an argument
    was neither a tensor nor a number: such an argument makes object values here."""
    from agcli.engine.ops.pointwise import MUL
    from agcli.errors import AgcliError
    x = Tensor(np.array([1.0, 2.0]), True)
    with pytest.raises(AgcliError, match="MulBackward0 gave values of type object, not numbers"):
        tensor.apply(MUL, x, np.array([3.0, "a"], dtype=object)[:1])
    assert tensor.apply(MUL, x, 2.0).data.tolist() == [2.0, 4.0]


def test_fmod_is_cs_remainder_on_every_backend():
    """fmod on the backend (a device's has none: the magnitudes' remainder with the dividend's sign)
    gives NumPy's fmod, signed zeros included."""
    from agcli.engine.ops.rounding import _fmod
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal(20000) * 5, rng.standard_normal(20000) * 2
    x[:4], y[:4] = [-1.25, 1.25, -0.0, -3.0], [0.125, -0.125, 1.0, 1.5]
    got = backend.to_host(_fmod(backend.from_host(x), backend.from_host(y)))
    assert got.tolist() == np.fmod(x, y).tolist() and np.signbit(got).tolist() == np.signbit(np.fmod(x, y)).tolist()
    xi, yi = rng.integers(-20, 20, 200), rng.integers(1, 7, 200) * rng.choice([-1, 1], 200)
    assert backend.to_host(_fmod(backend.from_host(xi), backend.from_host(yi))).tolist() == np.fmod(xi, yi).tolist()
