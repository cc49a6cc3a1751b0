"""Intel MKL's vector math (VML), the library PyTorch's CPU build computes sqrt, exp, log,
sin, ... of float32 and float64 tensors with (aten/src/ATen/cpu/vml.h): within an ulp
of the exact value, not correctly rounded, so only MKL itself gives PyTorch's last bits.

Optional (`pip install 'agcli[mkl]'`): engine/cpu_kernels.py asks engine/mkl.py whether
libmkl_rt is there (a stat of the loader's folders at import) and imports this module the
first time such a function runs, never at start-up; engine/mkl.py loads the library (only
the release PyTorch 2.13 links: another MKL's last bits can be other ones).
"""
from __future__ import annotations

import ctypes
import re

from . import mkl
from .backend import host      # (NumPy: MKL computes on host arrays only)

# ATen's vml.h: VML_HA | VML_FTZDAZ_OFF | VML_ERRMODE_IGNORE (high accuracy, subnormals kept, no errno)
_MODE = 0x2 | 0x140000 | 0x100
_MKL_DOMAIN_VML = 3
_LARGEST = 2 ** 31 - 1              # MKL_INT's largest (LP64): longer arrays go in pieces, as vml.h's do

# torch's name -> VML's: the functions vml.h hands to MKL (IMPLEMENT_VML_MKL; trunc is exact anyway)
NAMES = {"sqrt": "Sqrt", "exp": "Exp", "log": "Ln", "log2": "Log2", "log10": "Log10", "sin": "Sin",
         "cos": "Cos", "tan": "Tan", "tanh": "Tanh", "asin": "Asin", "acos": "Acos", "atan": "Atan",
         "erf": "Erf", "erfc": "Erfc", "erfinv": "ErfInv"}


def kernels() -> dict:
    """{(torch's name, dtype): kernel(x, fallback)} for float32 and float64 from PyTorch's MKL (engine/mkl.py
    loads it, and only its release), or {} when it is not here."""
    library = mkl.library()
    if library is None:
        return {}
    # Elementwise, so threads change no bit: one thread for the vector math alone (PyTorch calls it
    # from its own threads), which leaves the threads of the library's other users (products) alone
    library.MKL_Domain_Set_Num_Threads(ctypes.c_int(1), ctypes.c_int(_MKL_DOMAIN_VML))
    table = {}
    for name, function_name in NAMES.items():
        for prefix, dtype in (("vms", host.dtype("float32")), ("vmd", host.dtype("float64"))):
            function = getattr(library, prefix + function_name)
            # (n is MKL_INT, an int in the LP64 interface: the callee reads the low half of the register)
            function.argtypes = (ctypes.c_longlong, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_longlong)
            function.restype = None
            table[name, dtype] = _kernel(function)
    return table


def _kernel(function):
    def kernel(x, fallback):
        """MKL's values of x, laid out as NumPy's ufunc lays them out; NumPy's floating-point
        warnings (agcli's "inf or nan" warning reads them) as fallback(x) gives them."""
        a = host.asarray(x)
        contiguous = a.flags.c_contiguous
        if not contiguous:              # (PyTorch's kernels copy such an input to a buffer, too)
            a = host.ascontiguousarray(a)
        out = host.empty(a.shape, a.dtype)
        step, start = a.itemsize, 0
        source, target = a.ctypes.data, out.ctypes.data
        while start < a.size:
            n = min(a.size - start, _LARGEST)
            function(n, source + start * step, target + start * step, _MODE)
            start += n
        if not host.isfinite(out).all():
            fallback(x)
        if not contiguous:
            laid_out = host.positive(x)        # (a unary ufunc's output: its layout, PyTorch's strides)
            laid_out[...] = out
            out = laid_out
        return out if out.ndim else out[()]
    return kernel


def code_path() -> str | None:
    """The code MKL's vector math took for this processor, read off the library it loaded at its first
    call: "avx512", "avx2", ... or "def", its generic code, which it takes on other makers' processors.
    Their last bits differ (and PyTorch's with them); None before a call."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        found = re.search(r"libmkl_vml_(\w+)\.so", maps.read())
    return found.group(1) if found else None
