"""Which values of a float32 elementwise kernel PyTorch computes with its vectors and which with its
scalar lines (aten/src/ATen/native/cpu/Loops.h, vectorized_loop), for the kernels whose two differ in
the last bit: a Vectorized exp is Sleef's (backend_softmax.vector_exp), a scalar one glibc's.

TensorIterator hands a tensor of more than GRAIN_SIZE values to at::parallel_for, which cuts it
into equal chunks in memory order, one a thread; each chunk's loop takes two vectors at a time (32
float32 values: AVX-512's 16 lanes, these kernels' build) and leaves its last values, fewer than 32,
to the scalar line. Measured against PyTorch 2.13 (sigmoid, silu: every value of 14 sizes from 5
to 100,003). An input that is not one block of memory in C or Fortran order is computed by the
scalar line here (its iteration is not followed).
"""
from __future__ import annotations

import numpy

from .backend_softmax import vector_exp
from .backend_sums_kernel import GRAIN_SIZE, threads

STEP = 32
_F32 = numpy.dtype("float32")


def by_lanes(x, vector, scalar):
    """vector(x) where PyTorch's loop takes x's values by vectors, scalar(x) elsewhere (float32 host
    arrays; any other: scalar(x))."""
    n = x.size
    if type(x) is not numpy.ndarray or x.dtype != _F32 or n < STEP or not (x.flags.c_contiguous or
                                                                        x.flags.f_contiguous):
        return scalar(x)
    chunks = [(0, n)]
    if n > GRAIN_SIZE and threads() > 1:
        size = -(-n // min(threads(), -(-n // GRAIN_SIZE)))
        chunks = [(start, min(n, start + size)) for start in range(0, n, size)]
    if all((end - start) % STEP == 0 for start, end in chunks):
        return vector(x)
    order = "C" if x.flags.c_contiguous else "F"
    vectored = numpy.zeros(n, bool)
    for start, end in chunks:
        vectored[start:start + (end - start) // STEP * STEP] = True
    return numpy.where(vectored.reshape(x.shape, order=order), vector(x), scalar(x))


def sigmoid(x, scalar):
    """1 / (1 + e^-x): the vectors' (0 - x).exp() + 1, then its reciprocal."""
    return by_lanes(x, lambda v: numpy.float32(1) / (vector_exp(-v) + numpy.float32(1)), scalar)


def silu(x, scalar):
    """x / (1 + e^-x): the vectors' x / (1 + x.neg().exp())."""
    return by_lanes(x, lambda v: v / (numpy.float32(1) + vector_exp(-v)), scalar)
