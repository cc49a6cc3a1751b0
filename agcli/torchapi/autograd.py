"""The stateful side of PyTorch's tensor API that programs use (`agcli run`):
backward() and autograd.grad, .grad and .grad_fn, requires_grad_, in-place
methods, index assignment (CopySlices), grad-mode context managers.

Messages and warnings are PyTorch's own words. Warnings go to `state.warn`,
which the CLI points at stderr.
"""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.backward import release
from ..engine.forward import tangent_of
from ..engine.ops import shapes as S
from ..engine.ops import writes as W
from ..engine.tensor import Tensor, apply, bump_version, fresh, version_of
from ..errors import AgcliError
from ..state import state
from . import creation as C
from . import functions
from .in_place import become, before, check_assignment
from .nodes import GradFn, grad_fn_of     # (what programs' .grad_fn gives: nodes.py)

NON_LEAF_GRAD = (
    "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be "
    "populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
    "Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. (Triggered internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")

FLOAT_OF_GRAD = (
    "UserWarning: Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)")


def warn(message: str):
    state.warn(message)


def warn_once(message: str):
    """TORCH_WARN_ONCE: the first time in a run only."""
    if message not in state.warned_once:
        state.warned_once.add(message)
        state.warn(message)


def scalar_of(x):
    """float(x): x's one value, with PyTorch's (once a run) warning when x requires grad."""
    if x.requires_grad:
        warn_once(FLOAT_OF_GRAD)
    return item(x)


def _tensor(x, what="tensor"):
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type(x).__name__}", kind="type")
    return x


# ------------------------------------------------------------- attributes
def get_grad(x):
    x = _tensor(x)
    if x.grad_fn is not None and not getattr(x, "retains_grad", False):
        warn(NON_LEAF_GRAD)
    return x.grad


def set_grad(x, value):
    x = _tensor(x)
    if value is not None:
        value = C.as_tensor(value)
        if value.shape != x.shape:
            raise AgcliError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                             f"'{list(x.shape)}'. Please ensure that the gradient and the tensor are the same size",
                             kind="runtime")
    x.grad = value


def set_requires_grad(x, flag, spelling="attribute"):
    x = _tensor(x)
    if spelling == "attribute" and not isinstance(flag, bool):
        raise AgcliError("requires_grad must be a bool")
    flag = bool(flag)
    if flag and version_of(x) is None and not state.inference_mode:
        raise AgcliError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
    if flag and kind(x.data.dtype) != "f":
        raise AgcliError("only Tensors of floating point dtype can require gradients" if spelling == "method"
                         else "only Tensors of floating point and complex dtype can require gradients")
    # (the attribute refuses any change on a non-leaf, even to True; requires_grad_() only False)
    if x.grad_fn is not None and (not flag or spelling == "attribute"):
        hint = "" if flag else (" If you want to use a computed variable in a subgraph that doesn't require "
                                "differentiation use var_no_grad = var.detach().")
        raise AgcliError("you can only change requires_grad flags of leaf variables." + hint)
    x.requires_grad = flag


def set_data(x, value):
    x = _tensor(x)
    x.data = C.as_tensor(value).data
    bump_version(x)


def variable(data, requires_grad=False, volatile=False):
    """The legacy `Variable(t, requires_grad=...)`: t's storage and version, a leaf of its own."""
    if type(data) is not Tensor:
        raise AgcliError(f"Variable data has to be a tensor, but got {type(data).__name__}", kind="type")
    if volatile:
        warn("UserWarning: volatile was removed and now has no effect. Use `with torch.no_grad():` instead.")
    if requires_grad and kind(data.data.dtype) != "f":
        raise AgcliError("Only Tensors of floating point and complex dtype can require gradients")
    alias = data.detach()
    alias.requires_grad = bool(requires_grad)
    return alias


# ---------------------------------------------------------------- methods
def requires_grad_(x, requires_grad=True):
    set_requires_grad(x, requires_grad, spelling="method")
    return x


def retain_grad(x):
    x = _tensor(x)
    if x.grad_fn is None:
        return None
    x.retains_grad = True
    return None


def detach_(x):
    x = _tensor(x)
    x.grad_fn = None
    x.requires_grad = False
    return x


def item(x):
    a = functions.data(_tensor(x))
    if a.size != 1:
        raise AgcliError(f"a Tensor with {a.size} elements cannot be converted to Scalar")
    return B.item(xp.reshape(a, ()))


