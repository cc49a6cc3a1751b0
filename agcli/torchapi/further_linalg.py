"""Functions PyTorch composes of other ops (so the same nodes and rounding here): linalg.matrix_power,
linalg.multi_dot, linalg.vecdot, cov, corrcoef, trapezoid, cumulative_trapezoid, swapdims, ravel, msort,
float_power, special.ndtr; and torch.get_num_threads / set_num_threads."""
from __future__ import annotations

import math

from ..engine import backend as B
from ..engine import backend_sums_kernel as SK
from ..engine import mkl
from ..engine.ops.pointwise import add_scalar, div_scalar, mul_scalar
from ..engine.ops.shapes import to_dtype
from ..engine.tensor import Tensor
from ..errors import torch_type_name
from ..state import state
from . import functions as F
from . import in_place
from .checks import CPP_TYPE_NAMES, dim_index, fail, ndim_of, shape_of, tensors_only


def matrix_power(A, n):
    """linalg_matrix_power_impl: a contiguous clone (n = 0: the identity copied into it), the inverse for
    n = -1, else A (or its inverse) squared bit by bit, the products matmul's."""
    tensors_only("linalg_matrix_power", A=A)
    if type(n) is not int:
        fail(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}", "type")
    if ndim_of(A) < 2:
        fail("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    rows, cols = shape_of(A)[-2:]
    if rows != cols:
        fail(f"linalg.matrix_power: A must be batches of square matrices, but they are {rows} by {cols} matrices")
    if n == 0:
        eye = Tensor(B.eye(rows, dtype=A.data.dtype), device=A.device)
        return in_place.copy_(F.clone(A), eye)
    if n == 1:
        return F.clone(A)
    if n == -1:
        return F.inv(A)
    a, n = (F.inv(A) if n < 0 else A), abs(n)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else F.matmul(z, z)
        if bit:
            result = z if result is None else F.matmul(result, z)
    return result


def multi_dot(tensors, *, out=None):
    """linalg.multi_dot: mm's in the cheapest order (three by cost, more by the chain's dynamic
    programme), a vector first or last as a row or a column, the result viewed to its shape."""
    n = len(tensors)
    if n < 2:
        fail(f"multi_dot(): expected at least 2 tensors but got {n}")
    mats, out_shape = list(tensors), []
    first, last = ndim_of(mats[0]), ndim_of(mats[-1])
    if first == 1:
        mats[0] = F.unsqueeze(mats[0], 0)
    elif first == 2:
        out_shape.append(shape_of(mats[0])[0])
    else:
        fail(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last == 1:
        mats[-1] = F.unsqueeze(mats[-1], -1)
    elif last == 2:
        out_shape.append(shape_of(mats[-1])[1])
    else:
        fail(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i in range(1, n - 1):
        if ndim_of(tensors[i]) != 2:
            fail(f"multi_dot(): tensor {i} must be 2D but got {ndim_of(tensors[i])}D")
    dtype = mats[0].data.dtype
    for i in range(1, n):
        if mats[i].data.dtype != dtype:
            fail(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is {_name(dtype)} "
                 f"and tensor {i} {_name(mats[i].data.dtype)}")
        if shape_of(mats[i - 1])[-1] != shape_of(mats[i])[0]:
            fail(f"multi_dot(): tensors {i - 1} and {i} with shapes {_size(tensors[i - 1])} and "
                 f"{_size(tensors[i])} cannot be multiplied")
    if n == 2:
        return F.view(F.mm(mats[0], mats[1]), out_shape)
    if n == 3:
        a, b = shape_of(mats[0])[0], shape_of(mats[1])[0]
        c, d = shape_of(mats[2])
        if (a * c) * (b + d) > (b * d) * (a + c):
            return F.view(F.mm(mats[0], F.mm(mats[1], mats[2])), out_shape)
        return F.view(F.mm(F.mm(mats[0], mats[1]), mats[2]), out_shape)
    order = _chain_order([shape_of(m) for m in mats])
    return F.view(_chain(mats, order, 0, n - 1), out_shape)


def _chain_order(shapes):
    """matrix_chain_order: s[i][j], where the cheapest product of matrices i..j splits."""
    n = len(shapes)
    p = [s[0] for s in shapes] + [shapes[-1][1]]
    m = [[0] * n for _ in range(n)]
    s = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            m[i][j] = math.inf
            for k in range(i, j):
                q = m[i][k] + m[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if q < m[i][j]:
                    m[i][j], s[i][j] = q, k
    return s


def _chain(mats, order, i, j):
    if i == j:
        return mats[i]
    return F.mm(_chain(mats, order, i, order[i][j]), _chain(mats, order, order[i][j] + 1, j))


def _name(dtype):
    return CPP_TYPE_NAMES[B.dtype_name(dtype)]


def _size(t):
    return f"[{', '.join(map(str, shape_of(t)))}]"


def vecdot(x, y, *, dim=-1, out=None):
    """linalg.vecdot: (x * y).sum(dim) for real tensors."""
    tensors_only("linalg_vecdot", x=x, y=y)
    if B.kind(x.data.dtype) != "f":
        fail(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
             f"{torch_type_name(x.data.dtype)}")
    if x.data.dtype != y.data.dtype:
        fail(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
             f"{torch_type_name(x.data.dtype)} and y of type {torch_type_name(y.data.dtype)} instead")
    return F.sum(F.mul(x, y), dim)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """torch.cov (Correlation.cpp): observations along dim 1, their weighted mean, the centred
    product's mm divided by the normalisation, squeezed."""
    tensors_only("cov", input=input)
    if ndim_of(input) > 2:
        fail(f"cov(): expected input to have two or fewer dimensions but got an input with {ndim_of(input)} "
             f"dimensions")
    if B.kind(input.data.dtype) == "b":
        fail("cov(): bool dtype is not supported for input")
    x = F.view(input, (1, -1)) if ndim_of(input) < 2 else input
    observations = shape_of(x)[1]
    w = None
    if fweights is not None:
        w = _weights("fweights", fweights, observations)
    if aweights is not None:
        aw = _weights("aweights", aweights, observations)
        w = aw if w is None else F.mul(w, aw)
    # (PyTorch's count is an int64 tensor; the array API divides no float by it: a device's is the float)
    count_dtype = "int64" if B.ON_HOST else B.dtype_name(x.data.dtype)
    w_sum = F.sum(w) if w is not None else Tensor(B.asarray(observations, dtype=B.dtype(count_dtype)), device=x.device)
    if w is not None and not bool(B.item(w_sum.data != 0)):
        fail("cov(): weights sum to zero, can't be normalized")
    avg = F.div(F.sum(F.mul(x, w) if w is not None else x, 1), w_sum)
    if w is not None and aweights is not None and correction != 0:
        norm = F.sub(w_sum, F.div(F.mul(correction, F.sum(F.mul(w, aweights))), w_sum))
    else:
        norm = F.sub(w_sum, correction)
    if bool(B.item(norm.data <= 0)):
        state.warn("UserWarning: cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
                   "number of observations.")
        norm = Tensor(B.zeros_like(norm.data))
    x = F.sub(x, F.unsqueeze(avg, 1))
    c = F.mm(x, F.t(F.mul(x, w) if w is not None else x))
    return F.squeeze(F.div(c, norm))


def _weights(name, w, observations):
    tensors_only("cov", **{name: w})
    if ndim_of(w) > 1:
        fail(f"cov(): expected {name} to have one or fewer dimensions but got {name} with {ndim_of(w)} "
             f"dimensions")
    kind = B.kind(w.data.dtype)
    if name == "fweights" and kind not in "iu":
        fail(f"cov(): expected fweights to have integral dtype but got fweights with "
             f"{torch_type_name(w.data.dtype)} dtype")
    if name == "aweights" and kind != "f":
        fail(f"cov(): expected aweights to have floating point dtype but got aweights with "
             f"{torch_type_name(w.data.dtype)} dtype")
    if w.data.size != observations:
        fail(f"cov(): expected {name} to have the same numel as there are observations in the input but got "
             f"{w.data.size} != {observations}")
    if observations and bool(B.item(B.xp.min(w.data) < 0)):
        fail(f"cov(): {name} cannot be negative")
    return w


def corrcoef(input):
    """torch.corrcoef: cov divided by the standard deviations as a column, then as a row, clipped to [-1, 1]."""
    tensors_only("corrcoef", input=input)
    if ndim_of(input) > 2:
        fail(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
             f"{ndim_of(input)} dimensions")
    c = cov(input)
    if ndim_of(c) == 0:
        return F.div(c, c)
    stddev = F.sqrt(F.diagonal(c))
    c = F.div(c, F.view(stddev, (-1, 1)))
    c = F.div(c, F.view(stddev, (1, -1)))
    return F.clamp(c, -1, 1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integration.cpp: dx a number: (y.sum(dim) - (y[0] + y[-1]) * 0.5) * dx; x: ((left + right) * diff(x)).sum / 2."""
    tensors_only("trapezoid", y=y)
    d = dim_index(dim, ndim_of(y))
    if shape_of(y)[d] == 0:
        shape = shape_of(y)[:d] + shape_of(y)[d + 1:]
        return Tensor(B.zeros(shape, dtype=y.data.dtype), device=y.device)
    if x is None or type(x) is not Tensor:
        step = 1 if x is None and dx is None else dx if x is None else x
        if B.kind(y.data.dtype) == "b":
            fail("trapezoid: received a bool input for `y`, but bool is not supported")
        ends = mul_scalar(F.add(F.select(y, d, 0), F.select(y, d, -1)), 0.5)
        return mul_scalar(F.sub(F.sum(y, d), ends), float(step))
    left, right = _halves(y, d)
    return div_scalar(F.sum(F.mul(F.add(left, right), _spacing("trapezoid", y, x, d)), d), 2.0)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integration.cpp: (dx / 2 * (left + right)).cumsum(dim), or ((left + right) * diff(x)).cumsum(dim) / 2."""
    tensors_only("cumulative_trapezoid", y=y)
    d = dim_index(dim, ndim_of(y))
    left, right = _halves(y, d)
    if x is None or type(x) is not Tensor:
        step = 1 if x is None and dx is None else dx if x is None else x
        if B.kind(y.data.dtype) == "b":
            fail("cumulative_trapezoid: received a bool input for `y`, but bool is not supported")
        return F.cumsum(mul_scalar(F.add(left, right), float(step) / 2.0), d)
    return div_scalar(F.cumsum(F.mul(F.add(left, right), _spacing("cumulative_trapezoid", y, x, d)), d), 2.0)


def _halves(y, d):
    n = shape_of(y)[d]
    return F.narrow(y, d, 0, max(n - 1, 0)), F.narrow(y, d, min(1, n), max(n - 1, 0))


def _spacing(name, y, x, d):
    """x viewed against y's dims (a vector along dim, fewer dims padded in front), its differences along dim."""
    if B.kind(y.data.dtype) == "b" or B.kind(x.data.dtype) == "b":
        fail(f"{name}: received a bool input for `x` or `y`, but bool is not supported")
    if ndim_of(x) == 1:
        if shape_of(x)[0] != shape_of(y)[d]:
            fail(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * ndim_of(y)
        shape[d] = shape_of(x)[0]
        x = F.view(x, shape)
    elif ndim_of(x) < ndim_of(y):
        x = F.view(x, (1,) * (ndim_of(y) - ndim_of(x)) + tuple(shape_of(x)))
    left, right = _halves(x, d)
    return F.sub(right, left)


def swapdims(input, dim0, dim1):
    return F.transpose(input, dim0, dim1)


def ravel(input):
    """self.contiguous().view(-1)."""
    return F.view(F.contiguous(input), (-1,))


def msort(input):
    """sort(self, 0).values (SortBackward0)."""
    tensors_only("msort", input=input)
    return F.sort(input, 0)[0]


def float_power(input, exponent):
    """pow in float64: each tensor operand converted (ToCopyBackward0) first, a number as a double."""
    if type(input) is not Tensor and type(exponent) is not Tensor:
        fail("float_power() received an invalid combination of arguments", "type")
    base = _double(input) if type(input) is Tensor else float(input)
    power = _double(exponent) if type(exponent) is Tensor else float(exponent)
    return F.pow(base, power)


def _double(t):
    return t if t.data.dtype == B.dtype("float64") else to_dtype(t, B.dtype("float64"))


def float_power_(input, exponent):
    if input.data.dtype != B.dtype("float64"):
        fail(f"the base given to float_power_ has dtype {torch_type_name(input.data.dtype)} but the operation's "
             f"result requires dtype Double")
    return in_place.pow_(input, _double(exponent) if type(exponent) is Tensor else float(exponent))


def ndtr(input):
    """special_ndtr: (1 + erf(x * M_SQRT1_2)) * 0.5."""
    tensors_only("special_ndtr", input=input)
    x = input if B.kind(input.data.dtype) == "f" else Tensor(B.astype(input.data, state.default_float))
    return mul_scalar(add_scalar(F.erf(mul_scalar(x, 0.70710678118654752440)), 1), 0.5)


def get_num_threads():
    """at::get_num_threads on the CPU build: the intra-op threads its sums use here."""
    return SK.threads()


def set_num_threads(n):
    if type(n) is not int:
        fail(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        fail("set_num_threads expects a positive integer")
    SK._machine["threads"] = n      # (PyTorch's sums then split among that many)
    mkl.set_threads(n)              # (and its matrix products block for that many, with the mkl extra)
