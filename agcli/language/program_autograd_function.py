"""torch.autograd.Function in programs: a program's class with static
`forward(ctx, ...)` and `backward(ctx, *grads)`, called through `Fn.apply`.

`apply` runs forward under no_grad with a fresh ctx (program_function_ctx.py),
then, when grad mode is on and a tensor argument requires grad, gives the
outputs a FunctionNode (engine/function_node.py) named `<Fn>Backward` whose
backward is `run_backward` here: it calls the program's backward with the
outputs' gradients (zeros for the missing ones unless
ctx.set_materialize_grads(False)) and checks its answer with PyTorch's words.
The engine does the rest (shapes, dtypes, hooks, retain_graph, create_graph).
"""
from __future__ import annotations

from ..engine.backend import zeros
from ..engine.function_node import FunctionNode, Port
from ..engine.ops.shapes import VIEW
from ..engine.tensor import CUSTOM, SEVERAL, Tensor, apply as apply_op, set_grad_enabled
from ..errors import AgcliError
from ..state import state
from ..torchapi import functions as F
from ..torchapi.func_levels import transforming, vmapping
from .program_function_ctx import ctx_class, keep_saved
from .program_functions import UserFunction
from .program_objects import BoundMethod, ProgramObject, StaticMethod, bind, class_lookup
from .program_values import type_name

LEGACY = ("Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd "
          "function with static forward method. (Example: https://pytorch.org/docs/stable/autograd.html"
          "#torch.autograd.Function)")
NO_FORWARD = "You must implement the forward function for custom autograd.Function."
NO_BACKWARD = ("You must implement either the backward or vjp method for your custom autograd.Function to use it "
               "with backward mode AD.")
NO_JVP = "You must implement the jvp function for custom autograd.Function to use it with forward mode AD."
NO_SETUP = ("In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, jacrev, ...), it must "
            "override the setup_context staticmethod. For more details, please see "
            "https://pytorch.org/docs/main/notes/extending.func.html")
LEAF_DIRTY = "a leaf Variable that requires grad has been used in an in-place operation."


class _Callable:
    """A function of agcli's that a program sees by PyTorch's name (Function.apply)."""

    __slots__ = ("qualname", "fn")
    type_name = "function"

    def __init__(self, qualname, fn):
        self.qualname, self.fn = qualname, fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self):
        return f"<function {self.qualname} at {id(self):#x}>"


class _Method:
    """A method of agcli's on a program's class or object: bound to the class (classmethod) or instance."""

    __slots__ = ("function", "on_class")

    def __init__(self, function, on_class=False):
        self.function, self.on_class = function, on_class

    def get_for(self, instance, owner):
        if self.on_class:
            return BoundMethod(self.function, owner if owner is not None else type(instance))
        return self.function if instance is None else BoundMethod(self.function, instance)


def _refuse(kind, message):
    def fail(*args, **kwargs):
        raise AgcliError(message, kind=kind)
    return fail


def _init(obj, *args, **kwargs):
    state.warn(f"DeprecationWarning: <class '__main__.{type(obj).__qualname__}'> should not be instantiated. "
               f"Methods on autograd functions are all static, so you should invoke them on the class itself. "
               f"Instantiating an autograd function will raise an error in a future version of PyTorch.")


class Function(ProgramObject):
    """torch.autograd.Function: the base of a program's custom autograd functions."""


Function.__module__, Function.__qualname__, Function.__name__ = "torch.autograd.function", "Function", "Function"


