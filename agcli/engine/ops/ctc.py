"""The connectionist temporal classification loss (CtcLossBackward0): ATen's CPU kernel
(aten/src/ATen/native/LossCTC.cpp), one batch item at a time. Forward: the alphas of Graves et al.'s
forward recursion over the target with blanks between and around its labels (l'), in logs, each step
a log-sum-exp of up to three terms about their maximum; the loss is minus the log of the last two
alphas' sum. Backward: the betas likewise from the end, the alpha-beta products of each time and
label log-added in descending s, then (exp(lp) - exp(collected + nll - lp)) * grad. Python's float
steps are the C++ kernel's (glibc's exp and log), each rounded to float32 for a float32 input, so
float64 values are ATen's to the bit and float32 ones to rounding. PyTorch cannot differentiate the
gradient (its node is NotImplemented) nor run forward mode.
Each entry: grad_fn name, kernel, rule, the rule in words."""
from __future__ import annotations

import math
import struct

from ..backend import host as np  # (NumPy: this kernel runs on the host, on_host.py)
from ..op import Op, forward_ad_not_implemented, no_derivative
from ..tensor import Tensor, apply, data
from .on_host import on_host

NEGINF = -math.inf


def _float32(v: float) -> float:
    return struct.unpack("f", struct.pack("f", v))[0]


def _same(v: float) -> float:
    return v


def _exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _log(v: float) -> float:
    return math.log(v) if v > 0 else NEGINF if v == 0 else math.nan


def _steps(dtype):
    """exp, log and the rounding of each step, in the input's precision."""
    if dtype == np.float64:
        return _exp, _log, _same
    return (lambda v: _float32(_exp(v))), (lambda v: _float32(_log(v))), _float32


def _labels(targets, offsets, b, length, blank):
    """l' of batch item b: blank, label, blank, ..., blank (from padded (N, S) or concatenated targets)."""
    picked = [int(v) for v in (targets[b, :length] if targets.ndim == 2 else targets[offsets[b]:offsets[b] + length])]
    primes = [blank] * (2 * length + 1)
    primes[1::2] = picked
    return primes


def _offsets(targets, target_lengths):
    """Where each batch item's labels begin in concatenated (1-D) targets."""
    offsets, pos = [], 0
    for n in target_lengths:
        offsets.append(pos)
        pos += n
    return offsets


def _logsumexp3(a1, a2, a3, exp, log, rd):
    top = a1
    if a2 > top:
        top = a2
    if a3 > top:
        top = a3
    if top == NEGINF:       # (cannot do neginf - neginf)
        top = 0.0
    return rd(log(rd(rd(exp(rd(a1 - top)) + exp(rd(a2 - top))) + exp(rd(a3 - top)))) + top)


def _alphas(lp, primes, length, exp, log, rd):
    """log_alpha of one batch item (its input's length rows), the first row as ATen sets it."""
    width = len(primes)
    rows = [[NEGINF] * width]
    rows[0][0] = lp[0][primes[0]]
    if width > 1:
        rows[0][1] = lp[0][primes[1]]
    for t in range(1, length):
        prev, row, lpt = rows[-1], [0.0] * width, lp[t]
        for s in range(width):
            la2 = prev[s - 1] if s > 0 else NEGINF
            la3 = prev[s - 2] if s > 1 and primes[s - 2] != primes[s] else NEGINF
            row[s] = rd(_logsumexp3(prev[s], la2, la3, exp, log, rd) + lpt[primes[s]])
        rows.append(row)
    return rows


def _nll(rows, length, target_length, exp, log, rd):
    if length == 0:
        return -0.0 if target_length == 0 else math.inf      # (minus a log likelihood of 0 or -inf)
    last = rows[length - 1]
    if target_length == 0:
        return -last[0]
    l1, l2 = last[2 * target_length], last[2 * target_length - 1]
    m = max(l1, l2)
    m = 0.0 if m == NEGINF else m
    return -rd(log(rd(exp(rd(l1 - m)) + exp(rd(l2 - m)))) + m)


