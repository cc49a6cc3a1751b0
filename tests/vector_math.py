"""What agcli[mkl] means for the tests: whether agcli computes with MKL's vector math here, and
whether MKL takes the code a fixture was recorded with (it picks its code by the processor, and
each code has its own last bits, PyTorch's with them: agcli/engine/vml.py's code_path)."""
from __future__ import annotations

from functools import cache

import numpy

from agcli.engine import cpu_kernels, vml


@cache
def mkl_differs(recorded: str | None) -> str | None:
    """None when agcli computes with MKL's vector math taking the code `recorded` was recorded with
    (None: unknown); else why not, a skip's reason."""
    if not cpu_kernels.mkl_vector_math():
        return "agcli[mkl] is not installed here: pip install '.[test,mkl]'"
    cpu_kernels.sqrt(numpy.ones(1))         # (MKL loads its code for the processor at the first call)
    here = vml.code_path()
    if recorded is not None and here != recorded:
        return f"recorded where MKL's vector math takes its {recorded} code; here it takes its {here} code"
    return None
