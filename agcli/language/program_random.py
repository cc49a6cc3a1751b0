"""Python's `random` module in a program: Python's own generator (random.Random),
so `random.seed(0); random.randint(4, 6)` gives what Python gives. It draws
apart from torch's generator, as in Python with PyTorch.

Sequences are Python's values (lists, tuples, ranges, strings); a count a
program asks for is held to agcli's limit on items.
"""
from __future__ import annotations

from collections import deque
import random as _python_random

from .program_exceptions import python_errors, raise_python
from .program_objects import Builtin
from .program_runtime import MAX_ITEMS, too_many_items
from .program_values import type_name

_SEQUENCES = (list, tuple, range, str, deque)     # (Python's Sequences: a replay memory's deque too)
_DRAWS = ("random", "uniform", "triangular", "randint", "randrange", "gauss", "normalvariate",
          "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate", "betavariate", "paretovariate",
          "weibullvariate", "seed", "getstate", "setstate")


def _sequence(seq, name):
    if not isinstance(seq, _SEQUENCES):
        raise_python(TypeError(f"random.{name}() takes a list, tuple, range, string or deque in agcli's "
                               f"programs, not a '{type_name(seq)}'"))
    return seq


def _count(k):
    if type(k) is int and k > MAX_ITEMS:
        raise too_many_items(k)
    return k


def random_module(generator: _python_random.Random) -> dict:
    """The attributes of `random` drawing from `generator`."""
    g = generator
    entries = {name: Builtin(name, python_errors(getattr(g, name))) for name in _DRAWS}
    bits = python_errors(g.getrandbits)

    def getrandbits(k):
        if type(k) is int:
            _count(k // 32)         # (a number of k bits is k / 32 words)
        return bits(k)
    entries["getrandbits"] = Builtin("getrandbits", getrandbits)
    choice, shuffle, sample, choices = (python_errors(getattr(g, n)) for n in ("choice", "shuffle", "sample",
                                                                                 "choices"))
    entries["choice"] = Builtin("choice", lambda seq: choice(_sequence(seq, "choice")))

    def shuffled(x):
        if type(x) is not list:
            raise_python(TypeError(f"random.shuffle() shuffles a list in agcli's programs, not a '{type_name(x)}'"))
        return shuffle(x)
    entries["shuffle"] = Builtin("shuffle", shuffled)
    entries["sample"] = Builtin("sample", lambda population, k, **kw: sample(
        _sequence(population, "sample"), _count(k), **kw))
    entries["choices"] = Builtin("choices", lambda population, weights=None, *, cum_weights=None, k=1: choices(
        _sequence(population, "choices"), weights, cum_weights=cum_weights, k=_count(k)))
    return entries
