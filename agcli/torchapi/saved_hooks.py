"""torch.autograd.graph's hooks for saved tensors: saved_tensors_hooks(pack_hook, unpack_hook),
save_on_cpu() (on a CPU, the tensors stay where they are) and disable_saved_tensors_hooks(message).

Under saved_tensors_hooks, each node made calls pack_hook on every tensor it saves, as PyTorch's
nodes save them (engine/saved.py's table: inputs by name, then outputs; `a * b` packs b then a),
once the node is made; its backward calls unpack_hook on each packed value, in the same order,
as the node starts (after its pre-hooks). agcli's rules read the tensors the node kept: an unpack_hook that gives back
other values (or another dtype or shape) is refused, not silently ignored.
"""
from __future__ import annotations

from ..engine import backend as B
from ..engine.hooks import hooks_of
from ..engine.saved import FIELDS, Arg, Computed, Result, saved_tensors
from ..engine.tensor import Tensor, version_of
from ..errors import AgcliError
from ..state import state
from .ndarrays import type_name

IN_PLACE = ("A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack hook cannot "
            "be modified by in-place operations as this can lead to unexpected side-effects. Please open an issue "
            "if you need to perform in-place operations on the input to a pack hook.")
_DISABLED = []      # the messages of the disable_saved_tensors_hooks entered, innermost last


def _watch():
    state.watch_nodes = state.watched()


class saved_tensors_hooks:
    """saved_tensors_hooks(pack_hook, unpack_hook): what a `with` enters."""

    type_name, pytorch_module = "saved_tensors_hooks", "torch.autograd.graph"

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _DISABLED:
            raise AgcliError(_DISABLED[-1])
        state.saved_hooks.append(self)
        _watch()

    def __exit__(self, *exc):
        state.saved_hooks.remove(self)
        _watch()

    def __repr__(self):
        return f"<{self.pytorch_module}.{self.type_name} object at {id(self):#x}>"

    def pack(self, node):
        """Pack what the new node saved; its backward unpacks it."""
        packed = self.pack_tensors(t for t in _saved_in_order(node) if type(t) is Tensor)
        if packed:
            hooks_of(node).unpack.append(lambda: _unpack(node, self.unpack_hook, packed))

    def pack_tensors(self, tensors):
        """[(tensor, what pack_hook made of it)] (a custom Function's save_for_backward too)."""
        packed = []
        for t in tensors:
            before = version_of(t)
            packed.append((t, self.pack_hook(t)))
            if version_of(t) != before:
                raise AgcliError(IN_PLACE)
        return packed


def _saved_in_order(node):
    """What the node saved as PyTorch saves it: its inputs (by name, as the table lists them), then its
    outputs; the index tensors it reads count as inputs, what forward computed on the side (max(dim)'s
    indices, nll_loss's total_weight) as outputs."""
    table = FIELDS.get(node.op.name)
    if table is None:
        return saved_tensors(node)
    ins, outs = [], []
    for name, f in table.items():
        if not (f.tensor and f.saved(node)) or type(f) not in (Arg, Result, Computed):
            continue
        values = f.value(node)
        values = values if isinstance(values, tuple) else (values,)
        side = ins if type(f) is Arg or name in ("index", "indices") and "Index" in node.op.name or \
            name == "index" else outs
        side += [v if type(v) is Tensor else Tensor(v) for v in values if v is not None and type(v) is not int]
    return ins + outs


def unpacked(unpack_hook, value):
    got = unpack_hook(value)
    if type(got) is not Tensor:
        raise AgcliError("Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                         f"{type_name(got)}", kind="type")
    return got


def _unpack(node, unpack_hook, packed):
    if node.released:       # (PyTorch's error that the graph was freed comes instead)
        return
    for t, value in packed:
        got = unpacked(unpack_hook, value)
        if got is not t and not _same(got.data, t.data):
            raise AgcliError("agcli's backward reads the tensors a node saved: an unpack_hook that gives back other "
                             "values, another dtype or shape is not provided", kind="not_implemented")


def _same(a, b) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if B.kind(a.dtype) == "f":
        return bool(B.xp.all((a == b) | (B.xp.isnan(a) & B.xp.isnan(b))))
    return bool(B.xp.all(a == b))


class save_on_cpu(saved_tensors_hooks):
    """save_on_cpu(pin_memory=False, device_type='cuda'): on a CPU, what is saved stays put."""

    type_name = "save_on_cpu"

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda t: t, lambda t: t)


class disable_saved_tensors_hooks:
    """disable_saved_tensors_hooks(error_message): saved_tensors_hooks entered inside is that error."""

    pytorch_module = "torch.autograd.graph"

    def __init__(self, error_message):
        self.message = error_message

    def __enter__(self):
        _DISABLED.append(self.message)

    def __exit__(self, *exc):
        _DISABLED.pop()

    def __repr__(self):
        return f"<contextlib._GeneratorContextManager object at {id(self):#x}>"     # (a contextmanager's, in PyTorch)
