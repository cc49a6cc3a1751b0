"""The stateful side of PyTorch's tensor API that programs use (`agcli run`):
backward() and autograd.grad, .grad and .grad_fn, requires_grad_, in-place
methods, index assignment (CopySlices), grad-mode context managers.

Messages and warnings are PyTorch's own words. Warnings go to `state.warn`,
which the CLI points at stderr.
"""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend import kind, xp
from ..engine.tensor import Tensor, fresh, version_of
from ..errors import AgcliError, torch_type_name
from ..state import state
from . import creation as C
from . import functions
from .assignment import setitem  # noqa: F401  (autograd.setitem: x[key] = value)
from .checks import CPP_TYPE_NAMES
from .grads_batched import grad_batched
from .ndarrays import type_name
from .nodes import GradFn, grad_fn_of     # (what programs' .grad_fn gives: nodes.py)

NON_LEAF_GRAD = (
    "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be "
    "populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
    "Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information.")

# Per backward pass under way, innermost last: was it given `inputs` (autograd.grad, backward(inputs=))? A
# reentrant checkpoint's node refuses to run in such a pass (PyTorch's _is_checkpoint_valid).
_SELECTIVE = []


def checkpoint_valid() -> bool:
    return not (_SELECTIVE and _SELECTIVE[-1])


FLOAT_WITH_GRAD = ("UserWarning: Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                   "behavior.\nConsider using tensor.detach() first.")


def warn(message: str):
    state.warn(message)


def _tensor(x, what="tensor"):
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type(x).__name__}", kind="type")
    return x


# ------------------------------------------------------------- attributes
def get_grad(x):
    x = _tensor(x)
    if x.grad_fn is not None and not getattr(x, "retains_grad", False) and x.grad is None:
        warn(NON_LEAF_GRAD)     # (only when it has none: TensorBase::grad)
    return x.grad


def set_grad(x, value):
    x = _tensor(x)
    if value is not None:
        if type(value) is not Tensor:
            raise AgcliError("assigned grad expected to be a Tensor or None but got grad of type "
                             f"{type(value).__name__}", kind="type")
        if value.dtype != x.dtype:
            raise AgcliError(_GRAD_DTYPE.format(CPP_TYPE_NAMES.get(B.dtype_name(value.dtype)),
                                                torch_type_name(x.dtype)))
        if value.shape != x.shape:
            raise AgcliError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                             f"'{list(x.shape)}'. Please ensure that the gradient and the tensor are the same size",
                             kind="runtime")
    x.grad = value


_GRAD_DTYPE = ("attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The gradient "
               "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
               "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
               "caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that "
               "assume they match.")


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
    if type(value) is not Tensor:
        raise AgcliError(f"Variable data has to be a tensor, but got {type_name(value)}", kind="type")
    data = value.data
    if x.requires_grad and kind(data.dtype) not in "fc":
        raise AgcliError("data set to a tensor that requires gradients must be floating point or complex dtype")
    x.data = data
    state.data_swaps += 1       # (its version stays: a graph that saved x reads the new data, as PyTorch's)


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
    if type(requires_grad) is not bool:
        raise AgcliError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                         f"{type(requires_grad).__name__}", kind="type")
    set_requires_grad(x, requires_grad, spelling="method")
    return x


def retain_grad(x):
    x = _tensor(x)
    if not x.requires_grad:
        raise AgcliError("can't retain_grad on Tensor that has requires_grad=False")
    if x.grad_fn is None:
        return None
    x.retains_grad = True
    return None


def detach_(x):
    x = _tensor(x)
    if x.is_view:
        raise AgcliError("Can't detach views in-place. Use detach() instead. If you are using "
                         "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
                         "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
                         "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
                         "torch/optim/optimizer.py as the solution.")
    x.grad_fn = None
    x.requires_grad = False
    return x


def item(x):
    a = functions.data(_tensor(x))
    if a.size != 1:
        raise AgcliError(f"a Tensor with {a.size} elements cannot be converted to Scalar")
    return B.item(xp.reshape(a, ()))


def python_float(x):
    """float(x) (Tensor.__float__): x's item, with PyTorch's warning when x requires grad."""
    if x.requires_grad:
        warn(FLOAT_WITH_GRAD)
    return item(x)


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
        raise AgcliError(f"Boolean value of Tensor with {'no values' if x.data.size == 0 else 'more than one value'}"
                         " is ambiguous")
    return bool(xp.reshape(x.data, ()))


# ----------------------------------------------------------- backward/grad
def backward(x, gradient=None, retain_graph=None, create_graph=False, inputs=None, also=()):
    """x.backward(...); also: more (tensor, gradient) pairs, in the same pass (autograd.backward's list)."""
    from ..engine.backward import backward as run_backward
    x = fresh(_tensor(x))           # a view whose base changed in place: from its history now
    also = [(fresh(_tensor(t)), g) for t, g in also]
    if retain_graph is None:
        retain_graph = create_graph
    gradient, = _gradients(gradient, 1)
    inputs = None if inputs is None else _as_list(inputs)      # (once: model.parameters() is a generator)
    if inputs is not None and not inputs:
        raise AgcliError("`inputs` argument to `backward()` cannot be empty.")
    for t in inputs or ():
        _an_input(t)
    if create_graph:
        warn("UserWarning: Using backward() with create_graph=True will create a reference cycle between "
             "the parameter and its gradient which can cause a memory leak. We recommend using "
             "autograd.grad when creating the graph to avoid this. If you have to use this function, make "
             "sure to reset the .grad fields of your parameters to None after use to break the cycle and "
             "avoid the leak.")
    _SELECTIVE.append(inputs is not None)
    try:
        run_backward(x, gradient, retain_graph=bool(retain_graph), create_graph=bool(create_graph),
                     inputs=inputs, retain_grads=True, also=also)
    finally:
        _SELECTIVE.pop()
    return None


