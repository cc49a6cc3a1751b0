"""The PyTorch functions agcli speaks, built on the op table.

Each function takes tensors (or raw arrays, for the rules in ops.py), checks
its arguments the way PyTorch does, and picks the op PyTorch would record
(so `a.sum()` is SumBackward0 and `a.sum(0)` SumBackward1). Errors use
PyTorch's words; the interpreter adds the place.
"""
from __future__ import annotations

import builtins
import operator

from ..engine import ops
from ..engine.backend import ndarray, xp
from ..errors import AgcliError
from ..engine.tensor import Tensor, apply

_py_sum, _py_max, _py_min, _py_abs = builtins.sum, builtins.max, builtins.min, builtins.abs


def data(x):
    """The raw array behind a tensor (or the value itself)."""
    return x.data if type(x) is Tensor else x


def shape_of(x) -> tuple:
    return tuple(getattr(x, "shape", ()))


def ndim_of(x) -> int:
    return len(shape_of(x))


def fail(message: str, kind: str = "runtime"):
    raise AgcliError(message, kind=kind)


def dim_index(dim, ndim: int) -> int:
    """Wrap a negative dim; PyTorch's error when out of range."""
    if isinstance(dim, bool) or not isinstance(dim, (int, xp.integer)):
        fail(f"dim must be an integer, got {dim!r}", "type")
    top = _py_max(ndim, 1)
    if not -top <= dim < top:
        fail(f"Dimension out of range (expected to be in range of [{-top}, {top - 1}], but got {dim})",
             "shape")
    return int(dim) % top


