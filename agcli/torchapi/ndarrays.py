"""NumPy values where PyTorch meets them: `x.numpy()`, `torch.from_numpy`,
`torch.as_tensor(array)`, what NumPy makes of a tensor (Tensor.__array__),
a tensor and an array in one operation, NumPy values assigned into a tensor.

A program's NumPy values are host NumPy arrays and NumPy scalars, whatever
the array backend: `x.numpy()` shares the tensor's memory where the backend
keeps it in host memory (backend.host_view), as PyTorch's CPU tensors do,
and `torch.from_numpy(a)` shares the array's (backend.from_host). NumPy's
own errors keep their words and their Python class (`numpy_errors`).
"""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..errors import AgcliError, python_type_name, torch_type_name
from ..state import state
from . import creation as C
from . import devices as D

host = B.host
VALUES = (host.ndarray, host.generic)           # what a program holds from NumPy
# The dtypes a tensor made from an array may have (agcli's; PyTorch also has complex and wider unsigned ones).
_TENSOR_DTYPES = frozenset(("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"))
_SUPPORTED = ("float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, "
              "uint16, uint8, and bool")
# The Python class of an error NumPy raises -> agcli's kind for it (errors.py: python_type).
_KINDS = ((ValueError, "value"), (IndexError, "index"), (TypeError, "type"), (ZeroDivisionError, "zero"),
          (OverflowError, "value"))


def type_name(v) -> str:
    """A value's type as Python's messages name it: 'numpy.ndarray', 'numpy.float32', 'Tensor', 'int',
    'generator' (a program's values name their Python type in `type_name`)."""
    if isinstance(v, VALUES):
        return f"numpy.{type(v).__name__}"
    return python_type_name(v)


def numpy_errors(fn, *args, **kwargs):
    """fn(...), NumPy's errors (and Python's, from NumPy's methods) raised with their words and class."""
    try:
        return fn(*args, **kwargs)
    except AgcliError:
        raise
    except tuple(c for c, _ in _KINDS) as e:
        raise AgcliError(str(e), kind=next(k for c, k in _KINDS if isinstance(e, c))) from None


# ------------------------------------------------------------ tensor -> NumPy
def numpy(x, *, force=False):
    """x.numpy(): the host array behind x (sharing its memory on the host), with PyTorch's checks."""
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type_name(x)}", kind="type")
    if not force:
        if x.device != "cpu":
            raise AgcliError(f"can't convert {x.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                             "the tensor to host memory first.", kind="type")
        if x.requires_grad and state.grad_enabled:
            raise AgcliError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                             "instead.")
    return host.asarray(B.host_view(x.data) if x.device == "cpu" else B.to_host(x.data))


def host_value(v):
    """What NumPy makes of an argument: a tensor by Tensor.__array__ (x.numpy()'s checks), in lists too."""
    if type(v) is Tensor:
        return numpy(v)
    if isinstance(v, (list, tuple)) and any(type(i) is Tensor or isinstance(i, (list, tuple)) for i in v):
        return type(v)(host_value(i) for i in v)
    return v


def as_number(v):
    """A NumPy scalar as the Python number PyTorch takes it for (x * np.float64(2) stays float32)."""
    return v.item() if isinstance(v, host.generic) else v


# ------------------------------------------------------------ NumPy -> tensor
def _checked_dtype(a):
    name = a.dtype.name
    if a.dtype.kind not in "biufc":
        raise AgcliError(f"can't convert np.ndarray of type numpy.{a.dtype.type.__name__}. The only supported "
                         f"types are: {_SUPPORTED}.", kind="type")
    if name not in _TENSOR_DTYPES:
        raise AgcliError(f"agcli's tensors do not hold {a.dtype.name} values", kind="type",
                         hint="convert the array first: a.astype(np.float64)")
    return a


def from_numpy(ndarray):
    """torch.from_numpy(a): a tensor on the array's memory (a copy on a GPU backend)."""
    if not isinstance(ndarray, host.ndarray):
        raise AgcliError(f"expected np.ndarray (got {type_name(ndarray)})", kind="type")
    return Tensor(B.from_host(_checked_dtype(ndarray)))


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: a tensor or an array already of the dtype and on the device is shared
    (the tensor itself; the array as from_numpy does); anything else is copied."""
    if type(data) is Tensor:        # as data.to(dtype, device): the tensor itself, or a recorded copy
        return D.to(data, dtype=dtype, device=device)
    if isinstance(data, host.ndarray):
        _checked_dtype(data)
        same = dtype is None or C.dtype_of(dtype) == data.dtype.name
        if same and (device is None or str(device) == "cpu"):
            return from_numpy(data)
    return C.tensor(data, dtype=dtype, device=device)


def tensor_of(result):
    """A tensor holding what NumPy computed (x + a, np.exp(x)): PyTorch's __array_wrap__."""
    return Tensor(B.from_host(host.asarray(result)))


# -------------------------------------------------------------- indexing
def _host_key(key):
    if isinstance(key, tuple):
        return tuple(_host_key(k) for k in key)
    return numpy(key) if type(key) is Tensor else key


def getitem(a, key):
    """a[key] on a NumPy value: NumPy's indexing and errors (tensor keys as arrays)."""
    return numpy_errors(a.__getitem__, _host_key(key))


def setitem(a, key, value):
    """a[key] = value on a NumPy array: a one-element tensor goes in by float(), a larger one by __array__."""
    if type(value) is Tensor and value.data.size == 1:
        value = B.item(B.xp.reshape(value.data, ()))
    numpy_errors(a.__setitem__, _host_key(key), host_value(value))


def assignable(x, value):
    """value as tensor x[key] = value takes it: PyTorch takes a NumPy scalar that is a Python
    float or an integer (as that number), and no array and no float32."""
    if not isinstance(value, VALUES):
        return value
    if isinstance(value, host.ndarray) or not isinstance(value, (float, host.integer)):
        raise AgcliError(f"can't assign a {type_name(value)} to a torch.{torch_type_name(x.data.dtype)}Tensor",
                         kind="type")
    return value.item()
