"""Products of vectors and matrices: dot, mv, mm, bmm, addmm. Each entry:
grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ..backend import dot, xp
from ..op import Op
from ..tensor import Tensor, apply
from .pointwise import mul
from .shapes import t, transpose, unsqueeze


def mm(a, b):
    return apply(MM, a, b) if type(a) is Tensor or type(b) is Tensor else xp.matmul(a, b)


def mv(m, v):
    return apply(MV, m, v) if type(m) is Tensor or type(v) is Tensor else xp.matmul(m, v)


def bmm(a, b):
    return apply(BMM, a, b) if type(a) is Tensor or type(b) is Tensor else xp.matmul(a, b)


def outer(u, v):
    """u ⊗ v as the rules want it: a broadcast product."""
    return mul(unsqueeze(u, -1), v)


DOT = Op("DotBackward0", dot,
         (lambda g, out, x, y: g * y,
          lambda g, out, x, y: g * x),
         ("grad * tensor", "grad * self"), reads=((1,), (0,)))
MV = Op("MvBackward0", xp.matmul,
        (lambda g, out, m, v: outer(g, v),
         lambda g, out, m, v: mv(t(m), g)),
        ("grad.ger(vec)", "self.t().mv(grad)"), reads=((1,), (0,)))
MM = Op("MmBackward0", xp.matmul,
        (lambda g, out, a, b: mm(g, t(b)),
         lambda g, out, a, b: mm(t(a), g)),
        ("grad.mm(mat2.t())", "self.t().mm(grad)"), reads=((1,), (0,)))
BMM = Op("BmmBackward0", xp.matmul,                       # batched, same batch dims
         (lambda g, out, a, b: bmm(g, transpose(b, -1, -2)),
          lambda g, out, a, b: bmm(transpose(a, -1, -2), g)),
         ("grad.bmm(mat2.transpose(1, 2))", "self.transpose(1, 2).bmm(grad)"), reads=((1,), (0,)))
ADDMM = Op("AddmmBackward0", lambda c, a, b: xp.matmul(a, b) + c,   # bias + mat1 @ mat2 (F.linear)
           (lambda g, out, c, a, b: g,
            lambda g, out, c, a, b: mm(g, t(b)),
            lambda g, out, c, a, b: mm(t(a), g)),
           ("grad", "grad.mm(mat2.t())", "mat1.t().mm(grad)"), reads=((), (2,), (1,)))
