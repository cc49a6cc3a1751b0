"""torch.distributions.MultivariateNormal and its KL divergence, as torch/distributions/multivariate_normal.py
and kl.py compute them: the Cholesky factor of the covariance (or of the flipped precision) as the one
parameter, its triangular solves for the Mahalanobis distance (_batch_mahalanobis' reshapes and
permutes, so the same nodes), samples from the same random stream."""
from __future__ import annotations

import math

from ...engine import backend as B
from ...engine.ops.cholesky import failed_minors
from ...engine.tensor import Tensor, set_grad_enabled
from .. import cholesky as CH
from .. import creation as C
from .. import functions as T
from .. import sampling as RS
from ..dtypes import DType
from ..namespace import Size
from ..stacking import broadcast_shapes
from .base import Constraint, Distribution, real_vector, value_error
from .families import empty_like, raise_type


class PositiveDefinite(Constraint):
    """constraints.positive_definite: symmetric (isclose to its transpose, atol 1e-6) and factored by Cholesky."""

    event_dim = 2

    def check(self, value):
        a = value.data
        mt = B.swapaxes(a, -1, -2)
        symmetric = B.xp.all(B.xp.all(B.xp.abs(a - mt) <= 1e-6 + 1e-5 * B.xp.abs(mt), axis=-1), axis=-1)
        if not bool(B.item(B.xp.all(symmetric))):
            return symmetric
        return B.xp.reshape(B.from_host([k == 0 for k in failed_minors(a)]), a.shape[:-2])


class LowerCholesky(Constraint):
    """constraints.lower_cholesky: lower-triangular with a positive diagonal."""

    event_dim = 2

    def check(self, value):
        a = value.data
        n = a.shape[-1]
        above = B.xp.reshape(B.arange(n), (1, n)) > B.xp.reshape(B.arange(a.shape[-2]), (-1, 1))
        lower = B.xp.all(B.xp.all((a == 0) | ~above, axis=-1), axis=-1)
        return lower & B.xp.all(B.diagonal(a, 0, -2, -1) > 0, axis=-1)


positive_definite, lower_cholesky = PositiveDefinite(), LowerCholesky()


def batch_mv(bmat, bvec):
    return T.squeeze(T.matmul(bmat, T.unsqueeze(bvec, -1)), -1)


