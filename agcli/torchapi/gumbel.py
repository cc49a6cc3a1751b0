"""F.gumbel_softmax, composed as torch/nn/functional.py composes it: Gumbel noise drawn by
exponential_ (PyTorch's draws after manual_seed), a softmax, and for hard=True the straight-through
one-hot (scatter_ of ones, minus the softmax detached, plus the softmax: AddBackward0)."""
from __future__ import annotations

from ..state import state
from . import creation as C
from .arithmetic import add, div, log, neg, sub
from .checks import tensors_only
from .in_place import scatter_
from .nn import softmax
from .reductions import max
from .sampling import exponential_
from .shaping import detach


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    tensors_only("gumbel_softmax", logits=logits)
    if eps != 1e-10:
        state.warn("UserWarning: `eps` parameter is deprecated and has no effect.")
    gumbels = neg(log(exponential_(C.empty_like(logits))))
    y_soft = softmax(div(add(logits, gumbels), tau), dim)
    if not hard:
        return y_soft       # (the reparametrization trick)
    index = max(y_soft, dim, keepdim=True)[1]
    y_hard = scatter_(C.zeros_like(logits), dim, index, value=1.0)
    return add(sub(y_hard, detach(y_soft)), y_soft)


RANDOM = {"gumbel_softmax": gumbel_softmax}     # (random: no replay)
