"""Products of vectors and matrices: dot, mv, mm, bmm (addmm and kin: products.py); the inverse of a matrix.
Each entry: grad_fn name, kernel, one rule per input, the rules in words."""
from __future__ import annotations

from ..backend import ON_HOST, bmm_kernel, dot, mm_kernel, mv_kernel, strides, xp
from .. import mkl_lapack
from ..backend_gemm import gemm_is_pytorchs
from ..op import Op
from ..tensor import Tensor, apply
from .pointwise import mul, neg
from .shapes import expand, reshape, squeeze, t, transpose, unsqueeze


def mm(a, b):
    return apply(MM, a, b) if type(a) is Tensor or type(b) is Tensor else mm_kernel(a, b)


def mv(m, v):
    return apply(MV, m, v) if type(m) is Tensor or type(v) is Tensor else mv_kernel(m, v)


def bmm(a, b):
    return apply(BMM, a, b) if type(a) is Tensor or type(b) is Tensor else bmm_kernel(a, b)


def _column_major(m) -> bool:
    """Is the matrix laid out by columns (a transposed view)? PyTorch's mm rules then compute
    the gradient transposed, which changes the nodes a create_graph gradient records."""
    m = m.data if type(m) is Tensor else m
    st = strides(m)
    return st[0] == 1 and st[1] == m.shape[0]


def mm_mat1_grad(g, a, b):
    """mm_mat1_backward: grad.mm(mat2.t()); (mat2.mm(grad.t())).t() for a column-major mat1."""
    if (type(g) is Tensor or gemm_is_pytorchs()) and _column_major(a):
        return t(mm(b, t(g)))
    return mm(g, t(b))


def mm_mat2_grad(g, a, b):
    """mm_mat2_backward: mat1.t().mm(grad); (grad.t().mm(mat1)).t() for a column-major mat2."""
    if (type(g) is Tensor or gemm_is_pytorchs()) and _column_major(b):
        return t(mm(t(g), a))
    return mm(t(a), g)


