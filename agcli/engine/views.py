"""In-place changes through views, as PyTorch records them.

A view (engine/tensor.py: ViewOf) shares its base's storage and version
counter. When an in-place op changes a view of a tensor in the graph, PyTorch
rebases the history (rebase_history): the base's grad_fn becomes CopySlices,
which runs the in-place op's backward on the view's part of the base's
gradient, and the view's grad_fn becomes AsStridedBackward0 of the base. A
view whose base changed in place by any other way regrows its history the
same way the next time it is used (VariableHooks::grad_fn).

Which of the base's elements a view covers (`positions`) is found by
replaying the view's ops on the base's flat positions, so every view op
works, in every array backend.
"""
from __future__ import annotations

import weakref

from ..errors import AgcliError
from .backend import address, arange, copy, getitem, itemsize, setitem, strides, xp, zeros
from .backward_messages import forward_name
from .op import Op
from .ops import shapes as S
from .ops.writes import AS_STRIDED, COPY_INTO
from .tensor import CUSTOM, SEVERAL, Node, Tensor, ViewOf, apply, version_of

_NO_GRAD = ("{prefix} no_grad mode and {what} modified inplace with grad mode enabled. Given that this use "
            "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
            "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or "
            "both outside (if you want the inplace to be tracked).")


def positions(info: ViewOf):
    """The flat positions in the base of the view's elements, in the view's shape."""
    base = info.base
    if base.data is not info.base_data:
        raise AgcliError("agcli cannot follow a view whose base was laid out anew in place since it was taken "
                         "(by t_(), transpose_(), squeeze_(), unsqueeze_() or .data =)", kind="value",
                         hint="take the view again after changing the base's shape")
    p = xp.reshape(arange(base.data.size), base.data.shape)
    for op, params in info.ops:
        p = op.forward(p, **params)
    return p


_MADE_BY = {
    CUSTOM: "This view was created inside a custom Function (or because an input was returned as-is) and the "
            "autograd logic to handle view+inplace would override the custom backward associated with the custom "
            "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the "
            "output of the custom Function.",
    SEVERAL: "This view is the output of a function that returns multiple views. Such functions do not allow the "
             "output views to be modified inplace. You should replace the inplace operation by an out-of-place one."}


def no_grad_view(t, indirect: bool):
    """PyTorch's error for a view made under no_grad, or by a custom Function, changed in place (or its
    base) with grad mode on."""
    what = "its base or another view of its base has been" if indirect else "is being"
    made_by = t.view_of.grad_mode if t.view_of is not None else False
    if made_by in _MADE_BY and t.grad_fn is not None:
        return AgcliError(f"Output {getattr(t.grad_fn, 'index', 0)} of {forward_name(t.grad_fn.name)} is a view and "
                          f"{what} modified inplace. {_MADE_BY[made_by]}")
    prefix = "A view was created in" if t.grad_fn is None else \
        f"Output 0 of {forward_name(t.grad_fn.name)} is a view of a view which was created in"
    return AgcliError(_NO_GRAD.format(prefix=prefix, what=what))


def regrow(t: Tensor):
    """The history of view t anew, from its base's history now (one AsStridedBackward0),
    when its base changed in place since its history was set."""
    info = t.view_of
    base = info.base
    if t.grad_fn is None and not base.requires_grad:
        return
    if info.grad_mode is not True:
        raise no_grad_view(t, indirect=True)
    t.grad_fn = Node(AS_STRIDED, (base.edge(),), (base,), t, {"positions": positions(info)})
    t.requires_grad = True
    info.version = version_of(t)


ViewOf.regrow = staticmethod(regrow)


# ------------------------------------------------------------- rebasing
class CopySlices(Node):
    """The base's history after an in-place op on one of its views: the op's own
    node (recorded as if the view were a tensor of its own) runs on the view's
    part of the base's gradient. Its inputs are the base (for its shape) and the
    op's other inputs, whose gradients it passes on."""

    __slots__ = ("held", "view_history")

    def __init__(self, base, base_edge, inner, where):
        casts = None if inner.casts is None else (None, *inner.casts[1:])
        self.held = _Held(inner)
        super().__init__(_copy_slices_op(inner.op), (base_edge, *inner.next[1:]), (base, *inner.inputs[1:]), base,
                         {"held": self.held, "where": where}, arrays=[base.data, *inner.arrays[1:]], casts=casts)
        self.view_history = None

    def modified(self):
        """The in-place op's saved tensors are what backward checks; its result (the view)
        is named after the view's history when it was saved, while that lives, as PyTorch."""
        inner = self.held.inner
        found = inner.modified() if inner is not None and inner.op.saves else None
        if found is not None and found[2] is inner and self.view_history is not None:
            alive = self.view_history()
            if alive is not None:
                found = (found[0], found[1], alive)
        return found

    def free(self):
        super().free()
        self.held.inner = None      # PyTorch's CopySlices lets go of the op's node: a second backward fails


