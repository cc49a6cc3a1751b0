"""torch.save and torch.load in programs, in PyTorch's own file format: a zip archive
holding a pickle of the object and each tensor's bytes (torch/serialization.py), so
that PyTorch reads what a program saves and a program reads what PyTorch saved (a
state_dict, an optimizer's, a checkpoint's dict).

The pickle is written opcode by opcode here (Python's pickler names a class by
importing its module, and there is no torch to import), and read by Python's
unpickler restricted to the classes PyTorch's weights_only loader allows among those
agcli has: a file never runs code. Each tensor is saved as a contiguous copy of its own,
and loaded as one (PyTorch keeps a view's storage and strides, and loads the tensors of
one storage sharing it).
"""
from __future__ import annotations

import io
import pickle
import struct
import sys
import zipfile

import numpy

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import devices as D
from ..torchapi.dtypes import DType
from ..torchapi.namespace import Size
from .nn.parameter import parameter
from .nn.state_dict import StateDict
from .program_exceptions import raise_python
from .program_pyplot_checks import inside_current_directory
from .program_values import type_name

# PyTorch's storage class for each dtype (torch/storage.py), as its pickles name them
_STORAGES = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
             "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage", "int8": "CharStorage",
             "uint8": "ByteStorage", "bool": "BoolStorage"}
_ALIGNMENT = 64     # where each record's bytes start in the archive (PyTorch's .storage_alignment)
_SAVES = ("tensors, numbers, strings, None, and lists, tuples, sets and dicts of them (a state_dict, an "
          "optimizer's state_dict, a checkpoint's dict)")
_SAVE_HINT = "save model.state_dict(), and load it with model.load_state_dict(torch.load(PATH))"


# ------------------------------------------------------------ torch.save
def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    path = _path(f, "save")
    pickled = _Pickler()
    pickled.value(obj)
    pickled.out += b"."
    archive = io.BytesIO()
    prefix = _archive_name(path)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        records = [("data.pkl", bytes(pickled.out)), (".format_version", b"1"),
                   (".storage_alignment", str(_ALIGNMENT).encode()), ("byteorder", sys.byteorder.encode())]
        records += [(f"data/{key}", data) for key, data in enumerate(pickled.storages)]
        records += [("version", b"3\n"), (".data/serialization_id", str(abs(hash(bytes(pickled.out)))).encode())]
        for name, data in records:
            _write_record(z, archive, f"{prefix}/{name}", data)
    try:
        with open(path, "wb") as out:
            out.write(archive.getvalue())
    except FileNotFoundError:
        parent = path.rpartition("/")[0]
        raise_python(RuntimeError(f"Parent directory {parent} does not exist."))
    except OSError as e:
        raise AgcliError(f"torch.save cannot write {path!r}: {e.strerror}", kind="io") from None


def _write_record(z, archive, name, data):
    """One stored record, its bytes starting at a multiple of _ALIGNMENT (padded in its local
    header's extra field, as PyTorch's writer pads it)."""
    encoded = name.encode()
    start = archive.tell() + 30 + len(encoded) + 4      # (the local header, the name, the extra field's own header)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))       # (stored: ZipInfo's default)
    padding = -start % _ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
    z.writestr(info, data)


def _archive_name(path: str) -> str:
    """The records' folder: the file's name without its extension (PyTorch's)."""
    name = path.rpartition("/")[2]
    return name.rpartition(".")[0] if "." in name else name


def _path(f, what) -> str:
    if getattr(type(f), "plain_path", False):      # (a pathlib.Path: its text, as torch.save takes os.PathLike)
        f = str(f)
    if not isinstance(f, str):
        raise AgcliError(f"agcli's torch.{what} takes a file's path (a str), not a '{type_name(f)}'", kind="type",
                         hint=f"torch.{what}(..., 'model.pth')")
    inside_current_directory(f, f"torch.{what}() {what}s files", "model.pth")
    return f