def dims_tuple(dim, ndim: int) -> tuple:
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    out = tuple(dim_index(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        fail(f"dim {out} appears multiple times in the list of dims", "shape")
    return out


def size_tuple(args) -> tuple:
    """`ones(2, 3)`, `ones((2, 3))` and `ones([2, 3])` all mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if len(args) == 1 and type(args[0]) is Tensor:
        args = tuple(int(v) for v in args[0].data.reshape(-1))
    for a in args:
        if isinstance(a, bool) or not isinstance(a, (int, xp.integer)):
            fail(f"sizes must be integers, got {a!r}", "type")
    return tuple(int(a) for a in args)


def broadcast_shapes(a: tuple, b: tuple) -> tuple:
    """Broadcast two shapes; PyTorch's message when they do not fit."""
    out = []
    for i in range(1, _py_max(len(a), len(b)) + 1):
        m = a[-i] if i <= len(a) else 1
        n = b[-i] if i <= len(b) else 1
        if m != n and m != 1 and n != 1:
            fail(f"The size of tensor a ({m}) must match the size of tensor b ({n}) "
                 f"at non-singleton dimension {_py_max(len(a), len(b)) - i}", "shape")
        out.append(n if m == 1 else m)
    return tuple(reversed(out))


def _size(v) -> int:
    return getattr(data(v), "size", 1)


_CHECKED_ABOVE = 10**6     # products of operand sizes up to this skip the --max-elements check


def _refuse_huge(shape_fn, product):
    """Refuse a result over --max-elements before allocating it (broadcasting
    and products can make results far larger than their operands)."""
    if product > _CHECKED_ABOVE:      # only large operands pay for the exact check
        from .creation import check_size
        check_size(shape_fn())


_RAW = frozenset((ndarray, float, int, xp.float64, xp.float32, xp.int64))


def _raw(x, y) -> bool:
    """Raw arrays (and numbers) with an array among them: what backward's rules
    compute with when no graph of the gradient is wanted. They need no
    recording and no dtype fix-ups, so arithmetic on them goes straight to NumPy."""
    tx, ty = type(x), type(y)
    return tx in _RAW and ty in _RAW and (tx is ndarray or ty is ndarray)


def _elementwise(op, x, y, **params):
    # Two tensors of one dtype and modest size (the common case): nothing to refuse, nothing to promote.
    common = type(x) is Tensor and type(y) is Tensor and x.data.dtype is y.data.dtype \
        and x.data.size * y.data.size <= _CHECKED_ABOVE
    if not common:
        _refuse_huge(lambda: broadcast_shapes(shape_of(x), shape_of(y)), _size(x) * _size(y))
    try:
        out = apply(op, x, y, **params)
    except ValueError:
        broadcast_shapes(shape_of(x), shape_of(y))
        raise
    if not common and type(out) is Tensor and _mixed(x, y):
        dtype = result_type(x, y)
        if out.data.dtype != dtype:
            out.data = out.data.astype(dtype)
    return out


def _mixed(x, y) -> bool:
    """Operands whose dtypes NumPy and PyTorch may promote differently."""
    dx, dy = getattr(x, "dtype", None), getattr(y, "dtype", None)
    if dx is None or dy is None:           # a Python number: int tensor with a float number
        d = dx if dy is None else dy
        other = y if dy is None else x
        return d is not None and d.kind in "biu" and type(other) is float
    return dx != dy


def _category(dtype) -> int:
    return {"b": 0, "i": 1, "u": 1, "f": 2}.get(dtype.kind, 2)


def result_type(*operands):
    """PyTorch's type promotion: the highest kind (bool < int < float) wins; within
    it, tensors with dims outrank 0-d tensors, which outrank Python numbers,
    and a Python float takes the default float dtype."""
    ranked = []
    for v in operands:
        if type(v) is Tensor:
            ranked.append((_category(v.data.dtype), 2 if v.data.ndim else 1, v.data.dtype))
        elif isinstance(v, bool):
            ranked.append((0, 0, xp.dtype(bool)))
        elif isinstance(v, int):
            ranked.append((1, 0, xp.dtype("int64")))
        else:
            ranked.append((2, 0, xp.dtype(default_float())))
    top = _py_max(c for c, _, _ in ranked)
    best = _py_max(p for c, p, _ in ranked if c == top)
    return xp.result_type(*[d for c, p, d in ranked if c == top and p == best])


def _as_operand(v):
    """Python numbers stay numbers (weakly typed, as in PyTorch); lists are refused."""
    if isinstance(v, (list, tuple)):
        fail(f"unsupported operand type: {type(v).__name__} (write tensor({list(v)!r}) for a tensor)",
             "type")
    return v


# ------------------------------------------------------------- arithmetic
def _alpha(alpha):
    """add/sub's `alpha` as a parameter only when it is not 1 (the common case stays lean)."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        fail(f"alpha must be a number, got {alpha!r}", "type")
    return {} if alpha == 1 else {"alpha": alpha}


def add(x, y, alpha=1):
    if alpha == 1 and _raw(x, y):
        return xp.add(x, y)
    return _elementwise(ops.ADD, _as_operand(x), _as_operand(y), **_alpha(alpha))


def sub(x, y, alpha=1):
    if type(y) is Tensor and type(x) is not Tensor and not isinstance(x, ndarray):
        return apply(ops.RSUB, y, _as_operand(x), **_alpha(alpha))      # 2 - a is RsubBackward1
    return _elementwise(ops.SUB, _as_operand(x), _as_operand(y), **_alpha(alpha))


def mul(x, y):
    if _raw(x, y):
        return xp.multiply(x, y)
    return _elementwise(ops.MUL, _as_operand(x), _as_operand(y))


def div(x, y):
    if _raw(x, y):
        return xp.true_divide(x, y)
    x, y = _as_operand(x), _as_operand(y)
    if type(y) is Tensor and type(x) is not Tensor and not isinstance(x, ndarray):
        return mul(reciprocal(y), x)                      # 2 / a: reciprocal, then mul
    if type(x) is Tensor and x.data.dtype.kind in "biu" and not isinstance(y, (float, Tensor)):
        x = Tensor(x.data.astype(default_float()))
    return _elementwise(ops.DIV, x, y)


def remainder(x, y):
    x, y = _as_operand(x), _as_operand(y)
    if type(x) is not Tensor and type(y) is not Tensor:
        return xp.remainder(x, y)
    return _elementwise(ops.REMAINDER, x, y)


def floor_divide(x, y):
    """x // y, rounded down. PyTorch records a node for it whose backward fails."""
    x, y = _as_operand(x), _as_operand(y)
    if type(x) is not Tensor and type(y) is not Tensor:
        return x // y if type(x) in (int, float) and type(y) in (int, float) else xp.floor_divide(x, y)
    return _elementwise(ops.FLOOR_DIVIDE, x, y)


def reciprocal(x):
    return apply(ops.RECIPROCAL, x)


def neg(x):
    return apply(ops.NEG, x)


def pow(x, y):
    if type(x) is Tensor and type(y) is not Tensor and not isinstance(y, ndarray):
        y = _as_operand(y)
        return apply(ops.POW, _floating(x) if type(y) is float else x, y)   # PowBackward0
    if type(x) is not Tensor and type(y) is Tensor and not isinstance(x, ndarray):
        return apply(ops.RPOW, _as_operand(x), y)          # PowBackward2
    if type(x) is not Tensor and type(y) is not Tensor:
        if type(x) in (int, float) and type(y) in (int, float):
            if type(x) is int and type(y) is int and abs(x) > 1 and y * x.bit_length() > 64:
                fail(f"{x} ** {y} is too large for a 64-bit integer", "value")   # Python would try anyway
            return x ** y       # plain numbers stay weakly typed, as in PyTorch
        return xp.power(x, y)
    return _elementwise(ops.POW_T, x, y)                   # PowBackward1


def pow_scalar_grad(g, x, p):
    if p == 0:
        return mul(g, 0.0)
    return mul(mul(g, p), pow(x, p - 1))


def masked_log_grad(g, out, base, y):
    """d(base**y)/dy = out * log(base), and 0 where base == 0 and y >= 0 (as PyTorch)."""
    zero = (data(base) == 0) & (data(y) >= 0)
    if not xp.any(zero):
        return mul(mul(g, out), log(base) if type(base) is Tensor else xp.log(base))
    return where(zero, 0.0, mul(mul(g, out), log(where(zero, 1.0, base))))


# ------------------------------------------------------------ elementwise
def sigmoid_array(x):
    """1 / (1 + e^-x) without overflow: e^-|x| never overflows."""
    e = xp.exp(-xp.abs(x))
    d = 1 + e
    return xp.where(x >= 0, 1 / d, e / d)


def _floating(x):
    """Integer and bool tensors enter float ops as the default float dtype, as in
    PyTorch (NumPy would pick float64, or float16 for bool)."""
    if type(x) is Tensor and x.data.dtype.kind in "biu":
        return Tensor(x.data.astype(default_float()))
    return x


def _unary(op, floating=True):
    """An elementwise function of one tensor. A raw array (what backward's rules
    pass) goes straight to the op's forward: apply would record nothing."""
    forward = op.forward

    def function(x):
        if type(x) is ndarray:
            return forward(x)
        return apply(op, _floating(x) if floating else x)
    function.__name__ = function.__qualname__ = op.name.replace("Backward0", "").lower()
    return function


exp, log, sqrt = _unary(ops.EXP), _unary(ops.LOG), _unary(ops.SQRT)
sin, cos, tan, tanh = _unary(ops.SIN), _unary(ops.COS), _unary(ops.TAN), _unary(ops.TANH)
sigmoid, relu, abs = _unary(ops.SIGMOID), _unary(ops.RELU, floating=False), _unary(ops.ABS, floating=False)


def clamp(x, min=None, max=None):
    if min is None and max is None:
        fail("torch.clamp: At least one of 'min' or 'max' must not be None")
    for bound in (min, max):
        if type(bound) is Tensor:
            fail("clamp with tensor bounds is not supported by agcli; use maximum/minimum", "type")
    return apply(ops.CLAMP, x, min=min, max=max)


def mask(m, like):
    """A 0/1 array (no gradient) in the dtype of `like`."""
    m = data(m)
    dtype = getattr(data(like), "dtype", None)
    return m.astype(dtype) if dtype is not None and dtype.kind == "f" else m


def within(x, lo, hi):
    x = data(x)
    keep = xp.ones(x.shape, dtype=bool)
    if lo is not None:
        keep &= x >= lo
    if hi is not None:
        keep &= x <= hi
    return keep


def where(condition, x, y):
    c = data(condition)
    if getattr(c, "dtype", None) is not None and c.dtype != bool:
        fail(f"where expected condition to be a boolean tensor, but got a tensor with dtype {dtype_name(c.dtype)}",
             "type")
    try:
        return apply(ops.WHERE, condition, x, y)
    except ValueError:
        broadcast_shapes(broadcast_shapes(shape_of(c), shape_of(x)), shape_of(y))
        raise


def maximum(x, y): return _elementwise(ops.MAXIMUM, x, y)
def minimum(x, y): return _elementwise(ops.MINIMUM, x, y)


def tie_split(g, x, y, keep):
    """PyTorch's maximum/minimum rule: the winner takes g, a tie splits it."""
    a, b = data(x), data(y)
    wins = (a > b) if keep == "greater" else (a < b)
    share = xp.where(wins, 1.0, xp.where(a == b, 0.5, 0.0))
    return mul(g, mask(share, g))


# -------------------------------------------------------------- reductions
def _reduce(op_all, op_dim, x, dim, keepdim):
    if dim is None:
        return apply(op_all, x)
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        return apply(op_all, x) if not keepdim else apply(op_dim, x, dim=tuple(range(ndim_of(x))), keepdim=True)
    return apply(op_dim, x, dim=dims_tuple(dim, ndim_of(x)), keepdim=bool(keepdim))


def sum(x, dim=None, keepdim=False, dtype=None):
    if type(x) is Tensor and x.data.dtype == bool:
        x = Tensor(x.data.astype(xp.int64))
    return _reduce(ops.SUM, ops.SUM_DIM, x, dim, keepdim)


def mean(x, dim=None, keepdim=False, dtype=None):
    kind = xp.asarray(data(x)).dtype      # mean(2.) is a number's mean, as sum(2) is its sum
    if kind.kind != "f":
        fail(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
             f"complex dtype. Got: {torch_type_name(kind)}", "type")
    return _reduce(ops.MEAN, ops.MEAN_DIM, x, dim, keepdim)


class ValuesIndices(tuple):
    """What max(dim)/min(dim) return: a (values, indices) pair with names."""

    values = property(operator.itemgetter(0))
    indices = property(operator.itemgetter(1))


def _extreme(op_all, op_dim, arg, name, x, dim=None, keepdim=False, other=None):
    if type(dim) is Tensor or type(other) is Tensor:
        return (maximum if name == "max" else minimum)(x, dim if type(dim) is Tensor else other)
    if dim is None:
        if data(x).size == 0:
            fail(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                 "Specify the reduction dim with the 'dim' argument.", "shape")
        return apply(op_all, x)
    d = dim_index(dim, ndim_of(x))
    values = apply(op_dim, x, dim=d, keepdim=bool(keepdim))
    idx = arg(data(x), axis=d)
    if keepdim:
        idx = xp.expand_dims(idx, d)
    return ValuesIndices((values, Tensor(xp.asarray(idx, dtype=xp.int64))))


def max(x, dim=None, keepdim=False, other=None):
    return _extreme(ops.AMAX_ALL, ops.MAX_DIM, xp.argmax, "max", x, dim, keepdim, other)


def min(x, dim=None, keepdim=False, other=None):
    return _extreme(ops.AMIN_ALL, ops.MIN_DIM, xp.argmin, "min", x, dim, keepdim, other)


def _amax_amin(op, x, dim, keepdim):
    dims = tuple(range(ndim_of(x))) if isinstance(dim, (tuple, list)) and len(dim) == 0 \
        else dims_tuple(dim, ndim_of(x))
    return apply(op, x, dim=dims, keepdim=bool(keepdim))


def amax(x, dim=(), keepdim=False):
    return _amax_amin(ops.AMAX, x, dim, keepdim)


def amin(x, dim=(), keepdim=False):
    return _amax_amin(ops.AMIN, x, dim, keepdim)


def amax_grad(g, out, x, dim, keepdim):
    """amax/amin: ties along the reduced dims share the gradient equally (PyTorch's rule)."""
    if not keepdim:
        for d in sorted(dim):
            g, out = unsqueeze(g, d), unsqueeze(out, d)
    hit = data(x) == data(out)
    return mul(g, mask(hit / hit.sum(axis=dim, keepdims=True), g))


def take_along(x, idx, dim, keepdim):
    out = xp.take_along_axis(x, xp.expand_dims(idx, dim), axis=dim)
    return out if keepdim else xp.squeeze(out, dim)


def evenly_distribute(g, x, out):
    """max()/min() over all: ties share the gradient equally (PyTorch's rule)."""
    a, o = data(x), data(out)
    hit = (a == o) | (xp.isnan(a) & xp.isnan(o))
    return mul(expand(div(g, int(hit.sum())), shape_of(x)), mask(hit, g))


def select_by_index(g, x, idx, dim, keepdim):
    """max(dim)/min(dim): the gradient goes to the chosen element only."""
    shape = shape_of(x)
    chosen = xp.expand_dims(idx, dim) == xp.arange(shape[dim]).reshape(
        (-1,) + (1,) * (len(shape) - dim - 1))
    if not keepdim:
        g = unsqueeze(g, dim)
    return mul(expand(g, shape), mask(chosen, g))


def vector_norm_array(x, ord, dim, keepdim):
    a = xp.abs(x)
    if ord == 2:
        return xp.sqrt(xp.sum(a * a, axis=dim, keepdims=keepdim))
    if ord == 1:
        return xp.sum(a, axis=dim, keepdims=keepdim)
    if ord == float("inf"):
        return xp.max(a, axis=dim, keepdims=keepdim)
    return xp.sum(a ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    ord = 2 if p in ("fro", 2, 2.0, None) else p
    if not isinstance(ord, (int, float)) or isinstance(ord, bool) or ord <= 0:
        fail(f"norm: p={p!r} is not supported by agcli (use 1, 2, a positive number or inf)", "type")
    dims = None if dim is None else dims_tuple(dim, ndim_of(x))
    return apply(ops.NORM, x, ord=ord, dim=dims, keepdim=bool(keepdim))


def norm_grad(g, out, x, ord, dim, keepdim):
    dims = dim if dim is not None else tuple(range(ndim_of(x)))
    g = _unsqueeze_back(g, dims, keepdim or dim is None)
    out = _unsqueeze_back(out, dims, keepdim or dim is None)
    if ord == 1:
        return mul(g, mask(xp.sign(data(x)), g))
    if ord == 2:
        zero = data(out) == 0
        if xp.any(zero):    # a zero norm gives a zero gradient (PyTorch masks it; no 0/0)
            return mul(x, where(zero, 0.0, div(g, where(zero, 1.0, out))))
        return div(mul(g, x), out)
    if ord == float("inf"):
        hit = xp.abs(data(x)) == data(out)
        return mul(g, mask(xp.sign(data(x)) * hit / hit.sum(axis=dims, keepdims=True), g))
    return div(mul(mul(g, x), pow(abs(x), ord - 2)), pow(out, ord - 1))


def _unsqueeze_back(v, dims, already_kept):
    if already_kept or ndim_of(v) == 0 and not dims:
        return v
    for d in sorted(dims):
        v = unsqueeze(v, d)
    return v


def logsumexp_array(x, dim, keepdim):
    m = xp.max(x, axis=dim, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    out = xp.log(xp.sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else xp.squeeze(out, axis=dim)


def logsumexp(x, dim, keepdim=False):
    return apply(ops.LOGSUMEXP, x, dim=dims_tuple(dim, ndim_of(x)), keepdim=bool(keepdim))


# ----------------------------------------------------------- linear algebra
def _dims_text(shape):
    return "x".join(str(n) for n in shape)


def dot(x, y):
    if ndim_of(x) != 1 or ndim_of(y) != 1:
        fail(f"1D tensors expected, but got {ndim_of(x)}D and {ndim_of(y)}D tensors", "shape")
    if shape_of(x) != shape_of(y):
        n, m = shape_of(x)[0], shape_of(y)[0]
        fail(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
             f"of elements, but got {n} and {m} elements respectively", "shape")
    return apply(ops.DOT, x, y)


def mv(m, v):
    if type(m) is ndarray and type(v) is ndarray and m.ndim == 2 and v.ndim == 1 and m.shape[1] == v.shape[0]:
        return xp.matmul(m, v)          # backward's rules: raw arrays, shapes that fit
    if ndim_of(m) != 2 or ndim_of(v) != 1:
        fail(f"vector + matrix @ vector expected, got 1, {ndim_of(m)}, {ndim_of(v)}", "shape")
    if shape_of(m)[1] != shape_of(v)[0]:
        fail(f"size mismatch, got input ({shape_of(m)[0]}), mat ({_dims_text(shape_of(m))}), "
             f"vec ({shape_of(v)[0]})", "shape")
    return apply(ops.MV, m, v)


def mm(a, b):
    if type(a) is ndarray and type(b) is ndarray and a.ndim == b.ndim == 2 and a.shape[1] == b.shape[0]:
        return xp.matmul(a, b)          # backward's rules: raw arrays, shapes that fit
    if ndim_of(a) != 2:
        fail("self must be a matrix", "shape")
    if ndim_of(b) != 2:
        fail("mat2 must be a matrix", "shape")
    if shape_of(a)[1] != shape_of(b)[0]:
        fail(f"mat1 and mat2 shapes cannot be multiplied ({_dims_text(shape_of(a))} and "
             f"{_dims_text(shape_of(b))})", "shape")
    _refuse_huge(lambda: (shape_of(a)[0], shape_of(b)[1]), shape_of(a)[0] * shape_of(b)[1])
    return apply(ops.MM, a, b)


def bmm(a, b):
    if ndim_of(a) != 3:
        fail("batch1 must be a 3D tensor", "shape")
    if ndim_of(b) != 3:
        fail("batch2 must be a 3D tensor", "shape")
    sa, sb = shape_of(a), shape_of(b)
    if sb[:2] != (sa[0], sa[2]):
        fail(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] "
             f"but got: [{sb[0]}, {sb[1]}].", "shape")
    sa, sb = shape_of(a), shape_of(b)
    _refuse_huge(lambda: (sa[0], sa[1], sb[2]), sa[0] * sa[1] * sb[2])
    return apply(ops.BMM, a, b)


def outer_raw(u, v):
    return mul(unsqueeze(u, -1), v)


def outer(u, v):
    if ndim_of(u) != 1 or ndim_of(v) != 1:
        fail(f"outer: expected 1D tensors, got {ndim_of(u)}D and {ndim_of(v)}D", "shape")
    return mul(reshape(u, (-1, 1)), v)


def matmul(a, b):
    """PyTorch's dispatch (_matmul_impl): dot, mv, mm, a folded mm/mv, or a batched bmm,
    by the operands' dims, strides and requires_grad, recording the same nodes."""
    da, db = ndim_of(a), ndim_of(b)
    if da == 0 or db == 0:
        fail(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D", "shape")
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        return apply(ops.SQUEEZE_INPLACE, mm(unsqueeze(a, 0), b), dim=0)     # .squeeze_(0)
    if da == 2 and db == 2:
        return mm(a, b)
    if _should_fold(a, b):
        # Fold the batch of the larger operand into rows: one mm (or mv), then a view back.
        transpose = db > da
        t1 = attr_mT(b) if transpose else a
        t2 = (t(a) if da == 2 else a) if transpose else b
        s1 = shape_of(t1)
        folded = reshape(t1, (_py_prod(s1[:-1]), s1[-1]))
        if ndim_of(t2) == 2:
            out = _unsafe_view(mm(folded, t2), s1[:-1] + (shape_of(t2)[1],))
            return contiguous(attr_mT(out)) if transpose else out
        return _unsafe_view(mv(folded, t2), s1[:-1])
    return _batched_matmul(a, b)


def _requires_grad(x) -> bool:
    return type(x) is Tensor and x.requires_grad


def _should_fold(a, b) -> bool:
    """PyTorch's should_fold: can the larger operand be folded into a matrix for mm/mv?"""
    a_larger = ndim_of(a) >= ndim_of(b)
    t1 = data(a) if a_larger else xp.swapaxes(data(b), -1, -2)
    d1, d2 = t1.ndim, ndim_of(b) if a_larger else ndim_of(a)
    if not (d1 >= 3 and d2 <= 2):
        return False
    if _requires_grad(b if a_larger else a):    # fold, or the small operand's gradient is a big sum
        return True
    if ndim_of(a) == 2:     # 2D @ ND: folding would need a transposed copy of the result
        return False
    if t1.size == 0:
        return True
    shape, strides = t1.shape, strides_of(t1)
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(d1 - 2))


def _py_prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _unsafe_view(x, shape):
    return apply(ops.UNSAFE_VIEW, x, shape=tuple(shape))


def _batched_matmul(a, b):
    da, db = ndim_of(a), ndim_of(b)
    sa, sb = shape_of(a), shape_of(b)
    n, m1, batch_a = (sa[-2] if da > 1 else 1), sa[-1], sa[:_py_max(da - 2, 0)]
    m2, p, batch_b = (sb[-2] if db > 1 else sb[0]), (sb[-1] if db > 1 else 1), sb[:_py_max(db - 2, 0)]
    if da == 3 and db == 3 and batch_a[0] != batch_b[0]:
        # a batch of one that requires grad is squeezed, so that it folds (as PyTorch does)
        if batch_a[0] == 1 and _requires_grad(a):
            return matmul(squeeze(a, 0), b)
        if batch_b[0] == 1 and _requires_grad(b):
            return matmul(a, squeeze(b, 0))
    batch = broadcast_shapes(batch_a, batch_b)
    flat = _py_prod(batch)
    a3 = reshape(expand(a, batch + (n, m1)), (flat, n, m1))
    if db == 1:
        b3 = unsqueeze(reshape(expand(b, batch + (m2,)), (flat, m2)), 2)
    else:
        b3 = reshape(expand(b, batch + (m2, p)), (flat, m2, p))
    out = bmm(a3, b3)
    if db == 1:
        out = squeeze(out, -1)
    return _unsafe_view(out, batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ()))


# ------------------------------------------------------------------ shapes
def strides_of(a) -> tuple:
    """A raw array's strides in elements, PyTorch's unit (NumPy's views keep PyTorch's layouts)."""
    return tuple(s // a.itemsize for s in a.strides)


def is_contiguous(x) -> bool:
    """PyTorch's is_contiguous: row-major strides, dims of size 1 aside."""
    a = data(x)
    if not isinstance(a, ndarray) or a.size == 0:
        return True
    expected = 1
    for n, st in zip(reversed(a.shape), reversed(strides_of(a))):
        if n != 1:
            if st != expected:
                return False
            expected *= n
    return True


def viewable(x, shape) -> bool:
    """Can x be seen with `shape` without a copy? (PyTorch's computeStride)."""
    a = data(x)
    old = a.shape
    if not old or a.size == 0:
        return True
    strides = strides_of(a)
    view_d = len(shape) - 1
    base, tensor_numel, view_numel = strides[-1], 1, 1
    for d in range(len(old) - 1, -1, -1):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if d > 0:
                base, tensor_numel, view_numel = strides[d - 1], 1, 1
    return view_d == -1


def _shape_arg(x, shape):
    return _infer_shape(size_tuple(shape) if shape and not (len(shape) == 1 and isinstance(shape[0], tuple)
                                                          and all(isinstance(s, int) for s in shape[0]))
                        else shape[0], shape_of(x))


def reshape(x, *shape):
    """A view when the strides allow one (ViewBackward0 when contiguous, else
    ReshapeAliasBackward0), else a contiguous clone viewed (PyTorch's reshape)."""
    shape = _shape_arg(x, shape)
    if type(x) is not Tensor:
        return x if shape == shape_of(x) else xp.reshape(x, shape)
    if is_contiguous(x):
        return apply(ops.VIEW, x, shape=shape)
    if viewable(x, shape):
        return apply(ops.RESHAPE_ALIAS, x, shape=shape)
    return _unsafe_view(apply(ops.CLONE, x, memory_format="contiguous"), shape)


def view(x, *shape):
    shape = _shape_arg(x, shape)
    if type(x) is not Tensor:
        return x if shape == shape_of(x) else xp.reshape(x, shape)
    if not viewable(x, shape):
        fail("view size is not compatible with input tensor's size and stride (at least one dimension spans "
             "across two contiguous subspaces). Use .reshape(...) instead.", "shape")
    return apply(ops.VIEW, x, shape=shape)


def contiguous(x):
    if type(x) is not Tensor or is_contiguous(x):
        return x
    return apply(ops.CLONE, x, memory_format="contiguous")


def _infer_shape(shape, old):
    total = _py_prod(old)
    if shape.count(-1) > 1:
        fail("only one dimension can be inferred", "shape")
    known = _py_prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or total % known:
            fail(f"shape '[{', '.join(str(s) for s in shape)}]' is invalid for input of size {total}", "shape")
        shape = tuple(total // known if s == -1 else s for s in shape)
    elif known != total:
        fail(f"shape '[{', '.join(str(s) for s in shape)}]' is invalid for input of size {total}", "shape")
    return tuple(shape)


def flatten(x, start_dim=0, end_dim=-1):
    n = ndim_of(x)
    if n == 0:
        return reshape(x, (1,))
    s, e = dim_index(start_dim, n), dim_index(end_dim, n)
    if s == e:
        return x
    old = shape_of(x)
    return reshape(x, old[:s] + (_py_prod(old[s:e + 1]),) + old[e + 1:])


def t(x):
    if ndim_of(x) > 2:
        fail(f"t() expects a tensor with <= 2 dimensions, but self is {ndim_of(x)}D", "shape")
    if type(x) is not Tensor:
        return x.T if type(x) is ndarray else xp.transpose(x)
    return apply(ops.T, x)


def transpose(x, dim0, dim1):
    n = ndim_of(x)
    return apply(ops.TRANSPOSE, x, dim0=dim_index(dim0, n), dim1=dim_index(dim1, n))


def permute(x, *dims):
    dims = size_tuple(dims) if not (len(dims) == 1 and isinstance(dims[0], (tuple, list))) else tuple(dims[0])
    n = ndim_of(x)
    if len(dims) != n:
        fail(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
             f"the desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}",
             "shape")
    return apply(ops.PERMUTE, x, dims=dims_tuple(dims, n))


def inverse_permutation(dims):
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return tuple(inv)


def attr_T(x):
    n = ndim_of(x)
    if n == 0:
        return x
    return permute(x, tuple(range(n - 1, -1, -1)))


def attr_mT(x):
    if ndim_of(x) < 2:
        fail(f"tensor.mT is only supported on matrices or batches of matrices. Got {ndim_of(x)}-D tensor.", "shape")
    return transpose(x, -2, -1)


def squeeze(x, dim=None):
    if dim is None:
        return apply(ops.SQUEEZE, x)
    return apply(ops.SQUEEZE_DIM, x, dim=dim_index(dim, ndim_of(x)))


def unsqueeze(x, dim):
    return apply(ops.UNSQUEEZE, x, dim=dim_index(dim, ndim_of(x) + 1))


def expand(x, *shape):
    if type(x) is ndarray and len(shape) == 1 and type(shape[0]) is tuple:   # backward's rules
        if x.shape == shape[0]:
            return x
        if x.ndim == 0 and _py_prod(shape[0]) <= _SMALL:     # the gradient of a sum
            return _filled(x, shape[0])
    shape = size_tuple(shape)
    old = shape_of(x)
    if len(shape) < len(old):
        fail(f"expand(torch.DoubleTensor{{[{', '.join(map(str, old))}]}}, size=[{', '.join(map(str, shape))}]): "
             f"the number of sizes provided ({len(shape)}) must be greater or equal to the number of "
             f"dimensions in the tensor ({len(old)})", "shape")
    lead = len(shape) - len(old)
    full = []
    for i, s in enumerate(shape):
        o = old[i - lead] if i >= lead else 1
        if s == -1:
            s = o
        elif o != 1 and o != s:
            fail(f"The expanded size of the tensor ({s}) must match the existing size ({o}) at "
                 f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, shape))}].  "
                 f"Tensor sizes: [{', '.join(map(str, old))}]", "shape")
        full.append(s)
    full = tuple(full)
    if type(x) is not Tensor:
        if type(x) is ndarray and _py_prod(full) <= _SMALL:
            return _filled(x, full)
        return xp.broadcast_to(x, full)
    _refuse_huge(lambda: full, _py_prod(full))   # expanded results get materialised downstream
    return apply(ops.EXPAND, x, shape=full)


# Up to this many elements, filling a new array beats broadcast_to's set-up.
_SMALL = 4096


def _filled(x, shape):
    """x broadcast to a small `shape`, as a new array: cheaper than broadcast_to's set-up."""
    out = xp.empty(shape, dtype=x.dtype)
    out[...] = x
    return out


def sum_to_array(g, shape):
    shape = tuple(shape)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    g = g.sum(axis=axes, keepdims=True) if axes else g
    return g.reshape(shape)


def sum_to(g, shape):
    """Sum a broadcast gradient back to `shape` (the engine's one place for it)."""
    if tuple(getattr(g, "shape", ())) == tuple(shape):
        return g
    if type(g) is Tensor:
        return apply(ops.SUM_TO, g, shape=tuple(shape))
    return sum_to_array(xp.asarray(g), shape)


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        fail(f"{name}(): argument 'tensors' must be a list or tuple of tensors", "type")
    if not tensors:
        fail(f"{name}(): expected a non-empty list of Tensors", "shape")
    return [t if type(t) is Tensor else Tensor(xp.asarray(t)) for t in tensors]


def cat(tensors, dim=0):
    ts = _tensor_list(tensors, "cat")
    n = ndim_of(ts[0])
    d = dim_index(dim, n)
    first = shape_of(ts[0])
    for k, t_ in enumerate(ts[1:], 1):
        s = shape_of(t_)
        if len(s) != n:
            fail(f"Tensors must have same number of dimensions: got {n} and {len(s)}", "shape")
        for i in range(n):
            if i != d and s[i] != first[i]:
                fail(f"Sizes of tensors must match except in dimension {d}. Expected size {first[i]} but got "
                     f"size {s[i]} for tensor number {k} in the list.", "shape")
    return apply(ops.CAT, *ts, dim=d)


def stack(tensors, dim=0):
    ts = _tensor_list(tensors, "stack")
    first = shape_of(ts[0])
    for k, t_ in enumerate(ts[1:], 1):
        if shape_of(t_) != first:
            fail(f"stack expects each tensor to be equal size, but got [{', '.join(map(str, first))}] at entry 0 "
                 f"and [{', '.join(map(str, shape_of(t_)))}] at entry {k}", "shape")
    return apply(ops.STACK, *ts, dim=dim_index(dim, len(first) + 1))


def narrow_piece(g, xs, i, dim):
    start = _py_sum(shape_of(x)[dim] for x in xs[:i])
    return slice_(g, dim, start, start + shape_of(xs[i])[dim], 1)


# ---------------------------------------------------------------- indexing
def select(x, dim, index):
    n = ndim_of(x)
    if n == 0:
        fail("select() cannot be applied to a 0-dim tensor.", "shape")
    d = dim_index(dim, n)
    size = shape_of(x)[d]
    if not -size <= index < size:
        fail(f"select(): index {index} out of range for tensor of size [{', '.join(map(str, shape_of(x)))}] "
             f"at dimension {d}", "index")
    return apply(ops.SELECT, x, dim=d, index=int(index) % size)


def slice_array(x, dim, start, stop, step):
    return x[(slice(None),) * dim + (slice(start, stop, step),)]


def slice_(x, dim, start, stop, step):
    return apply(ops.SLICE, x, dim=dim, start=start, stop=stop, step=step)


def select_key(ndim, dim, index):
    return (slice(None),) * dim + (index,)


def slice_key(ndim, dim, start, stop, step):
    return (slice(None),) * dim + (slice(start, stop, step),)


def embed(g, shape, key):
    out = xp.zeros(shape, dtype=g.dtype)
    out[key] = g
    return out


def embed_add(g, shape, key):
    out = xp.zeros(shape, dtype=g.dtype)
    xp.add.at(out, key, g)
    return out


def select_backward(g, shape, dim, index):
    return apply(ops.SELECT_BACKWARD, g, shape=shape, dim=dim, index=index)


def slice_backward(g, shape, dim, start, stop, step):
    return apply(ops.SLICE_BACKWARD, g, shape=shape, dim=dim, start=start, stop=stop, step=step)


def index_backward(g, shape, key):
    return apply(ops.INDEX_BACKWARD, g, shape=shape, key=key)


def index(x, key):
    return apply(ops.INDEX, x, key=key)


def getitem(x, key):
    """x[key] the way PyTorch records it: select for an int, slice for a
    partial range (a full `:` records nothing), unsqueeze for None, and one
    advanced index for lists or tensors."""
    if not isinstance(key, tuple):
        key = (key,)
    if any(isinstance(k, (list, Tensor, ndarray)) for k in key):
        return index(x, tuple(_advanced(k) for k in key))
    n_real = _py_sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > ndim_of(x):
        fail(f"too many indices for tensor of dimension {ndim_of(x)}", "shape")
    if _py_sum(1 for k in key if k is Ellipsis) > 1:
        fail("an index can only have a single ellipsis ('...')", "shape")
    dim, ndim0 = 0, ndim_of(x)
    for position, k in enumerate(key):
        if k is Ellipsis:     # stands for the dims no other index names: skip them
            dim += ndim0 - n_real
        elif k is None:
            x = unsqueeze(x, dim)
            dim += 1
        elif isinstance(k, slice):
            size = shape_of(x)[dim]
            start, stop, step = _slice_bounds(k, size)
            if not (start == 0 and stop == size and step == 1):
                x = slice_(x, dim, start, stop, step)
            dim += 1
        elif isinstance(k, (int, xp.integer)) and not isinstance(k, bool):
            size = shape_of(x)[dim]
            if not -size <= k < size:    # PyTorch names the index's position in the key
                fail(f"index {k} is out of bounds for dimension {position} with size {size}", "index")
            x = select(x, dim, int(k))
        else:
            fail(f"only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are valid "
                 f"indices (got {type(k).__name__})", "type")
    return x


def _slice_bounds(k, size):
    step = 1 if k.step is None else k.step
    if step <= 0:
        fail("step must be greater than zero", "shape")
    start, stop, _ = slice(k.start, k.stop, step).indices(size)
    stop = _py_max(stop, start)
    return start, stop, step


def _advanced(k):
    if type(k) is Tensor:
        k = k.data
    if isinstance(k, list):
        k = xp.asarray(k)
    return k


# ----------------------------------------------------------- neural networks
def softmax_array(x, dim):
    e = xp.exp(x - xp.max(x, axis=dim, keepdims=True))
    return e / xp.sum(e, axis=dim, keepdims=True)


def log_softmax_array(x, dim):
    s = x - xp.max(x, axis=dim, keepdims=True)
    return s - xp.log(xp.sum(xp.exp(s), axis=dim, keepdims=True))


def softmax(x, dim=None, dtype=None):
    return apply(ops.SOFTMAX, x, dim=_implicit_dim(x, dim))


def log_softmax(x, dim=None, dtype=None):
    return apply(ops.LOG_SOFTMAX, x, dim=_implicit_dim(x, dim))


def _implicit_dim(x, dim):
    if dim is None:   # PyTorch's legacy rule for a missing dim
        n = ndim_of(x)
        return 0 if n in (0, 1, 3) else 1
    return dim_index(dim, ndim_of(x))


_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction):
    if reduction not in _REDUCTIONS:
        fail(f"{reduction} is not a valid value for reduction", "type")
    return reduction


