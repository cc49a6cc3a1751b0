"""The names torchapi/further_math.py, further_shapes.py and further_linalg.py give, gathered for
more_names.py (torch's functions, Tensor methods, torch.linalg's and torch.special's) and the
program's in-place methods (language/program_names.py)."""
from __future__ import annotations

from . import further_math as FM

FUNCTIONS = dict(FM.FUNCTIONS)
METHODS = dict(FM.METHODS)
VALUED_FUNCTIONS: dict = {}
VALUED_METHODS: dict = {}
LINALG: dict = {}
SPECIAL = dict(FM.SPECIAL)
IN_PLACE = dict(FM.IN_PLACE)
