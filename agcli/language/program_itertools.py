"""Python's itertools in programs: chain (an optimizer over two models' parameters),
product (a grid of learning rates and sizes), islice, count, cycle, repeat,
combinations, permutations, accumulate, zip_longest, groupby, starmap,
takewhile, dropwhile, filterfalse and pairwise, lazy as Python's, over whatever
a program iterates and calling its functions by its rules.
"""
from __future__ import annotations

import itertools as _it

from .program_exceptions import python_errors
from .program_iteration import iterate
from .program_objects import Builtin
from .program_operators import arithmetic, truth
from .program_stdlib import invoke

_add = arithmetic("+")


def _lazy(iterator):
    """A generator (what a program iterates, as it iterates itertools' own objects) over `iterator`."""
    yield from iterator


def _items(iterables):
    return [iterate(i) for i in iterables]


class Chain:
    """itertools.chain(*iterables), and chain.from_iterable(iterables)."""

    __slots__ = ()
    type_name = "type"
    program_methods = frozenset(("from_iterable",))

    def __call__(self, *iterables):
        return _lazy(_it.chain.from_iterable(_items(iterables)))

    def from_iterable(self, iterables):
        return _lazy(_it.chain.from_iterable(iterate(i) for i in iterate(iterables)))

    def __repr__(self):
        return "<class 'itertools.chain'>"


def _accumulate(iterable, func=None, *, initial=None):
    step = _add if func is None else (lambda a, b: invoke(func, (a, b), {}))
    return _lazy(_it.accumulate(iterate(iterable), step, initial=initial))


def _groupby(iterable, key=None):
    by = None if key is None else (lambda v: invoke(key, (v,), {}))
    return _lazy((k, _lazy(group)) for k, group in _it.groupby(iterate(iterable), by))


def _predicate(which):
    def select(predicate, iterable):
        return _lazy(which(lambda v: truth(invoke(predicate, (v,), {})), iterate(iterable)))
    return select


def itertools_entries():
    native = {
        "product": lambda *iterables, repeat=1: _it.product(*_items(iterables), repeat=repeat),
        "islice": lambda iterable, *args: _it.islice(iterate(iterable), *args),
        "count": _it.count, "repeat": _it.repeat,
        "cycle": lambda iterable: _it.cycle(iterate(iterable)),
        "combinations": lambda iterable, r: _it.combinations(iterate(iterable), r),
        "combinations_with_replacement": lambda iterable, r: _it.combinations_with_replacement(iterate(iterable), r),
        "permutations": lambda iterable, r=None: _it.permutations(iterate(iterable), r),
        "zip_longest": lambda *iterables, fillvalue=None: _it.zip_longest(*_items(iterables), fillvalue=fillvalue),
        "pairwise": lambda iterable: _it.pairwise(iterate(iterable)),
        "starmap": lambda func, iterable: (invoke(func, tuple(iterate(args)), {}) for args in iterate(iterable)),
    }
    entries = {name: Builtin(name, python_errors(lambda *a, _f=fn, **k: _lazy(_f(*a, **k))))
               for name, fn in native.items()}
    entries.update({"chain": Chain(), "accumulate": Builtin("accumulate", _accumulate),
                    "groupby": Builtin("groupby", _groupby),
                    "takewhile": Builtin("takewhile", _predicate(_it.takewhile)),
                    "dropwhile": Builtin("dropwhile", _predicate(_it.dropwhile)),
                    "filterfalse": Builtin("filterfalse", _predicate(_it.filterfalse))})
    return entries
