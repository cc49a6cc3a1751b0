"""PyTorch's products: dot, mv, mm, bmm, outer, and matmul's dispatch among them."""
from __future__ import annotations

from ..engine.backend import strides
from ..engine.ops import linalg as L
from ..engine.ops import shapes as S
from ..engine.tensor import apply, data
from .arithmetic import mul
from .checks import broadcast_shapes, dims_text, fail, ndim_of, numel, refuse_huge, requires_grad, shape_of
from .shaping import attr_mT, contiguous, expand, reshape, squeeze, t, unsqueeze


def dot(x, y):
    if ndim_of(x) != 1 or ndim_of(y) != 1:
        fail(f"1D tensors expected, but got {ndim_of(x)}D and {ndim_of(y)}D tensors", "shape")
    if shape_of(x) != shape_of(y):
        n, m = shape_of(x)[0], shape_of(y)[0]
        fail(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
             f"of elements, but got {n} and {m} elements respectively", "shape")
    return apply(L.DOT, x, y)


def mv(m, v):
    if ndim_of(m) != 2 or ndim_of(v) != 1:
        fail(f"vector + matrix @ vector expected, got 1, {ndim_of(m)}, {ndim_of(v)}", "shape")
    if shape_of(m)[1] != shape_of(v)[0]:
        fail(f"size mismatch, got input ({shape_of(m)[0]}), mat ({dims_text(shape_of(m))}), "
             f"vec ({shape_of(v)[0]})", "shape")
    return apply(L.MV, m, v)


def mm(a, b):
    if ndim_of(a) != 2:
        fail("self must be a matrix", "shape")
    if ndim_of(b) != 2:
        fail("mat2 must be a matrix", "shape")
    if shape_of(a)[1] != shape_of(b)[0]:
        fail(f"mat1 and mat2 shapes cannot be multiplied ({dims_text(shape_of(a))} and "
             f"{dims_text(shape_of(b))})", "shape")
    refuse_huge(lambda: (shape_of(a)[0], shape_of(b)[1]), shape_of(a)[0] * shape_of(b)[1])
    return apply(L.MM, a, b)


def bmm(a, b):
    if ndim_of(a) != 3:
        fail("batch1 must be a 3D tensor", "shape")
    if ndim_of(b) != 3:
        fail("batch2 must be a 3D tensor", "shape")
    sa, sb = shape_of(a), shape_of(b)
    if sb[:2] != (sa[0], sa[2]):
        fail(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] "
             f"but got: [{sb[0]}, {sb[1]}].", "shape")
    sa, sb = shape_of(a), shape_of(b)
    refuse_huge(lambda: (sa[0], sa[1], sb[2]), sa[0] * sa[1] * sb[2])
    return apply(L.BMM, a, b)


def outer(u, v):
    if ndim_of(u) != 1 or ndim_of(v) != 1:
        fail(f"outer: expected 1D tensors, got {ndim_of(u)}D and {ndim_of(v)}D", "shape")
    return mul(reshape(u, (-1, 1)), v)


def matmul(a, b):
    """PyTorch's dispatch (_matmul_impl): dot, mv, mm, a folded mm/mv, or a batched bmm,
    by the operands' dims, strides and requires_grad, recording the same nodes."""
    da, db = ndim_of(a), ndim_of(b)
    if da == 0 or db == 0:
        fail(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D", "shape")
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        return apply(S.SQUEEZE_INPLACE, mm(unsqueeze(a, 0), b), dim=0)     # .squeeze_(0)
    if da == 2 and db == 2:
        return mm(a, b)
    if _should_fold(a, b):
        # Fold the batch of the larger operand into rows: one mm (or mv), then a view back.
        transpose = db > da
        t1 = attr_mT(b) if transpose else a
        t2 = (t(a) if da == 2 else a) if transpose else b
        s1 = shape_of(t1)
        folded = reshape(t1, (numel(s1[:-1]), s1[-1]))
        if ndim_of(t2) == 2:
            out = _unsafe_view(mm(folded, t2), s1[:-1] + (shape_of(t2)[1],))
            return contiguous(attr_mT(out)) if transpose else out
        return _unsafe_view(mv(folded, t2), s1[:-1])
    return _batched_matmul(a, b)


def _should_fold(a, b) -> bool:
    """PyTorch's should_fold: can the larger operand be folded into a matrix for mm/mv?"""
    a_larger = ndim_of(a) >= ndim_of(b)
    t1 = data(a) if a_larger else data(b)          # b is seen transposed (its last two dims swapped)
    d1, d2 = t1.ndim, ndim_of(b) if a_larger else ndim_of(a)
    if not (d1 >= 3 and d2 <= 2):
        return False
    if requires_grad(b if a_larger else a):    # fold, or the small operand's gradient is a big sum
        return True
    if ndim_of(a) == 2:     # 2D @ ND: folding would need a transposed copy of the result
        return False
    if t1.size == 0:
        return True
    shape, st = list(t1.shape), list(strides(t1))
    if not a_larger:
        shape[-2:], st[-2:] = shape[:-3:-1], st[:-3:-1]
    return all(st[i] == st[i + 1] * shape[i + 1] for i in range(d1 - 2))


def _unsafe_view(x, shape):
    return apply(S.UNSAFE_VIEW, x, shape=tuple(shape))


def _batched_matmul(a, b):
    da, db = ndim_of(a), ndim_of(b)
    sa, sb = shape_of(a), shape_of(b)
    n, m1, batch_a = (sa[-2] if da > 1 else 1), sa[-1], sa[:max(da - 2, 0)]
    m2, p, batch_b = (sb[-2] if db > 1 else sb[0]), (sb[-1] if db > 1 else 1), sb[:max(db - 2, 0)]
    if da == 3 and db == 3 and batch_a[0] != batch_b[0]:
        # a batch of one that requires grad is squeezed, so that it folds (as PyTorch does)
        if batch_a[0] == 1 and requires_grad(a):
            return matmul(squeeze(a, 0), b)
        if batch_b[0] == 1 and requires_grad(b):
            return matmul(a, squeeze(b, 0))
    batch = broadcast_shapes(batch_a, batch_b)
    flat = numel(batch)
    a3 = reshape(expand(a, batch + (n, m1)), (flat, n, m1))
    if db == 1:
        b3 = unsqueeze(reshape(expand(b, batch + (m2,)), (flat, m2)), 2)
    else:
        b3 = reshape(expand(b, batch + (m2, p)), (flat, m2, p))
    out = bmm(a3, b3)
    if db == 1:
        out = squeeze(out, -1)
    return _unsafe_view(out, batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ()))
