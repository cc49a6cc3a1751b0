"""torch.FloatTensor, torch.LongTensor, ...: PyTorch's legacy tensor types, as a program meets them. Calling
one makes a tensor of its dtype (creation.legacy); isinstance() asks for a CPU tensor of that dtype, as
PyTorch's metaclass does (isinstance(torch.ones(1), torch.FloatTensor) is True). And
torch.set_default_tensor_type, which takes them."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..state import state
from .creation import legacy
from .dtypes import DType, set_default_dtype


class _OfDtype(type):
    def __instancecheck__(cls, value):
        return type(value) is Tensor and value.device == "cpu" and B.dtype_name(value.data.dtype) == cls.dtype


TYPES = {f"{name}Tensor": _OfDtype(f"{name}Tensor", (), {"dtype": dtype, "construct": staticmethod(legacy(dtype))})
         for name, dtype in (("Float", "float32"), ("Double", "float64"), ("Half", "float16"), ("Long", "int64"),
                             ("Int", "int32"), ("Short", "int16"), ("Char", "int8"), ("Byte", "uint8"),
                             ("Bool", "bool"))}


DEFAULT_TYPE_DEPRECATED = ("UserWarning: torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                           "torch.set_default_dtype() and torch.set_default_device() as alternatives.")


def set_default_tensor_type(t, /) -> None:
    """torch.set_default_tensor_type(torch.DoubleTensor) or ('torch.DoubleTensor'), older code's
    set_default_dtype: its warning (once a run), then PyTorch's checks."""
    state.warn(DEFAULT_TYPE_DEPRECATED)
    if isinstance(t, str):
        if t.startswith("torch.cuda.") and t[len("torch.cuda."):] in TYPES:
            raise AgcliError(f"type {t} not available. Torch not compiled with CUDA enabled.", kind="type")
        module, _, name = t.rpartition(".")
        if module != "torch":
            raise AgcliError(f"No module named '{module or t}'", kind="module")
        if name not in TYPES:
            raise AgcliError(f"module 'torch' has no attribute '{name}'", kind="attribute")
        t = TYPES[name]
    else:
        t = TYPES.get(getattr(t, "name", None))       # (the program's torch.DoubleTensor: a class of that name)
        if t is None:
            raise AgcliError("invalid type object: only floating-point types are supported as the default type",
                             kind="type")
    if t.dtype not in ("float32", "float64", "float16"):
        raise AgcliError("only floating-point types are supported as the default type", kind="type")
    set_default_dtype(DType(t.dtype))
