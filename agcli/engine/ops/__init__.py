"""The op table, by family. Every op is declared once, in one of these
modules: its grad_fn name, forward kernel, one VJP rule per input and the
rules in words (engine/op.py says how to read an entry).

`ALL` lists every op; tests hold each to finite differences."""
from ..op import Op
from . import (activations, adaptive, adaptive_max, arrangements, bessel, bounds, channels, convolution, counts,
               determinants, elementary, further, group_norm, indexed, linalg, lookups, losses, margins, nanmedians,
               nans, nn, normalization, padding_modes, pairs, pieces, piecewise, pointwise, pooling, products, ranks,
               reductions, rounding, running, sampled, scans, scatter_reduce, shapes, special, transposed, triangles,
               twofold, upsample, vector_norms, windows, writes)

FAMILIES = (pointwise, elementary, pairs, special, rounding, bounds, shapes, pieces, triangles, reductions, ranks,
            scans, running, twofold, vector_norms, nans, linalg, products, arrangements, counts, determinants,
            lookups, convolution, transposed, pooling, adaptive, adaptive_max, normalization, group_norm, upsample,
            padding_modes, nn, losses, margins, activations, piecewise,
            writes, sampled, channels, further, indexed, nanmedians, windows, bessel, scatter_reduce)

ALL = tuple(value for family in FAMILIES for name, value in vars(family).items()
            if isinstance(value, Op) and name.isupper())
