"""Tensors, graph nodes and `apply`, the one place a node is made.

An op's output gets a Node (its grad_fn) when grad mode is on and an input
requires grad. Nodes are numbered as they are made, so the tape is implicit:
backward visits the reachable nodes in reverse creation order (backward.py).
"""
from __future__ import annotations

from itertools import count
from weakref import WeakKeyDictionary

from ..device import chosen
from ..errors import AgcliError
from ..state import state
from .backend import ON_HOST, asarray, astype, item, ndarray, tensor_truth
from .backend_watch import numbers_forward, watch
from .saved import INFERENCE_IN_PLACE, INFERENCE_SAVED, saved_tensors

_seq = count()


class set_grad_enabled:
    """Context manager that switches recording on or off, as in torch."""

    __slots__ = ("enabled", "prev")

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        self.prev = state.grad_enabled
        state.grad_enabled = self.enabled

    def __exit__(self, *exc):
        state.grad_enabled = self.prev


class Tensor:
    __slots__ = ("data", "requires_grad", "grad_fn", "grad", "name", "retains_grad",
                 "version", "base", "is_view", "view_of", "_accumulator", "device", "tangent", "parameter",
                 "__weakref__")
    # `tangent` is set only on a dual tensor (engine/forward.py), `parameter` only on an nn.Parameter
    # (language/nn/parameter.py): others pay nothing for them

    def __init__(self, data, requires_grad: bool = False, name: str | None = None, device: str = "cpu"):
        self.data = data
        # PyTorch's device ("cpu", "cuda:0"): a label, checked when tensors meet. The
        # arrays of a process all live in its one namespace (engine/backend.py).
        self.device = device
        self.requires_grad = requires_grad
        self.grad_fn: Node | None = None
        self.grad = None
        self.name = name
        self.retains_grad = False     # .retain_grad() on a non-leaf
        # bumped by in-place ops, so backward can tell; None: an inference tensor, which has no
        # version counter (made under torch.inference_mode())
        self.version = None if state.inference_mode else 0
        self.base = None              # whose storage and version counter it shares (views, detach)
        self.is_view = False          # made by a view op (select, slice, view, t, ...): PyTorch's views
        self.view_of = None           # a view's ViewOf: its base, and how it was taken from it
        self._accumulator = None

    # --- what a reader asks of a tensor ---
    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    is_leaf = property(lambda self: self.grad_fn is None)

    def numel(self) -> int:
        return int(self.data.size)

    def edge(self):
        """The node a gradient for this tensor flows into (None: it needs none)."""
        if self.grad_fn is not None:
            return self.grad_fn
        if not self.requires_grad:
            return None
        if self._accumulator is None:      # (AccumulateGrad(self), spelled out: see `new`)
            sink = self._accumulator = new(AccumulateGrad)
            sink.variable = self
        return self._accumulator

    def detach(self) -> "Tensor":
        """The same storage without a history; it shares the version counter, as in
        PyTorch: changing it in place is changing a value backward may need."""
        alias = Tensor(self.data, device=self.device)
        alias.base = self if self.base is None else self.base   # (`or` would ask a tensor's truth)
        return alias

    def __repr__(self) -> str:      # what a program prints is torchapi.printing's tensor_repr
        grad_fn = f", grad_fn={self.grad_fn.name}" if self.grad_fn is not None else ""
        return f"<Tensor {tuple(self.data.shape)} {self.data.dtype}{grad_fn}>"

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    __hash__ = object.__hash__      # (a C call; a program's hash() of a tensor is its id(), as PyTorch's)

    __bool__ = tensor_truth     # (asked by agcli's own Python, e.g. nn.ReLU(x)'s flag: PyTorch's truth)
    # ndarray <op> Tensor must reach Tensor's reflected operator, not make an object array.
    __array_ufunc__ = None


