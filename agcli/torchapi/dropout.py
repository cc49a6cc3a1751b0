"""F.dropout on the CPU, as ATen's _dropout writes it (aten/src/ATen/native/Dropout.cpp):
the input times a mask of bernoulli_(1 - p) draws divided by 1 - p (MulBackward0); the
input itself when not training, when p is 0 or when it is empty; times a zero for p = 1.

The mask is drawn as PyTorch draws bernoulli_(number) on CPUs other than Intel's
(sampling.py). On Intel CPUs PyTorch's MKL build draws it from MKL's own generator, so
there its masks differ from agcli's (README, "Where agcli differs").
"""
from __future__ import annotations

from . import distributions as Dn
from .arithmetic import mul
from .checks import fail, numel, shape_of
from .generator import chosen
from .in_place import mul_
from .sampling import drawn_like
from ..engine import backend as B
from ..engine.tensor import Tensor


def dropout(input, p=0.5, training=True, inplace=False):
    if not 0.0 <= p <= 1.0:
        fail(f"dropout probability has to be between 0 and 1, but got {p}", "value")
    if not training or p == 0 or numel(shape_of(input)) == 0:
        return input
    d = B.dtype_name(input.data.dtype)
    if p == 1:
        noise = Tensor(B.zeros((), dtype=B.dtype(d)), device=input.device)
    else:
        keep = 1 - p
        g = chosen(None)
        mask = drawn_like(input, lambda n, contiguous, _: Dn.bernoulli_scalar(g, n, keep).astype(d))
        noise = Tensor(mask / B.asarray(keep, dtype=B.dtype(d)), device=input.device)     # noise.div_(1 - p) in its dtype
    return mul_(input, noise) if inplace else mul(input, noise)