class _Held:
    """The in-place op's node, as CopySlices's rules reach it until backward frees it."""

    __slots__ = ("inner",)

    def __init__(self, inner):
        self.inner = inner


_COPY_SLICES_OPS: dict = {}


def _copy_slices_op(inner_op):
    op = _COPY_SLICES_OPS.get(inner_op)
    if op is None:
        rules = tuple(None if rule is None else _through_view(k) for k, rule in enumerate(inner_op.vjps))
        op = Op("CopySlices", None, rules, ("grad, its view's part replaced by the in-place op's gradient there",),
                saves=True)             # (what the op's own node saves is checked through it: modified())
        _COPY_SLICES_OPS[inner_op] = op
    return op


def _through_view(k):
    """CopySlices's rule for input k: the in-place op's rule k, on the view's part of g.
    With create_graph, recorded as PyTorch's CopySlices runs it: result = empty.copy_(grad),
    the op's rule on result.as_strided(view).clone(), and for the base result with the view's
    part replaced by what the rule gave (result.as_strided(view).copy_(...): CopySlices)."""
    def rule(g, out, *args, held, where):
        inner = held.inner
        tensors = type(g) is Tensor
        if tensors:
            result = apply(COPY_INTO, zeros(g.shape, dtype=g.dtype), g)
            part = apply(S.CLONE, apply(AS_STRIDED, result, positions=where), memory_format="contiguous")
        else:
            part = getitem(xp.reshape(g, (-1,)), (where,))
        gi = inner.op.vjps[k](part, inner.out if tensors else inner.out.data,
                              *(inner.inputs if tensors else inner.arrays), **inner.params)
        if getattr(gi, "shape", None) != inner.shapes[k]:
            gi = S.sum_to(gi, inner.shapes[k])
        if k:
            return gi
        dtype = None if inner.casts is None else inner.casts[0]
        if dtype is not None and gi.dtype != dtype:
            gi = S.to_dtype(gi, dtype)
        if tensors:
            return apply(S.COPY_SLICES, result, gi, key=_unravel(where, g.shape))
        flat = copy(xp.reshape(g, (-1,)))
        setitem(flat, (where,), gi)
        return xp.reshape(flat, g.shape)
    return rule


def _unravel(flat, shape) -> tuple:
    """The index arrays that reach the flat positions `flat` in an array of `shape`."""
    key, size = [], 1
    for n in reversed(shape):
        key.append((flat // size) % n)
        size *= n
    return tuple(reversed(key))


def rebase(view: Tensor, inner: Node):
    """PyTorch's rebase_history: the in-place op recorded as `inner` changed `view`."""
    info = view.view_of
    base = info.base
    where = positions(info)
    node = CopySlices(base, base.edge(), inner, where)
    base.grad_fn = node
    base.requires_grad = True
    inner.output_is(view)
    view.grad_fn = Node(AS_STRIDED, (node,), (base,), view, {"positions": where})
    view.requires_grad = True
    info.version = version_of(view)
    node.view_history = weakref.ref(view.grad_fn)


# -------------------------------------------------------------- overlap
def internal_overlap(a) -> bool:
    """Several elements of `a` at one memory place (an expanded tensor): PyTorch refuses to write into it."""
    return a.size > 0 and any(st == 0 and n > 1 for st, n in zip(strides(a), a.shape))    # (an empty one's are 0)


def partial_overlap(a, b) -> bool:
    """a and b share some memory but are not the same elements in the same order
    (PyTorch's get_overlap_status: only dense tensors are judged)."""
    return overlap(a, b) == "partial"


def overlap(a, b):
    """PyTorch's get_overlap_status of two arrays: 'full' (the same elements in the same
    order), 'partial', or None (apart, or not judged: only dense tensors are)."""
    if a.size == 0 or b.size == 0 or not (_dense(a) and _dense(b)):
        return None
    a0, b0 = address(a), address(b)
    a1, b1 = a0 + a.size * itemsize(a.dtype), b0 + b.size * itemsize(b.dtype)
    if a0 == b0 and a1 == b1:       # (a dim of one has no stride to compare: NumPy's None and unsqueeze differ there)
        return "partial" if _strides_that_step(a) != _strides_that_step(b) else "full"
    return "partial" if a0 < b1 and b0 < a1 else None


def _strides_that_step(a):
    return [(st, n) for st, n in zip(strides(a), a.shape) if n != 1]


def _dense(a) -> bool:
    """PyTorch's is_non_overlapping_and_dense: some order of the dims is row-major contiguous."""
    expected = 1
    for st, n in sorted((st, n) for st, n in zip(strides(a), a.shape) if n != 1):
        if st != expected:
            return False
        expected *= n
    return True
