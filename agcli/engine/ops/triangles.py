"""Triangles and diagonals: tril, triu (of the last two dims), diag's two directions (a
vector onto a matrix's diagonal, a matrix's diagonal copied out). Each entry: grad_fn
name, kernel, rule, the rule in words."""
from __future__ import annotations

from ..backend import arange, copy, diagonal as diagonal_view, xp, zeros
from ..layouts import lay_out, row_major
from ..op import Op
from ..tensor import Tensor, apply, data
from .layout import _embed_diagonal
from .shapes import DIAGONAL, diagonal, tangent_dim


def _kept(x, diagonal_, upper):
    """The lower (upper) triangle of the last two dims, from the diagonal'th diagonal on."""
    rows, cols = x.shape[-2], x.shape[-1]
    above = xp.reshape(arange(cols), (1, cols)) - xp.reshape(arange(rows), (rows, 1))
    return above >= diagonal_ if upper else above <= diagonal_


def _triangle(x, diagonal, upper):
    return xp.where(_kept(x, diagonal, upper), x, zeros((), dtype=x.dtype))


def tril(x, diagonal):
    return apply(TRIL, x, diagonal=diagonal) if type(x) is Tensor else _triangle(x, diagonal, False)


def triu(x, diagonal):
    return apply(TRIU, x, diagonal=diagonal) if type(x) is Tensor else _triangle(x, diagonal, True)


TRIL = Op("TrilBackward0", lambda x, diagonal: _triangle(x, diagonal, False),
          (lambda g, out, x, diagonal: tril(g, diagonal),), ("grad.tril(diagonal)",), saves=False,
          jvps=(lambda t, out, x, diagonal: tril(t, diagonal),))
TRIU = Op("TriuBackward0", lambda x, diagonal: _triangle(x, diagonal, True),
          (lambda g, out, x, diagonal: triu(g, diagonal),), ("grad.triu(diagonal)",), saves=False,
          jvps=(lambda t, out, x, diagonal: triu(t, diagonal),))


def _diag_embed(v, offset):
    """The last dim of v laid on the offset'th diagonal of a new square of its last two dims."""
    n = v.shape[-1] + abs(offset)
    return _embed_diagonal(v, tuple(v.shape[:-1]) + (n, n), offset, v.ndim - 1, v.ndim)


def _diag_embed_tangent(t, out, v, offset):
    return apply(DIAG_EMBED, t, offset=offset) if type(t) is Tensor else _diag_embed(t, offset)


DIAG_EMBED = Op("DiagEmbedBackward0", _diag_embed,       # torch.diag of a vector
                (lambda g, out, v, offset: diagonal(g, offset, -2 % data(g).ndim, -1 % data(g).ndim),),
                ("grad.diagonal(offset, -2, -1)",), saves=False, jvps=(_diag_embed_tangent,))
DIAGONAL_COPY = Op("DiagonalBackward0_copy",             # torch.diag of a matrix: its diagonal, copied
                   lambda x, offset, dim1, dim2: copy(diagonal_view(x, offset, dim1, dim2)), DIAGONAL.vjps,
                   DIAGONAL.says, saves=False,
                   jvps=(lambda t, out, x, offset, dim1, dim2:
                         diagonal(t, offset, tangent_dim(dim1, x, t), tangent_dim(dim2, x, t)),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line


# tril and triu write a row-major result (engine/layouts.py).
lay_out(row_major, TRIL, TRIU)
