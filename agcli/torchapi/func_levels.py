"""What the torch.func transforms share (func.py, func_forward.py, func_vmap.py):
trees of tensors, argnums, each transform's level of its own tensors, and the
Jacobian by reverse mode.

PyTorch's functorch runs each transform at a level of its own and unwraps its
results to the level outside. On agcli's tape the same comes out of:
- each differentiated argument becomes a tensor of the transform's own: a view
  of it (ViewBackward0, so that gradients still reach an outer transform's
  tensor) when it requires grad, else a detached leaf that requires grad — never
  the argument itself, so `grad(lambda x: grad(lambda y: x * y)(x))` keeps x
  and y apart, as functorch's levels do;
- the gradients are taken with create_graph (functorch always differentiates
  "create_graph=True"), so an outer transform can differentiate them again;
- a result keeps its graph only when it reaches a tensor from outside the
  transform (an outer transform's, or the program's own that requires grad);
  otherwise it is detached, as unwrapping gives a plain tensor (inside jacfwd,
  keeping its tangent: `cut`).
"""
from __future__ import annotations

from functools import wraps

from ..engine import backend as B
from ..engine.forward import tangent_of
from ..engine.tensor import AccumulateGrad, Tensor, set_grad_enabled
from ..errors import AgcliError
from ..state import state
from . import creation as C
from . import functions as F
from .autograd import autograd_grad


def python_type(value) -> str:
    """type(value) as Python prints it: <class 'torch.Tensor'>, <class 'int'>."""
    if type(value) is Tensor:
        return "<class 'torch.Tensor'>"
    if value is None:
        return "<class 'NoneType'>"
    name = type(value).__name__
    return f"<class '{name}'>" if type(value).__module__ == "builtins" else \
        f"<class '{type(value).__module__}.{name}'>"


def standard_basis(tensors, numels):
    """PyTorch's _construct_standard_basis_for: per tensor a (total, numel) block of
    one identity matrix of size total, split by columns."""
    from ..engine import backend as B
    total = sum(numels)
    identity = B.eye(total, dtype=tensors[0].data.dtype)
    chunks, start = [], 0
    for tensor, numel in zip(tensors, numels):
        chunks.append(Tensor(B.copy(identity[:, start:start + numel]), device=tensor.device))
        start += numel
    return tuple(chunks)


def _runtime(message):
    return AgcliError(message, kind="runtime")


def _value_error(message):
    return AgcliError(message, kind="value")


def float_primal(x):
    """x, refused as fwAD.make_dual refuses a primal that cannot carry a tangent (jvp, jacfwd)."""
    if type(x) is Tensor and B.kind(x.data.dtype) != "f":
        raise _value_error(f"Expected primal to be floating point or complex, but got: torch.{B.dtype_name(x.dtype)}")
    return x


def name_of(func) -> str:
    """func.__name__, as functorch's messages name it (a program's lambda: <lambda>)."""
    name = getattr(func, "__name__", None) or getattr(func, "name", None)
    return name if isinstance(name, str) else type(func).__name__


# ------------------------------------------------------------------ trees
def flatten(tree):
    """(the tensors of a tensor / tuple / list tree, how to rebuild it from them)."""
    if isinstance(tree, (tuple, list)):
        parts = [flatten(x) for x in tree]
        leaves = [leaf for part_leaves, _ in parts for leaf in part_leaves]
        kind = type(tree)

        def rebuild(values):
            out, i = [], 0
            for part_leaves, part_rebuild in parts:
                out.append(part_rebuild(values[i:i + len(part_leaves)]))
                i += len(part_leaves)
            if hasattr(tree, "fields"):     # a named tuple of PyTorch's (torch.return_types): its name kept
                return kind(out, tree.function, tree.fields)
            return kind(out)
        return leaves, rebuild
    if type(tree) is dict:      # (its values in order, as PyTorch's pytree: functional_call's parameters)
        keys = list(tree)
        leaves, rebuild_values = flatten(list(tree.values()))
        return leaves, lambda values: dict(zip(keys, rebuild_values(values)))
    return [tree], (lambda values: values[0])


def spec_text(tree) -> str:
    """PyTorch's treespec_pprint of a tree's structure: * for each leaf."""
    if isinstance(tree, tuple):
        parts = [spec_text(x) for x in tree]
        return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"
    if isinstance(tree, list):
        return f"[{', '.join(spec_text(x) for x in tree)}]"
    if type(tree) is dict:
        return "{" + ", ".join(f"{k!r}: {spec_text(v)}" for k, v in tree.items()) + "}"
    return "*"


