"""A sweep's run of JSON lines written from its numbers' rows of text (output/run_text.py)
must be what the lines written one by one say, byte for byte, or nothing."""
from __future__ import annotations

import numpy as np
import pytest

from agcli.output import json_lines
from agcli.output.float_text import SMALL_ARRAY, float_reprs, float_rows
from agcli.output.run_text import run_text, run_text_from_rows

HEAD = '{"expr": "a % b", "nodes": [], '


def _tricky(count, rng):
    """Numbers of every layout float_rows writes: tiny and huge exponents, integers, zeros."""
    picks = np.concatenate([rng.standard_normal(count) * 10.0 ** rng.integers(-30, 30, count),
                            rng.integers(-10**6, 10**6, count).astype(float),
                            [0.0, -0.0, 1e16, 1e17, 123456789012345680.0, 1e-5, 0.0001, 1e22, -2.5e-300, 0.1,
                             np.float32(0.3), 1 / 3, 5e-324 * 2**60]])
    return rng.permutation(picks)


@pytest.mark.parametrize("key, lines, first", [
    (((), ("x", (3,)), ("w", (2, 2))), 300, 1),
    (((2,), ("α", (4,)), ("b%s", ())), 200, 0),          # a key that is not ASCII, one with a '%'
    (((), ("x", (1,))), 600, 95),                        # line numbers of 2 and 3 digits
])
def test_a_run_from_rows_is_the_run_from_each_numbers_text(key, lines, first):
    template, count = json_lines._tail_template(key)
    rng = np.random.default_rng(count)
    values = _tricky(lines * count, rng)[:lines * count]
    numbers = list(range(first, first + lines))
    text = run_text_from_rows(HEAD, template, count, values, numbers)
    assert text is not None
    assert text == run_text(HEAD, template, count, float_reprs(values), numbers)
    assert text.count("\n") == lines


@pytest.mark.parametrize("odd", [float("nan"), float("inf"), -float("inf"), 5e-324])
def test_numbers_that_need_repr_are_refused(odd):
    template, count = json_lines._tail_template(((), ("x", (3,))))
    values = np.ones(SMALL_ARRAY * 4)
    values[77] = odd
    assert float_rows(values) is None
    assert run_text_from_rows(HEAD, template, count, values, list(range(len(values) // count))) is None


@pytest.mark.parametrize("numbers", [[1.0, 2.0], [-1, 2], [True, 2], [2**63, 1]])
def test_line_numbers_that_are_not_small_ints_are_refused(numbers):
    template, count = json_lines._tail_template(((), ("x", ())))
    values = np.full(SMALL_ARRAY, 0.5)
    numbers = numbers + list(range(10, 10 + SMALL_ARRAY // 2 - len(numbers)))
    assert run_text_from_rows(HEAD, template, count, values, numbers) is None


def test_too_few_numbers_are_refused():
    template, count = json_lines._tail_template(((), ("x", ())))
    assert run_text_from_rows(HEAD, template, count, np.full(8, 0.5), [1, 2, 3, 4]) is None
