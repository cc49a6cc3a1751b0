"""A float32 batch norm as ATen's CPU kernels compute it (aten/src/ATen/native/cpu/batch_norm_kernel.cpp
and native/Normalization.cpp), for a contiguous input: the same sums in the same order, so that a
training step's output and running statistics are PyTorch's to the last bit.

- Statistics (batch_norm_cpu_collect_stats_kernel): a channel's values summed in double in (n, i)
  order, the mean rounded to float, the squares of (x - mean) taken in float and summed in double.
  Where each sample has one value a channel (an (N, C) input), ATen takes its channels-last kernel
  instead: each of its intra-op threads adds its share of the rows into a float buffer (x + buffer,
  then fma(x - mean, x - mean, buffer)), and the buffers are summed in double.
- invstd = 1 / sqrt(var_sum / n + eps) in double, rounded to float; the running statistics move in
  float, the unbiased variance's share in double.
- alpha = invstd * weight, beta = bias - mean * alpha and out = x * alpha + beta: the kernel file is
  built for AVX2 and AVX-512, where GCC fuses a * b + c into one rounding (engine/fma.py here).
"""
from __future__ import annotations

import numpy

from .backend_sums_kernel import threads
from .fma import fma

_F32, _F64 = numpy.dtype("float32"), numpy.dtype("float64")


def follows_aten(x) -> bool:
    """Does x's batch norm take the kernels followed here (a contiguous float32 host array)?"""
    return type(x) is numpy.ndarray and x.dtype == _F32 and x.ndim >= 2 and x.size > 0 and x.flags.c_contiguous


def statistics(x):
    """(mean, var_sum): float32 arrays of one value a channel (dim 1), as ATen collects them."""
    n_batch, channels = x.shape[0], x.shape[1]
    count = x.size // channels
    if count == n_batch and count > threads():
        return _by_thread_buffers(x.reshape(n_batch, channels), threads())
    planes = x.reshape(n_batch, channels, -1).transpose(1, 0, 2).reshape(channels, count)
    mean = (numpy.cumsum(planes, axis=1, dtype=_F64)[:, -1] / count).astype(_F32)
    centred = planes - mean[:, None]
    return mean, numpy.cumsum(centred * centred, axis=1, dtype=_F64)[:, -1].astype(_F32)


def _by_thread_buffers(rows, n_threads):
    """The channels-last statistics: at::parallel_for's chunks of rows, one float buffer each."""
    count, channels = rows.shape
    parts = [rows[share] for share in _shares(count, n_threads)]
    total = numpy.zeros(channels, _F64)
    for part in parts:
        total += numpy.cumsum(part, axis=0, dtype=_F32)[-1]
    mean = (total / count).astype(_F32)
    squares = numpy.zeros(channels, _F64)
    for part in parts:
        buffer = numpy.zeros(channels, _F32)
        for row in part - mean:
            buffer = fma(row, row, buffer)
        squares += buffer
    return mean, squares.astype(_F32)


def _shares(count, n_threads):
    """The rows each thread takes: at::parallel_for(0, count, 1)'s equal chunks, in order."""
    chunk = -(-count // min(n_threads, count))
    return [slice(start, start + chunk) for start in range(0, count, chunk)]


def inverse_deviation(var_sum, count, eps):
    """save_invstd: InvStd<double> of var_sum / n (a float division)."""
    return (1.0 / numpy.sqrt((var_sum / numpy.float32(count)).astype(_F64) + eps)).astype(_F32)


def affine(x, mean, invstd, weight, bias):
    """x * alpha + beta per channel (batch_norm_cpu_collect_linear_and_constant_terms, then the
    contiguous or channels-last transform), each fused op rounded once."""
    alpha = invstd if weight is None else invstd * weight
    beta = fma(-mean, alpha, numpy.zeros_like(alpha) if bias is None else bias)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return fma(x, alpha.reshape(shape), numpy.broadcast_to(beta.reshape(shape), x.shape))


def moved(running_mean, running_var, mean, var_sum, count, momentum):
    """The running statistics after a training step (batch_norm_cpu_update_stats_template)."""
    m = numpy.float32(momentum)
    kept = numpy.float32(1) - m
    new_mean = m * mean + kept * running_mean
    with numpy.errstate(divide="ignore", invalid="ignore"):       # (one value a channel: nan, as in PyTorch)
        unbiased = (var_sum / numpy.float32(count - 1)).astype(_F64)
    new_var = (numpy.float64(m) * unbiased + (kept * running_var).astype(_F64)).astype(_F32)
    return new_mean, new_var


def takes_rows(x, g) -> bool:
    """Does a training batch norm's backward of x take the kernel rows_backward follows (an (N, C)
    float32 input, one value a channel a sample, and its float32 gradient, both contiguous)?"""
    return follows_aten(x) and x.size == x.shape[0] * x.shape[1] and type(g) is numpy.ndarray and \
        g.dtype == _F32 and g.flags.c_contiguous and g.shape == x.shape


def rows_backward(x, g, weight, eps):
    """(grad_input, grad_weight, grad_bias) as batch_norm_cpu_backward_channels_last_impl computes them
    in training: each thread's rows summed into float buffers (g, and fma(x - mean, g, dotp)), the
    buffers in double; dx = (g - sum / n - (x - mean) * k) * invstd * w with k = dotp * invstd *
    invstd / n, the product and the difference fused in whole vectors of 8 channels and not in the
    last, masked one (measured against PyTorch 2.13)."""
    rows, g = x.reshape(x.shape[0], -1), g.reshape(x.shape[0], -1)
    count, channels = rows.shape
    mean, var_sum = statistics(x)
    invstd = inverse_deviation(var_sum, count, eps)
    totals, dots = numpy.zeros(channels, _F64), numpy.zeros(channels, _F64)
    for share in _shares(count, threads()):
        total, dot = numpy.zeros(channels, _F32), numpy.zeros(channels, _F32)
        for row, grad in zip(rows[share], g[share]):
            total = total + grad
            dot = fma(row - mean, grad, dot)
        totals += total
        dots += dot
    total, dotp = totals.astype(_F32), dots.astype(_F32)
    n = numpy.float32(count)
    k = dotp * invstd * invstd / n
    centred, shifted = rows - mean, g - total / n
    inner = fma(-centred, numpy.broadcast_to(k, rows.shape), shifted)
    whole = channels - channels % 8
    inner[:, whole:] = shifted[:, whole:] - centred[:, whole:] * k[whole:]
    dx = inner * invstd * (numpy.ones(channels, _F32) if weight is None else weight)
    return dx.reshape(x.shape), dotp * invstd, total
