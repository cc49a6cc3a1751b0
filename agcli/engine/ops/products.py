"""The scaled products beta * input + alpha * (product): addmv, addr, addbmm, baddbmm (addmm is
linalg.py's ADDMM, which F.linear records too). Each entry: grad_fn name, kernel, one rule per input,
the rules in words (derivatives.yaml: maybe_multiply(x, s) is x itself for s == 1, else x * s)."""
from __future__ import annotations

from ..backend import (addmm_kernel, asarray, bmm_kernel, itemsize, kind, mkl_addmm, mkl_addmv, mkl_baddbmm,
                       mm_kernel, mv_kernel, strides, xp)
from ..fma import fma
from ..op import Op
from .linalg import bmm, matmul, mm_mat1_grad, mm_mat2_grad, mv, outer
from .pointwise import mul, mul_scalar
from .reductions import sum
from .shapes import expand, lined_up, t, transpose, unsqueeze


def scaled(x, s):
    """maybe_multiply: x * s, recorded as the Scalar product (MulBackward0), unless s is 1."""
    return x if s == 1 else mul_scalar(x, s)


def _number(s, like):
    """s as a number of like's dtype (PyTorch's Scalar, cast to the result's type)."""
    return asarray(s, dtype=like.dtype)


def combine(c, product, beta=1, alpha=1):
    """beta * c + alpha * product, as PyTorch's kernels: c is ignored (not even a nan of it)
    when beta is 0; a product of bools is or-ed in (addr's logical kernel)."""
    if kind(product.dtype) == "b":
        product = xp.logical_and(product, bool(alpha))
        return product if beta == 0 else xp.logical_or(xp.logical_and(c, bool(beta)), product)
    if alpha != 1:
        product = product * _number(alpha, product)
    if beta == 0:
        return product
    return product + (c if beta == 1 else c * _number(beta, product))


def addmm(c, a, b, beta=1, alpha=1):
    """c + mat1 @ mat2 in PyTorch's order (backend.addmm_kernel), or scaled: the product as mm's,
    then scaled and added; but a BLAS gemv's order for one row (two in float64; measured, 2.13):
    from beta * c, each term added by FMA in turn."""
    product = mkl_addmm(c, a, b, beta, alpha)       # (PyTorch's own gemm, with the mkl extra)
    if product is not None:
        return product
    if kind(a.dtype) == "f" and a.dtype == b.dtype == c.dtype and a.shape[0] <= (2 if itemsize(a.dtype) == 8 else 1) \
            and a.shape[1] > 1 and beta != 0 and strides(b)[-1] == 1:     # (not F.linear's weight.t())
        out = xp.broadcast_to(c if beta == 1 else c * _number(beta, c), (a.shape[0], b.shape[1]))
        b = b if alpha == 1 else b * _number(alpha, b)
        for k in range(a.shape[1]):
            out = fma(xp.broadcast_to(a[:, k:k + 1], out.shape), xp.broadcast_to(b[k:k + 1, :], out.shape), out)
        return out
    if beta == 1 and alpha == 1:
        return addmm_kernel(c, a, b)
    return combine(c, mm_kernel(a, b), beta, alpha)


def _addmv(c, m, v, beta=1, alpha=1):
    product = mkl_addmv(c, m, v, beta, alpha)       # (PyTorch's own gemv, with the mkl extra)
    return combine(c, mv_kernel(m, v), beta, alpha) if product is None else product


def _addr(c, v1, v2, beta=1, alpha=1):
    product = v1[:, None] * v2[None, :] if kind(v1.dtype) != "b" else xp.logical_and(v1[:, None], v2[None, :])
    return combine(c, product, beta, alpha)


def _addbmm(c, b1, b2, beta=1, alpha=1):
    """PyTorch's addbmm: an addmm of each batch in turn into the result, beta applied by the first."""
    out = xp.broadcast_to(c, (b1.shape[1], b2.shape[2]))
    if b1.shape[0] == 0:
        return out * _number(beta, out) if beta != 0 else xp.zeros_like(out)
    for i in range(b1.shape[0]):
        out = addmm(out, b1[i, ...], b2[i, ...], beta if i == 0 else 1, alpha)
    return out


def _baddbmm(c, b1, b2, beta=1, alpha=1):
    """PyTorch's baddbmm: a matrix of fewer than 400 products scaled and added to beta * c (its kernel,
    the terms in turn); a larger one each matrix's addmm."""
    product = mkl_baddbmm(c, b1, b2, beta, alpha)       # (PyTorch's own batched gemm, with the mkl extra)
    if product is not None:
        return product
    (count, m, k), n = b1.shape, b2.shape[2]
    if k * m * n < 400 or not count:
        return combine(c, bmm_kernel(b1, b2), beta, alpha)
    c = xp.broadcast_to(c, (count, m, n))
    return xp.stack([addmm(c[i, ...], b1[i, ...], b2[i, ...], beta, alpha) for i in range(count)])


def _mm_grad(rule):
    return lambda g, out, c, a, b, beta=1, alpha=1: scaled(rule(g, a, b), alpha)


def _self_grad(g, out, c, *args, beta=1, alpha=1):
    return scaled(g, beta)


