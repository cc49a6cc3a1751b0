"""What a program sees of the graph: `.grad_fn` objects (name, next_functions,
what they saved as `_saved_<name>`) and the hooks a program registers on
tensors and on nodes, with PyTorch's checks of what a hook returns.

The engine runs the hooks (engine/hooks.py) on its own gradients (raw arrays,
or tensors when create_graph); the wrappers here show a program's function
tensors and tuples, as PyTorch does, and take its answer back.
"""
from __future__ import annotations

from weakref import WeakKeyDictionary, WeakValueDictionary

from ..engine.backend import asarray, ndarray
from ..engine.backward_messages import SECOND_BACKWARD, modified_message     # (backward's own words for it)
from ..engine.function_node import Parts
from ..engine.hooks import Handle, hooks_of
from ..engine.ops import families
from ..engine.saved import FIELDS, Arg, Result, fields, inputs
from ..engine.tensor import AccumulateGrad, Tensor, fresh, version_of
from ..errors import AgcliError, torch_type_name


_CPP_NODES = frozenset(("CopySlices", "AccumulateGrad", "CopyBackwards", "Identity", "NotImplemented"))
_METADATA = WeakKeyDictionary()     # node -> its grad_fn.metadata


# Ops of which agcli makes a node per output, PyTorch one for all: a piece's place among them
_PIECES = frozenset(("UnbindBackward0", "SplitBackward0", "SplitWithSizesBackward0", "UnsafeSplitBackward0",
                     "UnsafeSplitWithSizesBackward0"))


def _output_number(node) -> int:
    """Which output of its node an input was (next_functions' second number)."""
    number = getattr(node, "index", None)       # (a custom Function's outputs)
    if number is not None:
        return number
    op = getattr(node, "op", None)
    return node.params.get("index", 0) if op is not None and op.name in _PIECES and node.params else 0


class GradFn:
    """What `.grad_fn` gives a program: prints as <MulBackward0 object at 0x...>; one object a node
    while a program holds it, so that `y.grad_fn is z.grad_fn.next_functions[0][0]`."""

    __slots__ = ("node", "__weakref__")
    _alive = WeakValueDictionary()      # id(node) -> its object (which holds the node: the id is its own)

    def __new__(cls, node):
        node = getattr(node, "function", node)     # a custom Function's output: its Port shows the node
        self = cls._alive.get(id(node))
        if self is None:
            self = cls._alive[id(node)] = object.__new__(cls)
            self.node = node
        return self

    @property
    def name(self):
        return self.node.name

    def qualified_name(self) -> str:
        """grad_fn.name(): PyTorch's hand-written C++ nodes are named with their namespace."""
        name = self.node.name
        return f"torch::autograd::{name}" if name in _CPP_NODES else name

    def metadata(self) -> dict:
        """grad_fn.metadata: a dict of the program's own, one a node for as long as the node lives."""
        return _METADATA.setdefault(self.node, {})

    def next_functions(self):
        """One edge per input that has a derivative, as PyTorch lists them: a number
        exponent, a mask, a target or a condition has none (x ** 2 has one edge)."""
        nxt = self.node.next
        return tuple((None if nxt[i] is None else GradFn(nxt[i]), _output_number(nxt[i]))
                     for i in inputs(self.node) if i < len(nxt))

    def __call__(self, *grads):
        """grad_fn(g): each input's gradient by the node's rules (engine/node_call.py)."""
        from ..engine.node_call import call_node
        if len(grads) != 1 or type(grads[0]) is not Tensor:
            raise AgcliError(f"agcli calls a {self.node.name} node with one gradient tensor", kind="type")
        return call_node(self.node, grads[0], inputs(self.node))

    def saved(self, name):
        """grad_fn._saved_<name>: PyTorch's value (a tensor freed by backward is an error)."""
        node = self.node
        field = None if type(node) is AccumulateGrad else fields(node).get(name)
        if field is None:
            raise AgcliError(f"'{node.name}' object has no attribute '_saved_{name}'", kind="attribute")
        if field.tensor and node.released and field.saved(node):
            raise AgcliError(SECOND_BACKWARD)
        value = field.value(node)
        if type(value) is Tensor:
            _check_version(node, field, value)
            if value is getattr(node, "out", None):     # a saved output unpacks as a new tensor of the node
                alias = value.detach()
                alias.grad_fn, alias.requires_grad = value.grad_fn, value.requires_grad
                return alias
        return _as_tensors(value) if field.tensor else value

    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) after the node's rules ran; it may return new grad_inputs."""
        return Handle(hooks_of(self.node).post, _post_hook(hook, self.node))

    def register_prehook(self, hook):
        """hook(grad_outputs) before the node's rules run; it may return new grad_outputs."""
        return Handle(hooks_of(self.node).pre, _pre_hook(hook, _device(self.node)))

    def __eq__(self, other):
        return isinstance(other, GradFn) and other.node is self.node

    def __hash__(self):
        return id(self.node)

    def __repr__(self):
        name = self.node.name
        # (a node of PyTorch's own Python Function, as Dirichlet's: its name has no overload number)
        module = getattr(self.node, "module", "") or ("torch.autograd.function." if name.endswith("Backward") else "")
        return f"<{module}{name} object at {id(self):#x}>"


