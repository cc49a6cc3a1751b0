"""PyTorch's random numbers, bit for bit: every case of
tests/fixtures/torch_random_numbers.json (recorded from PyTorch 2.13 by
tests/fixtures/record_random_numbers.py) run through agcli's functions, each
result compared exactly (values, or the hash of the bytes); the bindings of
`agcli grad --seed N`; the generator's state; a zero gradient through draws."""
from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from agcli.engine.backend import to_host
from agcli.engine.backward import backward
from agcli.errors import AgcliError
from agcli.evaluate import run as api
from agcli.state import state
from agcli.torchapi import creation, cpu_math, distributions, functions, generator, multinomial, sampling, sampling_more
from agcli.torchapi.dtypes import DType
from agcli.torchapi.poisson import poisson

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "torch_random_numbers.json").read_text())
CASES = FIXTURES["cases"]


@pytest.fixture(autouse=True)
def _programs_settings():
    api.configure(dtype="float32", seed=None, max_elements=10**8)     # a program's default dtype, as the recorder's
    yield
    api.configure(dtype="float64", seed=None, max_elements=10**8)


def _value(arg, gens):
    if isinstance(arg, str) and arg.startswith("$"):
        return gens[arg[1:]]
    if isinstance(arg, str) and arg.startswith("@"):
        return DType(arg[1:])
    if isinstance(arg, dict) and "tensor" in arg:
        return creation.tensor(arg["tensor"], dtype=arg["dtype"])
    if isinstance(arg, dict) and "full" in arg:
        shape, fill = arg["full"]
        return creation.full(tuple(shape), fill, dtype=arg["dtype"])
    if isinstance(arg, list):
        return tuple(arg)
    return arg


def _run(steps):
    gens, saved, results = {}, [], []
    for s in steps:
        args = [_value(a, gens) for a in s.get("args", ())]
        kw = {k: _value(v, gens) for k, v in s.get("kw", {}).items()}
        fn, out = s["fn"], None
        if fn == "generator":
            gens[s["as"]] = generator.Generator().manual_seed(args[0])
        elif fn == "initial_seed_of":
            out = args[0].initial_seed()
        elif fn == "fresh_generator_seed":
            out = generator.Generator().initial_seed()
        elif fn == "manual_seed":
            generator.manual_seed(args[0])
        elif fn == "save_state":
            saved.append(generator.get_rng_state())
        elif fn == "restore_state":
            generator.set_rng_state(saved.pop())
        elif fn in ("initial_seed", "get_rng_state"):
            out = getattr(generator, fn)()
        elif "on" in s:
            out = getattr(sampling, fn)(_value(s["on"], gens), *args, **kw)
        else:
            out = getattr(multinomial if fn == "multinomial" else sampling, fn)(*args, **kw)
        results.append(_encode(out))
    return results


def _encode(out):
    """As the recorder writes a result: a number, or [dtype, shape, values] / [dtype, shape, hash, first value]."""
    if out is None or isinstance(out, int):
        return out
    return _encode_host(to_host(out.data))


def _encode_host(array):
    kind = [str(array.dtype), list(array.shape)]
    if array.size <= 8:
        return kind + [array.ravel().tolist()]
    return kind + [hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16], array.ravel()[0].item()]


def _name(case):
    """A case's id: its name, or its first draws' functions."""
    return case.get("name") or "-".join(s["fn"] for s in case["steps"][:3])


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{_name(c)}" for i, c in enumerate(CASES)])
def test_the_numbers_pytorch_draws(case):
    got = _run(case["steps"])
    for step, want, have in zip(case["steps"], case["results"], got):
        assert have == want, f"{step}: agcli {have}, PyTorch {want}"


# ------------------------------------------------------------ agcli grad --seed N
def _fixture(name):
    return next(c for c in CASES if c.get("name") == name)["results"]


def test_a_binding_after_seed_draws_what_pytorch_draws_after_manual_seed():
    result = api.grad("w * 1", w="randn(3)", seed=0, grad_output="ones(3)")
    assert result.error is None
    assert _encode_host(result.value) == _fixture("--seed 0 --w randn(3)")[1]


def test_bindings_draw_in_their_order():
    _, w, b = _fixture("--seed 1 --w randn(5, 3) --b rand(3)")
    first = api.grad("w * 1 + b.sum() * 0", w="randn(5, 3)", b="rand(3)", seed=1, grad_output="ones(5, 3)")
    second = api.grad("b * 1 + w.sum() * 0", w="randn(5, 3)", b="rand(3)", seed=1, grad_output="ones(3)")
    assert (_encode_host(first.value), _encode_host(second.value)) == (w, b)


def test_dtype_float32_bindings_take_the_vectorised_float_path():
    result = api.grad("w * 1", w="randn(20)", seed=3, dtype="float32", grad_output="ones(20)")
    assert result.error is None
    assert _encode_host(result.value) == _fixture("--seed 3 --dtype float32 --w randn(20)")[1]


# ------------------------------------------------------------ seeds and state
def test_unseeded_runs_are_random_and_their_seed_is_the_one_drawn_from():
    seeds = []
    for _ in range(2):
        api.configure(dtype="float32", seed=None, max_elements=10**8)
        seeds.append(generator.initial_seed())
        first = to_host(sampling.rand(4).data)
        generator.manual_seed(seeds[-1])
        assert (to_host(sampling.rand(4).data) == first).all()
    assert seeds[0] != seeds[1] and all(0 <= s < 2**64 for s in seeds)