def autograd_backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    tensors = _as_list(tensors)
    grads = _gradients(grad_tensors, len(tensors))
    if tensors:     # (one pass over several roots, as PyTorch's)
        backward(tensors[0], grads[0], retain_graph=retain_graph, create_graph=create_graph, inputs=inputs,
                 also=list(zip(tensors[1:], grads[1:])))
    return None


def autograd_grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
                  allow_unused=None, is_grads_batched=False, materialize_grads=False):
    if materialize_grads and allow_unused is False:
        raise AgcliError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.", kind="value")
    if allow_unused is None:
        allow_unused = materialize_grads
    if type(inputs) is dict:        # PyTorch's answer is then a dict of the same keys
        found = autograd_grad(outputs, list(inputs.values()), grad_outputs, retain_graph, create_graph,
                              allow_unused=allow_unused, is_grads_batched=is_grads_batched,
                              materialize_grads=materialize_grads)
        return dict(zip(inputs.keys(), found))
    inputs = _as_list(inputs)      # (once: a generator, model.parameters(), is read only once)
    if not inputs:
        raise AgcliError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warn("FutureWarning: only_inputs argument is deprecated and is ignored now (defaults to True). To "
             "accumulate gradient for other parts of the graph, please use torch.autograd.backward.")
    if is_grads_batched:
        outs = [_tensor(t) for t in _as_list(outputs)]
        found = grad_batched(_grad, outs, inputs, _gradients(grad_outputs, len(outs)), retain_graph, create_graph,
                             allow_unused)
    else:
        found = _grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    if materialize_grads:
        return tuple(C.zeros_like(t, requires_grad=bool(create_graph)) if g is None else g
                     for g, t in zip(found, inputs))
    return found


def _grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused):
    from ..engine.backward import backward as run_backward
    outs = [fresh(t) if type(t) is Tensor else t for t in _as_list(outputs)]
    ins = [fresh(t) if type(t) is Tensor else t for t in _as_list(inputs)]
    gos = _gradients(grad_outputs, len(outs))
    if retain_graph is None:
        retain_graph = create_graph
    if any(type(out) is not Tensor for out in outs):        # (_make_grads's check)
        raise AgcliError("Expected output to be a torch.Tensor", kind="assert")
    for i, out in enumerate(outs):      # (the outputs first, as PyTorch's engine checks them)
        if not out.requires_grad:
            raise AgcliError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    for t in ins:
        if not _an_input(t).requires_grad:
            raise AgcliError("One of the differentiated Tensors does not require grad")
    _SELECTIVE.append(True)
    try:        # (one pass over several roots, as PyTorch's; .retain_grad() as in PyTorch; none: nothing found)
        found = run_backward(_tensor(outs[0]), gos[0], retain_graph=bool(retain_graph),
                             create_graph=bool(create_graph), inputs=ins, accumulate=False, retain_grads=True,
                             also=[(_tensor(out), go) for out, go in zip(outs[1:], gos[1:])]) if outs else {}
    finally:
        _SELECTIVE.pop()
    totals = {id(leaf): g for leaf, g in found.items()}
    result = []
    for i, t in enumerate(ins):
        g = totals.get(id(t))
        if g is None and not allow_unused:
            raise AgcliError(_unused(i))
        result.append(g)
    return tuple(result)


def _gradients(grads, count: int) -> list:
    """grad_tensors / grad_outputs / backward's gradient as PyTorch reads them: None, a
    tensor, or an iterable of tensors and Nones, one per output (extra ones are ignored)."""
    if grads is None:
        return [None] * count
    if type(grads) is Tensor:
        grads = [grads]
    elif not isinstance(grads, (list, tuple, str, B.ndarray)):
        raise AgcliError(f"'{type(grads).__name__}' object is not iterable", kind="type")
    grads = list(grads)[:count]
    for g in grads:
        if g is not None and type(g) is not Tensor:
            raise AgcliError(f"gradients can be either Tensors or None, but got {type(g).__name__}", kind="type")
    if len(grads) < count:
        raise AgcliError(f"got {count} tensors and {len(grads)} gradients")
    return grads


def _unused(index):
    return (f"The differentiated Tensor at index {index} appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.")


def _an_input(t):
    if type(t) is not Tensor:       # (the engine's words)
        raise AgcliError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
    return t


def _as_list(v):
    """A tensor, or any iterable of them (model.parameters(): a generator), as PyTorch's tuple(inputs)."""
    if isinstance(v, (list, tuple)):
        return list(v)
    if type(v) is Tensor:
        return [v]
    if hasattr(v, "__iter__"):
        return list(v)
    raise AgcliError(f"'{type(v).__name__}' object is not iterable", kind="type")
