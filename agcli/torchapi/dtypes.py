"""PyTorch's dtypes: their names, `torch.float32` as a value, and type promotion."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import astype, kind
from ..engine.tensor import Tensor
from ..errors import AgcliError, torch_type_name
from ..state import state

__all__ = ["DType", "dtype_of", "dtype_name", "result_type", "mixed", "floating", "torch_type_name"]

_DTYPES = {"float32": "float32", "float": "float32", "float64": "float64", "double": "float64",
           "float16": "float16", "half": "float16", "int64": "int64", "long": "int64",
           "int32": "int32", "int": "int32", "bool": "bool", "int16": "int16", "short": "int16", "int8": "int8",
           "uint8": "uint8"}


class DType:
    """What `torch.float32` evaluates to."""

    __slots__ = ("name",)
    program_attributes = {name: name for name in ("is_floating_point", "is_complex", "is_signed", "itemsize")}
    _made: dict = {}        # one object per dtype, as PyTorch's: `x.dtype is torch.float32` holds

    def __new__(cls, name):
        made = cls._made.get(name)
        if made is None:
            made = cls._made[name] = super().__new__(cls)
            made.name = name
        return made

    def __getnewargs__(self):       # (pickle and copy make it through __new__: the same object)
        return (self.name,)

    @property
    def is_floating_point(self) -> bool:
        return self.name.startswith("float")

    @property
    def is_complex(self) -> bool:
        return False

    @property
    def is_signed(self) -> bool:
        return self.name not in ("uint8", "bool")

    @property
    def itemsize(self) -> int:
        return B.itemsize(B.dtype(self.name))

    def __repr__(self):
        return f"torch.{self.name}"

    def __eq__(self, other):
        return isinstance(other, DType) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


_PYTHON_TYPES = {float: "float64", int: "int64", bool: "bool"}


def dtype_of(dtype):
    """The dtype's name ('float32') from torch.float32, 'float', ... (None stays None)."""
    if dtype is None:
        return None
    if isinstance(dtype, DType):
        return dtype.name
    if isinstance(dtype, str) and dtype in _DTYPES:
        return _DTYPES[dtype]
    if isinstance(dtype, type) and dtype in _PYTHON_TYPES:     # (dtype=float: Python's types, as PyTorch)
        return _PYTHON_TYPES[dtype]
    raise AgcliError(f"unknown dtype {dtype!r}; use torch.float32, torch.float64, torch.int64 or torch.bool",
                     kind="type")


def dtype_name(dtype) -> str:
    """'float32', from an array's dtype or a name."""
    return B.dtype_name(dtype)


def _category(dtype) -> int:
    return {"b": 0, "i": 1, "u": 1, "f": 2}.get(kind(dtype), 2)


def result_type(*operands):
    """PyTorch's type promotion: the highest kind (bool < int < float) wins; within
    it, tensors with dims outrank 0-d tensors, which outrank Python numbers,
    and a Python float takes the default float dtype."""
    ranked = []
    for v in operands:
        if type(v) is Tensor:
            ranked.append((_category(v.data.dtype), 2 if v.data.ndim else 1, v.data.dtype))
        elif isinstance(v, bool):
            ranked.append((0, 0, B.dtype("bool")))
        elif isinstance(v, int):
            ranked.append((1, 0, B.dtype("int64")))
        else:
            ranked.append((2, 0, B.dtype(state.default_float)))
    top = max(c for c, _, _ in ranked)
    best = max(p for c, p, _ in ranked if c == top)
    return B.result_type(*[d for c, p, d in ranked if c == top and p == best])


def mixed(x, y) -> bool:
    """Operands whose dtypes NumPy and PyTorch may promote differently."""
    dx, dy = getattr(x, "dtype", None), getattr(y, "dtype", None)
    if dx is None or dy is None:           # a Python number: int tensor with a float number
        d = dx if dy is None else dy
        other = y if dy is None else x
        return d is not None and kind(d) in "biu" and type(other) is float
    return dx != dy


def floating(x):
    """Integer and bool tensors enter float ops as the default float dtype, as in
    PyTorch (NumPy would pick float64, or float16 for bool)."""
    if type(x) is Tensor and kind(x.data.dtype) in "biu":
        return Tensor(astype(x.data, state.default_float))
    return x


def set_default_dtype(dtype) -> None:
    """torch.set_default_dtype: the dtype of new floating tensors (float32 or float64 in agcli)."""
    if not isinstance(dtype, DType):
        raise AgcliError("invalid dtype object: only floating-point types are supported as the default type",
                         kind="type")
    if dtype.name == "float16":
        raise AgcliError("agcli's default dtype is torch.float32 or torch.float64, not torch.float16",
                         kind="value", hint="pass dtype=torch.float16 where a tensor needs it")
    if dtype.name not in ("float32", "float64"):
        raise AgcliError("only floating-point types are supported as the default type", kind="type")
    state.default_float = dtype.name


def get_default_dtype() -> DType:
    return DType(state.default_float)


class Layout:
    """torch.strided, what x.layout gives (agcli's tensors are all dense)."""

    __slots__ = ()
    type_name = "torch.layout"

    def __repr__(self):
        return "torch.strided"


STRIDED = Layout()


class _Info:
    """torch.finfo / torch.iinfo of a dtype: its limits as Python numbers, printed as PyTorch prints them
    (each number with C's %g)."""

    def __init__(self, fields, dtype):
        self.fields, self.dtype = fields, dtype
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self):
        shown = ", ".join(f"{name}={value:g}" for name, value in self.fields.items())
        return f"{type(self).__name__}({shown}, dtype={self.dtype})"


class finfo(_Info):
    program_attributes = {n: n for n in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                                         "dtype")}


class iinfo(_Info):
    program_attributes = {n: n for n in ("bits", "max", "min", "dtype")}


def float_info(type=None):
    """torch.finfo(dtype): bits, eps, max, min, tiny (smallest_normal), resolution."""
    name = dtype_of(type) or state.default_float
    if B.kind(B.dtype(name)) != "f":
        raise AgcliError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                         "'torch.finfo'", kind="type")
    info = B.host.finfo(name)
    fields = {"resolution": 10.0 ** -int(info.precision), "min": float(info.min), "max": float(info.max),
              "eps": float(info.eps), "smallest_normal": float(info.smallest_normal),
              "tiny": float(info.smallest_normal)}
    result = finfo(fields, name)
    result.bits = int(info.bits)
    return result


def int_info(type):
    """torch.iinfo(dtype): bits, max, min."""
    name = dtype_of(type)
    if name is None or B.kind(B.dtype(name)) not in "iu":
        raise AgcliError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'",
                         kind="type")
    info = B.host.iinfo(name)
    result = iinfo({"min": int(info.min), "max": int(info.max)}, name)
    result.bits = int(info.bits)
    return result
