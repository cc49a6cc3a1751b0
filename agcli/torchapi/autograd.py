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
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply_in_place, bump_version
from ..errors import AgcliError
from ..state import state
from . import creation as C
from . import functions
from .in_place import before, check_view_in_place

NON_LEAF_GRAD = (
    "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be "
    "populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
    "Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more informations.")


def warn(message: str):
    state.warn(message)


def _tensor(x, what="tensor"):
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type(x).__name__}", kind="type")
    return x


# ------------------------------------------------------------- grad_fn view
class GradFn:
    """What `.grad_fn` gives a program: prints as <MulBackward0 object>."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    @property
    def name(self):
        return self.node.name

    def next_functions(self):
        out = []
        for nxt in self.node.next:
            out.append((None if nxt is None else GradFn(nxt), 0))
        return tuple(out)

    def __eq__(self, other):
        return isinstance(other, GradFn) and other.node is self.node

    def __hash__(self):
        return id(self.node)

    def __repr__(self):
        return f"<{self.node.name} object>"


def grad_fn_of(x):
    node = getattr(x, "grad_fn", None)
    return None if node is None else GradFn(node)


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
    if flag and kind(x.data.dtype) != "f":
        raise AgcliError("only Tensors of floating point dtype can require gradients" if spelling == "method"
                         else "only Tensors of floating point and complex dtype can require gradients")
    if not flag and x.grad_fn is not None:
        raise AgcliError("you can only change requires_grad flags of leaf variables. If you want to use a "
                         "computed variable in a subgraph that doesn't require differentiation use "
                         "var_no_grad = var.detach().")
    x.requires_grad = flag


def set_data(x, value):
    x = _tensor(x)
    x.data = C.as_tensor(value).data
    bump_version(x)


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


def numpy(x):
    x = _tensor(x)
    if x.requires_grad:
        raise AgcliError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    # On NumPy it shares memory with the tensor, as in PyTorch; a device's array comes to the host.
    return B.to_host(x.data)


def truth(x):
    """bool(x), as `if x:` and `while x:` ask."""
    if type(x) is not Tensor:
        return bool(x)
    if x.data.size != 1:
        raise AgcliError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(xp.reshape(x.data, ()))


# ----------------------------------------------------- index assignment
def setitem(x, key, value):
    if isinstance(x, B.host_ndarray):     # what .numpy() gave: NumPy's own semantics
        value = functions.data(value)
        x[tuple(B.to_host(k) if type(k) is B.ndarray else k for k in _plain_key(key))] = \
            B.to_host(value) if type(value) is B.ndarray else value
        return
    x = _tensor(x)
    v = value if type(value) is Tensor else C.as_tensor(value)
    records = state.grad_enabled and (v.requires_grad or x.requires_grad)
    if records and x.requires_grad and x.grad_fn is None:
        raise AgcliError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if state.grad_enabled and x.is_view:
        check_view_in_place(x, records)
    plain_key = functions.checked_key(x, _plain_key(key))
    try:
        if not records:
            B.setitem(x.data, plain_key, v.data)
            bump_version(x)
            return
        advanced = any(type(k) is B.ndarray for k in plain_key)
        apply_in_place(S.INDEX_PUT if advanced else S.COPY_SLICES, x, before(x), v, key=plain_key)
    except (ValueError, IndexError) as e:
        raise AgcliError(str(e), kind="shape") from None


def _plain_key(key):
    if not isinstance(key, tuple):
        key = (key,)
    return tuple(k.data if type(k) is Tensor else k for k in key)


# ----------------------------------------------------------- backward/grad
def backward(x, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    from ..engine.backward import backward as run_backward
    x = _tensor(x)
    if retain_graph is None:
        retain_graph = create_graph
    if gradient is not None:
        gradient = C.as_tensor(gradient)
    if create_graph:
        warn("UserWarning: Using backward() with create_graph=True will create a reference cycle between "
             "the parameter and its gradient which can cause a memory leak. We recommend using "
             "autograd.grad when creating the graph to avoid this. If you have to use this function, make "
             "sure to reset the .grad fields of your parameters to None after use to break the cycle and "
             "avoid the leak.")
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
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    gos = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if retain_graph is None:
        retain_graph = create_graph
    for t in ins:
        if not _tensor(t).requires_grad:
            raise AgcliError("One of the differentiated Tensors does not require grad")
    totals = {}
    for out, go in zip(outs, gos):
        found = run_backward(_tensor(out), None if go is None else C.as_tensor(go),
                             retain_graph=bool(retain_graph), create_graph=bool(create_graph),
                             inputs=ins, accumulate=False)
        for leaf, g in found.items():
            totals[id(leaf)] = g if id(leaf) not in totals else totals[id(leaf)] + g
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
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]
