"""PyTorch's products: dot, mv, mm, bmm, inner, outer, matmul's dispatch among them, and F.linear."""
from __future__ import annotations

from ..engine.backend import dtype_name, kind, strides
from ..engine.ops import linalg as L
from ..engine.ops import shapes as S
from ..engine.ops import determinants as D
from ..engine.ops.products import ADDMM
from ..engine.tensor import Tensor, apply, bump_version, data, version_of
from ..errors import torch_type_name
from .arithmetic import add, mul
from ..state import state
from .checks import (CPP_TYPE_NAMES, broadcast_shapes, dims_text, fail, ndim_of, numel, refuse_huge,
                     requires_grad, shape_of, tensors_only)
from .reductions import ValuesIndices, sum
from .arithmetic import where
from .shaping import attr_mT, contiguous, expand, permute, reshape, squeeze, t, unsqueeze


def dot(x, y):
    return _dot(x, y, L.DOT)


def vdot(x, y):
    """A real vector's conjugate is itself: dot with its own node (VdotBackward0) and dot's checks."""
    return _dot(x, y, L.VDOT)


def _dot(x, y, op):
    if ndim_of(x) != 1 or ndim_of(y) != 1:
        fail(f"1D tensors expected, but got {ndim_of(x)}D and {ndim_of(y)}D tensors", "shape")
    if _same_dtype(x, y) is False:
        fail(f"dot : expected both vectors to have same dtype, but found {torch_type_name(_dtype(x))} and "
             f"{torch_type_name(_dtype(y))}")
    if shape_of(x) != shape_of(y):
        n, m = shape_of(x)[0], shape_of(y)[0]
        fail(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
             f"of elements, but got {n} and {m} elements respectively", "shape")
    _no_bools(x, "dot")
    return apply(op, x, y)


def mv(m, v):
    if ndim_of(m) != 2 or ndim_of(v) != 1:
        fail(f"vector + matrix @ vector expected, got 1, {ndim_of(m)}, {ndim_of(v)}", "shape")
    if shape_of(m)[1] != shape_of(v)[0]:
        fail(f"size mismatch, got input ({shape_of(m)[0]}), mat ({dims_text(shape_of(m))}), "
             f"vec ({shape_of(v)[0]})", "shape")
    if _same_dtype(m, v) is False:      # (the first is the result's, made in vec's dtype)
        fail(f"addmv input tensors must have the same dtype, but got {torch_type_name(_dtype(v))}, "
             f"{torch_type_name(_dtype(m))}, and {torch_type_name(_dtype(v))}")
    _no_bools(m, "addmv_impl_cpu")
    return apply(L.MV, m, v)


def mm(a, b):
    if type(a) is Tensor and type(b) is Tensor and _plain_product(a.data, b.data):
        return apply(L.MM, a, b)
    if ndim_of(a) != 2:
        fail("self must be a matrix", "shape")
    if ndim_of(b) != 2:
        fail("mat2 must be a matrix", "shape")
    if shape_of(a)[1] != shape_of(b)[0]:
        fail(f"mat1 and mat2 shapes cannot be multiplied ({dims_text(shape_of(a))} and "
             f"{dims_text(shape_of(b))})", "shape")
    if _same_dtype(a, b) is False:
        fail(f"expected m1 and m2 to have the same dtype, but got: {CPP_TYPE_NAMES.get(_dtype(a))} != "
             f"{CPP_TYPE_NAMES.get(_dtype(b))}")
    _no_bools(a, "addmm_impl_cpu_")
    refuse_huge(lambda: (shape_of(a)[0], shape_of(b)[1]), shape_of(a)[0] * shape_of(b)[1])
    return apply(L.MM, a, b)


def _plain_product(a, b) -> bool:
    """Matrices that fit, of one dtype (not bool), with a product of modest size: nothing for mm to refuse."""
    return a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0] and a.dtype is b.dtype \
        and a.shape[0] * b.shape[1] <= state.unchecked_up_to and kind(a.dtype) != "b"


def _no_bools(x, kernel):
    """PyTorch's CPU products have no kernel for bool tensors (both operands share x's dtype here)."""
    if _dtype(x) == "bool":
        fail(f'"{kernel}" not implemented for \'Bool\'', "not_implemented")


def _dtype(x):
    d = getattr(data(x), "dtype", None)
    return None if d is None else dtype_name(d)


def _same_dtype(x, y) -> bool:
    """(Compared as the arrays' own dtypes: their names are wanted only for a message.)"""
    return getattr(data(x), "dtype", None) == getattr(data(y), "dtype", None)