def matmul(a, b):
    """a @ b as NumPy's matmul broadcasts it (a tangent's batch dims lead): for the forward-mode
    rules. On tensors: mm or bmm of the operands brought to 2 or 3 dims, as matmul records."""
    if type(a) is not Tensor and type(b) is not Tensor:
        return xp.matmul(a, b)
    if len(b.shape) == 1:
        return squeeze(matmul(a, unsqueeze(b, -1)), -1)
    if len(a.shape) == 1:
        return squeeze(matmul(unsqueeze(a, 0), b), -2)
    if len(a.shape) == 2 and len(b.shape) == 2:
        return mm(a, b)
    lead = _broadcast(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    count = 1
    for n in lead:
        count *= n
    a3 = reshape(expand(a, lead + tuple(a.shape[-2:])), (count,) + tuple(a.shape[-2:]))
    b3 = reshape(expand(b, lead + tuple(b.shape[-2:])), (count,) + tuple(b.shape[-2:]))
    return reshape(bmm(a3, b3), lead + (a.shape[-2], b.shape[-1]))


def _broadcast(s, u) -> tuple:
    s, u = (1,) * (len(u) - len(s)) + s, (1,) * (len(s) - len(u)) + u
    return tuple(m if n == 1 else n for n, m in zip(s, u))


def outer(u, v):
    """u ⊗ v as the rules want it: a broadcast product."""
    return mul(unsqueeze(u, -1), v)


DOT = Op("DotBackward0", dot,
         (lambda g, out, x, y: g * y,
          lambda g, out, x, y: g * x),
         ("grad * tensor", "grad * self"), reads=((1,), (0,)),
         # dot(self_t, tensor_p) + dot(self_p, tensor_t), a batch of tangents at once
         jvps=(lambda t, out, x, y: matmul(t, y), lambda t, out, x, y: matmul(t, x)))
VDOT = Op("VdotBackward0", dot,       # (a real tensor's conjugate is itself: dot's rules)
          DOT.vjps, ("grad.conj() * other", "grad * self"), reads=((1,), (0,)), jvps=DOT.jvps, order=(1, 0))
MV = Op("MvBackward0", mv_kernel,
        (lambda g, out, m, v: outer(g, v),
         lambda g, out, m, v: mv(t(m), g)),
        ("grad.ger(vec)", "self.t().mv(grad)"), reads=((1,), (0,)),
        jvps=(lambda t, out, m, v: matmul(t, v),                    # mv(self_t, vec_p) + mv(self_p, vec_t)
              lambda tv, out, m, v: matmul(tv, transpose(m, -1, -2))))
MM = Op("MmBackward0", mm_kernel,
        (lambda g, out, a, b: mm_mat1_grad(g, a, b),
         lambda g, out, a, b: mm_mat2_grad(g, a, b)),
        ("grad.mm(mat2.t())", "self.t().mm(grad)"), reads=((1,), (0,)),
        jvps=(lambda t, out, a, b: matmul(t, b), lambda t, out, a, b: matmul(a, t)), order=(1, 0))
BMM = Op("BmmBackward0", lambda a, b: bmm_kernel(a, b),                       # batched, same batch dims
         (lambda g, out, a, b: bmm(g, transpose(b, -1, -2)),
          lambda g, out, a, b: bmm(transpose(a, -1, -2), g)),
         ("grad.bmm(mat2.transpose(1, 2))", "self.transpose(1, 2).bmm(grad)"), reads=((1,), (0,)),
         jvps=(lambda t, out, a, b: matmul(t, b), lambda t, out, a, b: matmul(a, t)), order=(1, 0))


# ------------------------------------------------------------------ inverse
def _inverse(a):
    """The inverse of each matrix (the last two dims); PyTorch's error for a singular one, naming
    the first zero pivot of its LU factorisation (LAPACK's getrf)."""
    n = a.shape[-1]
    found = mkl_lapack.solve(a, xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape)) if ON_HOST and n else None
    if found is not None:           # (PyTorch's own getrf and getrs, with the mkl extra: linalg_inv_ex's solve)
        return found
    try:
        return xp.linalg.inv(a)
    except Exception:       # (NumPy's LinAlgError: a matrix is exactly singular)
        from ...errors import AgcliError
        from ..backend import to_host
        host = to_host(a).astype("float64")
        batch = host.reshape((-1,) + host.shape[-2:])
        for i, m in enumerate(batch):
            k = _zero_pivot(m.tolist())
            if k:
                where = f"(Batch element {i}): " if host.ndim > 2 else ""
                raise AgcliError(f"linalg.inv: {where}The diagonal element {k} is zero, the inversion could not be "
                                 "completed because the input matrix is singular.", kind="linalg") from None
        raise


def _zero_pivot(m) -> int:
    """The first (1-based) zero pivot of LU with partial pivoting, as getrf's info; 0 if none."""
    n = len(m)
    for k in range(n):
        p = max(range(k, n), key=lambda r: abs(m[r][k]))
        if m[p][k] == 0:
            return k + 1
        m[k], m[p] = m[p], m[k]
        for r in range(k + 1, n):
            f = m[r][k] / m[k][k]
            m[r] = [x - f * y for x, y in zip(m[r], m[k])]
    return 0


def _inverse_grad(g, out, a):
    """-inverse.mH() @ (grad @ inverse.mH()), as PyTorch's formula (recorded so with create_graph)."""
    left = transpose(out, -2, -1)
    return neg(matmul(left, matmul(g, transpose(out, -2, -1))))


INVERSE = Op("LinalgInvExBackward0", _inverse, (_inverse_grad,),
             ("-inverse.mH() @ (grad @ inverse.mH())",), saves_out=True,
             jvps=(lambda t, out, a: neg(matmul(matmul(out, t), out)),))     # -(inverse @ A_t) @ inverse


# -------------------------------------------------------------------- solve
def vector_rhs(a, b) -> bool:
    """Is B a vector (or a batch of vectors) on the right-hand side (linalg_solve_is_vector_rhs)?"""
    return len(b.shape) == 1 or (len(b.shape) == len(a.shape) - 1 and tuple(b.shape) == tuple(a.shape[:-1]))


