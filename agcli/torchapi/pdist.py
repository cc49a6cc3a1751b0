"""torch.pdist and F.pdist (PdistBackward0; engine/ops/pdist.py), checked in ATen's order and words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import pdist as P
from ..engine.tensor import apply, data
from .checks import fail, ndim_of, tensors_only


def pdist(input, p=2):
    tensors_only("pdist", input=input)
    if ndim_of(input) != 2:
        fail(f"pdist only supports 2D tensors, got: {ndim_of(input)}D")
    if B.kind(data(input).dtype) != "f":
        fail("pdist only supports floating-point dtypes")
    if p < 0:
        fail("pdist only supports non-negative p values")
    return apply(P.PDIST, input, p=float(p))


# For the namespace (more_names.py): a recorded op of its input
RECORDED = {"pdist": pdist}
