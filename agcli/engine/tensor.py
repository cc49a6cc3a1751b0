"""Tensors, graph nodes and `apply`, the one place a node is made.

An op's output gets a Node (its grad_fn) when grad mode is on and an input
requires grad. Nodes are numbered as they are made, so the tape is implicit:
backward visits the reachable nodes in reverse creation order (backward.py).
"""
from __future__ import annotations

from itertools import count

from ..device import chosen
from ..state import state
from .backend import ON_HOST, asarray, astype, item, ndarray, numbers_forward, setitem, watch

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
                 "version", "base", "is_view", "_accumulator", "device", "__weakref__")

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
        self.version = 0              # bumped by in-place ops, so backward can tell
        self.base = None              # whose storage and version counter it shares (views, detach)
        self.is_view = False          # made by a view op (select, slice, view, t, ...): PyTorch's views
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
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    def detach(self) -> "Tensor":
        """The same storage without a history; it shares the version counter, as in
        PyTorch: changing it in place is changing a value backward may need."""
        alias = Tensor(self.data, device=self.device)
        alias.base = self.base or self
        return alias

    def __repr__(self) -> str:      # what a program prints is torchapi.printing's tensor_repr
        grad_fn = f", grad_fn={self.grad_fn.name}" if self.grad_fn is not None else ""
        return f"<Tensor {tuple(self.data.shape)} {self.data.dtype}{grad_fn}>"

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    __hash__ = object.__hash__
    # ndarray <op> Tensor must reach Tensor's reflected operator, not make an object array.
    __array_ufunc__ = None


class Node:
    """One recorded op: what to call in backward and what it saved for it."""

    __slots__ = ("op", "next", "inputs", "arrays", "out", "params", "shapes", "casts", "seq",
                 "released", "versions", "__weakref__")

    def __init__(self, op, next_edges, inputs, out, params, arrays=None, casts=None):
        self.op = op
        self.next = next_edges       # per input: Node, or None for no gradient
        self.inputs = inputs         # the op's arguments, tensors or raw values
        # ... and their arrays, as forward saw them: what backward's rules read
        # when no graph of the gradient is wanted.
        self.arrays = [a.data if type(a) is Tensor else a for a in inputs] if arrays is None else arrays
        self.out = out
        self.params = params
        self.shapes = tuple([getattr(a, "shape", ()) for a in self.arrays])
        # The inputs' own dtypes when forward computed in a promoted one: each
        # gradient goes back in its input's dtype, as PyTorch's engine casts it.
        self.casts = casts
        self.seq = next(_seq)
        self.released = False
        # The versions of what the rules will read: an in-place change since is an error.
        # (None: no tensor had been changed in place yet, so all were at version 0.)
        self.versions = _versions(inputs, out if op.saves_out else None) if op.saves and state.version_bumps else None

    def modified(self):
        """(tensor, saved version, the node that made it then) of a saved tensor
        changed in place since, or None. Saved are the inputs the rules read for
        the inputs that need a gradient (op.reads), as PyTorch saves them: `y * 3`
        keeps no y, so changing y afterwards is no error."""
        if not state.version_bumps:
            return None
        versions = self.versions or (0,) * (len(self.inputs) + 1)
        reads = self.op.reads
        for i, t in enumerate(self.inputs):
            if type(t) is Tensor and version_of(t) != versions[i] and (
                    reads is None or any(i in reads[k] for k, nxt in enumerate(self.next) if nxt is not None)):
                return t, versions[i], self.next[i]
        if self.op.saves_out and version_of(self.out) != versions[-1]:
            return self.out, versions[-1], self
        return None

    def output_is(self, x: "Tensor"):
        """The node's output is now `x` (an in-place op: x took the result's value),
        saved at x's version now, as PyTorch saves an in-place op's result."""
        self.out = x
        if self.op.saves:
            self.versions = _versions(self.inputs, x)

    @property
    def name(self) -> str:
        return self.op.name

def bump_version(t: Tensor):
    """Record an in-place change of `t` (backward refuses saved values changed since)."""
    state.version_bumps += 1
    (t.base or t).version += 1


