"""torch.multinomial with PyTorch's numbers (ATen/native/Distributions.cpp multinomial_out
and cpu/MultinomialKernel.cpp).

Without replacement, or for one sample: q = empty_like(p).exponential_(1), then the
indices of the largest p / q (argmax, or topk for several). With replacement: per row,
the cumulative sums in p's dtype (float for half) divided by their total, then per sample a double
uniform draw and a binary search for the first bucket it does not exceed.
"""
from __future__ import annotations

import numpy

from . import distributions as Dn
from .checks import fail, is_int, shape_of
from .generator import chosen
from .sampling import drawn_like
from ..engine import backend as B
from ..engine.backend_sort import top_k
from ..engine.tensor import Tensor
from ..errors import torch_type_name

_MOST_CATEGORIES = 2**24        # FLOAT32_MAX_CONSECUTIVE_INT


def multinomial(input, num_samples, replacement=False, *, generator=None):
    if type(input) is not Tensor:
        fail(f"multinomial(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}", "type")
    if not is_int(num_samples):
        fail(f"multinomial(): argument 'num_samples' (position 2) must be int, not {type(num_samples).__name__}",
             "type")
    _check(input, int(num_samples), bool(replacement))
    n, g = int(num_samples), chosen(generator)
    p = B.to_host(input.data)
    rows = p.reshape(-1, p.shape[-1])
    if not replacement or n == 1:
        picked = _largest_ratios(input, rows, n, g)
    else:
        picked = numpy.stack([_with_replacement(row, n, g) for row in rows])
    shape = (n,) if p.ndim == 1 else (p.shape[0], n)
    return Tensor(B.from_host(picked.reshape(shape).astype(numpy.int64)), device=input.device)


def _check(p, n, replacement):
    """multinomial_out's checks, in its order and words."""
    shape = shape_of(p)
    if not 1 <= len(shape) <= 2:
        fail("prob_dist must be 1 or 2 dim")
    if B.kind(p.data.dtype) != "f":
        fail(f"multinomial only supports floating-point dtypes for input, got: "
             f"{torch_type_name(B.dtype_name(p.data.dtype))}")
    if n <= 0:
        fail("cannot sample n_sample <= 0 samples")
    if not replacement and n > shape[-1]:
        fail("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if shape[-1] > _MOST_CATEGORIES:
        fail("number of categories cannot exceed 2^24")


def _largest_ratios(input, rows, n, g):
    """The fast path: argmax / topk of p / q, q ~ Exp(1) drawn as exponential_ fills a tensor like p."""
    if not (numpy.all(rows < numpy.inf) and numpy.all(rows >= 0)):     # (nan fails both)
        fail("probability tensor contains either `inf`, `nan` or element < 0")
    if numpy.any(rows.sum(axis=1) == 0):
        fail("invalid multinomial distribution (sum of probabilities <= 0)")
    d = B.dtype_name(input.data.dtype)
    q = B.to_host(drawn_like(input, lambda count, contiguous, _: Dn.exponential(g, count, d, 1.0)))
    ratios = rows / q.reshape(rows.shape)
    if n == 1:
        return numpy.argmax(ratios, axis=1)     # (the first of equal largest, as argmax)
    order = numpy.argsort(-ratios, axis=1, kind="stable")
    top = numpy.take_along_axis(ratios, order[:, :n + 1], axis=1)
    # equal ratios among the picks or at their edge (zero probabilities): topk's own selection orders them
    for r in numpy.flatnonzero(numpy.any(top[:, 1:] == top[:, :-1], axis=1)):
        order[r, :n] = top_k(ratios[r].tolist(), n, True)
    return order[:, :n]


def _with_replacement(row, n, g):
    """multinomial_with_replacement_apply for one row: the cumulative sums normalised, the
    last set to 1, then each double draw's first bucket not below it."""
    if numpy.any(row < 0):
        fail("invalid multinomial distribution (encountering probability entry < 0)")
    if not numpy.all(numpy.isfinite(row)):
        fail("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
    # (sequential, in the row's dtype; half's in float, its opmath type)
    cumulative = numpy.cumsum(row.astype(numpy.float32) if row.dtype == numpy.float16 else row)
    total = cumulative[-1]
    if not total > 0:
        fail("invalid multinomial distribution (sum of probabilities <= 0)")
    cumulative = cumulative / total
    cumulative[-1] = 1
    draws = Dn.unit(g, n, "float64")
    return numpy.searchsorted(cumulative.astype(numpy.float64), draws, side="left")
