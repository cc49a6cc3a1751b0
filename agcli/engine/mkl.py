"""Intel MKL, when the `mkl` extra is installed: the library PyTorch's x86-64 CPU
build links in, so that the functions PyTorch computes with it give PyTorch's
own last bits (mkl_gemm.py: matrix products).

Loaded the first time such a function runs (never at start-up), from the
running environment's lib folder or the loader's search path; `library()` is
None when it is not there, and the callers keep NumPy's kernels. MKL runs on
as many threads as PyTorch's intra-op pool (a product's blocking depends on
them: backend_sums_kernel.threads, torch.set_num_threads).
"""
from __future__ import annotations

import os
import sys

_NAMES = ("libmkl_rt.so.2", "libmkl_rt.so")
_library = None
_tried = False


def library():
    """The loaded libmkl_rt (a ctypes CDLL), or None without the extra."""
    global _library, _tried
    if not _tried:
        _tried = True
        _library = _load()
    return _library


def _load():
    if os.environ.get("AGCLI_NO_MKL"):      # (the tests compare both paths in one environment)
        return None
    import ctypes       # (here: start-up does not pay for it)
    # MKL's OpenMP threads sleep as soon as a product ends, rather than spin on the cores the
    # program's own thread needs (no effect on results).
    os.environ.setdefault("KMP_BLOCKTIME", "0")
    for folder in (os.path.join(sys.prefix, "lib"), None):
        for name in _NAMES:
            try:
                lib = ctypes.CDLL(name if folder is None else os.path.join(folder, name))
            except OSError:
                continue
            from .backend_sums_kernel import threads
            lib.MKL_Set_Num_Threads(ctypes.c_int(threads()))
            return lib
    return None


def set_threads(n: int) -> None:
    """torch.set_num_threads(n): MKL's products then block as PyTorch's do."""
    lib = library()
    if lib is not None:
        import ctypes
        lib.MKL_Set_Num_Threads(ctypes.c_int(n))