def _check_version(node, field, t):
    """A saved tensor changed in place since is PyTorch's version error, as backward would raise it."""
    if type(field) not in (Arg, Result):        # (a value computed on the side: no version of its own)
        return
    versions = node.versions or (0,) * (len(node.inputs) + 1)
    at = -1 if type(field) is Result else field.index
    if version_of(t) != versions[at]:
        raise AgcliError(modified_message(node, t, versions[at], node if at == -1 else node.next[at]))


def grad_fn_of(x):
    node = fresh(x).grad_fn if type(x) is Tensor else getattr(x, "grad_fn", None)   # (a view regrows first)
    return None if node is None else GradFn(node)


def saved_names() -> list:
    """Every `_saved_<name>` some node has: the attributes a program may ask for (each family
    adds its nodes' fields to FIELDS as it is imported: all of them are, first)."""
    families()
    return sorted({name for table in FIELDS.values() for name in table})


def saved_attribute(name):
    """The getter of `x._saved_<name>`."""
    def get(fn):
        if not isinstance(fn, GradFn):
            raise AgcliError(f"'{_type_name(fn)}' object has no attribute '_saved_{name}'", kind="attribute")
        return fn.saved(name)
    return get


def _as_tensors(value):
    """A saved value as PyTorch hands it out: numbers PyTorch had wrapped as tensors, and arrays, are tensors."""
    if isinstance(value, tuple):
        return tuple(_as_tensors(v) for v in value)
    if type(value) is ndarray:
        return Tensor(value)
    if type(value) in (int, float, bool):
        return Tensor(asarray(value))
    return value


# ------------------------------------------------------------------ hooks
def register_hook(x, hook):
    """x.register_hook(hook) on a tensor (hook(grad) -> None or a new grad) or on a grad_fn."""
    if isinstance(x, GradFn):
        return x.register_hook(hook)
    if type(x) is not Tensor:
        raise AgcliError(f"'{_type_name(x)}' object has no attribute 'register_hook'", kind="attribute")
    if not x.requires_grad:
        raise AgcliError("cannot register a hook on a tensor that doesn't require gradient")
    # A leaf's hooks sit on its AccumulateGrad, a computed tensor's on its grad_fn (PyTorch's places).
    owner = x.grad_fn if x.grad_fn is not None else x.edge()
    return Handle(hooks_of(owner).tensor, _tensor_hook(hook, x.device))


def register_post_accumulate_grad_hook(x, hook):
    """x.register_post_accumulate_grad_hook(hook): hook(x) once backward has added into x.grad."""
    if type(x) is not Tensor:
        raise AgcliError(f"'{_type_name(x)}' object has no attribute 'register_post_accumulate_grad_hook'",
                         kind="attribute")
    if x.grad_fn is not None:
        raise AgcliError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if not x.requires_grad:
        raise AgcliError("cannot register a hook on a tensor that doesn't require gradient")

    def run(leaf):
        result = _call(hook, leaf)
        if result is not None:
            raise AgcliError(f"expected Variable, but hook returned '{_type_name(result)}'", kind="type")
    return Handle(hooks_of(x.edge()).accumulated, run)


