"""Intel MKL, when the `mkl` extra is installed: the library PyTorch's x86-64 CPU
build links in, so that the functions PyTorch computes with it give PyTorch's
own last bits (backend_gemm.py: matrix products).

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


_VERSION = (2024, 2)        # (major, update) of the MKL PyTorch 2.13 links: torch.__config__.show()


def _load():
    if os.environ.get("AGCLI_NO_MKL") or not sys.platform.startswith("linux"):
        return None     # (the tests compare both paths in one environment; PyTorch's macOS build has no MKL)
    import ctypes       # (here: start-up does not pay for it)
    # MKL's OpenMP threads sleep as soon as a product ends, rather than spin on the cores the
    # program's own thread needs (no effect on results).
    os.environ.setdefault("KMP_BLOCKTIME", "0")
    for folder in (os.path.join(sys.prefix, "lib"), None):
        for name in _NAMES:
            try:
                lib = ctypes.CDLL(name if folder is None else os.path.join(folder, name))
                version = _version(lib, ctypes)
            except (OSError, AttributeError):       # (not there, or not MKL's runtime library)
                continue
            if version != _VERSION:     # (another MKL's last bits can be other ones)
                return None
            from .backend_sums_kernel import threads
            lib.MKL_Set_Num_Threads(ctypes.c_int(threads()))
            return lib
    return None


def _version(lib, ctypes):
    """(major, update) of the loaded MKL (MKL_Get_Version fills a struct of four ints and four strings)."""
    class Version(ctypes.Structure):
        _fields_ = [("major", ctypes.c_int), ("minor", ctypes.c_int), ("update", ctypes.c_int),
                    ("patch", ctypes.c_int)] + [(name, ctypes.c_char_p) for name in
                                                ("status", "build", "processor", "platform")]
    version = Version()
    lib.MKL_Get_Version(ctypes.byref(version))
    return version.major, version.update


def set_threads(n: int) -> None:
    """torch.set_num_threads(n): MKL's products then block as PyTorch's do."""
    lib = library()
    if lib is not None:
        import ctypes
        lib.MKL_Set_Num_Threads(ctypes.c_int(n))
