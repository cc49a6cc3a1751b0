"""An integer tensor where PyTorch takes an int (torch/csrc/utils/python_arg_parser.cpp): Tensor.__index__
reads an integer or bool tensor of one element, of any rank; the parser takes an `int` parameter (INT64)
from a 0-d integer tensor only (not bool, not one that requires grad), and an element of a `tuple of ints`
(or the one int an IntArrayRef[N] takes) from any tensor with __index__ (THPUtils_checkIndex); a Number
or float one from a 0-d tensor that requires no grad, as its item. Here, once for every function whose
signatures agcli records: the call agcli makes gets the numbers."""
from __future__ import annotations

from ..engine.backend import item, kind
from ..engine.tensor import Tensor
from ..errors import AgcliError
from .subscripts import tensor_index

# the NumPy names PyTorch's parser takes for its own (sum(x, axis=0))
NUMPY_NAMES = {"dim": ("axis",), "keepdim": ("keepdims",), "input": ("x", "a", "x1"), "other": ("x2",)}
def is_int_tensor(v) -> bool:
    """ParameterType::INT64's check of a tensor: 0-d, an integer dtype (not bool), not requiring grad."""
    return type(v) is Tensor and v.data.ndim == 0 and kind(v.data.dtype) in "iu" and not v.requires_grad


def _as_int(v, symint=False):
    if type(v) is not Tensor:
        return v
    if symint and kind(v.data.dtype) == "b":        # (a SymInt reads the tensor's Scalar, which must be integral)
        raise AgcliError("Expected scalar.isIntegral( false) to be true, but got false.  (Could this error message "
                         "be improved?  If so, please report an enhancement request to PyTorch.)")
    return tensor_index(v)


def _ints(param, v):
    kind_ = param.kind
    if kind_ == "int":
        return _as_int(v, param.symint)
    if kind_ in ("Number", "float") and type(v) is Tensor:      # (a Scalar or double: the 0-d tensor's item)
        return float(item(v.data)) if kind_ == "float" else item(v.data)
    if kind_ == "tuple of ints":
        if type(v) in (list, tuple) and any(type(e) is Tensor for e in v):
            return type(v)(_as_int(e, param.symint) for e in v)
        return _as_int(v, param.symint)
    return v


def holds_tensor(v) -> bool:
    return type(v) is Tensor or type(v) in (list, tuple) and any(type(e) is Tensor for e in v)


def with_ints(sig, args, kwargs):
    """(args, kwargs) of a call the parser bound to `sig`, each tensor an int parameter took as its int
    (args and kwargs themselves where it took none: the same objects)."""
    params = sig.params
    if not any(holds_tensor(a) for a in args) and not any(holds_tensor(v) for v in kwargs.values()):
        return args, kwargs
    if sig.max_pos_args == 1 and params[0].kind == "tuple of ints" and len(args) > 1:     # view(2, t): the size
        return _ints(params[0], args), kwargs
    positional = [p for p in params if not p.keyword_only]
    taken = tuple(_ints(p, a) for p, a in zip(positional, args)) + tuple(args[len(positional):])
    if any(t is not a for t, a in zip(taken, args)):
        args = taken
    if kwargs:
        named = {alias: p for p in params for alias in (p.name, *NUMPY_NAMES.get(p.name, ()))}
        taken = {k: _ints(named[k], v) if k in named else v for k, v in kwargs.items()}
        if any(taken[k] is not v for k, v in kwargs.items()):
            kwargs = taken
    return args, kwargs


# agcli's names of the int parameters of functions whose signatures agcli does not record (F.softmax reads its
# dim as the method softmax does, F.one_hot its num_classes as an `int`)
_INT_NAMES = frozenset(("dim", "dim0", "dim1", "dim2", "start_dim", "end_dim", "k", "num_classes", "num_samples",
                        "diagonal", "offset", "chunks", "steps", "dimension", "step"))


def by_names(fn, is_method, n_args, kw_names):
    """For a function without recorded signatures: (args, kwargs) -> the same, a 0-d integer tensor given to
    one of its int parameters (by agcli's name) as its int; None where the call gives none of them."""
    import inspect
    try:
        params = list(inspect.signature(fn).parameters.values())[int(is_method):]
    except (TypeError, ValueError):
        return None
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    positions = [i for i, name in enumerate(names[:n_args]) if name in _INT_NAMES]
    keywords = [k for k in kw_names if k in _INT_NAMES]
    if not positions and not keywords:
        return None

    def converted(args, kwargs):
        if any(is_int_tensor(args[i]) for i in positions) or any(is_int_tensor(kwargs[k]) for k in keywords):
            args = tuple(tensor_index(a) if i in positions and is_int_tensor(a) else a for i, a in enumerate(args))
            kwargs = {k: tensor_index(v) if k in keywords and is_int_tensor(v) else v for k, v in kwargs.items()}
        return args, kwargs
    return converted
