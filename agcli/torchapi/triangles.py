"""A matrix's triangles and diagonal as PyTorch's functions take them: tril, triu, diag
(engine/ops/triangles.py records them)."""
from __future__ import annotations

from ..engine.ops import triangles as TR
from ..engine.tensor import apply
from .checks import fail, is_int, ndim_of


def tril(x, diagonal=0):
    return _triangle(TR.TRIL, "tril", x, diagonal)


def triu(x, diagonal=0):
    return _triangle(TR.TRIU, "triu", x, diagonal)


def _triangle(op, name, x, diagonal):
    if ndim_of(x) < 2:
        fail(f"{name}: input tensor must have at least 2 dimensions")
    if not is_int(diagonal):
        fail(f"{name}(): argument 'diagonal' must be int, not {type(diagonal).__name__}", "type")
    return apply(op, x, diagonal=int(diagonal))


def diag(x, diagonal=0):
    """A vector onto a matrix's diagonal (DiagEmbedBackward0), or a matrix's diagonal copied out."""
    if ndim_of(x) not in (1, 2):
        fail(f"diag(): Supports 1D or 2D tensors. Got {ndim_of(x)}D")
    if not is_int(diagonal):
        fail(f"diag(): argument 'diagonal' must be int, not {type(diagonal).__name__}", "type")
    if ndim_of(x) == 1:
        return apply(TR.DIAG_EMBED, x, offset=int(diagonal))
    return apply(TR.DIAGONAL_COPY, x, offset=int(diagonal), dim1=0, dim2=1)
