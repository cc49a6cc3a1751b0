"""PyTorch's CPU random kernels (ATen/native/cpu/DistributionTemplates.h,
ATen/core/DistributionsHelper.h and TransformationHelper.h; randperm from
TensorFactories.cpp) as host NumPy arrays drawn from a Generator.

Each takes the generator and a count (or a flat array of probabilities) and
returns a flat host array in the element order PyTorch fills a contiguous
tensor; the functions above shape it and move it to the device.
"""
from __future__ import annotations

import math

import numpy

from ..errors import AgcliError
from .cpu_math import f32, f64, fma32, fma64, glibc, log_ps, sincos_ps, u64

DIGITS = {"float64": 53, "float32": 24, "float16": 11}      # std::numeric_limits<T>::digits


# ------------------------------------------------------------ uniform (uniform_real_distribution)
def unit(g, n, dtype):
    """[0, 1): the low 24 bits of a word, or 53 of random64() for double, times 2**-bits."""
    if dtype == "float64":
        return (g.words64(n) & u64(2**53 - 1)).astype(f64) * 2.0**-53
    return (g.words(n) & u64(2**24 - 1)).astype(f32) * f32(2.0**-24)


def uniform(g, n, dtype, low=0.0, high=1.0):
    """x.uniform_(low, high): x * (to - from) + from, fused, in the dtype's accumulate type (float16:
    float's draw and bounds, rounded to half); a value that rounds to `to` is `from` ([from, to) kept)."""
    x = unit(g, n, "float32" if dtype == "float16" else dtype)
    if dtype == "float64":
        v = x + low if high - low == 1 else fma64(x, high - low, low)
        return numpy.where(v == high, low, v)
    low32, high32 = f32(low), f32(high)         # static_cast<float>
    span = f32(high32 - low32)
    v = (x + low32 if span == 1 else fma32(x, span, low32)).astype(dtype)
    return numpy.where(v == numpy.array(high, dtype), numpy.array(low, dtype), v)


# ------------------------------------------------------------ normal (normal_kernel)
def normal(g, n, dtype, mean=0.0, std=1.0, contiguous=True):
    """x.normal_(mean, std): 16 or more contiguous elements by vectorised Box-Muller
    (normal_fill: float32 with AVX2's log and sincos), fewer one at a time (normal_distribution<double>)."""
    if dtype == "float16" and n >= 16 and contiguous:
        return _fill_half(g, n, mean, std)
    if n >= 16 and contiguous:
        fill = _fill_float if dtype == "float32" else _fill_double
        data = unit(g, n, dtype)
        whole = n // 16 * 16
        data[:whole] = fill(data[:whole], mean, std)
        if whole < n:                   # the last 16 drawn again and transformed together
            data[n - 16:] = fill(unit(g, 16, dtype), mean, std)
        return data.astype(dtype, copy=False)
    return _one_at_a_time(g, n, mean, std).astype(dtype)