class Node:
    """One recorded op: what to call in backward and what it saved for it."""

    __slots__ = ("op", "next", "inputs", "arrays", "out", "params", "shapes", "casts", "seq",
                 "released", "versions", "__weakref__")

    def __init__(self, op, next_edges, inputs, out, params, arrays=None, casts=None):
        self.op = op
        self.inputs = inputs         # the op's arguments, tensors or raw values
        # ... and their arrays, as forward saw them: what backward's rules read
        # when no graph of the gradient is wanted.
        if arrays is None:
            arrays = [a.data if type(a) is Tensor else a for a in inputs]
        self.arrays = arrays
        self.out = out
        self.params = params
        # Each input's shape (() for a number) and, when next_edges is None (apply's nodes of more than
        # two inputs: it makes the others itself), where its gradient goes (None: nowhere).
        self.shapes = tuple([getattr(a, "shape", ()) for a in arrays])
        if next_edges is None:
            next_edges = tuple([a.edge() if type(a) is Tensor else None for a in inputs])
        self.next = next_edges       # per input: Node, or None for no gradient
        # The inputs' own dtypes when forward computed in a promoted one: each
        # gradient goes back in its input's dtype, as PyTorch's engine casts it.
        self.casts = casts
        self.seq = next(_seq)
        self.released = False
        # The versions of what the rules will read: an in-place change since is an error.
        # (None: no tensor had been changed in place yet, so all were at version 0.)
        self.versions = _versions(inputs, out if op.saves_out else None) if op.saves and state.version_bumps else None
        if state.watch_nodes:
            _watch(self)

    def modified(self):
        """(tensor, saved version, the node to name in the message) of a saved
        tensor changed in place since, or None. Saved are the inputs the rules read for
        the inputs that need a gradient (op.reads), as PyTorch saves them: `y * 3`
        keeps no y, so changing y afterwards is no error."""
        if not state.version_bumps or self.seq > state.bumped_at:     # (nothing changed in place since it was made)
            return None
        versions = self.versions or (0,) * (len(self.inputs) + 1)
        reads = self.op.reads
        for i, t in enumerate(self.inputs):
            if type(t) is Tensor and version_of(t) != versions[i] and (
                    reads is None or any(i in reads[k] for k, nxt in enumerate(self.next) if nxt is not None)):
                return t, versions[i], fresh(t).grad_fn     # PyTorch names the tensor's history now
        if self.op.saves_out and version_of(self.out) != versions[-1]:
            return self.out, versions[-1], self
        return None

    def free(self):
        """What backward lets go of once the node ran (PyTorch's release_variables)."""
        self.inputs = self.arrays = self.out = None

    def output_is(self, x: "Tensor"):
        """The node's output is now `x` (an in-place op: x took the result's value),
        saved at x's version now, as PyTorch saves an in-place op's result (its
        inputs stay saved at the versions they had: `y.mul_(y)` changed one)."""
        self.out = x
        if self.op.saves:
            self.versions = (self.versions or (0,) * (len(self.inputs) + 1))[:-1] + (version_of(x),)

    @property
    def name(self) -> str:
        return self.op.name

_NUMBERS = (int, float, bool)
# apply makes its tensor and node as new(Tensor) and new(Node) with their __init__'s stores spelled
# out: a class call runs __init__ in a frame of its own, through the type's call machinery (and
# stores of several targets at once build a tuple first).
new = object.__new__


def bump_version(t: Tensor):
    """Record an in-place change of `t` (backward refuses saved values changed since)."""
    state.version_bumps += 1
    state.bumped_at = next(_seq)
    owner = t if t.base is None else t.base
    if owner.version is not None:
        owner.version += 1
    elif not state.inference_mode:      # an inference tensor counts no versions: PyTorch's error, after the change
        raise AgcliError(INFERENCE_IN_PLACE)


def _watch(node):
    """A new node, once an inference tensor exists (PyTorch's error if it saves one), saved-tensor hooks are on,
    or a program's anomaly mode notes its stack (state.watched)."""
    for t in saved_tensors(node) if state.inference_made else ():
        if type(t) is Tensor and version_of(t) is None:
            raise AgcliError(INFERENCE_SAVED)
    if state.saved_hooks:
        state.saved_hooks[-1].pack(node)
    if state.detect_anomaly and state.forward_stack is not None:
        FORWARD_STACKS[node] = state.forward_stack()


# Anomaly mode's record of where a program made each node: its stack then, as text (engine/backward_messages.py).
FORWARD_STACKS: WeakKeyDictionary = WeakKeyDictionary()


def _versions(inputs, out):
    return tuple(version_of(a) for a in inputs) + (version_of(out),)


def version_of(t) -> int:
    """t's version: its base's, for a view or a detached alias (they share one counter)."""
    if type(t) is not Tensor:
        return 0
    return (t if t.base is None else t.base).version


