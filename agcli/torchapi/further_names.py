"""The names torchapi/further_math.py, further_linalg.py, further_shapes.py and cholesky.py give, gathered for
more_names.py (torch's functions, Tensor methods, torch.linalg's and torch.special's) and the program's in-place
methods (language/program_names.py)."""
from __future__ import annotations

from . import cholesky as CH, further_linalg as FL, further_math as FM, further_shapes as FS, index_puts as IX
from .legacy_types import set_default_tensor_type
from .ranges import torch_range
from .strided import FUNCTIONS as _STRIDED, METHODS as _STRIDED_METHODS

_BOTH = {"matrix_power": FL.matrix_power, "cov": FL.cov, "corrcoef": FL.corrcoef, "swapdims": FL.swapdims,
         "ravel": FL.ravel, "msort": FL.msort, "float_power": FL.float_power, **CH.BOTH,
         **IX.SCATTERS}
FUNCTIONS = {**FM.FUNCTIONS, **_BOTH, "trapezoid": FL.trapezoid, "trapz": FL.trapezoid,
             "cumulative_trapezoid": FL.cumulative_trapezoid}
METHODS = {**FM.METHODS, **_BOTH, "unfold": FS.unfold}
VALUED_FUNCTIONS = {**FS.VALUED, **IX.VALUED, **IX.BITWISE, **_STRIDED}   # (as_strided: values read from storage)
VALUED_METHODS = {**FS.VALUED, **IX.VALUED, **IX.BITWISE, **_STRIDED_METHODS}
LINALG = {"matrix_power": FL.matrix_power, "multi_dot": FL.multi_dot, "vecdot": FL.vecdot, **CH.LINALG}
SPECIAL = {**FM.SPECIAL, "ndtr": FL.ndtr}
IN_PLACE = {**FM.IN_PLACE, "float_power_": FL.float_power_, **FS.IN_PLACE, **IX.IN_PLACE}
# (a setting, not a tensor; torch.range, not the bare range of a program's: the program's torch module)
PROGRAM_FUNCTIONS = {"get_num_threads": FL.get_num_threads, "set_num_threads": FL.set_num_threads,
                     "range": torch_range, "set_default_tensor_type": set_default_tensor_type}
