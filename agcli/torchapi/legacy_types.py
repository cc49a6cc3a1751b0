"""torch.FloatTensor, torch.LongTensor, ...: PyTorch's legacy tensor types, as a program meets them. Calling
one makes a tensor of its dtype (creation.legacy); isinstance() asks for a CPU tensor of that dtype, as
PyTorch's metaclass does (isinstance(torch.ones(1), torch.FloatTensor) is True)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor
from .creation import legacy


class _OfDtype(type):
    def __instancecheck__(cls, value):
        return type(value) is Tensor and value.device == "cpu" and B.dtype_name(value.data.dtype) == cls.dtype


TYPES = {f"{name}Tensor": _OfDtype(f"{name}Tensor", (), {"dtype": dtype, "construct": staticmethod(legacy(dtype))})
         for name, dtype in (("Float", "float32"), ("Double", "float64"), ("Half", "float16"), ("Long", "int64"),
                             ("Int", "int32"), ("Short", "int16"), ("Char", "int8"), ("Byte", "uint8"),
                             ("Bool", "bool"))}