CUSTOM, SEVERAL = "custom", "several"      # ViewOf.grad_mode of a custom Function's view (its creation meta)


class ViewOf:
    """What a view knows of its base, as PyTorch's view info: the base (the nearest
    tensor up the chain of views that is not a view), the view ops from it (replayed
    on positions, they say which of the base's elements the view covers), the version
    its history was last set at (a view whose base changed in place since regrows its
    history: engine/views.py), whether grad mode was on when it was made (True; False; or
    CUSTOM, SEVERAL: a custom Function's output that is its input returned as-is, one of
    several such, which PyTorch's in-place ops refuse as they do a no_grad view), and the
    base's array then (a base laid out anew since, by t_() or .data =, is not followed)."""

    __slots__ = ("base", "ops", "version", "grad_mode", "base_data")
    regrow = None       # engine/views.py installs it (its ops import this module)

    def __init__(self, base, ops, version, grad_mode):
        self.base, self.ops, self.version, self.grad_mode = base, ops, version, grad_mode
        self.base_data = base.data


def fresh(t):
    """t, its history regrown first if it is a view whose base changed in place since
    (PyTorch does it whenever a view's grad_fn is asked for)."""
    info = t.view_of
    if info is not None and info.version != t.base.version:
        ViewOf.regrow(t)
    return t


class AccumulateGrad:
    """The sink for a leaf's gradient."""

    __slots__ = ("variable", "__weakref__")
    name = "AccumulateGrad"
    next = ()

    def __init__(self, variable: Tensor):
        self.variable = variable


def _arguments(args):
    """apply's view of its arguments: their arrays (numbers as they are), whether any is a tensor,
    whether one needs grad, and whether one is neither a tensor nor a number (NumPy decides what it holds)."""
    arrays = []
    any_tensor = needs_grad = raw = False
    for a in args:
        if type(a) is Tensor:
            if a.view_of is not None and a.view_of.version != a.base.version and state.grad_enabled:
                ViewOf.regrow(a)            # a view whose base changed in place: its history anew
            any_tensor = True
            needs_grad = needs_grad or a.requires_grad
            arrays.append(a.data)
        else:
            arrays.append(a)
            raw = raw or type(a) not in _NUMBERS
    return arrays, any_tensor, needs_grad, raw


