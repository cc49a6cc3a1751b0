"""NumPy values in programs: `x.numpy()`, `import numpy as np`, tensors meeting
arrays. What a program prints is checked against PyTorch 2.13 and NumPy in
transcripts 82_numpy_arrays, 83_numpy_module_and_shared_memory and
84_tensors_meet_arrays; these tests hold what a transcript cannot show:
what a program's NumPy value is, and what a program cannot reach."""
from __future__ import annotations

import numpy as np
import pytest

from agcli.errors import AgcliError
from agcli.language import program_numpy
from agcli.language.program import run_program
from agcli.state import state
from installed import without_addresses


def _run(source):
    out = []
    with state.using(default_float="float32"):
        env = run_program("import torch\nimport numpy as np\n" + source, out.append)
    return env, without_addresses("".join(out)).splitlines()


def _refused(source) -> AgcliError:
    with pytest.raises(AgcliError) as caught:
        _run(source)
    return caught.value


def test_a_programs_numpy_values_are_host_numpy_arrays_and_scalars():
    env, _ = _run("x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])\na = x.numpy()\ns = a.sum()\nm = a.mean(axis=0)\n"
                  "z = np.zeros(3)\nr = a[0]")
    assert type(env["a"]) is np.ndarray and env["a"].dtype == np.float32 and env["a"].shape == (2, 2)
    assert type(env["s"]) is np.float32 and env["s"] == 10
    assert type(env["m"]) is np.ndarray and env["m"].tolist() == [2.0, 3.0]
    assert type(env["z"]) is np.ndarray and env["z"].dtype == np.float64
    assert type(env["r"]) is np.ndarray


def test_numpy_and_from_numpy_share_memory_on_the_host():
    """As PyTorch's CPU tensors: x.numpy() and torch.from_numpy(a) are views of one memory
    (under the strict stand-in too, whose arrays wrap host NumPy arrays)."""
    env, printed = _run("x = torch.tensor([1.0, 2.0])\na = x.numpy()\nc = np.array([5.0, 6.0])\n"
                        "t = torch.from_numpy(c)\nu = torch.tensor(c)\nx.mul_(3)\na[1] = -1.0\nc[0] = 7.0\n"
                        "print(x, t, u)")
    assert printed == ["tensor([ 3., -1.]) tensor([7., 6.], dtype=torch.float64) "
                       "tensor([5., 6.], dtype=torch.float64)"]
    assert env["a"].tolist() == [3.0, -1.0]


def test_every_declared_numpy_name_is_numpys():
    """The whitelists name NumPy's own functions, methods and attributes (a typo would be
    an AttributeError when the program runs)."""
    for name in program_numpy.NUMPY_FUNCTIONS:
        assert callable(getattr(np, name)), name
    for name in program_numpy.ARRAY_METHODS:
        assert callable(getattr(np.ndarray, name)), name
    for name in program_numpy.ARRAY_ATTRIBUTES:
        assert hasattr(np.ones(2), name), name


@pytest.mark.parametrize("source, words", [
    ("a = np.ones(2)\nprint(a.__reduce__)", "do not reach Python's internals ('__reduce__')"),
    ("print(np.__dict__)", "do not reach Python's internals ('__dict__')"),
    ("print(np.fft)", "numpy.fft"),
    ("rng = np.random.default_rng(0)", "numpy.random.default_rng"),     # (the legacy global generator only)
    ("np.load('x.npy')", "numpy.load"),
    ("a = np.ones(2)\na.tofile('x')", "numpy.ndarray.tofile"),
])
def test_a_program_reaches_only_the_declared_numpy_names(source, words):
    """Refused when the line runs (the program's lines before it have run: exit status 1)."""
    error = _refused(source)
    assert words in error.message and error.exit_code == 1


def test_numpy_submodules_are_not_imported():
    assert "No module named 'numpy.linalg'" in _refused("import numpy.linalg").message
    # (NumPy has load: agcli's limit, as for np.load, not a false ImportError)
    assert "agcli's programs do not reach 'numpy.load'" in _refused("from numpy import load").message
    env, _ = _run("from numpy import array\nb = array([1.0])")
    assert type(env["b"]) is np.ndarray


def test_a_numpy_name_agcli_lacks_is_agclis_limit_not_an_attribute_error():
    """a.data exists in NumPy: a program must not be told it does not (nor catch it as an AttributeError)."""
    error = _refused("a = np.ones(2)\ntry:\n    a.data\nexcept AttributeError:\n    print('caught')")
    assert error.message == "agcli's programs do not reach numpy.ndarray.data" and error.python_type == "RuntimeError"
    _, printed = _run("a = np.ones(2)\ntry:\n    a.grad\nexcept AttributeError as e:\n    print(e)")
    assert printed == ["'numpy.ndarray' object has no attribute 'grad'"]


def test_a_call_lowering_let_through_for_numpy_is_refused_on_a_tensor():
    """a.transpose() fits NumPy's method, not a tensor's (which wants two dims): the tensor's
    refusal is a TypeError in PyTorch's words, never Python's internal text."""
    _, printed = _run("a = np.array([[1.0, 2.0]])\nprint(a.transpose().shape)")
    assert printed == ["(2, 1)"]
    error = _refused("x = torch.ones(1, 2)\nx.transpose()")
    assert error.message == 'transpose() missing 2 required positional argument: "dim0", "dim1"'
    assert error.python_type == "TypeError"
    error = _refused("x = torch.ones(2)\nx.astype(np.float64)")
    assert error.message == "'Tensor' object has no attribute 'astype'" and error.python_type == "AttributeError"


def test_a_tensors_size_is_still_a_method():
    assert _run("x = torch.ones(2)\nprint(x.size, hasattr(x, 'size'))")[1] == \
        ["<built-in method size of Tensor object> True"]
    assert _run("x = torch.ones(2, 3)\nprint(x.size(), x.numpy().size, x.itemsize, x.nbytes)")[1] == \
        ["torch.Size([2, 3]) 6 4 24"]