def _fill_half(g, n, mean, std):
    """float16: float's vectorised fill, 16 fresh draws a block (the last block's over the last 16
    elements), rounded to half."""
    blocks = -(-n // 16)
    out = _fill_float(unit(g, 16 * blocks, "float32"), mean, std)
    if n % 16:                      # (n >= 16: the first n - 16 from the whole blocks)
        out = numpy.concatenate([out[:n - 16], out[-16:]])
    return out.astype("float16")


def _fill_double(data, mean, std):
    """normal_fill_16 over blocks of 16: u1 = 1 - data[j], u2 = data[j + 8]."""
    blocks = data.reshape(-1, 16)
    radius = numpy.sqrt(-2 * glibc(math.log, 1 - blocks[:, :8]))
    theta = 2.0 * math.pi * blocks[:, 8:]
    out = numpy.concatenate([radius * glibc(math.cos, theta), radius * glibc(math.sin, theta)], axis=1)
    return _scaled64(out, mean, std).reshape(-1)


def _fill_float(data, mean, std):
    """normal_fill_16_AVX2: float32 throughout, and an explicit fmadd with std and mean."""
    blocks = data.reshape(-1, 16)
    radius = numpy.sqrt(f32(-2) * log_ps(f32(1) - blocks[:, :8]))
    sin, cos = sincos_ps(f32(2.0 * math.pi) * blocks[:, 8:])
    out = numpy.concatenate([radius * cos, radius * sin], axis=1)
    mean, std = f32(mean), f32(std)
    return (out + mean if std == 1 else fma32(out, std, mean)).reshape(-1)


def _scaled64(x, mean, std):
    """transformation::normal, val * std + mean, fused."""
    return x + mean if std == 1 else fma64(x, std, mean)


def _one_at_a_time(g, n, mean, std):
    """normal_distribution<double>: Box-Muller from two doubles gives r*cos(theta) and
    keeps r*sin(theta) for the next call (the generator's cache, cleared by seeding)."""
    values = numpy.empty(n, f64)
    start = 0
    if n and g.next_double_normal is not None:
        values[0], g.next_double_normal, start = g.next_double_normal, None, 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = unit(g, 2 * pairs, "float64")           # u1, u2, u1, u2, ...
        radius = numpy.sqrt(-2.0 * glibc(math.log1p, -u[1::2]))
        theta = 2.0 * math.pi * u[0::2]
        drawn = numpy.stack([radius * glibc(math.cos, theta), radius * glibc(math.sin, theta)], axis=1).ravel()
        values[start:] = drawn[:n - start]
        if drawn.size > n - start:
            g.next_double_normal = float(drawn[-1])
    return _scaled64(values, mean, std)


# ------------------------------------------------------------ exponential (exponential_kernel)
def exponential(g, n, dtype, lambd):
    """x.exponential_(lambd): -1 / lambd * log1p(-u) in double (u: 53 bits of random64(),
    glibc's log1p), rounded to the dtype."""
    return (-1.0 / lambd * glibc(math.log1p, -unit(g, n, "float64"))).astype(dtype)


# ------------------------------------------------------------ cauchy (cauchy_kernel)
def cauchy(g, n, dtype, median, sigma):
    """x.cauchy_(median, sigma): cauchy_distribution<double>, median + sigma * tan(pi * (u - 0.5)) (u: 53
    bits of random64(), glibc's tan; the kernel's fused multiply-add), rounded to the dtype."""
    t = glibc(math.tan, math.pi * (unit(g, n, "float64") - 0.5))
    return (t + median if sigma == 1 else fma64(t, sigma, median)).astype(dtype)


# ------------------------------------------------------------ integers (random_)
_SPAN_OF_RANDOM = {"int64": 2**63, "float64": 2**53 + 1, "float32": 2**24 + 1, "float16": 2**11 + 1,
                   "int32": 2**31, "int16": 2**15, "int8": 2**7, "uint8": 2**8}     # uniform_int<T>'s modulus


def integers(g, n, dtype, low, span):
    """uniform_int_from_to_distribution: word % range + base, through int64 to the dtype;
    random64() for a range of 2**28 or more, any dtype (PyTorch's wheels; its source's
    FBCODE_CAFFE2 branch says 2**32 and some dtypes)."""
    wide = span >= 2**28
    if span == 2**64:                   # [int64 min, int64 max]: random64() as it is
        return g.words64(n).view(numpy.int64).astype(dtype)
    words = g.words64(n) if wide else g.words(n)
    return (words % u64(span) + u64(low % 2**64)).view(numpy.int64).astype(dtype)


def any_integers(g, n, dtype):
    """x.random_() with no bounds (uniform_int<T>): [0, max] of an integer type, [0, 2**digits] of a float."""
    words = g.words64(n) if dtype in ("int64", "float64") else g.words(n)
    if dtype == "bool":
        return (words & u64(1)).astype(bool)
    return (words % u64(_SPAN_OF_RANDOM[dtype])).astype(dtype)


# ------------------------------------------------------------ randperm
SMALL_PERMUTATION = (2**32 - 1) // 20      # randperm_cpu's bound for its first algorithm


def permutation(g, n):
    """randperm_cpu for n below 2**32 / 20: r = 0..n-1, then for i in 0..n-2 swap
    r[i] and r[i + random() % (n - i)]. The swaps run as a whole: position i's value
    before step i came from the last earlier step that sent one there, a chain that
    pointer jumping follows in log steps (no Python loop per element)."""
    if n >= SMALL_PERMUTATION:
        raise AgcliError(f"randperm of {n} elements: agcli follows PyTorch's algorithm below {SMALL_PERMUTATION}",
                         kind="not_implemented")
    if n <= 1:
        return numpy.arange(n, dtype=numpy.int64)
    steps = numpy.arange(n - 1, dtype=numpy.int64)
    target = steps + (g.words(n - 1) % (n - steps).astype(u64)).astype(numpy.int64)     # step i swaps i, target[i]
    # came[p]: the last step j < p that swapped into position p (or p itself: none did)
    came = numpy.full(n, -1, dtype=numpy.int64)
    moved = target != steps
    numpy.maximum.at(came, target[moved], steps[moved])
    before = numpy.where(came >= 0, came, numpy.arange(n))     # before[p] = before[came[p]]: follow to the root
    while True:
        deeper = before[before]
        if numpy.array_equal(deeper, before):
            break
        before = deeper
    # what step i takes from target[i]: what the last earlier step with the same target left
    # there (steps grouped by target, in order: one sort of target * n + step)
    keys = numpy.sort(target[moved] * n + steps[moved])
    same = keys[1:] // n == keys[:-1] // n
    earlier = numpy.full(n - 1, -1, dtype=numpy.int64)
    earlier[keys[1:][same] % n] = keys[:-1][same] % n
    taken = numpy.where(~moved, before[:-1], numpy.where(earlier >= 0, before[numpy.maximum(earlier, 0)], target))
    return numpy.append(taken, before[-1])


# ------------------------------------------------------------ bernoulli
def bernoulli(g, p, p_dtype):
    """bernoulli_(p tensor): u < p per element, u a double for double p, else a float (24 bits);
    a p outside [0, 1] stops the kernel there, after the draws before it."""
    bad = numpy.flatnonzero(~((p >= 0) & (p <= 1)))
    if bad.size:
        unit(g, int(bad[0]), "float64" if p_dtype == "float64" else "float32")
        raise AgcliError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be "
                         "improved?  If so, please report an enhancement request to PyTorch.)")
    if p_dtype == "float64":
        return unit(g, p.size, "float64") < p
    return unit(g, p.size, "float32") < p.astype(f32)


def bernoulli_scalar(g, n, p):
    """bernoulli_(p number): bernoulli_distribution<double> (the kernel without MKL's, as on AMD CPUs)."""
    return unit(g, n, "float64") < p


# ------------------------------------------------------------ log-normal and geometric
def log_normal(g, n, dtype, mean, std):
    """x.log_normal_(mean, std): lognormal_distribution<double>, exp of normal_distribution<double>'s draw
    (one at a time, its Box-Muller cache too; glibc's exp), rounded to the dtype."""
    return glibc(math.exp, _one_at_a_time(g, n, mean, std)).astype(dtype)


def _log(v):
    return math.log(v) if v > 0 else -math.inf      # (a draw of 0: log's -inf, where math.log raises)


def geometric(g, n, dtype, p):
    """x.geometric_(p): geometric_distribution<double>, ceil(log(u) / log1p(-p)), u 53 bits of random64()."""
    return numpy.ceil(glibc(_log, unit(g, n, "float64")) / math.log1p(-p)).astype(dtype)
