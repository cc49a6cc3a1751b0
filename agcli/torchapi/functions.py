"""Every PyTorch function agcli provides, gathered from the family modules,
so that the namespace and the language read them in one place (`functions.add`)."""
# The array side the language reaches (raw arrays that escape a function, what .numpy() gives):
from ..engine.backend import asarray, host_ndarray, host_types, item, kind, ndarray, to_host, xp
from ..engine.ops.shapes import sum_to
from ..engine.tensor import data
from ..errors import torch_type_name
from .arithmetic import (abs, acos, acosh, add, add_function, asin, asinh, atan, atanh, cos, cosh, div, divide, eq, erf,
                         erfc, exp, exp2, expm1,
                         floor_divide, fmod, ge, gt, le, log, log1p, log2, log10, lt, masked_fill, maximum,
                         minimum, mul, multiply, ne, neg, pow, reciprocal, relu, remainder, rsqrt, rsub, sigmoid, sin, sinh,
                         sqrt, sub, subtract, tan, tanh, where)
from .clamping import clamp, clamp_max, clamp_min
from .checks import dim_index, dims_tuple, fail, ndim_of, shape_of, size_tuple
from .bitwise import bitwise_and, bitwise_left_shift, bitwise_or, bitwise_right_shift, bitwise_xor, invert
from .dtypes import dtype_name, result_type
from .indexing import (checked_key, count_nonzero, getitem, index, lone_key_of_0d, nonzero, positions_key, read_key,
                       select, unbind, unique, views_first, whole_key)
from .einsum import einsum
from .linalg import bmm, dot, inner, inv, linear, matmul, mm, mv, outer, solve
from .nn import (binary_cross_entropy, celu, elu, gelu, hardshrink, hardsigmoid, hardswish, hardtanh, leaky_relu,
                 log_softmax, logsigmoid, mish, normalize, relu6, selu, silu, softmax, softmin, softplus, softshrink,
                 softsign, tanhshrink, threshold, one_hot, cosine_similarity, pad, embedding)
from .nn_losses import (binary_cross_entropy_with_logits, cross_entropy, huber_loss, kl_div, l1_loss, mse_loss,
                        nll_loss, smooth_l1_loss)
from .reductions import (ValuesIndices, amax, amin, argmax, argmin, argsort, cumprod, cumsum, median, topk, logsumexp,
                         logcumsumexp, max, mean, min, nanmean, nansum, norm, prod, sort, std, sum, trace, var)
from .logical import isclose
from .rounding import ceil, floor, frac, round, sgn, sign, trunc
from .triangles import diag, tril, triu
from .scatter import gather, index_fill, index_select, masked_select, scatter, scatter_add
from .pieces import chunk, split, unsafe_chunk, unsafe_split, unsafe_split_with_sizes
from .shaping import (attr_mT, attr_T, cat, clone, contiguous, data_of, detach, diagonal, expand, flatten, flip,
                      fliplr, flipud,
                      hstack, meshgrid, movedim, narrow, permute, repeat, reshape, roll, squeeze, stack, t, tile,
                      transpose, unflatten, unsqueeze, view, vstack)

__all__ = [name for name in dir() if not name.startswith("_")]