def tolist(x):
    return B.tolist(functions.data(_tensor(x)))


def truth(x):
    """bool(x), as `if x:` and `while x:` ask."""
    if type(x) is not Tensor:
        try:
            return bool(x)
        except ValueError as e:     # a NumPy array of several values: NumPy's ValueError
            raise AgcliError(str(e), kind="value") from None
    if x.data.size != 1:
        raise AgcliError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(xp.reshape(x.data, ()))


# ----------------------------------------------------- index assignment
def setitem(x, key, value):
    x = _tensor(x)
    v = value if type(value) is Tensor else C.as_tensor(value)
    plain_key = functions.checked_key(x, _plain_key(key))
    advanced = any(type(k) is B.ndarray or isinstance(k, list) for k in plain_key)
    check_assignment(x, key, plain_key, advanced, v)
    try:
        dual = state.dual is not None and (tangent_of(v) is not None or tangent_of(x) is not None)
        if not (state.grad_enabled and (v.requires_grad or x.requires_grad) or dual):
            B.setitem(x.data, plain_key, v.data)
            bump_version(x)
            return
        become(x, apply(S.INDEX_PUT if advanced else W.ASSIGN, before(x), v, key=plain_key))
    except (ValueError, IndexError) as e:
        raise AgcliError(str(e), kind="shape") from None


def _plain_key(key):
    if not isinstance(key, tuple):
        key = (key,)
    return tuple(k.data if type(k) is Tensor else k for k in key)


# ----------------------------------------------------------- backward/grad
def backward(x, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    from ..engine.backward import backward as run_backward
    x = fresh(_tensor(x))           # a view whose base changed in place: from its history now
    if retain_graph is None:
        retain_graph = create_graph
    if gradient is not None:
        gradient = C.as_tensor(gradient)
    if create_graph:
        warn_once("UserWarning: Using backward() with create_graph=True will create a reference cycle between "
             "the parameter and its gradient which can cause a memory leak. We recommend using "
             "autograd.grad when creating the graph to avoid this. If you have to use this function, make "
             "sure to reset the .grad fields of your parameters to None after use to break the cycle and "
             "avoid the leak. (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)")
    run_backward(x, gradient, retain_graph=bool(retain_graph), create_graph=bool(create_graph),
                 inputs=None if inputs is None else _as_list(inputs), retain_grads=True)
    return None


def autograd_backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    for t, g in zip(tensors, grads):
        backward(t, g, retain_graph=retain_graph if len(tensors) == 1 else True, create_graph=create_graph,
                 inputs=inputs)
    if len(tensors) > 1 and not (create_graph if retain_graph is None else retain_graph):
        release([t.grad_fn for t in tensors if type(t) is Tensor])     # one pass over several roots, as PyTorch
    return None


def autograd_grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
                  allow_unused=None):
    from ..engine.backward import backward as run_backward
    outs = [fresh(t) if type(t) is Tensor else t for t in _as_list(outputs)]
    ins = [fresh(t) if type(t) is Tensor else t for t in _as_list(inputs)]
    gos = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if retain_graph is None:
        retain_graph = create_graph
    for t in ins:
        if not _tensor(t).requires_grad:
            raise AgcliError("One of the differentiated Tensors does not require grad")
    totals = {}
    several = len(outs) > 1     # one pass over several roots, as PyTorch: keep the graph until the last
    for out, go in zip(outs, gos):
        found = run_backward(_tensor(out), None if go is None else C.as_tensor(go),
                             retain_graph=bool(retain_graph) or several, create_graph=bool(create_graph),
                             inputs=ins, accumulate=False)
        for leaf, g in found.items():
            totals[id(leaf)] = g if id(leaf) not in totals else totals[id(leaf)] + g
    if several and not retain_graph:
        release([t.grad_fn for t in outs if type(t) is Tensor])
    result = []
    for i, t in enumerate(ins):
        g = totals.get(id(t))
        if g is None and not allow_unused:
            raise AgcliError(_unused(i))
        result.append(g)
    return tuple(result)


def _unused(index):
    return (f"The differentiated Tensor at index {index} appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.")


def _as_list(v):
    """A tensor, or any iterable of them (model.parameters(): a generator), as PyTorch's tuple(inputs)."""
    if isinstance(v, (list, tuple)):
        return list(v)
    if type(v) is not Tensor and hasattr(v, "__iter__"):
        return list(v)
    return [v]
