"""The sums inside PyTorch's nll_loss kernels (nll_loss_out_frame, nll_loss2d_forward_out_frame):
a cascade of 8 partial sums, the first taking each counted target's loss in turn and each
handing its total up a level every 16 targets (16**k for level k), then the levels added
in order. Followed step by step in the input's dtype, so the result is PyTorch's to the
last bit; a batch past _SEQUENTIAL_LIMIT targets is summed in one reduction instead
(close, but not to the bit)."""
from __future__ import annotations

from ..backend import astype, asarray, reduce_sum, to_host

_LEVELS, _POWER = 8, 4          # cascade_sum_num_levels; level_power for fewer than 2**40 targets
_SEQUENTIAL_LIMIT = 1 << 12      # (a Python loop: a few milliseconds at most)


def nll_sums(losses, weights, counted, dtype):
    """(sum of -losses, sum of weights) over the counted targets, as PyTorch's kernel adds them:
    losses[i] = input[i][target[i]] * weight[target[i]] (or the input alone), 0-d arrays of dtype."""
    n = losses.shape[0]
    if n > _SEQUENTIAL_LIMIT:
        keep = astype(counted, dtype)
        return -reduce_sum(losses * keep), reduce_sum(weights * keep)
    values, shares, kept = to_host(losses), to_host(weights), to_host(counted).tolist()
    zero = values.dtype.type(0)
    if values.dtype.itemsize == 8:      # doubles: Python's floats add the same, and faster
        values, shares, zero = values.tolist(), shares.tolist(), 0.0
    loss_sums, weight_sums = [zero] * _LEVELS, [zero] * _LEVELS
    mask = (1 << _POWER) - 1
    for i in range(n):
        if not kept[i]:
            continue            # an ignored target hands nothing up either
        loss_sums[0] = loss_sums[0] - values[i]
        weight_sums[0] = weight_sums[0] + shares[i]
        for j in range(_LEVELS - 1):
            if i & (mask << (j * _POWER)):
                break
            loss_sums[j + 1] = loss_sums[j + 1] + loss_sums[j]
            weight_sums[j + 1] = weight_sums[j + 1] + weight_sums[j]
            loss_sums[j], weight_sums[j] = zero, zero
    loss, weight = zero, zero
    for j in range(_LEVELS):
        loss, weight = loss + loss_sums[j], weight + weight_sums[j]
    return astype(asarray(float(loss)), dtype), astype(asarray(float(weight)), dtype)

