"""What a running program needs beyond its closures: the per-run state and
limits, the frames its closures run in, and the signals break/continue/
return raise.

The limits stop a program that would not end: past the iterations' one, LimitError,
which the program's own `try` does not catch; past the recursion depth, Python's
RecursionError, which it does.
"""
from __future__ import annotations

import sys

from ..errors import AgcliError

# Python's own recursion limit while a program runs: a program's call takes several of the
# interpreter's frames, so Python's 1000 nested calls need more (its C stack holds them: each
# call is a few frames of C at most).
_FRAMES_WHILE_RUNNING = 12000


class ProgramExit(Exception):
    """exit() / quit() / sys.exit() / raise SystemExit: the program ends here (not an error)."""

    def __init__(self, code):
        self.code = code


class Runtime:
    """Per-run state: where print() writes, the limits, the exceptions being handled."""

    def __init__(self, write, max_iterations: int = 10**6, max_depth: int = 999):     # (Python's 1000 frames)
        self.write = write
        self.max_iterations = max_iterations
        self.max_depth = max_depth
        self.depth = 0
        self.handling = []          # the errors whose `except` clauses run now (a bare `raise` re-raises the last)


# The runtime of the program running now: print() and the limits reach it from
# wherever they are called (a hook called from backward, a key= of sorted).
_current = [Runtime(lambda text: None)]


def current() -> Runtime:
    return _current[-1]


class running:
    """`with running(runtime):` makes it the current runtime (the REPL's chunks nest none)."""

    def __init__(self, runtime):
        self.runtime, self.limit = runtime, None

    def __enter__(self):
        _current.append(self.runtime)
        self.limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.limit, _FRAMES_WHILE_RUNNING))

    def __exit__(self, *exc):
        _current.pop()
        sys.setrecursionlimit(self.limit)


class Frame:
    """The names one running scope sees: its own (`vars`), the module's (`globals`)
    and those of the functions around it (`cells`, outermost first). A module's
    frame has vars is globals."""

    __slots__ = ("vars", "globals", "cells", "runtime", "function")

    def __init__(self, vars, globals, cells, runtime, function=None):
        self.vars, self.globals, self.cells, self.runtime, self.function = vars, globals, cells, runtime, function

    def inner_cells(self):
        """The cells of a function (or class body) made while this frame runs."""
        return self.cells if self.vars is self.globals or self.function is None else self.cells + (self.vars,)


class BreakSignal(Exception):
    """`break`: the enclosing loop's closure catches it."""


class ContinueSignal(Exception):
    """`continue`: the enclosing loop's closure catches it."""


class ReturnSignal(Exception):
    """`return value`: the function's call catches it."""

    def __init__(self, value):
        self.value = value


class LimitError(AgcliError):
    """A loop or recursion past its limit: not catchable by the program."""


MAX_ITEMS = 10**7      # a Python value a program makes holds at most this many items


def too_many_items(count) -> LimitError:
    return LimitError(f"a Python value of {count:,} items: more than agcli's programs keep in one value "
                      f"({MAX_ITEMS:,})", kind="limit")


def counted(iterable):
    """The items of iterable, refused past MAX_ITEMS (list(range(10**12)) must not fill the memory)."""
    if type(iterable) in (list, tuple, str, dict, set, frozenset, range):
        if len(iterable) > MAX_ITEMS:
            raise too_many_items(len(iterable))
        return iterable
    return _counting(iterable)


def _counting(iterable):
    for count, item in enumerate(iterable, 1):
        if count > MAX_ITEMS:
            raise too_many_items(count)
        yield item


def check_iterations(runtime, count, span):
    if count > runtime.max_iterations:
        raise LimitError(f"the loop ran past {runtime.max_iterations:,} iterations", span,
                         kind="limit", hint="raise the limit with --max-iterations N")