def _versions(inputs, out):
    return tuple(version_of(a) for a in inputs) + (version_of(out),)


def version_of(t) -> int:
    """t's version: its base's, for a view or a detached alias (they share one counter)."""
    if type(t) is not Tensor:
        return 0
    return (t.base or t).version


class AccumulateGrad:
    """The sink for a leaf's gradient."""

    __slots__ = ("variable", "__weakref__")
    name = "AccumulateGrad"
    next = ()

    def __init__(self, variable: Tensor):
        self.variable = variable


def apply(op, *args, cast=None, **params):
    """Run `op` forward; record a node when an input is a tensor needing grad.

    cast: the dtype the op computes in, when its inputs' differ (PyTorch's
    type promotion, decided by the caller): tensors are converted before the
    kernel runs, so the recorded op and its result agree.
    Raw arrays in, raw array out: that is how backward runs its rules cheaply
    when no graph of the gradient is wanted.
    """
    arrays = []
    any_tensor = False
    needs_grad = False
    for a in args:
        if type(a) is Tensor:
            any_tensor = True
            needs_grad = needs_grad or a.requires_grad
            arrays.append(a.data)
        else:
            arrays.append(a)
    if TWO_DEVICES:
        device = same_device(args)          # PyTorch's error before anything runs
    casts = None
    if cast is not None:
        casts = tuple([getattr(a, "dtype", None) for a in arrays])
        arrays = [astype(a, cast) if type(a) is ndarray and a.dtype != cast else a for a in arrays]
    if not any_tensor and not ON_HOST and all(type(a) in (int, float, bool) for a in args):
        return item(numbers_forward(op.forward, arrays, params))
    out = op.forward(*arrays, **params)
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
    if ON_HOST and out.dtype.kind not in "biuf":   # NumPy's strings or objects: not a tensor PyTorch could hold
        from ..errors import AgcliError
        raise AgcliError(f"{op.name or 'this operation'} gave values of type {out.dtype}, not numbers",
                         kind="type")
    result = Tensor(out)
    if op.view:                             # the same storage, and the same version counter
        base = args[0]
        result.base, result.is_view = base.base or base, True
    if TWO_DEVICES:
        result.device = device
    if needs_grad and state.grad_enabled and op.vjps is not None:
        next_edges = tuple([a.edge() if type(a) is Tensor else None for a in args])
        result.grad_fn = Node(op, next_edges, args, result, params, arrays, casts)
        result.requires_grad = True
    if state.recording is not None:
        state.recording.append((op, args, params, cast, result))
    return result


def apply_in_place(op, x, before, *args, **params):
    """x takes the value of `op` run on (before, *args), and its place in the graph.

    `before` is x's old value with x's old place in the graph (what the node
    saves): how PyTorch records an in-place op (CopySlices for x[key] = v).
    """
    if TWO_DEVICES:
        same_device((x, *args))
    out = op.forward(before.data, *[a.data if type(a) is Tensor else a for a in args], **params)
    setitem(x.data, ..., out)
    bump_version(x)
    inputs = (before, *args)
    if state.grad_enabled and any(type(a) is Tensor and a.requires_grad for a in inputs):
        next_edges = tuple([a.edge() if type(a) is Tensor else None for a in inputs])
        x.grad_fn = Node(op, next_edges, inputs, x, params)
        x.requires_grad = True
    return x


# Only a process on the GPU has tensors on two devices (cpu and cuda:0) to tell apart.
TWO_DEVICES = chosen()[0] == "cuda"


def same_device(args) -> str:
    """The device the tensors among `args` share, or PyTorch's error when they do not
    (a 0-d cpu tensor goes with any: it is a scalar, as in PyTorch)."""
    devices = {a.device for a in args if type(a) is Tensor and (a.data.ndim or a.device != "cpu")}
    if len(devices) > 1:
        from ..errors import AgcliError
        other = sorted(devices - {"cpu"})[0]
        raise AgcliError(f"Expected all tensors to be on the same device, but found at least two devices, "
                         f"{other} and cpu!")
    return devices.pop() if devices else "cpu"


def data(x):
    """The raw array behind a tensor (or the value itself)."""
    return x.data if type(x) is Tensor else x