def batch_mahalanobis(bL, bx):
    """x^T M^-1 x for M = L L^T, batches of L broadcast to x's (PyTorch's reshapes and permutes)."""
    n = bx.data.shape[-1]
    bx_batch_shape = tuple(bx.data.shape[:-1])
    bx_batch_dims, bL_batch_dims = len(bx_batch_shape), bL.data.ndim - 2
    outer_batch_dims = bx_batch_dims - bL_batch_dims
    old_batch_dims = outer_batch_dims + bL_batch_dims
    new_batch_dims = outer_batch_dims + 2 * bL_batch_dims
    bx_new_shape = tuple(bx.data.shape[:outer_batch_dims])
    for sL, sx in zip(bL.data.shape[:-2], bx.data.shape[outer_batch_dims:-1]):
        bx_new_shape += (sx // sL, sL)
    bx = T.reshape(bx, bx_new_shape + (n,))
    permute_dims = (list(range(outer_batch_dims)) + list(range(outer_batch_dims, new_batch_dims, 2))
                    + list(range(outer_batch_dims + 1, new_batch_dims, 2)) + [new_batch_dims])
    bx = T.permute(bx, permute_dims)
    flat_L = T.reshape(bL, (-1, n, n))
    flat_x = T.reshape(bx, (-1, flat_L.data.shape[0], n))
    flat_x_swap = T.permute(flat_x, (1, 2, 0))
    M_swap = T.sum(T.pow(CH.solve_triangular(flat_L, flat_x_swap, upper=False), 2), -2)
    permuted_M = T.reshape(T.t(M_swap), tuple(bx.data.shape[:-1]))
    permute_inv_dims = list(range(outer_batch_dims))
    for i in range(bL_batch_dims):
        permute_inv_dims += [outer_batch_dims + i, old_batch_dims + i]
    return T.reshape(T.permute(permuted_M, permute_inv_dims), bx_batch_shape)


def _precision_to_scale_tril(P):
    Lf = CH.cholesky(T.flip(P, (-2, -1)))
    L_inv = T.transpose(T.flip(Lf, (-2, -1)), -2, -1)
    Id = C.eye(P.data.shape[-1], dtype=DType(B.dtype_name(P.data.dtype)), device=P.device)
    return CH.solve_triangular(L_inv, Id, upper=False)


_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


class MultivariateNormal(Distribution):
    pytorch_module = "torch.distributions.multivariate_normal"
    arg_constraints = {"loc": real_vector, "covariance_matrix": positive_definite,
                       "precision_matrix": positive_definite, "scale_tril": lower_cholesky}
    support = real_vector
    has_rsample = True
    program_attributes = {**Distribution.program_attributes, "loc": "loc", **{n: n for n in _MATRICES}}

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if type(loc) is not Tensor:
            raise_type("loc", loc)
        if loc.data.ndim < 1:
            value_error("loc must be at least one-dimensional.")
        given = {n: m for n, m in zip(_MATRICES, (covariance_matrix, precision_matrix, scale_tril)) if m is not None}
        if len(given) != 1:
            value_error("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        (name, matrix), = given.items()
        if type(matrix) is not Tensor:
            raise_type(name, matrix)
        if matrix.data.ndim < 2:
            value_error(f"{name} must be at least two-dimensional, with optional leading batch dimensions")
        batch_shape = tuple(broadcast_shapes(matrix.data.shape[:-2], loc.data.shape[:-1]))
        self.__dict__[name] = T.expand(matrix, batch_shape + (-1, -1))
        self.loc = T.expand(loc, batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.data.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = CH.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def _matrix_shape(self):
        return tuple(self._batch_shape + self._event_shape + self._event_shape)

    def __getattr__(self, name):            # (PyTorch's lazy_property: made when first asked, then kept)
        if name not in _MATRICES:
            raise AttributeError(name)
        L = self.__dict__["_unbroadcasted_scale_tril"]
        with set_grad_enabled(True):
            if name == "scale_tril":
                value = L
            elif name == "covariance_matrix":
                value = T.matmul(L, T.attr_mT(L))
            else:
                value = CH.cholesky_inverse(L)
            value = T.expand(value, self._matrix_shape())
        self.__dict__[name] = value
        return value

    mean = mode = property(lambda self: self.loc)

    @property
    def variance(self):
        return T.expand(T.sum(T.pow(self._unbroadcasted_scale_tril, 2), -1),
                        tuple(self._batch_shape + self._event_shape))

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        eps = RS.normal_(empty_like(self.loc, shape))
        return T.add(self.loc, batch_mv(self._unbroadcasted_scale_tril, eps))

    def _half_log_det(self):
        return T.sum(T.log(T.diagonal(self._unbroadcasted_scale_tril, dim1=-2, dim2=-1)), -1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = T.sub(value, self.loc)
        M = batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = self._half_log_det()
        return T.sub(T.mul(-0.5, T.add(self._event_shape[0] * math.log(2 * math.pi), M)), half_log_det)

    def entropy(self):
        H = T.add(0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)), self._half_log_det())
        return H if len(self._batch_shape) == 0 else T.expand(H, tuple(self._batch_shape))


def kl_multivariate_normal(p, q):
    if p.event_shape != q.event_shape:
        value_error("KL-divergence between two Multivariate Normals with                          different event "
                    "shapes cannot be computed")
    half_term1 = T.sub(q._half_log_det(), p._half_log_det())
    p_tril, q_tril = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    combined = tuple(broadcast_shapes(q_tril.data.shape[:-2], p_tril.data.shape[:-2]))
    n = p.event_shape[0]
    solved = CH.solve_triangular(T.expand(q_tril, combined + (n, n)), T.expand(p_tril, combined + (n, n)),
                                 upper=False)
    term2 = T.reshape(T.sum(T.pow(T.reshape(solved, (-1, n * n)), 2), -1), tuple(solved.data.shape[:-2]))
    term3 = batch_mahalanobis(q_tril, T.sub(q.loc, p.loc))
    return T.add(half_term1, T.mul(0.5, T.sub(T.add(term2, term3), n)))


CLASSES = {"MultivariateNormal": MultivariateNormal}