def apply(cls, *args, **kwargs):
    """Fn.apply(*args): forward under no_grad, then the outputs' history (a FunctionNode)."""
    forward = bind(class_lookup(cls, "forward"), None, cls)
    setup = class_lookup(cls, "setup_context")
    if setup is _NO_SETUP and transforming():
        raise AgcliError(NO_SETUP)
    if vmapping() and class_lookup(cls, "vmap") is _NO_VMAP and not class_lookup(cls, "generate_vmap_rule"):
        raise AgcliError(f"You tried to vmap over {cls.__name__}, but it does not have vmap support. Please override "
                         "and implement the vmap staticmethod or set generate_vmap_rule=True. For more details, "
                         "please see https://pytorch.org/docs/main/notes/extending.func.html")
    if type(forward) is UserFunction:
        if setup is not _NO_SETUP:
            args, kwargs = _with_defaults(forward, args, kwargs)
        args = _positional(forward, args, kwargs, skip=1 if setup is _NO_SETUP else 0)
    ctx = ctx_class(cls)(args)
    with set_grad_enabled(False):
        if setup is _NO_SETUP:
            result = forward(ctx, *args)
        else:       # forward without ctx, then setup_context(ctx, inputs, output)
            result = forward(*args)
            bind(setup, None, cls)(ctx, args, result)
    tensors = [a for a in args if type(a) is Tensor]
    if state.dual is not None and any(getattr(t, "tangent", None) is not None for t in tensors):
        _give_tangents(cls, ctx, args, result)
    if not (state.grad_enabled and any(t.requires_grad for t in tensors)):
        return result
    several = type(result) is tuple
    outputs = list(result) if several else [result]
    if not any(type(out) is Tensor for out in outputs):
        return result
    outputs = [_own(out, ctx, tensors, several) for out in outputs]
    keep_saved(ctx)
    name = f"{cls.__name__}Backward"
    first = next(out for out in outputs if type(out) is Tensor)
    stand_in = first if not several else Tensor(first.data, device=first.device)   # (no program sees it)
    node = FunctionNode(name, tensors, outputs, stand_in, lambda grads: run_backward(cls, ctx, node, args, grads))
    ctx.node, node.context = node, ctx
    for k, out in enumerate(outputs):
        if type(out) is Tensor and not ctx.is_non_differentiable(out):
            out.grad_fn = Port(node, k, out) if several else node
            out.requires_grad = True
    return tuple(outputs) if several else outputs[0]


def _give_tangents(cls, ctx, args, result):
    """Forward mode: the program's jvp(ctx, tangent of each argument or None) gives each output's;
    a batch of tangents (jacfwd's columns) one row at a time, as a vmap of jvp would."""
    tangents = [None if type(a) is not Tensor or getattr(a, "tangent", None) is None else
                a.tangent if type(a.tangent) is Tensor else Tensor(a.tangent, device=a.device) for a in args]
    batch = next((t.shape[:t.data.ndim - a.data.ndim] for a, t in zip(args, tangents) if t is not None), ())
    outputs = result if type(result) is tuple else (result,)
    if not batch:
        got = _jvp(cls, ctx, tangents)
    else:
        flat = [None if t is None else F.reshape(t, (-1,) + tuple(a.shape)) for a, t in zip(args, tangents)]
        n = next(t for t in flat if t is not None).shape[0]
        per_row = [_jvp(cls, ctx, [None if t is None else F.select(t, 0, b) for t in flat]) for b in range(n)]
        got = tuple(None if type(column[0]) is not Tensor else
                    F.reshape(F.stack(list(column)), tuple(batch) + tuple(out.shape))
                    for column, out in zip(zip(*per_row), outputs))
    for out, t in zip(outputs, got):
        if type(out) is Tensor and type(t) is Tensor:
            state.dual.give(out, t if t.requires_grad else t.data)


def _jvp(cls, ctx, tangents):
    """The program's jvp on one set of tangents: a tuple, one per output."""
    ctx.in_jvp = True
    try:
        got = bind(class_lookup(cls, "jvp"), None, cls)(ctx, *tangents)
    finally:
        ctx.in_jvp = False
    return got if type(got) is tuple else (got,)


def _with_defaults(forward, args, kwargs):
    """forward's arguments with its defaults filled in, positional ones first (PyTorch's
    bind_default_args, for a Function with setup_context)."""
    local = forward.bind(args, kwargs)
    p = forward.params
    positional = tuple(local[name] for name in p.positional) + (tuple(local[p.var]) if p.var else ())
    return positional, {name: local[name] for name in p.kwonly}


def _positional(forward, args, kwargs, skip):
    """The arguments as PyTorch's apply hands them to forward: keyword ones put in their
    parameter's place (after ctx), with its words when they do not fit."""
    if not kwargs:
        return args
    names = forward.params.positional[skip:]
    placed = dict(enumerate(args))
    for key, value in kwargs.items():
        if key not in names:
            raise AgcliError(f"forward() got an unexpected keyword argument '{key}'", kind="type")
        i = names.index(key)
        if i in placed:
            raise AgcliError(f"forward() got multiple values for argument '{key}'", kind="type")
        placed[i] = value
    for i in range(max(placed) + 1):
        if i not in placed:
            raise AgcliError(f"forward() missing required argument: '{names[i]}' (position {i})", kind="type")
    return tuple(placed[i] for i in range(len(placed)))


