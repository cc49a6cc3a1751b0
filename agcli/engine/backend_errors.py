"""NumPy's floating-point error state, entered without numpy.errstate's Python layers.

Since NumPy 2 the error state is a context variable, and numpy.errstate a
Python class around it whose entering costs more than a small op. A line's
evaluation enters one (backend.float_errors), so `error_state` sets the same
variable to what numpy.errstate would put there, made when it is entered as
errstate makes it. Where NumPy's private names are missing: numpy.errstate.
"""
from __future__ import annotations

import numpy

try:
    from numpy._core.umath import _extobj_contextvar, _make_extobj
except ImportError:         # another NumPy layout
    _make_extobj = None


class _ErrorState:
    __slots__ = ("modes", "token")

    def __init__(self, modes):
        self.modes = modes

    def __enter__(self):
        self.token = _extobj_contextvar.set(_make_extobj(**self.modes))

    def __exit__(self, *exc):
        _extobj_contextvar.reset(self.token)


def error_state(**modes):
    """A context like numpy.errstate(**modes) (call=, all=, divide=, over=, under=, invalid=)."""
    return numpy.errstate(**modes) if _make_extobj is None else _ErrorState(modes)
