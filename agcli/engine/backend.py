"""The array namespace every op computes with.

Op code reaches arrays only through `xp` (NumPy today; CuPy, which mirrors
NumPy's API, is the planned GPU backend), so a backend switch is one place.
"""
import numpy as xp

ndarray = xp.ndarray

__all__ = ["xp", "ndarray"]
