"""torch.nn.init's trunc_normal_ and sparse_, as PyTorch 2.13's torch/nn/init.py computes them, under
no_grad, from agcli's copy of PyTorch's CPU generator (after torch.manual_seed, PyTorch's values):

trunc_normal_: when [a, b] holds more than 0.3 of the normal's mass, normal draws, the ones outside
redrawn (a whole tensor of draws each round, kept where they are needed) until none is; otherwise
uniform draws in [a, b], each kept with probability pdf(x) / pdf(mode) (rejection against a uniform
draw's log), the rejected ones redrawn the same way. sparse_: normal draws, then in each column
ceil(sparsity * rows) rows (the first of a torch.randperm) set to zero.
"""
from __future__ import annotations

import math

from ..engine import backend as B
from ..engine.backend import xp
from ..engine.tensor import Tensor, set_grad_enabled
from ..state import state
from . import creation as C
from . import functions as F
from . import in_place, sampling
from .autograd import setitem
from .checks import fail
from .indexing import getitem


def _tensor(tensor, first):
    """PyTorch reads tensor.`first` first: anything else has no such attribute."""
    if type(tensor) is not Tensor:
        fail(f"'{type(tensor).__name__}' object has no attribute '{first}'", "attribute")
    return tensor


def _any(mask):
    return bool(B.item(xp.any(mask.data)))


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def _redrawn_outside(tensor, mean, std, a, b, generator):
    """Normal draws, those outside [a, b] (the bounds in the tensor's dtype) drawn again until none is."""
    lo, hi = (B.item(B.asarray(v, dtype=tensor.data.dtype)) for v in (a, b))
    result = sampling.normal_(tensor, mean, std, generator=generator)
    while True:
        mask = Tensor(xp.logical_or(F.lt(result, lo).data, F.gt(result, hi).data), device=tensor.device)
        if not _any(mask):
            break
        result = F.where(mask, sampling.normal_(C.empty_like(result), mean, std, generator=generator), result)
    if tensor is not result:
        in_place.copy_(tensor, result)


def _log_pdf_minus_peak(candidates, mean, std, log_peak):
    """candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak), in place."""
    for step, value in ((in_place.sub_, mean), (in_place.div_, std), (in_place.pow_, 2), (in_place.mul_, -0.5),
                        (in_place.sub_, log_peak)):
        step(candidates, value)


def _rejected(accept_buf, candidates, generator):
    return F.gt(in_place.log_(sampling.uniform_(accept_buf, generator=generator)), candidates)


def _uniform_rejection(tensor, mean, std, a, b, generator):
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    candidates, accept_buf = C.empty_like(tensor), C.empty_like(tensor)
    sampling.uniform_(tensor, a, b, generator=generator)
    in_place.copy_(candidates, tensor)
    _log_pdf_minus_peak(candidates, mean, std, log_peak)
    pending = _rejected(accept_buf, candidates, generator)
    if not _any(pending):
        return
    result = tensor
    while True:
        sampling.uniform_(candidates, a, b, generator=generator)
        result = F.where(pending, candidates, result)
        _log_pdf_minus_peak(candidates, mean, std, log_peak)
        pending = F.where(pending, _rejected(accept_buf, candidates, generator), pending)
        if not _any(pending):
            break
    in_place.copy_(tensor, result)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    _tensor(tensor, "is_meta")
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        state.warn("UserWarning: mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of "
                   "values may be incorrect.")
    with set_grad_enabled(False):
        p = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
        if p > 0.3:
            _redrawn_outside(tensor, mean, std, a, b, generator)
        else:
            _uniform_rejection(tensor, mean, std, a, b, generator)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    if _tensor(tensor, "ndimension").data.ndim != 2:
        fail("Only tensors with 2 dimensions are supported", "value")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with set_grad_enabled(False):
        sampling.normal_(tensor, 0, std, generator=generator)
        for col in range(cols):
            zero_rows = getitem(sampling.randperm(rows), slice(None, num_zeros))
            setitem(tensor, (zero_rows, col), 0)
    return tensor


def dirac_(tensor, groups=1):
    """The identity of a convolution: 1 at the kernel's centre of each group's first min(out, in) channels."""
    dims = _tensor(tensor, "ndimension").data.ndim
    if dims not in (3, 4, 5):
        fail("Only tensors with 3, 4, or 5 dimensions are supported", "value")
    sizes = tensor.data.shape
    if sizes[0] % groups != 0:
        fail("dim 0 must be divisible by groups", "value")
    per_group = sizes[0] // groups
    centre = tuple(n // 2 for n in sizes[2:])
    with set_grad_enabled(False):
        in_place.zero_(tensor)
        for g in range(groups):
            for d in range(min(per_group, sizes[1])):
                setitem(tensor, (g * per_group + d, d, *centre), 1)
    return tensor


FUNCTIONS = {"trunc_normal_": trunc_normal_, "sparse_": sparse_, "dirac_": dirac_}


def _deprecated(new_name, method):
    """nn.init.normal and its like, older code's names: the method of that name and an underscore, warning."""
    def deprecated_init(*args, **kwargs):
        state.warn(f"FutureWarning: `nn.init.{new_name[:-1]}` is now deprecated in favor of `nn.init.{new_name}`.")
        return method(*args, **kwargs)
    deprecated_init.__name__ = new_name[:-1]
    return deprecated_init


def deprecated_names(functions) -> dict:
    return {name[:-1]: _deprecated(name, functions[name]) for name in (
        "uniform_", "normal_", "constant_", "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
        "kaiming_normal_", "orthogonal_", "sparse_")}

