"""Anomaly mode's places: lowered under anomaly mode (`--detect-anomaly`, state.detect_anomaly
when the plan or program is lowered), the closures that make nodes note where in the
user's text each one was made (engine/hooks.py: FORWARD_PLACES), so that backward's nan
error points at the operation. Lowered otherwise, they are the closures themselves:
nothing is paid on the hot path.
"""
from __future__ import annotations

from ..engine.hooks import note_forward
from ..state import state


def noting_fn(fn, span):
    """fn (an op, or a closure env -> value), or under anomaly mode fn noting where the node
    of what it returns was made."""
    if not state.detect_anomaly:
        return fn

    def noting(*args, **kwargs):
        value = fn(*args, **kwargs)
        note_forward(value, span)
        return value
    return noting

