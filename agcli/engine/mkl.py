"""Intel MKL, when the `mkl` extra is installed: the library PyTorch's x86-64 CPU
build links in, so that the functions PyTorch computes with it give PyTorch's
own last bits (backend_gemm.py: matrix products).

Loaded the first time such a function runs (never at start-up), from the
running environment's lib folder, LD_LIBRARY_PATH's or the system's (one
search: library_file); `library()` is None when it is not there, and the
callers keep NumPy's kernels. MKL runs on
as many threads as PyTorch's intra-op pool (a product's blocking depends on
them: backend_sums_kernel.threads, torch.set_num_threads).
"""
from __future__ import annotations

import os
import sys

_library = None
_tried = False
_VERSION = (2024, 2)        # (major, update) of the MKL PyTorch 2.13 links: torch.__config__.show()


def library_file():
    """libmkl_rt's path where PyTorch's CPU build would find it, or None: a stat each in this Python's
    lib/ (where the mkl wheel puts it), LD_LIBRARY_PATH's folders and the system's."""
    if not sys.platform.startswith("linux") or os.environ.get("AGCLI_NO_MKL"):
        return None     # (PyTorch's macOS build has no MKL; AGCLI_NO_MKL: NumPy's kernels where it is installed)
    folders = (os.path.join(sys.prefix, "lib"), *os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep),
               "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib")
    return next((path for path in (os.path.join(f, "libmkl_rt.so.2") for f in folders if f) if os.path.exists(path)),
                None)


def library():
    """The loaded libmkl_rt (a ctypes CDLL), or None without the extra."""
    global _library, _tried
    if not _tried:
        _tried = True
        _library = _load()
    return _library


def _load():
    path = library_file()
    if path is None:
        return None
    import ctypes       # (here: start-up does not pay for it)
    # MKL's OpenMP threads sleep as soon as a product ends, rather than spin on the cores the
    # program's own thread needs (no effect on results).
    os.environ.setdefault("KMP_BLOCKTIME", "0")
    try:
        lib = ctypes.CDLL(path)
        version = _version(lib, ctypes)
    except (OSError, AttributeError):       # (not loadable, or not MKL's runtime library)
        return None
    if version != _VERSION:     # (another MKL's last bits can be other ones)
        return None
    from .backend_sums_kernel import threads
    lib.MKL_Set_Num_Threads(ctypes.c_int(threads()))
    return lib


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