class _Pickler:
    """Protocol 2 pickle opcodes for the values torch.save takes, each tensor as PyTorch's
    Tensor.__reduce_ex__ writes it (torch._utils._rebuild_tensor_v2 of a persistent storage)."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.memo = {}          # id -> memo index, for values met again (the same tensor twice)
        self.kept = []          # (what the memo's ids name stays alive while pickling)
        self.storages = []      # each tensor's bytes, by storage key

    def value(self, v):
        index = self.memo.get(id(v))
        if index is not None:
            self.out += b"h" + bytes([index]) if index < 256 else b"j" + struct.pack("<I", index)
            return
        t = type(v)
        if v is None:
            self.out += b"N"
        elif t is bool:
            self.out += b"\x88" if v else b"\x89"
        elif t is int:
            self._int(v)
        elif t is float:
            self.out += b"G" + struct.pack(">d", v)
        elif t is str:
            encoded = v.encode("utf-8", "surrogatepass")
            self.out += b"X" + struct.pack("<I", len(encoded)) + encoded
        elif t is Tensor:
            self._tensor(v)
        elif t is tuple or t is Size:
            self._tuple(v)
        elif t is list:
            self.out += b"]"
            self._put(v)
            self._items(v, b"e")
        elif t is dict or isinstance(v, StateDict):
            self.out += b"}" if t is dict else b"ccollections\nOrderedDict\n)R"
            self._put(v)
            self._items([x for item in v.items() for x in item], b"u")
        elif t is set or t is frozenset:
            self.out += f"c__builtin__\n{t.__name__}\n]".encode()       # (a set is its list, rebuilt)
            self._items(list(v), b"e")
            self.out += b"\x85R"
        elif t is DType:
            self.out += f"ctorch\n{v.name}\n".encode()
        else:
            raise AgcliError(f"agcli's torch.save writes {_SAVES}; a '{type_name(v)}' is not one of them",
                             kind="not_implemented", hint=_SAVE_HINT)

    def _int(self, v):
        if 0 <= v < 256:
            self.out += b"K" + bytes([v])
        elif 0 <= v < 65536:
            self.out += b"M" + struct.pack("<H", v)
        elif -2**31 <= v < 2**31:
            self.out += b"J" + struct.pack("<i", v)
        else:
            encoded = v.to_bytes((v.bit_length() + 8) // 8, "little", signed=True)
            self.out += b"\x8a" + bytes([len(encoded)]) + encoded if len(encoded) < 256 else \
                b"\x8b" + struct.pack("<i", len(encoded)) + encoded

    def _tuple(self, v):
        if type(v) is Size:
            self.out += b"ctorch\nSize\n"
        if len(v) <= 3:
            for x in v:
                self.value(x)
            self.out += (b")", b"\x85", b"\x86", b"\x87")[len(v)]
        else:
            self.out += b"("
            for x in v:
                self.value(x)
            self.out += b"t"
        if type(v) is Size:
            self.out += b"\x85R"

    def _items(self, flat, opcode):
        if flat:
            self.out += b"("
            for x in flat:
                self.value(x)
            self.out += opcode

    def _put(self, v):
        index = self.memo[id(v)] = len(self.memo)
        self.kept.append(v)
        self.out += b"q" + bytes([index]) if index < 256 else b"r" + struct.pack("<I", index)

    def _tensor(self, t):
        param = getattr(t, "parameter", False)
        if param:
            self.out += b"ctorch._utils\n_rebuild_parameter\n("
        array = numpy.asarray(B.to_host(t.data), order="C")     # (ascontiguousarray makes a 0-d one 1-d)
        kind = _STORAGES.get(array.dtype.name)
        if kind is None:
            raise AgcliError(f"agcli's torch.save writes tensors of {', '.join(_STORAGES)}, not {array.dtype.name}",
                             kind="not_implemented")
        key = len(self.storages)
        self.storages.append(array.tobytes())
        location = "cpu" if t.device == "cpu" else str(t.device)
        self.out += b"ctorch._utils\n_rebuild_tensor_v2\n((" + b"X\x07\x00\x00\x00storage" + \
            f"ctorch\n{kind}\n".encode()
        for x in (str(key), location, array.size):
            self.value(x)
        self.out += b"tQ"
        self.value(0)
        self.value(tuple(array.shape))
        self.value(_strides(array.shape))
        self.value(bool(t.requires_grad) and not param)
        self.out += b"ccollections\nOrderedDict\n)Rt"
        self.out += b"R"
        if param:
            self.value(bool(t.requires_grad))
            self.out += b"ccollections\nOrderedDict\n)RtR"
        self._put(t)


def _strides(shape) -> tuple:
    """A contiguous tensor's strides, in elements, as PyTorch gives them (NumPy's differ for empty arrays)."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


# ------------------------------------------------------------ torch.load
def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    path = _path(f, "load")
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise_python(FileNotFoundError(2, "No such file or directory", path))
    except zipfile.BadZipFile:
        raise AgcliError(f"{path!r} is not a file torch.save wrote (a zip archive, PyTorch's format since 1.6)",
                         kind="value") from None
    except OSError as e:        # (a folder, a file it may not read: Python's error, as PyTorch's open gives it)
        raise_python(type(e)(e.errno, e.strerror, path))
    with archive:
        names = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
        if not names:
            raise AgcliError(f"{path!r} is a zip archive but not one torch.save wrote (it has no data.pkl)",
                             kind="value")
        reader = _Unpickler(io.BytesIO(archive.read(names[0])), archive, names[0][:-len("data.pkl")],
                            map_location, weights_only is False)
        try:
            return reader.load()
        except (pickle.UnpicklingError, EOFError, struct.error) as e:
            raise AgcliError(f"{path!r} could not be read as torch.save's pickle ({e})", kind="value") from None


