"""Python's `copy` module in programs: deepcopy (a model to keep its best weights, a state dict)
and copy, for the values a program holds: Python's containers, tensors (leaves only, as PyTorch's
__deepcopy__: a non-leaf is its RuntimeError), nn modules and a program's own objects. Functions,
classes and modules are shared, as Python's deepcopy shares them; anything else is refused in
agcli's words rather than copied by guess."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.tensor import Tensor, ViewOf
from ..errors import AgcliError
from ..torchapi.devices import Device
from ..torchapi.dtypes import DType
from ..torchapi.namespace import Size
from .nn.state_dict import StateDict
from .program_exceptions import raise_python
from .program_functions import UserFunction
from .program_objects import BoundMethod, Builtin, ProgramObject
from .program_values import type_name

# What deepcopy shares, as Python's shares functions, classes and modules (a class marks itself
# `shared_by_copy`: program_modules.py's modules and PyTorch's classes).
_ATOMIC = (type(None), int, float, bool, complex, str, bytes, range, type, DType, Device, UserFunction, Builtin,
           BoundMethod)
_NON_LEAF = ("Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
             "moment.  If you were attempting to deepcopy a module, this may be because of a "
             "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")


def deepcopy(x, memo=None):
    memo = {} if memo is None else memo
    found = memo.get(id(x))
    if found is not None:
        return found
    t = type(x)
    if isinstance(x, _ATOMIC) or isinstance(x, Size) or getattr(t, "shared_by_copy", False):
        return x
    if t is Tensor:
        return _tensor(x, memo)
    if t in (list, dict, set) or isinstance(x, StateDict):
        new = t()
        if isinstance(x, StateDict):
            new.versioned = x.versioned     # (Python's copies keep an OrderedDict's attributes: its _metadata)
        memo[id(x)] = new
        if t is list:
            new.extend(deepcopy(v, memo) for v in x)
        elif t is set:
            new.update(deepcopy(v, memo) for v in x)
        else:
            for k, v in x.items():
                new[deepcopy(k, memo)] = deepcopy(v, memo)
        return new
    if t in (tuple, frozenset):
        new = t(deepcopy(v, memo) for v in x)
        memo[id(x)] = new
        return new
    if isinstance(x, ProgramObject) and not isinstance(x, BaseException):
        new = object.__new__(t)
        memo[id(x)] = new
        new.__dict__.update({k: deepcopy(v, memo) for k, v in x.__dict__.items()})
        return new
    raise AgcliError(f"agcli's copy.deepcopy copies containers, tensors, modules and a program's objects; a "
                     f"'{type_name(x)}' is not provided", kind="not_implemented")


def _tensor(x, memo):
    """A new leaf with a copy of x's values (a Parameter stays one, without its .grad), its
    requires_grad and a deep copy of any other tensor's .grad, as Tensor.__deepcopy__ and
    Parameter.__deepcopy__ make it; a view stays a view of its base's copy (PyTorch copies the
    storage once)."""
    if x.grad_fn is not None:
        raise_python(RuntimeError(_NON_LEAF))
    parameter = getattr(x, "parameter", False)
    within = x.base is not None and (_within(x.data, x.base.data) if B.ON_HOST else
                                     x.view_of is None or x.view_of.base_data is x.base.data)
    if within and B.ON_HOST and x.base.data.flags.c_contiguous:
        new = _view_copy(x, memo)       # (a view, or a tensor sharing another's storage: shared in the copy too)
    elif within and x.is_view:
        raise AgcliError("agcli's copy.deepcopy copies a view of a contiguous tensor on the host only",
                         kind="not_implemented", hint="deep-copy x.clone() instead")
    else:
        new = Tensor(B.copy(x.data), requires_grad=x.requires_grad, device=x.device)
        new.version = 1                 # (PyTorch sets the new storage in: version 1)
    if parameter:
        new.parameter = parameter       # (True, or an UninitializedParameter's mark)
    memo[id(x)] = new
    if x.grad is not None and not parameter:
        new.grad = deepcopy(x.grad, memo)
    return new


def _within(data, base) -> bool:
    """Whether `data` still lies in `base`'s memory (a `.data =` or `.double()` since gives a tensor an
    array of its own, while it keeps its base)."""
    return data.dtype == base.dtype and B.host.may_share_memory(data, base)


def _view_copy(x, memo):
    """x's values as a view of its base's copy, at the same place in it."""
    base = x.base
    new_base = deepcopy(base, memo)
    offset = B.address(x.data) - B.address(base.data)
    data = B.host.ndarray(x.data.shape, dtype=x.data.dtype, buffer=new_base.data, offset=offset,
                          strides=x.data.strides)
    new = Tensor(data, requires_grad=x.requires_grad, device=x.device)
    new.base, new.is_view = new_base, x.is_view
    info = x.view_of
    if info is not None:
        new.view_of = ViewOf(new_base, info.ops, new_base.version, info.grad_mode)
    return new


def copy(x):
    """A shallow copy of a Python container or a program's object (a module's parameter tables are
    shared, as Python's copy.copy shares them); other values are refused (a tensor's copy: clone it)."""
    t = type(x)
    if isinstance(x, StateDict):
        new = t(x)
        new.versioned = x.versioned
        return new
    if t in (list, dict, set):
        return t(x)
    if t in (tuple, frozenset) or isinstance(x, _ATOMIC) or isinstance(x, Size) or getattr(t, "shared_by_copy", False):
        return x
    if isinstance(x, ProgramObject) and not isinstance(x, BaseException):     # (a module: its tables shared)
        new = object.__new__(t)
        new.__dict__.update(x.__dict__)
        return new
    raise AgcliError(f"agcli's copy.copy copies Python's containers and a program's objects; for a "
                     f"'{type_name(x)}' use copy.deepcopy (or .clone() for a tensor)", kind="not_implemented")