def _self_tangent(tc, out, c, *args, beta=1, alpha=1):
    """input's tangent, lined up with the output here (size-1 dims after the batch dims): the
    products are not elementwise, so the engine does not line the tangents up (but addmm's)."""
    return scaled(lined_up(tc, len(c.shape), len(out.shape)), beta)


def _batches_grad(g, b1, b2):
    """grad.unsqueeze(0).expand({batch1.size(0), batch1.size(1), batch2.size(2)})."""
    return expand(unsqueeze(g, 0), (b1.shape[0], b1.shape[1], b2.shape[2]))


ADDMM = Op("AddmmBackward0", addmm,     # bias + mat1 @ mat2 (F.linear); beta * self + alpha * (mat1 @ mat2)
           (_self_grad, _mm_grad(mm_mat1_grad), _mm_grad(mm_mat2_grad)),
           ("maybe_multiply(grad, beta)", "maybe_multiply(grad.mm(mat2.t()), alpha)",
            "maybe_multiply(mat1.t().mm(grad), alpha)"), reads=((), (2,), (1,)),
           jvps=(lambda t, out, c, a, b, beta=1, alpha=1: scaled(t, beta),
                 lambda t, out, c, a, b, beta=1, alpha=1: scaled(matmul(t, b), alpha),
                 lambda t, out, c, a, b, beta=1, alpha=1: scaled(matmul(a, t), alpha)),
           broadcasts=True)
ADDMV = Op("AddmvBackward0", _addmv,
           (_self_grad, lambda g, out, c, m, v, beta=1, alpha=1: scaled(outer(g, v), alpha),
            lambda g, out, c, m, v, beta=1, alpha=1: scaled(mv(t(m), g), alpha)),
           ("maybe_multiply(grad, beta)", "maybe_multiply(grad.ger(vec), alpha)",
            "maybe_multiply(mat.t().mv(grad), alpha)"), reads=((), (2,), (1,)),
           jvps=(_self_tangent, lambda tm, out, c, m, v, beta=1, alpha=1: scaled(matmul(tm, v), alpha),
                 lambda tv, out, c, m, v, beta=1, alpha=1: scaled(matmul(tv, transpose(m, -1, -2)), alpha)))
ADDR = Op("AddrBackward0", _addr,
          (_self_grad, lambda g, out, c, v1, v2, beta=1, alpha=1: scaled(mv(g, v2), alpha),
           lambda g, out, c, v1, v2, beta=1, alpha=1: scaled(mv(t(g), v1), alpha)),
          ("maybe_multiply(grad, beta)", "maybe_multiply(grad.mv(vec2), alpha)",
           "maybe_multiply(grad.t().mv(vec1), alpha)"), reads=((), (2,), (1,)),
          jvps=(_self_tangent, lambda t1, out, c, v1, v2, beta=1, alpha=1: scaled(outer(t1, v2), alpha),
                lambda t2, out, c, v1, v2, beta=1, alpha=1: scaled(mul(unsqueeze(v1, -1), unsqueeze(t2, -2)),
                                                                   alpha)))
ADDBMM = Op("AddbmmBackward0", _addbmm,
            (_self_grad,
             lambda g, out, c, b1, b2, beta=1, alpha=1: scaled(bmm(_batches_grad(g, b1, b2), transpose(b2, 1, 2)),
                                                               alpha),
             lambda g, out, c, b1, b2, beta=1, alpha=1: scaled(bmm(transpose(b1, 1, 2), _batches_grad(g, b1, b2)),
                                                               alpha)),
            ("maybe_multiply(grad, beta)",
             "maybe_multiply(grad.unsqueeze(0).expand({b, n, p}).bmm(batch2.transpose(1, 2)), alpha)",
             "maybe_multiply(batch1.transpose(1, 2).bmm(grad.unsqueeze(0).expand({b, n, p})), alpha)"),
            reads=((), (1, 2), (1, 2)),
            jvps=(_self_tangent,
                  lambda t1, out, c, b1, b2, beta=1, alpha=1: scaled(sum(matmul(t1, b2), (-3 % t1.ndim,)), alpha),
                  lambda t2, out, c, b1, b2, beta=1, alpha=1: scaled(sum(matmul(b1, t2), (-3 % t2.ndim,)), alpha)))
BADDBMM = Op("BaddbmmBackward0", _baddbmm,
             (_self_grad,
              lambda g, out, c, b1, b2, beta=1, alpha=1: scaled(bmm(g, transpose(b2, 1, 2)), alpha),
              lambda g, out, c, b1, b2, beta=1, alpha=1: scaled(bmm(transpose(b1, 1, 2), g), alpha)),
             ("maybe_multiply(grad, beta)", "maybe_multiply(grad.bmm(batch2.transpose(1, 2)), alpha)",
              "maybe_multiply(batch1.transpose(1, 2).bmm(grad), alpha)"), reads=((), (2,), (1,)),
             jvps=(_self_tangent, lambda t1, out, c, b1, b2, beta=1, alpha=1: scaled(matmul(t1, b2), alpha),
                   lambda t2, out, c, b1, b2, beta=1, alpha=1: scaled(matmul(b1, t2), alpha)))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line