def reduce_loss(v, reduction):
    if reduction == "mean":
        return xp.mean(v)
    if reduction == "sum":
        return xp.sum(v)
    return v


def loss_grad(g, local, reduction):
    if reduction == "mean":
        return div(mul(g, local), _py_prod(shape_of(local)))
    return mul(g, local)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    if weight is not None or pos_weight is not None:
        fail("binary_cross_entropy_with_logits: weight and pos_weight are not supported by agcli", "type")
    if shape_of(input) != shape_of(target):
        fail(f"Target size (torch.Size([{', '.join(map(str, shape_of(target)))}])) must be the same as input "
             f"size (torch.Size([{', '.join(map(str, shape_of(input)))}]))", "shape")
    return apply(ops.BCE_LOGITS, input, target, reduction=_reduction(reduction))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    try:
        return apply(ops.MSE_LOSS, input, target, reduction=_reduction(reduction))
    except ValueError:
        broadcast_shapes(shape_of(input), shape_of(target))
        raise


def nll_loss_array(x, target, reduction, ignore_index):
    batched = x.ndim == 2
    xs = x if batched else x[None, :]
    ts = target.reshape(-1)
    keep = ts != ignore_index
    picked = -xs[xp.arange(len(ts)), xp.where(keep, ts, 0)] * keep
    if reduction == "sum":
        return picked.sum()
    if reduction == "mean":
        return (picked.sum() / keep.sum()).astype(x.dtype)
    return picked if batched else picked[0]