_WEIGHTS_ONLY = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, \x1b[1mdo those steps "
    "only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In PyTorch 2.6, we changed the default value of "
    "the `weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` with "
    "`weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if "
    "you got the file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check the "
    "recommended steps in the following error message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL "
    "{name} was not an allowed global by default. Please use `torch.serialization.add_safe_globals([{name}])` or the "
    "`torch.serialization.safe_globals([{name}])` context manager to allowlist this global if you trust this "
    "class/function.\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


class _Unpickler(pickle.Unpickler):
    """Python's unpickler, taking from the file only the classes and functions of _GLOBALS, and
    each storage from the archive's data/KEY record."""

    def __init__(self, data, archive, prefix, map_location, trusted):
        super().__init__(data)
        self.archive, self.prefix, self.map_location, self.trusted = archive, prefix, map_location, trusted
        self.storages = {}

    def find_class(self, module, name):
        found = _GLOBALS.get((module, name))
        if found is not None:
            return found if not isinstance(found, _Rebuild) else found.bound(self)
        python = module in ("__builtin__", "builtins")
        if python and name == "set" or self.trusted and python and name == "frozenset":
            return set if name == "set" else frozenset      # (sets are weights_only's, frozensets not)
        if not self.trusted:
            raise_python(pickle.UnpicklingError(_WEIGHTS_ONLY.format(name=name if python else f"{module}.{name}")))
        raise AgcliError(f"the file holds a pickled {module}.{name} (torch.save of a whole object?), and agcli's "
                         f"torch.load reads {_SAVES} only", kind="not_implemented", hint=_SAVE_HINT)

    def persistent_load(self, pid):
        kind, storage_type, key, location, numel = pid
        if kind != "storage" or not isinstance(storage_type, numpy.dtype):
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        found = self.storages.get(key)
        if found is None:
            try:
                data = self.archive.read(f"{self.prefix}data/{key}")
                found = numpy.frombuffer(data, dtype=storage_type.newbyteorder("<"), count=numel)
            except (KeyError, ValueError, TypeError):
                raise pickle.UnpicklingError(f"storage {key!r} is missing or too short") from None
            self.storages[key] = found = (found, str(location))
        return found

    def tensor(self, storage, offset, size, stride, requires_grad, backward_hooks=None, metadata=None):
        array, location = storage
        size, stride = tuple(size), tuple(stride)
        last = offset + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else offset - 1
        if offset < 0 or last >= array.size or min(stride, default=0) < 0:
            raise pickle.UnpicklingError("a tensor reaches outside its storage")
        view = numpy.lib.stride_tricks.as_strided(array[offset:], size, [s * array.itemsize for s in stride])
        B.dtype(array.dtype.name)       # (a device backend without it: its error)
        t = Tensor(B.from_host(numpy.array(view, dtype=array.dtype.newbyteorder("="))))
        target = self.map_location
        if isinstance(target, dict):
            target = target.get(location, location)
        elif target is not None and not isinstance(target, (str, D.Device)):
            t, target = self._mapped(t, location), None
        if target is None and location != "cpu":
            target = location
        if target is not None:
            if str(target).startswith("cuda") and not D.is_available():
                raise_python(RuntimeError(
                    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If "
                    "you are running on a CPU-only machine, please use torch.load with "
                    "map_location=torch.device('cpu') to map your storages to the CPU."))
            t = D.on(t, target)
            t = Tensor(t.data, device=t.device)     # (a loaded tensor is a leaf wherever it goes)
        if requires_grad:
            t.requires_grad = True
        return t

    def _mapped(self, t, location):
        """map_location(storage, location) of a function: agcli hands it the tensor for the storage (a
        function that returns its storage, or moves it, works alike), and takes the tensor it gives."""
        if not callable(self.map_location):
            raise_python(TypeError(f"'{type_name(self.map_location)}' object is not callable"))
        mapped = self.map_location(t, location)      # (a program's function is callable, as DataLoader's collate_fn)
        if type(mapped) is not Tensor:
            raise AgcliError(f"map_location gave a '{type_name(mapped)}', not the storage (a tensor here)",
                             kind="type", hint="map_location=lambda storage, loc: storage")
        return mapped if mapped is t else Tensor(mapped.data, device=mapped.device)

    def parameter(self, data, requires_grad, backward_hooks=None, state=None):
        return parameter(data, requires_grad)


class _Rebuild:
    """A rebuilding function of the file, run by the unpickler that read it."""

    def __init__(self, method):
        self.method = method

    def bound(self, reader):
        method = getattr(reader, self.method)

        def rebuild(*args):
            try:
                return method(*args)
            except (TypeError, ValueError) as e:       # (arguments no torch.save writes)
                raise pickle.UnpicklingError(f"{self.method}: {e}") from None
        return rebuild


_GLOBALS = {("collections", "OrderedDict"): StateDict, ("torch", "Size"): lambda shape: Size(shape),
            ("torch._utils", "_rebuild_tensor_v2"): _Rebuild("tensor"),
            ("torch._utils", "_rebuild_parameter"): _Rebuild("parameter"),
            ("torch._utils", "_rebuild_parameter_with_state"): _Rebuild("parameter"),
            **{("torch", storage): numpy.dtype(dtype) for dtype, storage in _STORAGES.items()},
            **{("torch", dtype): DType(dtype) for dtype in _STORAGES}}
