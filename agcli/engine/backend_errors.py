"""NumPy's floating-point error state, entered without numpy.errstate's Python layers.

Since NumPy 2 the error state is a context variable, and numpy.errstate a
Python class around it whose entering costs more than a small op. A line's
evaluation enters one (backend.float_errors), so `error_state` sets the same
variable to what numpy.errstate would put there, made when it is entered as
errstate makes it. Where NumPy's private names are missing: numpy.errstate.
And a backend's missing dtype, in agcli's words; a tensor's truth, in PyTorch's.
"""
from __future__ import annotations

import numpy

from ..errors import AgcliError

try:
    from numpy._core.umath import _extobj_contextvar, _make_extobj
except ImportError:         # another NumPy layout
    _make_extobj = None


class _ErrorState:
    """One numpy.errstate(**modes), which may be entered again and again, and within itself.
    The state it sets is made from the one it is entered in (whose buffer size it keeps), and
    made again only when that is another (making one costs as much as a small op: evaluate
    enters one context line after line, sigmoid's kernel one a call)."""
    __slots__ = ("modes", "tokens", "entered_in", "made")

    def __init__(self, modes):
        self.modes = modes
        self.tokens = []
        self.entered_in = self.made = None

    def __enter__(self):
        current = _extobj_contextvar.get()
        if current is not self.entered_in:
            self.made, self.entered_in = _make_extobj(**self.modes), current
        self.tokens.append(_extobj_contextvar.set(self.made))

    def __exit__(self, *exc):
        _extobj_contextvar.reset(self.tokens.pop())


def error_state(**modes):
    """A context like numpy.errstate(**modes) (call=, all=, divide=, over=, under=, invalid=)."""
    return numpy.errstate(**modes) if _make_extobj is None else _ErrorState(modes)


def reusable_error_state(**modes):
    """error_state(**modes), made once to be entered again and again (within itself too); None
    where NumPy's private names are missing (a numpy.errstate cannot be entered twice at once)."""
    return None if _make_extobj is None else _ErrorState(modes)


def float_errors(report):
    """A context in which the forward's inf and nan call report(kind, flag) (NumPy's error callback)."""
    return error_state(call=report, all="call", under="ignore")


def float_errors_ignored():
    """A context in which inf and nan pass silently (programs, as PyTorch)."""
    return _IGNORED or error_state(all="ignore")


_IGNORED = reusable_error_state(all="ignore")


def missing_dtype(backend: str, name: str):
    """A dtype the array backend does not have (the strict stand-in's float16): agcli's error."""
    raise AgcliError(f"the array backend {backend} has no {name} dtype", kind="not_implemented",
                     hint="run it on the default backend (leave AGCLI_ARRAY_BACKEND unset)")


def tensor_truth(t) -> bool:
    """bool(t) where agcli's own Python asks it of a program's tensor (nn.ReLU(x)'s inplace flag, given a
    tensor): PyTorch's answer, one value's truth or its error (not len()'s)."""
    if t.data.size != 1:
        which = "no values" if t.data.size == 0 else "more than one value"
        raise AgcliError(f"Boolean value of Tensor with {which} is ambiguous")
    return bool(t.data[(0,) * t.data.ndim])     # (its one value, on any backend)