def _tree_map(fn, tree):
    leaves, rebuild = flatten(tree)
    return rebuild([fn(x) for x in leaves])


def split_aux(output, has_aux, api):
    """(output, aux) of what func returned: with has_aux, the pair it must be.
    `api` words the error as the transform's own (PyTorch's text)."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise _runtime(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    _only_tensors(output[1])
    return output[0], output[1]


def _only_tensors(aux):
    """functorch unwraps aux's leaves as tensors (a None too): anything else is refused."""
    if isinstance(aux, (tuple, list, dict)):
        for part in aux.values() if type(aux) is dict else aux:
            _only_tensors(part)
    elif type(aux) is not Tensor:
        raise _runtime(f"Expected tensors, got unsupported type {python_type(aux)}")


def flatten_outputs(output, api):
    """(func's output tensors, how to rebuild the tree): only tensors may be in it."""
    flat_out, rebuild_out = flatten(output)
    for o in flat_out:
        if type(o) is not Tensor:
            raise _runtime(f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                           f"{python_type(o)}")
    return flat_out, rebuild_out


# ------------------------------------------------------------------ levels
class Level:
    """One transform's own tensors: what its results are unwrapped from."""

    def __init__(self):
        self.own = set()        # ids of the leaves it made

    def differentiable(self, x):
        """The transform's tensor for argument x."""
        if type(x) is not Tensor:
            raise _value_error(f"Thing passed to transform API must be Tensor, got {python_type(x)}")
        if x.requires_grad:
            return F.view(x, x.shape)
        if B.kind(x.data.dtype) != "f":     # (functorch: x.requires_grad_())
            raise _runtime("only Tensors of floating point dtype can require gradients")
        leaf = cut(x)
        leaf.requires_grad = True
        self.own.add(id(leaf))
        return leaf

    def unwrap(self, value):
        """A result as the level outside sees it: detached unless its graph reaches a tensor
        from outside this transform."""
        if type(value) is not Tensor or value.grad_fn is None and not value.requires_grad:
            return value
        if value.grad_fn is None:
            return value if id(value) not in self.own else self._cut(value)
        return value if self._reaches_outside(value.grad_fn) else self._cut(value)

    def _cut(self, value):
        """cut(value), its tangent (jvp of grad(f): computed through this level's graph) detached too
        unless that graph reaches outside."""
        copy = cut(value)
        tangent = tangent_of(copy) if state.dual is not None else None
        if type(tangent) is Tensor and tangent.grad_fn is not None and not self._reaches_outside(tangent.grad_fn):
            copy.tangent = tangent.detach()
        return copy

    def _reaches_outside(self, root) -> bool:
        seen, stack = {id(root)}, [root]
        while stack:
            node = stack.pop()
            if type(node) is AccumulateGrad:
                if id(node.variable) not in self.own:
                    return True
                continue
            for nxt in node.next:
                if nxt is not None and id(nxt) not in seen:
                    seen.add(id(nxt))
                    stack.append(nxt)
        return False


def cut(x):
    """x.detach(), but inside jacfwd (a dual level open) a copy that keeps x's tangent:
    jacfwd(jacrev(f)) differentiates jacrev's unwrapped result in forward mode."""
    if state.dual is None or tangent_of(x) is None:
        return x.detach()
    with set_grad_enabled(False):
        copy = F.clone(x)
    tangent = tangent_of(copy)
    if type(tangent) is not Tensor:     # the copy may require grad next: its rules then run on tensors
        state.dual.give(copy, Tensor(tangent, device=copy.device))
    return copy


def _gradients(outputs, inputs, grad_outputs=None, retain_graph=False, create_graph=True):
    """functorch's _autograd_grad: zeros for an input the outputs do not reach."""
    if grad_outputs is None:
        kept = [(o, None) for o in outputs if o.requires_grad]
    else:
        kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not kept:
        return tuple(C.zeros_like(inp) for inp in inputs)
    found = autograd_grad([o for o, _ in kept], list(inputs), [g for _, g in kept] if grad_outputs is not None
                          else None, retain_graph=retain_graph or None, create_graph=create_graph,
                          allow_unused=True)
    return tuple(C.zeros_like(inp) if g is None else g for g, inp in zip(found, inputs))


# ------------------------------------------------------------------ argnums
def _argnum(argnum, count):
    if not isinstance(argnum, int) or isinstance(argnum, bool):
        raise _runtime(f"argnum must be int, got: {python_type(argnum)}")
    if argnum < -count or argnum >= count:
        raise _runtime(f"Got argnum={argnum}, but only {count} positional inputs")
    return argnum % count