def _items(log_probs, targets, input_lengths, target_lengths, blank):
    """Each batch item's log_probs rows (as Python floats), its l' and its lengths."""
    offsets = _offsets(targets, target_lengths)
    for b in range(log_probs.shape[1]):
        lp = log_probs[:, b, :].tolist()
        yield b, lp, _labels(targets, offsets, b, target_lengths[b], blank), input_lengths[b], target_lengths[b]


@on_host
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """The negative log likelihood of each batch item (T, N, C) -> (N,)."""
    exp, log, rd = _steps(log_probs.dtype)
    out = []
    for b, lp, primes, length, target_length in _items(log_probs, targets, input_lengths, target_lengths, blank):
        rows = _alphas(lp, primes, length, exp, log, rd) if length else []
        out.append(_nll(rows, length, target_length, exp, log, rd))
    return np.asarray(out, dtype=log_probs.dtype)


@on_host
def ctc_loss_grad(g_out, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """ctc_loss_backward_cpu_template: the gradient of each batch item's loss times its grad."""
    exp, log, rd = _steps(log_probs.dtype)
    grad = np.zeros(log_probs.shape, dtype=log_probs.dtype)
    g_out = np.broadcast_to(np.asarray(g_out, dtype=log_probs.dtype), (log_probs.shape[1],)).tolist()
    for b, lp, primes, length, target_length in _items(log_probs, targets, input_lengths, target_lengths, blank):
        alphas = _alphas(lp, primes, length, exp, log, rd) if length else []
        nll = _nll(alphas, length, target_length, exp, log, rd)
        if zero_infinity and nll == math.inf or not length:
            continue
        grad[:length, b, :] = _item_grad(lp, primes, alphas, length, nll, g_out[b], exp, log, rd)
    return grad


def _item_grad(lp, primes, alphas, length, nll, gr, exp, log, rd):
    width, labels = len(primes), len(lp[0])
    collected = [[NEGINF] * labels for _ in range(length)]
    beta = [NEGINF] * width
    last = length - 1
    beta[width - 1] = lp[last][primes[width - 1]]
    collected[last][primes[width - 1]] = rd(alphas[last][width - 1] + beta[width - 1])
    if width > 1:
        beta[width - 2] = lp[last][primes[width - 2]]
        collected[last][primes[width - 2]] = rd(alphas[last][width - 2] + beta[width - 2])
    for t in range(length - 2, -1, -1):
        after, beta, lpt, row = beta, [0.0] * width, lp[t], collected[t]
        for s in range(width - 1, -1, -1):
            prime = primes[s]
            lb2 = after[s + 1] if s < width - 1 else NEGINF
            lb3 = after[s + 2] if s < width - 2 and primes[s + 2] != prime else NEGINF
            beta[s] = rd(_logsumexp3(after[s], lb2, lb3, exp, log, rd) + lpt[prime])
            both = rd(alphas[t][s] + beta[s])
            have = row[prime]
            if have == NEGINF:
                row[prime] = both
            else:
                top = max(have, both)
                row[prime] = rd(log(rd(exp(rd(have - top)) + exp(rd(both - top)))) + top)
    return [[rd(rd(exp(lp[t][c]) - exp(rd(rd(collected[t][c] + nll) - lp[t][c]))) * gr) for c in range(labels)]
            for t in range(length)]


def _rule(g, out, log_probs, **p):
    if type(g) is Tensor:       # (PyTorch cannot differentiate _ctc_loss_backward: its node's one edge, log_probs)
        return apply(CTC_LOSS_GRAD, log_probs, g_out=data(g), **p)
    return ctc_loss_grad(g, data(log_probs), **p)


CTC_LOSS = Op("CtcLossBackward0", ctc_loss, (_rule,),
              ("_ctc_loss_backward(grad, log_probs, targets, input_lengths, target_lengths, result0, result1, blank, "
               "zero_infinity)",), jvps=(forward_ad_not_implemented("_ctc_loss"),))
CTC_LOSS_GRAD = Op("NotImplemented", lambda x, g_out, **p: ctc_loss_grad(g_out, x, **p),
                   (no_derivative("_ctc_loss_backward"),), ("not differentiable",),
                   jvps=(forward_ad_not_implemented("_ctc_loss_backward"),))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
