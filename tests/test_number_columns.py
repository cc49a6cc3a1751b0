"""A sweep's binding texts read at once (evaluate/number_columns.py) must give what
stacked_values gives them one column at a time, bit for bit, or refuse them."""
from __future__ import annotations

import random

import numpy as np
import pytest

from agcli.evaluate.bindings import stacked_columns, stacked_values
from agcli.evaluate.number_columns import number_columns


def _fast(*columns):
    firsts = [stacked_values(texts[:1], np.float64) for texts in columns]
    assert all(first is not None for first in firsts)
    return number_columns([list(texts) for texts in columns], firsts)


def _same(arrays, columns):
    slow = [stacked_values(list(texts), np.float64) for texts in columns]
    return all(a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
               for a, b in zip(arrays, slow))


@pytest.mark.parametrize("columns", [
    (["[1, -0, 0.0, -0.0, 2]", "[0, 10, -0.000, 7.25, -3]"],),
    (["-0.76", "0.34", "-0", "0", "123456789012345", "-99999.9999999999", "0.1", "12"],),
    (["[[1.98, -1.82], [1.19, 1.43]]", "[[-0.72, -0.47], [0.32, 1.68]]"], ["2", "-0.5"]),
    ([" [1,\t2] ", " [3,\t-4.5] "],),
    (["[]", "[]", "[]"], ["[[]]", "[[]]", "[[]]"]),
    (["[1.00000000000001, 0.30000000000004]", "[9007199254740.9, 0.00000000000001]"],),
])
def test_texts_of_one_shape_are_read_at_once_as_stacked_values_reads_them(columns):
    arrays = _fast(*columns)
    assert arrays is not None
    assert _same(arrays, columns)
    assert [a.shape for a in stacked_columns([list(c) for c in columns], np.float32)] == [a.shape for a in arrays]


@pytest.mark.parametrize("first, other", [
    ("[1, 2]", "[1 2, ]"),          # malformed: the grammar says so
    ("[1, 2]", "[,1 2]"),           # the same bytes between the numbers, but not the same places
    ("[1, 2]", "[1,  2]"),
    ("[1, 2]", "[1, 2, 3]"),
    ("[1, 2]", "[[1, 2]]"),
    ("1", "1e5"), ("1", "1E5"), ("1", "+1"), ("1", ".5"), ("1", "2."), ("1", "007"), ("1", "-"),
    ("1", "1.2.3"), ("1", "--1"), ("1", "1-2"), ("1", "nan"), ("1", "inf"), ("1", ""),
    ("1", "1234567890123456"),      # 16 digits: not exact as an integer in a float64 (JSON's path decides)
    ("1", "9007199254740993"),
    ("[1]", "[1]\n[2]"), ("1", "1\n2"), ("1", "٣"),
])
def test_texts_that_are_not_the_first_with_other_numbers_are_refused(first, other):
    assert _fast([first, other]) is None
    slow = stacked_values([first, other], np.float64)
    fast_or_slow = stacked_columns([[first, other]], np.float64)
    assert (slow is None and fast_or_slow is None) or fast_or_slow[0].tobytes() == slow.tobytes()


def test_a_first_text_the_grammar_refuses_is_refused():
    assert stacked_columns([["[1 2, ]", "[1, 2]"]], np.float64) is None
    assert stacked_columns([["[1, 2]", "[1 2, ]"]], np.float64) is None


def _number(rng):
    digits = rng.randint(1, 15)
    whole = str(rng.randrange(10 ** digits))
    if rng.random() < 0.6 and len(whole) > 1:
        cut = rng.randint(1, len(whole) - 1)
        whole = (whole[:cut].lstrip("0") or "0") + "." + whole[cut:]
    return ("-" if rng.random() < 0.4 else "") + whole


@pytest.mark.parametrize("seed", range(8))
def test_random_columns_agree_with_stacked_values(seed):
    rng = random.Random(seed)
    columns = []
    for _ in range(rng.randint(1, 4)):
        rows, cols = rng.randint(1, 3), rng.randint(1, 4)
        plain = rng.random() < 0.3

        def text():
            if plain:
                return _number(rng)
            return "[" + ", ".join("[" + ", ".join(_number(rng) for _ in range(cols)) + "]"
                                   for _ in range(rows)) + "]"
        columns.append([text() for _ in range(rng.randint(2, 40))])
    size = min(len(c) for c in columns)
    columns = [c[:size] for c in columns]
    arrays = _fast(*columns)
    assert arrays is not None and _same(arrays, columns)
