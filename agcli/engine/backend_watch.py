"""Floating-point warnings on every backend, and ops of Python numbers on a device.

NumPy reports overflow, division by zero and invalid values through its error
state (`float_errors` is backend.py's errstate, and `watch` is None); CuPy and
the strict stand-in have none, so there `watch` (apply and replays call it
after each forward) checks each op's output explicitly.
"""
from __future__ import annotations

from . import backend as B


def numbers_forward(forward, numbers, params):
    """An op of Python numbers alone, on a device (the standard wants an array):
    as NumPy computes them, in int64 or float64 (float64 when ints will not do)."""
    types = {type(a) for a in numbers}
    lifted = [B.asarray(a, dtype="float64" if float in types else "int64" if int in types else "bool")
              for a in numbers]
    try:
        out = forward(*lifted, **params)
    except TypeError:                                   # int / int, True + True: NumPy gives a float
        lifted = [B.astype(a, "float64") for a in lifted]
        out = forward(*lifted, **params)
    watch(lifted, out)
    return out


_report = None          # report(kind, flag) while an evaluation watches the forward (float_errors)


class Watching:
    """float_errors on a device: `watch` checks each op's output explicitly
    (`quiet()`: a new context that silences the library's own warnings meanwhile,
    made at each entry: NumPy's errstate may be entered once, and evaluate enters
    one Watching line after line)."""

    __slots__ = ("report", "quiet", "entered", "previous")

    def __init__(self, report, quiet):
        self.report, self.quiet = report, quiet

    def __enter__(self):
        global _report
        self.entered = self.quiet()
        self.entered.__enter__()
        self.previous, _report = _report, self.report

    def __exit__(self, *exc):
        global _report
        _report = self.previous
        self.entered.__exit__(*exc)


def watch_output(arrays, out):
    """NumPy's floating-point warnings, from the values: after an op made `out`
    from `arrays`, an inf it made from finite inputs is a division by zero
    when an input is 0 there, else an overflow; a nan it made is an invalid
    value. (An inf or nan it carried in from an input is not reported.)"""
    if _report is None or type(out) is not B.ndarray or B.kind(out.dtype) != "f":
        return
    bad = ~B.xp.isfinite(out)
    if not bool(B.xp.any(bad)):
        return
    carried, zero = _input_masks(arrays, out)
    nan = B.xp.isnan(out) & ~carried[1]
    inf = bad & ~B.xp.isnan(out) & ~carried[0]
    if bool(B.xp.any(inf & zero)):
        _report("divide by zero", 0)
    if bool(B.xp.any(inf & ~zero)):
        _report("overflow", 0)
    if bool(B.xp.any(nan)):
        _report("invalid value", 0)


def _input_masks(arrays, out):
    """((any input non-finite, any input nan), any input 0) at each of out's places
    (everywhere, for an input that does not broadcast to out's shape)."""
    nonfinite = nan = zero = B.xp.zeros(out.shape, dtype=B.xp.bool, **B._ON)
    for a in arrays:
        if isinstance(a, (int, float)) and not isinstance(a, bool):
            a = B.xp.asarray(float(a), **B._ON)
        elif type(a) is not B.ndarray or B.kind(a.dtype) not in "iuf":
            continue
        a = B.astype(a, out.dtype)
        try:
            a = B.xp.broadcast_to(a, out.shape)
        except ValueError:          # a reduction's or a product's input: anywhere counts
            nonfinite = nonfinite | bool(B.xp.any(~B.xp.isfinite(a)))
            nan, zero = nan | bool(B.xp.any(B.xp.isnan(a))), zero | bool(B.xp.any(a == 0))
            continue
        nonfinite, nan, zero = nonfinite | ~B.xp.isfinite(a), nan | B.xp.isnan(a), zero | (a == 0)
    return (nonfinite, nan), zero


if B.ON_HOST:
    watch = None
    float_errors = B.float_errors
else:
    watch = watch_output

    def float_errors(report):
        """A context in which the forward's inf and nan call report(kind, flag), op by op."""
        return Watching(report, B.float_errors_ignored)