def _positions(argnums, count):
    """The argument positions argnums names (int, or a non-empty tuple of unique ints)."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return (_argnum(argnums, count),)
    if isinstance(argnums, tuple):
        if not argnums:
            raise _runtime("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise _runtime(f"argnums elements must be unique, got {argnums}")
        return tuple(_argnum(a, count) for a in argnums)
    raise _runtime(f"argnums must be int or Tuple[int, ...], got: {python_type(argnums)}")


def _differentiable_args(level, args, argnums):
    """(args with the differentiated ones made the level's, the differentiated trees
    (one per argnum, or the one), their tensors flat, how to rebuild the trees)."""
    positions = _positions(argnums, len(args))
    args = list(args)
    for p in positions:
        args[p] = _tree_map(level.differentiable, args[p])
    diff = tuple(args[p] for p in positions) if isinstance(argnums, tuple) else args[positions[0]]
    flat, rebuild = flatten(diff)
    return args, diff, flat, rebuild


_DEPTH = [0, 0]     # transforms running now, and vmaps among them: a program's Function may refuse them


def transforming() -> bool:
    return _DEPTH[0] > 0


def vmapping() -> bool:
    return _DEPTH[1] > 0


def transform(fn, vmaps=False):
    """fn, counted as a running transform (a vmap: jacfwd's too) while it runs
    (torch._C._are_functorch_transforms_active)."""
    @wraps(fn)      # (its signature too: Python's words for a call that does not fit)
    def run(*args, **kwargs):
        _DEPTH[0] += 1
        _DEPTH[1] += vmaps
        try:
            return fn(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
            _DEPTH[1] -= vmaps
    return run


class Transformed:
    """What a transform returns: a function of the same arguments, named after the one it
    transforms (functorch wraps it with functools.wraps), so print() shows `<function f>`."""

    type_name = "function"
    program_attributes = {"__name__": "name", "__qualname__": "name"}

    def __init__(self, transform, call, func):
        self.transform, self.call, self.func = transform, call, func
        self.__name__ = self.name = name_of(func)

    def __call__(self, *args, **kwargs):
        return transform(self.call, self.transform in ("vmap", "jacfwd"))(*args, **kwargs)

    def __repr__(self):
        return f"<function {self.__name__} at {id(self):#x}>"



# ------------------------------------------------------------------ jacobians
def _jacobian_impl(func, argnums, has_aux, args, kwargs, api):
    """The Jacobians of func's outputs with respect to argnums' arguments: per output
    element a backward (create_graph, so transforms nest), stacked and shaped
    out.shape + arg.shape; nested as PyTorch nests them (outputs, then argnums).
    `api` words the errors as PyTorch's do: jacrev's as vjp's, jacfwd's as jvp's."""
    level = Level()
    with set_grad_enabled(True):
        args, diff, flat_in, rebuild_in = _differentiable_args(level, args, argnums)
        output, aux = split_aux(func(*args, **kwargs), has_aux, api)
        flat_out, rebuild_out = flatten_outputs(output, api)
        per_output = []
        for at, out in enumerate(flat_out):
            if len(flat_out) == 1:
                flat = F.reshape(out, (-1,))
                rows = [_gradients((F.select(flat, 0, j),), flat_in, retain_graph=True, create_graph=True)
                        for j in range(int(out.data.size))]
            else:       # one vjp of all the outputs, zeros for the others' (their zeros are added in: 0 + -0)
                rows = [_gradients(flat_out, flat_in, [_basis(out, j) if o is out else C.zeros_like(o)
                                                       for o in flat_out], retain_graph=True, create_graph=True)
                        for j in range(int(out.data.size))]
            blocks = []
            for k, inp in enumerate(flat_in):
                shape = tuple(out.shape) + tuple(inp.shape)
                if rows:
                    block = F.reshape(F.stack([row[k] for row in rows]), shape)
                else:
                    block = C.zeros(shape, dtype=_dtype(inp))
                blocks.append(level.unwrap(block))
            per_output.append(rebuild_in(blocks))
        result = rebuild_out(per_output)
        if has_aux:
            return result, _tree_map(level.unwrap, aux)
        return result


def _basis(out, j):
    """The cotangent of out's element j: a one there, zeros elsewhere."""
    flat = B.zeros((int(out.data.size),), dtype=out.data.dtype)
    B.setitem(flat, (j,), 1)
    return Tensor(B.xp.reshape(flat, tuple(out.data.shape)), device=out.device)


def _dtype(t):
    from ..engine.backend import dtype_name
    return dtype_name(t.data.dtype)
