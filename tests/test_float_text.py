"""float_reprs must give repr's strings, byte for byte, for every double."""
import numpy as np
import pytest

from agcli.output import float_text
from agcli.output.float_text import float_reprs

RNG = np.random.default_rng(15)
FINFO = np.finfo(np.float64)


@pytest.fixture(autouse=True)
def vector_path_for_small_arrays_too(monkeypatch):
    # Small arrays go to plain repr for speed; the vector path must be exact on them as well.
    monkeypatch.setattr(float_text, "SMALL_ARRAY", 1)


def assert_like_repr(a):
    a = np.asarray(a)
    got = float_reprs(a)
    want = list(map(repr, a.ravel().tolist()))
    assert len(got) == len(want)
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
    assert not bad, bad[:5]


def test_random_bit_patterns():
    assert_like_repr(RNG.integers(0, 2**64, 200_000, dtype=np.uint64).view(np.float64))


def test_every_exponent_with_random_digits():
    biased = np.arange(1, 2047, dtype=np.uint64).repeat(40)
    mantissa = RNG.integers(0, 2**52, biased.size, dtype=np.uint64)
    assert_like_repr(((biased << np.uint64(52)) | mantissa).view(np.float64))


def test_short_mantissas_where_ties_happen():
    biased = RNG.integers(900, 1150, 50_000, dtype=np.uint64)
    mantissa = RNG.integers(0, 2**10, biased.size, dtype=np.uint64) << np.uint64(42)
    assert_like_repr(((biased << np.uint64(52)) | mantissa).view(np.float64))


def test_powers_of_two_and_their_neighbours():
    powers = np.ldexp(1.0, np.arange(-1074, 1024))
    for values in (powers, -powers, np.nextafter(powers, np.inf), np.nextafter(powers, -np.inf)):
        assert_like_repr(values)


def test_integers():
    assert_like_repr(np.arange(-3000, 3000, dtype=np.float64))
    assert_like_repr(RNG.integers(-2**53, 2**53, 20_000).astype(np.float64))
    assert_like_repr(RNG.integers(-2**63, 2**63 - 1, 20_000).astype(np.float64))
    assert_like_repr(np.ldexp(RNG.integers(2**52, 2**53, 20_000).astype(np.float64),
                              RNG.integers(1, 970, 20_000)))


def test_decimals():
    k = np.arange(-30_000, 30_000)
    for values in (k / 10, k / 100, k / 1000, k * 1e-7):
        assert_like_repr(values)
    x = RNG.standard_normal(4000) * 10.0 ** RNG.integers(-20, 20, 4000)
    for digits in range(17):
        assert_like_repr(np.round(x, digits))


def test_notation_switch_points_and_powers_of_ten():
    points = np.concatenate([10.0 ** np.arange(-325, 309),
                             [1e-4, 1e-5, 1e15, 1e16, 1e17, 9.999999999999999e15, 0.00009999999999999999]])
    for values in (points, -points):
        for _ in range(4):
            assert_like_repr(values)
            assert_like_repr(np.nextafter(values, -np.inf))
            values = np.nextafter(values, np.inf)


def test_extremes_zeros_and_non_finite():
    special = [FINFO.max, FINFO.tiny, FINFO.smallest_subnormal, 2.2250738585072009e-308,
               1e-320, 0.0, np.inf, np.nan, 0.1, 0.5, 1 / 3]
    values = np.array(special + [-v for v in special] * 7)
    assert_like_repr(values)
    assert float_reprs(values)[:9] == ["1.7976931348623157e+308", "2.2250738585072014e-308", "5e-324",
                                       "2.225073858507201e-308", "1e-320", "0.0", "inf", "nan", "0.1"]
    assert_like_repr(RNG.integers(1, 2**52, 5000, dtype=np.uint64).view(np.float64))   # subnormals


def test_float32():
    with np.errstate(invalid="ignore"):
        assert_like_repr(RNG.integers(0, 2**32, 100_000, dtype=np.uint64).astype(np.uint32).view(np.float32))
    assert_like_repr(np.tanh(RNG.standard_normal(20_000).astype(np.float32)))


def test_values_as_computations_give_them():
    z = RNG.standard_normal(20_000) * np.exp(RNG.uniform(np.log(0.01), np.log(100), 20_000))
    for values in (np.tanh(z), 1 / (1 + np.exp(-z)), np.exp(z), z * 1e-3, z):
        assert_like_repr(values)


@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 4, 2), (7, 50), (2, 3, 40)])
def test_shapes(shape):
    assert_like_repr(RNG.standard_normal(shape))


def test_views_that_are_not_contiguous():
    a = RNG.standard_normal((30, 40, 20))
    assert_like_repr(a[::2, ::-3, 1::2])
    assert_like_repr(a.T)
    assert_like_repr(a.astype(np.float32)[:, 5])


@pytest.mark.parametrize("chunk", [float_text.CHUNK, float_text.CHUNK_KEPT])
def test_chunks_and_the_values_left_to_repr(monkeypatch, chunk):
    monkeypatch.setattr(float_text, "CHUNK", chunk)
    values = RNG.standard_normal(3 * float_text.CHUNK + 5)
    values[::97] = 0.0
    values[5::101] = np.nan
    values[7::103] = -np.inf
    values[9::89] = 1e-310
    assert_like_repr(values)
    assert_like_repr(values[: float_text.CHUNK])


def test_the_vector_path_is_what_is_tested(monkeypatch):
    # Every test above would pass on plain repr alone: make sure repr is only
    # used for the values the vector path leaves to it.
    calls = []
    monkeypatch.setattr(float_text, "repr", lambda v: calls.append(v) or "x", raising=False)
    text = float_reprs(np.array([1.5, -0.0, np.nan, 5e-324, 0.1]))
    assert text == ["1.5", "-0.0", "x", "x", "0.1"] and len(calls) == 2