def _solve(a, b):
    vector = vector_rhs(a, b)
    found = mkl_lapack.solve(a, xp.expand_dims(b, -1) if vector else b) if ON_HOST else None
    if found is not None:           # (PyTorch's own getrf and getrs, with the mkl extra)
        return xp.squeeze(found, -1) if vector else found
    try:
        x = xp.linalg.solve(a, xp.expand_dims(b, -1) if vector else b)
    except Exception as e:       # (NumPy's LinAlgError: a matrix is exactly singular)
        if type(e).__name__ != "LinAlgError":
            raise
        from ...errors import AgcliError
        raise AgcliError("torch.linalg.solve: The solver failed because the input matrix is singular.",
                         kind="linalg") from None
    return xp.squeeze(x, -1) if vector else x


def solve(a, b):
    return apply(SOLVE, a, b) if type(a) is Tensor or type(b) is Tensor else _solve(a, b)


def _solved_grad(g, a, b):
    """gB = A^-H gX, as linalg_solve_backward computes it (a solve with A.mH(): recorded so with
    create_graph), with the vector case's unsqueeze; and whether B is a vector."""
    vector = vector_rhs(a, b)
    return solve(transpose(a, -2, -1), unsqueeze(g, -1) if vector else g), vector


def _solve_a_grad(g, out, a, b):
    """gA = -gB X^H."""
    g_b, vector = _solved_grad(g, a, b)
    return neg(matmul(g_b, transpose(unsqueeze(out, -1) if vector else out, -2, -1)))


def _solve_b_grad(g, out, a, b):
    g_b, vector = _solved_grad(g, a, b)
    return squeeze(g_b, -1) if vector else g_b


def _solve_tangent_a(t, out, a, b):
    """linalg_solve_jvp's A part: -A^-1 (A_t X)."""
    vector = vector_rhs(a, b)
    x = unsqueeze(out, -1) if vector else out
    solved = solve(a, matmul(t, x))
    return neg(squeeze(solved, -1) if vector else solved)


def _solve_tangent_b(t, out, a, b):
    """linalg_solve_jvp's B part: A^-1 B_t (a batch of tangents: matrices of columns)."""
    if not vector_rhs(a, b):
        return solve(a, t)
    return squeeze(solve(a, unsqueeze(t, -1)), -1)


SOLVE = Op("LinalgSolveExBackward0", _solve, (_solve_a_grad, _solve_b_grad),
           ("-(A^-H grad) X^H", "A^-H grad"), saves_out=True, jvps=(_solve_tangent_a, _solve_tangent_b))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, Mapped, declare, declare_rest  # noqa: E402  (after the entries it declares)


def _mt(m, batched):
    """Each line's matrix transposed (a view, as t() gives it)."""
    return xp.swapaxes(m, -1, -2) if batched else m.T


def _mv_batched(m, v, batched_v):
    """Each line's mv: a vector is a one-column matrix, as NumPy's matmul takes it alone
    (on the host, each line's order of additions: backend_matmul.in_turn_mv)."""
    if ON_HOST:
        return mv_kernel(m, v)
    return xp.matmul(m, v[..., None])[..., 0] if batched_v else xp.matmul(m, v)


# A stack of matrices multiplies slice by slice (NumPy's matmul over the leading axis);
# the rules' products take the same operands, transposed the same way, line by line.
# mm_kernel chooses each line's order of additions from one line's shapes, on stacks too.
# (addmm adds in PyTorch's order only for some layouts: line by line, LOOP.)
declare(Mapped("matrix-vector products over the stack",
               lambda args, batched, params: _mv_batched(args[0], args[1], batched[1]),
               (lambda g, args, batched, params: g[..., :, None] * (args[1][:, None, :] if batched[1] else args[1]),
                lambda g, args, batched, params: _mv_batched(_mt(args[0], batched[0]), g, True))), MV)
declare(Mapped("matrix products over the stack",
               lambda args, batched, params: mm_kernel(args[0], args[1]),
               (lambda g, args, batched, params: mm_kernel(g, _mt(args[1], batched[1])),
                lambda g, args, batched, params: mm_kernel(_mt(args[0], batched[0]), g))), MM)
declare_rest(globals(), LOOP)       # each kernel and rule line by line: right whatever the op does