def register_prehook(fn, hook):
    if not isinstance(fn, GradFn):
        raise AgcliError(f"'{_type_name(fn)}' object has no attribute 'register_prehook'", kind="attribute")
    return fn.register_prehook(hook)


def remove(handle):
    if not isinstance(handle, Handle):
        raise AgcliError(f"'{_type_name(handle)}' object has no attribute 'remove'", kind="attribute")
    handle.remove()


def _tensor_hook(hook, device):
    def run(g):
        shown = _shown(g, device)
        result = _call(hook, shown)
        if result is None:
            return g
        _check_single(shown, result, hook)
        return _taken(result, g)
    return run


def _pre_hook(hook, device):
    def run(g):
        shown = _outputs(g, device)
        result = _call(hook, shown)
        if result is None:
            return g
        _check_tuple(shown, result, hook)
        if type(g) is Parts:
            return Parts([old if new is None else _taken(new, old) for old, new in zip(g.grads, result)])
        return g if result[0] is None else _taken(result[0], g)
    return run


def _outputs(g, device) -> tuple:
    """The gradients of a node's outputs as its hooks see them: one, or a custom Function's several
    (engine/function_node.py: Parts; None for an output that got none)."""
    if type(g) is Parts:
        return tuple(None if x is None else _shown(x, device) for x in g.grads)
    return (_shown(g, device),)


def _post_hook(hook, node):
    positions, device = inputs(node), _device(node)

    def run(outs, g):
        grad_inputs = tuple(None if i >= len(outs) or outs[i] is None else _shown(outs[i], device)
                            for i in positions)
        result = _call(hook, grad_inputs, _outputs(g, device))
        if result is None:
            return outs
        _check_tuple(grad_inputs, result, hook)
        outs = list(outs)
        for k, i in enumerate(positions):
            if i < len(outs):
                outs[i] = None if result[k] is None else _taken(result[k], g)
        return outs
    return run


def _device(node):
    t = node.variable if type(node) is AccumulateGrad else node.out
    return getattr(t, "device", "cpu")


def _shown(g, device):
    """The engine's gradient as a program sees it: a tensor."""
    return g if type(g) is Tensor else Tensor(g, device=device)


def _taken(result, like):
    """A hook's answer as the engine wants it: a tensor with create_graph, else its array."""
    return result if type(like) is Tensor else result.data


def _call(hook, *args):
    if not callable(hook):
        raise AgcliError(f"'{_type_name(hook)}' object is not callable", kind="type")
    return hook(*args)


def _hook_name(hook) -> str:
    return getattr(hook, "__name__", None) or getattr(hook, "name", None) or "<unknown>"


def _type_name(v) -> str:
    if type(v) is Tensor:
        return "Tensor"
    if isinstance(v, GradFn):
        return v.name
    return {"UserFunction": "function"}.get(type(v).__name__, type(v).__name__)


def _check_tuple(before, result, hook):
    """PyTorch's checks of what a node's hook returned (python_hook.cpp: check_result)."""
    if not isinstance(result, tuple):
        raise AgcliError(f"expected tuple, but hook returned '{_type_name(result)}'", kind="type")
    if len(result) != len(before):
        raise AgcliError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got "
                         f"{len(result)}, but expected {len(before)})")
    for old, new in zip(before, result):
        if new is not None:
            _check_single(old, new, hook)


def _check_single(before, result, hook):
    """... and of one gradient a hook returned (check_single_result)."""
    if before is None:
        raise AgcliError("can't replace a None gradient with a non-None value")
    if type(result) is not Tensor:
        raise AgcliError(f"expected Variable, but hook returned '{_type_name(result)}'", kind="type")
    if result.data.dtype != before.data.dtype or result.device != before.device:
        raise AgcliError(f"hook '{_hook_name(hook)}' has changed the type of value (was {_tensor_type(before)} "
                         f"got {_tensor_type(result)})")
    if result.data.shape != before.data.shape:
        raise AgcliError(f"hook '{_hook_name(hook)}' has changed the size of value")


def _tensor_type(t) -> str:
    return f"torch.{'cuda.' if t.device != 'cpu' else ''}{torch_type_name(t.data.dtype)}Tensor"