def bmm(a, b):
    if ndim_of(a) != 3:
        fail("batch1 must be a 3D tensor", "shape")
    if ndim_of(b) != 3:
        fail("batch2 must be a 3D tensor", "shape")
    sa, sb = shape_of(a), shape_of(b)
    if sb[:2] != (sa[0], sa[2]):
        fail(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] "
             f"but got: [{sb[0]}, {sb[1]}].", "shape")
    if _same_dtype(a, b) is False:
        fail(f"expected scalar type {torch_type_name(_dtype(a))} but found {torch_type_name(_dtype(b))}")
    _no_bools(a, "bmm")
    refuse_huge(lambda: (sa[0], sa[1], sb[2]), sa[0] * sa[1] * sb[2])
    return apply(L.BMM, a, b)


def inner(input, other):
    """torch.inner: a product for a 0-d operand, else PyTorch's tensordot over the last dims
    (permute, reshape, mm, reshape back: its nodes, ViewBackward0 on top)."""
    if ndim_of(input) == 0 or ndim_of(other) == 0:
        return mul(input, other)
    s1, s2 = shape_of(input), shape_of(other)
    if s1[-1] != s2[-1]:
        fail(f"inner() the last dimension must match on both input tensors but got shapes "
             f"[{', '.join(map(str, s1))}] and [{', '.join(map(str, s2))}]")
    if _dtype(input) != _dtype(other):
        fail("both inputs should have same dtype")
    n1, n2 = len(s1), len(s2)
    if s1[-1] == 1:         # a contracted dim of size one is summed right away
        input = sum(input, -1, True)
    t1, t2 = permute(input, *range(n1)), permute(other, n2 - 1, *range(n2 - 1))
    if numel(s1[:-1]) == numel(s2[:-1]) == 1:      # one number out: a dot of the two flattened
        t1, t2 = (t if ndim_of(t) == 1 else reshape(t, (s1[-1],)) for t in (t1, t2))
        return reshape(dot(t1, t2), s1[:-1] + s2[:-1])
    t1 = reshape(t1, (numel(s1[:-1]), s1[-1]))
    t2 = reshape(t2, (s2[-1], numel(s2[:-1])))
    return reshape(mm(t1, t2), s1[:-1] + s2[:-1])


def outer(u, v):
    for name, vector in (("self", u), ("vec2", v)):     # (PyTorch's check_1d, self first)
        if ndim_of(vector) != 1:
            fail(f"outer: Expected 1-D argument {name}, but got {ndim_of(vector)}-D", "shape")
    return mul(reshape(u, (-1, 1)), v)