def apply(op, *args, cast=None, **params):
    """Run `op` forward; record a node when an input is a tensor needing grad.

    cast: the dtype the op computes in, when its inputs' differ (PyTorch's
    type promotion, decided by the caller): tensors are converted before the
    kernel runs, so the recorded op and its result agree.
    Raw arrays in, raw array out: how backward runs its rules cheaply when no graph of the gradient is wanted.
    """
    n = len(args)       # (the arrays' count too: a cast keeps it)
    if 0 < n <= 2 and type(a := args[0]) is Tensor:
        # (one or two arguments, a tensor first: most ops, their checks spelled out as the loop in
        # _arguments makes them, and a tuple of arrays, without that call and its list)
        if a.view_of is not None and a.view_of.version != a.base.version and state.grad_enabled:
            ViewOf.regrow(a)            # a view whose base changed in place: its history anew
        if n == 1:
            arrays, needs_grad, raw = (a.data,), a.requires_grad, False
        elif type(b := args[1]) is Tensor:
            if b.view_of is not None and b.view_of.version != b.base.version and state.grad_enabled:
                ViewOf.regrow(b)
            arrays, needs_grad, raw = (a.data, b.data), a.requires_grad or b.requires_grad, False
        else:
            arrays, needs_grad, raw = (a.data, b), a.requires_grad, type(b) not in _NUMBERS
        any_tensor = True
    else:
        arrays, any_tensor, needs_grad, raw = _arguments(args)
    if TWO_DEVICES:
        device = same_device(args)          # PyTorch's error before anything runs
    casts = None
    if cast is not None:
        casts = tuple([getattr(a, "dtype", None) for a in arrays])
        arrays = [astype(a, cast) if type(a) is ndarray and a.dtype != cast else a for a in arrays]
    if not any_tensor and not ON_HOST and all(type(a) in (int, float, bool) for a in args):
        return item(numbers_forward(op.forward, arrays, params))
    out = op.forward(*arrays, **params) if params else op.forward(*arrays)
    if watch is not None:              # a device backend: the inf/nan warnings, checked explicitly
        watch(arrays, out)
    if not any_tensor:
        # Numbers in, a number out: a numpy scalar here would be strongly typed
        # (float64) and promote float32 tensors it meets later.
        if type(out) is not ndarray and all(type(a) in (int, float, bool) for a in args):
            return item(out)
        return out
    if type(out) is not ndarray:
        out = asarray(out)
    if op.layout is not None and out.ndim > 1:      # PyTorch's layout of the result (engine/layouts.py)
        out = op.layout(out, arrays)
    if raw and ON_HOST and out.dtype.kind not in "biuf":   # strings or objects: not a tensor PyTorch could hold
        # (tensors hold numbers only, so what NumPy makes of them and of numbers is numbers)
        raise AgcliError(f"{op.name or 'this operation'} gave values of type {out.dtype}, not numbers",
                         kind="type")
    result = new(Tensor)        # (Tensor(out), spelled out: see `new`)
    result.data = out
    result.device = "cpu"
    result.requires_grad = False
    result.grad_fn = result.grad = result.name = result.base = result.view_of = result._accumulator = None
    result.retains_grad = result.is_view = False
    result.version = None if state.inference_mode else 0
    if op.view:                             # the same storage, and the same version counter
        base = args[0]
        result.base, result.is_view = base if base.base is None else base.base, True
        info = base.view_of
        result.view_of = ViewOf(base, ((op, params),), result.base.version, state.grad_enabled) if info is None else \
            ViewOf(info.base, info.ops + ((op, params),), result.base.version, state.grad_enabled and info.grad_mode)
        result.requires_grad = result.view_of.base.requires_grad    # even made under no_grad, as in PyTorch
    if TWO_DEVICES:
        result.device = device
    if needs_grad and state.grad_enabled and op.vjps is not None:
        if n > 2:
            result.grad_fn = Node(op, None, args, result, params, arrays, casts)
        else:       # (Node(op, None, args, result, params, arrays, casts), spelled out: see `new`)
            node = result.grad_fn = new(Node)
            node.op = op
            node.inputs = args
            node.arrays = arrays
            node.out = result
            node.params = params
            node.casts = casts
            if n == 1:
                a, = arrays
                node.shapes = (a.shape if type(a) is ndarray else () if type(a) in _NUMBERS else getattr(a, "shape", ()),)
                a, = args
                node.next = (None if type(a) is not Tensor else a.grad_fn if a.grad_fn is not None else
                             a._accumulator if a._accumulator is not None and a.requires_grad else a.edge(),)
            else:
                a, b = arrays
                node.shapes = (a.shape if type(a) is ndarray else () if type(a) in _NUMBERS else getattr(a, "shape", ()),
                               b.shape if type(b) is ndarray else () if type(b) in _NUMBERS else getattr(b, "shape", ()))
                a, b = args
                node.next = (None if type(a) is not Tensor else a.grad_fn if a.grad_fn is not None else
                             a._accumulator if a._accumulator is not None and a.requires_grad else a.edge(),
                             None if type(b) is not Tensor else b.grad_fn if b.grad_fn is not None else
                             b._accumulator if b._accumulator is not None and b.requires_grad else b.edge())
            node.seq = next(_seq)
            node.released = False
            node.versions = _versions(args, result if op.saves_out else None) if op.saves and state.version_bumps \
                else None
            if state.watch_nodes:
                _watch(node)
        result.requires_grad = True
    if state.recording is not None:
        state.recording.append((op, args, params, cast, result))
    if state.dual is not None:              # forward mode: the output's tangent (engine/forward.py)
        state.dual.carry(op, args, arrays, params, cast, result)
    return result


# Only a process on the GPU has tensors on two devices (cpu and cuda:0) to tell apart.
TWO_DEVICES = chosen()[0] == "cuda"


def same_device(args) -> str:
    """The device the tensors among `args` share, or PyTorch's error when they do not
    (a 0-d cpu tensor goes with any: it is a scalar, as in PyTorch)."""
    devices = {a.device for a in args if type(a) is Tensor and (a.data.ndim or a.device != "cpu")}
    if len(devices) > 1:
        other = sorted(devices - {"cpu"})[0]
        raise AgcliError(f"Expected all tensors to be on the same device, but found at least two devices, "
                         f"{other} and cpu!")
    return devices.pop() if devices else "cpu"


def data(x):
    """The raw array behind a tensor (or the value itself)."""
    return x.data if type(x) is Tensor else x
