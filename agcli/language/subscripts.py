"""What `obj[key]` means for each kind of value a program or an expression holds."""
from __future__ import annotations

from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import creation as C
from ..torchapi import functions
from ..torchapi import ndarrays
from ..torchapi.size import Size


def has_index(v) -> bool:
    """Tensor.__index__ succeeds: an integer (or bool) tensor of one element, of any rank."""
    return type(v) is Tensor and v.data.size == 1 and functions.kind(v.data.dtype) in "iub"


def tensor_index(v) -> int:
    """operator.index(v) of a tensor, in PyTorch's words where it has none (a TypeError)."""
    if not has_index(v):
        raise AgcliError("only integer tensors of a single element can be converted to an index", kind="type")
    return int(functions.item(functions.xp.reshape(v.data, ())))


def index_int(v):
    """A slice's start, stop or step (PySlice_Unpack: each's __index__)."""
    if type(v) is Tensor:
        return tensor_index(v)
    if isinstance(v, bool):     # (a bool is an int to Python's slices: x[False:2])
        return int(v)
    if not isinstance(v, int) and v is not None:
        raise AgcliError(f"slice indices must be integers or None, not {type(v).__name__}", kind="type")
    return v


def index_value(v):
    if isinstance(v, ndarrays.VALUES):      # x[a > 2], x[np.int64(1)]: as PyTorch takes NumPy's
        v = C.as_tensor(v) if v.ndim else v.item()
    if type(v) is Tensor and v.data.ndim == 0 and functions.kind(v.data.dtype) == "i":    # (a uint8 one is a mask)
        return int(v.data)
    if isinstance(v, float):
        raise AgcliError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                         "are valid indices (got float)", kind="index")      # (PyTorch's IndexError)
    return v


def getitem(obj, key):
    if isinstance(obj, str):
        if isinstance(key, tuple):
            raise AgcliError("string indices must be integers or slices", kind="type")
        try:
            return obj[key]
        except IndexError:
            raise AgcliError("string index out of range", kind="index") from None
    if isinstance(obj, Size):     # x.shape[-1:], x.shape[0]: a tuple's indexing, a slice a Size
        if isinstance(key, slice):
            return Size(obj[key])
        if not isinstance(key, int) or isinstance(key, bool):
            raise AgcliError(f"tuple indices must be integers or slices, not {type(key).__name__}", kind="type")
        if not -len(obj) <= key < len(obj):
            raise AgcliError("tuple index out of range", kind="index")
        return obj[key]
    if isinstance(obj, tuple):    # what max(x, dim) returns: (values, indices)
        if not isinstance(key, int) or isinstance(key, bool):
            raise AgcliError(f"a result of {len(obj)} tensors is indexed by a whole number here, "
                             f"not by {type(key).__name__ if not isinstance(key, slice) else 'a slice'}",
                             kind="type", hint="take one of them: [0] (values) or [1] (indices)")
        if not -len(obj) <= key < len(obj):
            raise AgcliError(f"index {key} is past the {len(obj)} tensors of this result", kind="index",
                             hint="take one of them: [0] (values) or [1] (indices)")
        return obj[key]
    if isinstance(obj, ndarrays.VALUES):       # x.numpy(), np.array(...): NumPy's indexing
        return ndarrays.getitem(obj, key)
    if type(obj) is not Tensor:
        raise AgcliError(f"'{type(obj).__name__}' object is not subscriptable", kind="type")
    return functions.getitem(obj, key)


def getitem_in_expression(obj, key):
    """An expression's x[k]: a list literal is a tensor literal (a program's list stays a
    list: program_items.py); a Python number is not indexed, in agcli's words."""
    if isinstance(obj, list):
        obj = C.as_tensor(obj)
    elif obj is None or isinstance(obj, (int, float, complex)):
        what = "None" if obj is None else f"the number {obj!r}"
        raise AgcliError(f"{what} cannot be indexed", kind="type",
                         hint="only tensors, lists, tuples and strings take [...]")
    return getitem(obj, key)