def test_manual_seed_wraps_and_refuses_as_pytorch():
    assert generator.manual_seed(-1).initial_seed() == 2**64 - 1
    assert generator.manual_seed(2.7).initial_seed() == 2
    assert generator.Generator().initial_seed() == 67280421310721
    with pytest.raises(AgcliError, match="Overflow when unpacking long long"):
        generator.manual_seed(2**64)
    with pytest.raises(AgcliError, match="manual_seed expected a long, but got float"):
        generator.Generator().manual_seed(1.5)


def test_set_rng_state_checks_what_it_is_given():
    with pytest.raises(AgcliError, match="Expected a CPUGeneratorImplState of size 5056 but found the input RNG "
                                          "state size to be 3"):
        generator.set_rng_state(creation.tensor([1, 2, 3], dtype="uint8"))
    with pytest.raises(AgcliError, match="Invalid mt19937 state"):
        generator.set_rng_state(creation.zeros(5056, dtype="uint8"))
    with pytest.raises(AgcliError, match="RNG state must be a torch.ByteTensor"):
        generator.set_rng_state(creation.zeros(5056))


# ------------------------------------------------------------ the arithmetic underneath
def test_the_emulated_fma_rounds_once():
    rng = np.random.default_rng(5)
    a = rng.standard_normal(3000) * 10.0 ** rng.integers(-4, 4, 3000)
    b = rng.standard_normal(3000)
    c = -a * b * (1 + rng.standard_normal(3000) * 1e-9)          # near-cancellation: where one rounding shows
    c[::2] = rng.standard_normal(1500)
    a32, b32, c32 = (v.astype(np.float32) for v in (a, b, c))
    got64, got32 = cpu_math.fma64(a, b, c), cpu_math.fma32(a32, b32, c32)
    for i in range(0, 3000, 7):
        assert got64[i] == float(Fraction(a[i]) * Fraction(b[i]) + Fraction(c[i]))
        exact = Fraction(float(a32[i])) * Fraction(float(b32[i])) + Fraction(float(c32[i]))
        assert got32[i] == _nearest_float32(exact)


def _nearest_float32(exact):
    """The float32 nearest an exact rational, ties to even."""
    guess = np.float32(float(exact))
    for candidate in (np.nextafter(guess, np.float32(-np.inf)), np.nextafter(guess, np.float32(np.inf))):
        here, there = abs(Fraction(float(guess)) - exact), abs(Fraction(float(candidate)) - exact)
        if there < here or there == here and int(candidate.view(np.int32)) % 2 == 0:
            guess = candidate
    return guess


def test_randperm_runs_fisher_yates_whole():
    for n in (2, 3, 17, 500):
        g, h = generator.Generator().manual_seed(n), generator.Generator().manual_seed(n)
        words, expected = h.words(n - 1), list(range(n))
        for i in range(n - 1):
            z = int(words[i]) % (n - i)
            expected[i], expected[i + z] = expected[i + z], expected[i]
        assert distributions.permutation(g, n).tolist() == expected


# ------------------------------------------------------------ in the graph
def _through(draw, *shape):
    x = creation.tensor(np.linspace(0.1, 0.9, int(np.prod(shape))).reshape(shape).tolist(), requires_grad=True)
    return x, draw(x)


def _in_place(method, *args):
    def draw(x):
        y = functions.mul(x, 1.0)
        return getattr(sampling, method)(y, *args)
    return draw


ZERO_GRADIENTS = [
    ("NormalBackward0", _in_place("normal_", 0.0, 2.0)), ("UniformBackward0", _in_place("uniform_", -1.0, 1.0)),
    ("BernoulliBackward2", _in_place("bernoulli_", 0.5)), ("RandomBackward2", _in_place("random_")),
    ("RandomBackward1", _in_place("random_", 5)), ("RandomBackward0", _in_place("random_", 1, 5)),
    ("ExponentialBackward0", _in_place("exponential_", 2.0)),
    ("BernoulliBackward0", lambda x: sampling.bernoulli(x)),
    ("NormalBackward1", lambda x: sampling.normal(x, 2.0)), ("NormalBackward2", lambda x: sampling.normal(1.0, x)),
    ("NormalBackward3", lambda x: sampling.normal(x, x)),
    ("PoissonBackward0", lambda x: poisson(x)),
    ("CauchyBackward0", _in_place("cauchy_", 0.5, 2.0)),
    ("LogNormalBackward0", lambda x: sampling_more.log_normal_(functions.mul(x, 1.0), 0.5, 0.25)),
    ("GeometricBackward0", lambda x: sampling_more.geometric_(functions.mul(x, 1.0), 0.3)),
]


@pytest.mark.parametrize("name, draw", ZERO_GRADIENTS, ids=[n for n, _ in ZERO_GRADIENTS])
def test_a_draw_passes_a_zero_gradient(name, draw):
    x, out = _through(draw, 2, 3)
    assert out.grad_fn.name == name
    backward(functions.sum(functions.mul(out, 3.0)))
    assert x.grad.data.shape == (2, 3) and (to_host(x.grad.data) == 0).all()


def test_bernoulli_with_a_number_has_no_derivative_as_in_pytorch():
    x, out = _through(lambda x: sampling.bernoulli(x, 0.5), 3)
    assert out.grad_fn.name == "NotImplemented"
    with pytest.raises(AgcliError, match="derivative for aten::bernoulli is not implemented"):
        backward(functions.sum(out))


def test_an_in_place_draw_into_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(AgcliError, match="a leaf Variable that requires grad is being used in an in-place"):
        sampling.uniform_(creation.tensor([0.0, 1.0], requires_grad=True))
def test_a_draw_is_refused_for_dtypes_pytorch_has_no_kernel_for():
    with pytest.raises(AgcliError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        sampling.rand(3, dtype="int64")
    with pytest.raises(AgcliError, match="\"normal_kernel_cpu\" not implemented for 'Int'"):
        sampling.randn(3, dtype="int32")
