"""A program's pprint (language/program_pprint.py) lays values out as CPython 3.11's Lib/pprint.py:
compared with the interpreter's own pprint on many random nested values and options (fixture
364_pprint holds tensors, a state_dict, modules and a dataclass against PyTorch's Python)."""
from __future__ import annotations

import pprint
import random
import sys
from collections import Counter, OrderedDict, defaultdict, deque

import pytest

from agcli.language import program_pprint as P

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the layout ported is CPython 3.11's")

_WORDS = ["a", "loss", "hello world", "multi\nline text here", "it's", "the quick brown fox " * 3, "x" * 37, ""]


def _atom(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randint(-10**6, 10**9)
    if kind == 1:
        return round(rng.uniform(-100, 100), rng.randrange(1, 6))
    if kind == 2:
        return rng.choice(_WORDS)
    if kind == 3:
        return rng.choice([None, True, False])
    return rng.randint(0, 5)


def _value(rng, depth=0):
    if depth > 3 or rng.random() < 0.3:
        return _atom(rng)
    kind, n = rng.randrange(9), rng.randrange(0, 7)
    items = [_value(rng, depth + 1) for _ in range(n)]
    keys = rng.sample(["w", "b", "alpha", "layer.0.weight", "z", "epoch", "lr", "m"], min(n, 8))
    if kind == 0:
        return items
    if kind == 1:
        return tuple(items)
    if kind == 2:
        return dict(zip(keys if rng.random() < 0.8 else range(n, 0, -1), items))
    if kind == 3:
        return set(range(n * 5)) if rng.random() < 0.5 else frozenset(range(n * 4))
    if kind == 4:
        return OrderedDict(zip(keys, items))
    if kind == 5:
        made = defaultdict(list)
        made.update(zip(keys, items))
        return made
    if kind == 6:
        return Counter({k: rng.randint(1, 9) for k in keys})
    if kind == 7:
        return deque(items, maxlen=rng.choice([None, 10]))
    return [_atom(rng) for _ in range(3 * n)]


def _options(rng):
    options = {}
    for name, values in (("width", [10, 20, 30, 40, 60, 100]), ("indent", [0, 2, 4]), ("compact", [True]),
                         ("sort_dicts", [False]), ("depth", [1, 2, 3]), ("underscore_numbers", [True])):
        if rng.random() < 0.35:
            options[name] = rng.choice(values)
    return options


@pytest.mark.parametrize("seed", range(40))
def test_pformat_lays_out_nested_values_as_cpython(seed):
    rng = random.Random(seed)
    for _ in range(25):
        value, options = _value(rng), _options(rng)
        assert P.pformat(value, **options) == pprint.pformat(value, **options), (value, options)


def test_saferepr_and_the_recursion_answers_are_cpythons():
    a = [1, {"b": 2, "a": (3,)}]
    a.append(a)
    for f in ("saferepr", "isreadable", "isrecursive"):
        assert getattr(P, f)([1, {"b": 2, "a": (3,)}]) == getattr(pprint, f)([1, {"b": 2, "a": (3,)}])
    assert (P.isreadable(a), P.isrecursive(a)) == (pprint.isreadable(a), pprint.isrecursive(a)) == (False, True)
    assert P.saferepr(a).startswith("[1, {'a': (3,), 'b': 2}, <Recursion on list with id=")
