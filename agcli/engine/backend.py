"""The array namespace the engine computes with, chosen once per process.

Engine code reaches arrays only through `xp` and the few helpers below,
which the array API standard lacks.
"""
import numpy as xp

ndarray = xp.ndarray


def add_at(out, key, values):
    """out[key] += values, repeated indices adding up (index's gradient)."""
    xp.add.at(out, key, values)


def strides(a) -> tuple:
    """The array's strides in elements (PyTorch's unit)."""
    return tuple(s // a.itemsize for s in a.strides)