def _own(out, ctx, inputs, several):
    """An output as apply hands it on: an input returned unchanged becomes a view of it (its
    own history, which in-place ops refuse to change), unless forward changed it in place
    and said so (ctx.mark_dirty)."""
    if type(out) is not Tensor or not any(out is t for t in inputs) or ctx.is_non_differentiable(out):
        return out
    if ctx.is_dirty(out):
        if out.grad_fn is None and out.requires_grad:
            raise AgcliError(LEAF_DIRTY)
        return out
    return own_view(out, several)


def own_view(t, several: bool):
    """A view of t as a custom Function's output: PyTorch's creation meta says so."""
    with set_grad_enabled(False):
        view = apply_op(VIEW, t, shape=t.data.shape)
    view.view_of.grad_mode = SEVERAL if several else CUSTOM
    return view


def run_backward(cls, ctx, node, args, grads):
    """The program's backward on the outputs' gradients -> the gradient of each tensor argument."""
    if ctx.materialize:
        grads = [zeros_of(out) if g is None and type(out) is Tensor else g for g, out in zip(grads, node.outputs)]
    result = bind(class_lookup(cls, "backward"), None, cls)(ctx, *grads)
    answers = result if type(result) is tuple else (result,)
    n = len(args)
    if len(answers) > n and all(a is None for a in answers[n:]):
        answers = answers[:n]       # (PyTorch lets trailing Nones go)
    if len(answers) != n:
        raise AgcliError(f"function {node.name} returned an incorrect number of gradients (expected {n}, "
                         f"got {len(answers)})")
    per_tensor = []
    for i, (a, g) in enumerate(zip(args, answers)):
        if type(a) is not Tensor:
            if g is not None:
                raise AgcliError(f"function {node.name} returned a gradient different than None at position "
                                 f"{i + 1}, but the corresponding forward input was not a Variable")
            continue
        if g is not None and type(g) is not Tensor:
            raise AgcliError(f"expected Variable or None (got {type_name(g)})")
        per_tensor.append(g)
    return per_tensor


def zeros_of(out):
    return Tensor(zeros(out.data.shape, dtype=out.data.dtype), device=out.device)


class OnceDifferentiable:
    """@once_differentiable on a Function's backward: it runs under no_grad; under create_graph its
    answers lead to PyTorch's Error node, whose backward refuses (torch/autograd/function.py)."""

    __slots__ = ("function",)
    type_name = "function"

    def __init__(self, function):
        self.function = function

    def __call__(self, ctx, *args):
        with set_grad_enabled(False):
            outputs = self.function(ctx, *args)
        if not state.grad_enabled or not any(type(a) is Tensor and a.requires_grad for a in args):
            return outputs
        several = type(outputs) is tuple
        fakes = [out if type(out) is not Tensor else Tensor(out.data, requires_grad=True, device=out.device)
                 for out in (outputs if several else (outputs,))]
        inputs = [t for t in fakes if type(t) is Tensor]
        if inputs:
            stand_in = inputs[0] if len(inputs) == 1 else Tensor(inputs[0].data, device=inputs[0].device)
            node = _ErrorNode("Error", inputs, fakes, stand_in, _refuse_twice)
            for k, out in enumerate(inputs):
                out.grad_fn = Port(node, k, out) if len(inputs) > 1 else node
        return tuple(fakes) if several else fakes[0]

    def __repr__(self):
        return repr(self.function)


class _ErrorNode(FunctionNode):
    """PyTorch's C++ Error node (DelayedError's): no module in its repr."""

    __slots__ = ()
    module = ""


def _refuse_twice(grads):
    raise AgcliError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(fn):
    return OnceDifferentiable(fn)


_NO_SETUP = StaticMethod(_Callable("_SingleLevelFunction.setup_context",
                                    _refuse("not_implemented", "setup_context is not implemented.")))

_NO_VMAP = StaticMethod(_Callable("Function.vmap", _refuse("not_implemented", (
    "To use autograd.Function with vmap, you must either override the vmap staticmethod or set "
    "generate_vmap_rule=True."))))

Function._ns = {
    "setup_context": _NO_SETUP,
    "vmap": _NO_VMAP,
    "generate_vmap_rule": False,
    "apply": _Method(_Callable("Function.apply", apply), on_class=True),
    "forward": StaticMethod(_Callable("_SingleLevelFunction.forward", _refuse("not_implemented", NO_FORWARD))),
    "backward": StaticMethod(_Callable("_SingleLevelFunction.backward", _refuse("not_implemented", NO_BACKWARD))),
    "jvp": StaticMethod(_Callable("_SingleLevelFunction.jvp", _refuse("not_implemented", NO_JVP))),
    "__call__": _Method(_refuse("runtime", LEGACY)),
    "__init__": _Method(_init),
}