def matmul(a, b):
    """PyTorch's dispatch (_matmul_impl): dot, mv, mm, a folded mm/mv, or a batched bmm,
    by the operands' dims, strides and requires_grad, recording the same nodes."""
    if type(a) is Tensor and type(b) is Tensor and a.data.ndim == 2 and b.data.ndim == 2:
        return mm(a, b)             # (the common case)
    da, db = ndim_of(a), ndim_of(b)
    if da == 0 or db == 0:
        fail(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D", "shape")
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        out = apply(S.SQUEEZE_INPLACE, mm(unsqueeze(a, 0), b), dim=0)      # .squeeze_(0): version 1
        bump_version(out)
        return out
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


def linear(input, weight, bias=None):
    """input @ weight.T + bias, recorded as PyTorch's linear records it: addmm for a matrix (or a
    contiguous input flattened to one, with a 1-D bias), else matmul and an in-place add."""
    for position, (name, v) in enumerate((("input", input), ("weight", weight), ("bias", bias)), 1):
        if v is not None and type(v) is not Tensor:
            fail(f"linear(): argument '{name}' (position {position}) must be Tensor, not {type(v).__name__}",
                 "type")
    di, dw = ndim_of(input), ndim_of(weight)
    if di == 0 or dw == 0:
        fail(f"both arguments to linear need to be at least 1D, but they are {di}D and {dw}D")
    if bias is not None:
        if di == 2:
            return _addmm(bias, input, t(weight))
        if ndim_of(bias) == 1 and S.is_contiguous(data(input)):
            sizes = shape_of(input)
            out = _addmm(bias, apply(S.VIEW, input, shape=(numel(sizes[:-1]), sizes[-1])), t(weight))
            return apply(S.VIEW, out, shape=sizes[:-1] + shape_of(out)[1:])
    out = matmul(input, t(weight))
    if bias is None:
        return out
    summed = add(out, bias)                     # output.add_(bias): AddBackward0, version 1
    if shape_of(summed) != shape_of(out):
        fail(f"output with shape [{', '.join(map(str, shape_of(out)))}] doesn't match the broadcast shape "
             f"[{', '.join(map(str, shape_of(summed)))}]")
    if _dtype(summed) != _dtype(out):
        fail(f"result type {torch_type_name(_dtype(summed))} can't be cast to the desired output type "
             f"{torch_type_name(_dtype(out))}")
    summed.version = version_of(out)            # in PyTorch the same tensor: its count goes on
    bump_version(summed)
    return summed


def _addmm(bias, mat1, mat2):
    """torch.addmm(bias, mat1, mat2): one AddmmBackward0 node; the bias broadcasts unrecorded."""
    for name, m in (("self", bias), ("mat1", mat1)):
        if _dtype(m) != _dtype(mat2):
            fail(f"{name} and mat2 must have the same dtype, but got {torch_type_name(_dtype(m))} and "
                 f"{torch_type_name(_dtype(mat2))}")
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if ndim_of(m) != 2:
            fail(f"{name} must be a matrix, got {ndim_of(m)}-D tensor")
    s1, s2 = shape_of(mat1), shape_of(mat2)
    if s1[1] != s2[0]:
        fail(f"mat1 and mat2 shapes cannot be multiplied ({dims_text(s1)} and {dims_text(s2)})")
    expand(data(bias), (s1[0], s2[1]))          # PyTorch's expand, for its message
    refuse_huge(lambda: (s1[0], s2[1]), s1[0] * s2[1])
    return apply(ADDMM, bias, mat1, mat2)


def inv(A, *, out=None):
    """torch.linalg.inv (also torch.inverse, A.inverse()): each matrix's inverse (LinalgInvExBackward0)."""
    tensors_only("linalg_inv", A=A)
    if ndim_of(A) < 2:
        fail("linalg.inv: The input tensor A must have at least 2 dimensions.")
    rows, cols = A.data.shape[-2:]
    if rows != cols:
        fail(f"linalg.inv: A must be batches of square matrices, but they are {rows} by {cols} matrices")
    if kind(A.data.dtype) != "f":
        fail(f"linalg.inv: Expected a floating point or complex tensor as input. Got {torch_type_name(A.data.dtype)}")
    return apply(L.INVERSE, A)


def solve(A, B, *, left=True, out=None):
    """torch.linalg.solve: X with A X = B (LinalgSolveExBackward0); B a vector or a batch of them, or matrices."""
    tensors_only("linalg_solve", A=A, B=B)
    if not left:
        fail("agcli's linalg.solve takes left=True only", "not_implemented")
    if ndim_of(A) < 2:
        fail("linalg.solve: The input tensor A must have at least 2 dimensions.")
    rows, cols = A.data.shape[-2:]
    if rows != cols:
        fail(f"linalg.solve: A must be batches of square matrices, but they are {rows} by {cols} matrices")
    vector = L.vector_rhs(A.data, B.data)
    b_rows = B.data.shape[-1] if vector else B.data.shape[-2] if ndim_of(B) >= 2 else None
    if b_rows != rows:
        b_cols = 1 if vector else B.data.shape[-1]
        fail(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({rows}x{cols} and "
             f"{B.data.shape[-1] if vector or ndim_of(B) < 2 else b_rows}x{b_cols})")
    if kind(A.data.dtype) != "f" or kind(B.data.dtype) != "f":
        fail(f"linalg.solve: Expected a floating point or complex tensor as input. Got "
             f"{torch_type_name(A.data.dtype if kind(A.data.dtype) != 'f' else B.data.dtype)}")
    if A.data.dtype != B.data.dtype:
        fail(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
             f"{torch_type_name(A.data.dtype)} and B of type {torch_type_name(B.data.dtype)} instead")
    return apply(L.SOLVE, A, B)


def det(A, *, out=None):
    """torch.linalg.det (also torch.det, A.det()): each matrix's determinant (LinalgDetBackward0)."""
    _square("det", A)
    return apply(D.DET, A)


def _square(name, A):
    tensors_only(f"linalg_{name}", A=A)
    if ndim_of(A) < 2:
        fail(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    rows, cols = A.data.shape[-2:]
    if rows != cols:
        fail(f"linalg.{name}: A must be batches of square matrices, but they are {rows} by {cols} matrices")
    if kind(A.data.dtype) != "f":
        fail(f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
             f"{torch_type_name(A.data.dtype)}")


def slogdet(A, *, out=None, _name="linalg_slogdet"):
    """torch.linalg.slogdet (torch.slogdet, A.slogdet()): (sign, logabsdet), both of one
    LinalgSlogdetBackward0 node in PyTorch (here two of that name)."""
    _square("slogdet", A)
    pair = apply(D.SLOGDET_SIGN, A, part=0), apply(D.SLOGDET_LOGABS, A, part=1)
    return ValuesIndices(pair, _name, ("sign", "logabsdet"))


def logdet(A):
    """torch.logdet (A.logdet()): log|det|, nan where the determinant is negative (WhereBackward0)."""
    if type(A) is Tensor and ndim_of(A) >= 2 and A.data.shape[-1] != A.data.shape[-2]:
        fail(f"logdet: A must be batches of square matrices, but they are {A.data.shape[-2]} by "
             f"{A.data.shape[-1]} matrices")
    sign, logabsdet = slogdet(A)
    return where(Tensor(sign.data == -1), float("nan"), logabsdet)
