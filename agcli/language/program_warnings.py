"""Python's `warnings` module for programs: the filters a training script sets before it runs
(`warnings.filterwarnings("ignore")`, `simplefilter`, `catch_warnings()`), applied to the
warnings PyTorch's functions give, and `warnings.warn`. The filters sit in front of the run's
warning sink (state.warn, which a front end sets afresh for each run), so they end with the run.
Each warning is "Category: text" (UserWarning, DeprecationWarning, FutureWarning, ...).
"""
from __future__ import annotations

import builtins
import re

from ..state import state
from .program_exceptions import raise_python

_ACTIONS = ("error", "ignore", "always", "default", "module", "once")


class _Filtered:
    """The run's sink with the program's filters in front: the first that matches decides."""

    def __init__(self, show):
        self.show, self.filters, self.log = show, [], None

    def __call__(self, message: str):
        name, _, text = message.partition(": ")
        category = getattr(builtins, name, None)
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category, text = UserWarning, message
        for action, pattern, of in self.filters:
            if isinstance(of, type) and issubclass(category, of) and pattern.match(text):
                if action == "ignore":
                    return
                if action == "error":
                    raise_python(category(text))
                break
        if self.log is not None:
            self.log.append(WarningMessage(category(text), category))
            return
        self.show(message)


class WarningMessage:
    """What `catch_warnings(record=True)` collects: .message (the warning) and .category."""

    __slots__ = ("message", "category")
    type_name = "WarningMessage"
    program_attributes = {"message": "message", "category": "category"}

    def __init__(self, message, category):
        self.message, self.category = message, category

    def __repr__(self):
        return f"{{message : {self.message!r}, category : {self.category.__name__!r}, ...}}"


def _sink() -> _Filtered:
    if not isinstance(state.warn, _Filtered):
        state.warn = _Filtered(state.warn)
    return state.warn


def _check(condition, message):
    """Python 3.11's warnings checks its arguments by assert."""
    if not condition:
        raise_python(AssertionError(message))


def filterwarnings(action, message="", category=Warning, module="", lineno=0, append=False):
    _check(action in _ACTIONS, f"invalid action: {action!r}")
    _check(type(message) is str, "message must be a string")
    _check(isinstance(category, type), "category must be a class")
    _check(issubclass(category, Warning), "category must be a Warning subclass")
    _check(type(lineno) is int and lineno >= 0, "lineno must be an int >= 0")
    _add(action, re.compile(message, re.I), category, append)


def simplefilter(action, category=Warning, lineno=0, append=False):
    _check(action in _ACTIONS, f"invalid action: {action!r}")     # (the category unchecked, as Python's)
    _check(type(lineno) is int and lineno >= 0, "lineno must be an int >= 0")
    _add(action, re.compile(""), category, append)


def _add(action, pattern, category, append):
    entry = (action, pattern, category)
    filters = _sink().filters
    if entry in filters:
        filters.remove(entry)
    filters.append(entry) if append else filters.insert(0, entry)


def resetwarnings():
    _sink().filters.clear()


def warn(message, category=None, stacklevel=1, source=None):
    if isinstance(message, Warning):
        category, message = type(message), str(message)
    if category is None:
        category = UserWarning
    elif not (isinstance(category, type) and issubclass(category, Warning)):
        raise_python(TypeError(f"category must be a Warning subclass, not '{type(category).__name__}'"))
    state.warn(f"{category.__name__}: {message}")


class catch_warnings:       # noqa: N801 (Python's name)
    """The filters (and, with record=True, a list that collects the warnings instead of showing
    them) as they were, put back on the way out."""

    type_name = "catch_warnings"

    def __init__(self, *, record=False, action=None, category=Warning, lineno=0, append=False):
        self.record, self.action, self.category = record, action, category

    def __enter__(self):
        sink = _sink()
        self.saved = (list(sink.filters), sink.log)
        if self.action is not None:
            simplefilter(self.action, self.category)
        if self.record:
            sink.log = []
            return sink.log
        return None

    def __exit__(self, *exc):
        sink = _sink()
        sink.filters[:], sink.log = self.saved
        return False


def names() -> dict:
    """The module's entries (program_modules.py wraps each as a Builtin)."""
    return {"filterwarnings": filterwarnings, "simplefilter": simplefilter, "resetwarnings": resetwarnings,
            "warn": warn}



