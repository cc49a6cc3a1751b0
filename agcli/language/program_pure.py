"""Python's modules of pure helpers in programs, run by Python's own code on the program's plain values
(program_plain.py refuses any other): statistics, string, heapq, bisect, textwrap and re.

statistics of tensors is Python's TypeError where Python's statistics raises it (mean, stdev and
variance convert each value to a fraction), agcli's refusal elsewhere; heapq and bisect keep lists of
numbers, strings and tuples of them (a (priority, tensor) pair would be compared by Python's code).
"""
from __future__ import annotations

import bisect
import heapq
import re
import statistics
import string
import textwrap

from ..engine.tensor import Tensor
from .program_exceptions import raise_python
from .program_plain import native_class, plain_function, plain_module_entries

_FRACTIONS = ("mean", "stdev", "variance", "pstdev", "pvariance")
_STATISTICS = ("mean", "fmean", "median", "median_low", "median_high", "median_grouped", "mode", "multimode",
               "stdev", "pstdev", "variance", "pvariance", "geometric_mean", "harmonic_mean", "quantiles",
               "correlation", "covariance", "linear_regression")


def _statistic(name):
    plain = plain_function("statistics", name, getattr(statistics, name))

    def call(data, *args, **kwargs):
        if name in _FRACTIONS and (type(data) is Tensor or isinstance(data, (list, tuple)) and
                                   any(type(x) is Tensor for x in data)):
            raise_python(TypeError("can't convert type 'Tensor' to numerator/denominator"))
        return plain.fn(data, *args, **kwargs)
    return call


def _statistics_entries():
    from .program_objects import Builtin
    return {**{name: Builtin(name, _statistic(name)) for name in _STATISTICS},
            "StatisticsError": statistics.StatisticsError}


_STRING = ("ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits", "hexdigits", "octdigits",
           "punctuation", "printable", "whitespace")
_HEAPQ = ("heappush", "heappop", "heapify", "heappushpop", "heapreplace", "nlargest", "nsmallest", "merge")
_BISECT = ("bisect", "bisect_left", "bisect_right", "insort", "insort_left", "insort_right")
_TEXTWRAP = ("wrap", "fill", "shorten", "dedent", "indent")

# ------------------------------------------------------------ re
_MATCH_METHODS = ("group", "groups", "groupdict", "start", "end", "span", "expand")
_PATTERN_METHODS = ("match", "fullmatch", "search", "findall", "split", "sub", "subn")


def _wrap_re(value):
    if isinstance(value, re.Match):
        return Match(value)
    if isinstance(value, re.Pattern):
        return Pattern(value)
    return value


Match = native_class("re.Match", "re", _MATCH_METHODS, ("string", "pos", "endpos", "lastindex", "lastgroup"),
                     _wrap_re)
Pattern = native_class("re.Pattern", "re", _PATTERN_METHODS, ("pattern", "flags", "groups", "groupindex"),
                       _wrap_re)
_RE = ("compile", "match", "fullmatch", "search", "findall", "split", "sub", "subn", "escape")


def _re_entries():
    from .program_objects import Builtin
    table = {}
    for name in _RE:
        plain = plain_function("re", name, getattr(re, name))
        table[name] = Builtin(name, lambda *a, _f=plain.fn, **k: _wrap_re(_f(*a, **k)))
    table.update({flag: getattr(re, flag) for flag in ("IGNORECASE", "I", "MULTILINE", "M", "DOTALL", "S",
                                                            "VERBOSE", "X", "ASCII", "A")})
    table["error"] = re.error
    return table


def entries(builtin_class) -> dict:
    """{module name: its entries}."""
    return {"statistics": _statistics_entries(),
            "string": {name: getattr(string, name) for name in _STRING},
            "heapq": plain_module_entries("heapq", _HEAPQ, heapq),
            "bisect": plain_module_entries("bisect", _BISECT, bisect),
            "textwrap": plain_module_entries("textwrap", _TEXTWRAP, textwrap),
            "re": _re_entries()}