def nll_loss_grad(g, x, target, reduction, ignore_index):
    t_ = data(target)
    shape = shape_of(x)
    ts = t_.reshape(-1)
    keep = ts != ignore_index
    hot = xp.zeros((len(ts), shape[-1]))
    hot[xp.arange(len(ts)), xp.where(keep, ts, 0)] = -1.0 * keep
    if reduction == "mean":
        hot = hot / keep.sum()
    hot = hot.reshape(shape).astype(data(x).dtype)
    if reduction == "none":
        g = unsqueeze(g, -1) if ndim_of(g) else g
    return mul(g, hot)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    if weight is not None:
        fail("nll_loss: weight is not supported by agcli", "type")
    x, t_ = data(input), data(target)
    if getattr(t_, "dtype", None) is None or t_.dtype not in (xp.int64, xp.uint8):
        kind = _TORCH_TYPE_NAMES.get(dtype_name(t_.dtype), dtype_name(t_.dtype)) if hasattr(t_, "dtype") \
            else type(t_).__name__
        fail(f"expected target dtype to be Long or Byte, but got {kind}", "type")
    if x.ndim not in (1, 2):
        fail(f"Expected 1 or 2 dimensions for input (got {x.ndim})", "shape")
    n = x.shape[0] if x.ndim == 2 else None
    if x.ndim == 2 and (t_.ndim != 1 or t_.shape[0] != n):
        fail(f"Expected input batch_size ({n}) to match target batch_size ({t_.shape[0] if t_.ndim else 0}).",
             "shape")
    bad = (t_ != ignore_index) & ((t_ < 0) | (t_ >= x.shape[-1]))
    if xp.any(bad):
        fail(f"Target {int(t_[bad].reshape(-1)[0])} is out of bounds.", "shape")
    return apply(ops.NLL_LOSS, input, target, reduction=_reduction(reduction), ignore_index=ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    if label_smoothing:
        fail("cross_entropy: label_smoothing is not supported by agcli", "type")
    class_dim = 1 if ndim_of(input) >= 2 else 0
    if shape_of(input) == shape_of(target):   # class probabilities, as PyTorch assumes for equal shapes
        if data(target).dtype.kind != "f":
            fail(f"Expected floating point type for target with class probabilities, got "
                 f"{_TORCH_TYPE_NAMES.get(dtype_name(data(target).dtype), dtype_name(data(target).dtype))}",
                 "type")
        if ignore_index >= 0:
            fail("ignore_index is not supported for floating point target", "type")
        reduction = _reduction(reduction)
        nll = neg(sum(mul(log_softmax(input, class_dim), target), class_dim if reduction == "none" else None))
        if reduction == "mean":
            n = _py_prod(shape_of(input)) // shape_of(input)[class_dim]
            return apply(ops.DIV_SCALAR, nll, n)
        return nll
    return nll_loss(log_softmax(input, 1 if ndim_of(input) >= 2 else 0), target,
                    ignore_index=ignore_index, reduction=reduction)


# -------------------------------------------------------------- detaching
def clone(x):
    return apply(ops.CLONE, x)


def detach(x):
    return Tensor(data(x)) if type(x) is Tensor else x


# ------------------------------------------------------------- helpers
def dtype_name(dtype) -> str:
    return str(xp.dtype(dtype))


# PyTorch's ScalarType names, as its messages print them.
_TORCH_TYPE_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
                     "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def torch_type_name(dtype) -> str:
    """PyTorch's scalar type name in messages: float32 -> Float."""
    name = str(dtype)
    return _TORCH_TYPE_NAMES.get(name, name)


_DEFAULT_FLOAT = ["float64"]


def default_float() -> str:
    return _DEFAULT_FLOAT[0]


def set_default_float(name: str):
    _DEFAULT_FLOAT[0] = name


def ones_like_array(a):
    if a.ndim == 0:                    # a scalar output: numpy.ones is slow for these
        return xp.array(1, dtype=a.dtype)
    return xp.ones(a.shape, dtype=a.dtype)


def as_array(v, dtype):
    return xp.asarray(v, dtype=dtype)


def as_grad_output(v, output):
    """Check a backward(gradient) against the output (PyTorch's message on mismatch)."""
    gd = v.data if type(v) is Tensor else xp.asarray(v)
    if gd.shape != output.data.shape:
        fail(f"Mismatch in shape: grad_output[0] has a shape of torch.Size([{', '.join(map(str, gd.shape))}]) "
             f"and output[0] has a shape of torch.Size([{', '.join(map(str, output.data.shape))}]).", "shape")
    gd = gd.astype(output.data.dtype, copy=False)
    return Tensor(gd) if type(v) is Tensor else gd


# Python's operators on tensors route to the functions above, so rules in
# ops.py read as math (`g * y`) and record ops when create_graph wants them.
def _reflected(fn):
    return lambda x, y: fn(y, x)


def _no_grad_compare(ufunc):
    return lambda x, y: Tensor(ufunc(data(x), data(y)))


Tensor.__add__, Tensor.__radd__ = add, _reflected(add)
Tensor.__sub__, Tensor.__rsub__ = sub, _reflected(sub)
Tensor.__mul__, Tensor.__rmul__ = mul, _reflected(mul)
Tensor.__truediv__, Tensor.__rtruediv__ = div, _reflected(div)
Tensor.__matmul__, Tensor.__rmatmul__ = matmul, _reflected(matmul)
Tensor.__pow__, Tensor.__rpow__ = pow, _reflected(pow)
Tensor.__neg__ = neg
Tensor.__lt__, Tensor.__le__ = _no_grad_compare(xp.less), _no_grad_compare(xp.less_equal)
Tensor.__gt__, Tensor.__ge__ = _no_grad_compare(xp.greater), _no_grad_compare(xp.greater_equal)
