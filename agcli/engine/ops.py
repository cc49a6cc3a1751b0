"""Every differentiable op, declared once: forward, one VJP per input, grad_fn name.

Read it like PyTorch's derivatives.yaml. A rule is `vjp(g, out, *inputs, **params)`
and returns the gradient for its input; it is written with agcli's own
functions (`F`), so with create_graph the gradient is itself recorded and
differentiable. A rule may return a gradient of the broadcast shape: the
engine sums it back to the input's shape (engine.backward, one place).

`saves=False` marks ops whose rules need no saved values, only shapes: like
PyTorch, such a graph can be run backward twice without retain_graph.
`vjps=None` marks an op whose output carries no gradient (comparisons).
"""
from __future__ import annotations

from ..torchapi import functions as F
from .backend import xp
from ..errors import AgcliError


class Op:
    __slots__ = ("name", "forward", "vjps", "saves", "saves_out", "variadic")

    def __init__(self, name, forward, vjps, *, saves=True, saves_out=False, variadic=False):
        self.name = name            # PyTorch's grad_fn name for this overload
        self.forward = forward      # arrays (and params) -> array
        self.vjps = vjps            # one rule per input; None: not differentiable
        self.saves = saves
        self.saves_out = saves_out  # its rules read the output too (exp, tanh, softmax, ...)
        self.variadic = variadic    # one rule for any number of inputs (cat, stack)

    def __repr__(self):
        return f"<op {self.name}>"


def _unsqueeze_dims(g, dims, keepdim):
    """Put back the reduced dims so g broadcasts against the input."""
    if keepdim or not dims:
        return g
    for d in sorted(dims):
        g = F.unsqueeze(g, d)
    return g


def _numel(shape, dims):
    n = 1
    for d in (dims if dims else range(len(shape))):
        n *= shape[d]
    return n


# ---------------------------------------------------------------- arithmetic
ADD = Op("AddBackward0", lambda x, y, alpha=1: xp.add(x, y if alpha == 1 else y * alpha),
         (lambda g, out, x, y, alpha=1: g,
          lambda g, out, x, y, alpha=1: g if alpha == 1 else g * alpha), saves=False)
SUB = Op("SubBackward0", lambda x, y, alpha=1: xp.subtract(x, y if alpha == 1 else y * alpha),
         (lambda g, out, x, y, alpha=1: g,
          lambda g, out, x, y, alpha=1: -g if alpha == 1 else g * -alpha), saves=False)
RSUB = Op("RsubBackward1", lambda x, s, alpha=1: s - (x if alpha == 1 else x * alpha),  # number - tensor
          (lambda g, out, x, s, alpha=1: -g if alpha == 1 else g * -alpha,
           None), saves=False)
MUL = Op("MulBackward0", xp.multiply,
         (lambda g, out, x, y: g * y,
          lambda g, out, x, y: g * x))
DIV = Op("DivBackward0", xp.true_divide,
         (lambda g, out, x, y: g / y,
          lambda g, out, x, y: -g * x / (y * y)))
DIV_SCALAR = Op("DivBackward1", xp.true_divide,            # tensor / number inside a composite op
                (lambda g, out, x, s: g / s,
                 None), saves=False)
REMAINDER = Op("RemainderBackward0", xp.remainder,       # Python's %: the sign of the divisor
               (lambda g, out, x, y: g,
                lambda g, out, x, y: -g * F.floor_divide(x, y)))
def _no_derivative(name):
    def rule(*args, **params):
        raise AgcliError(f"derivative for aten::{name} is not implemented")
    return rule


FLOOR_DIVIDE = Op("NotImplemented", xp.floor_divide,       # PyTorch's grad_fn name, as printed
                  (_no_derivative("floor_divide"), _no_derivative("floor_divide")), saves=False)
RECIPROCAL = Op("ReciprocalBackward0", xp.reciprocal,
                (lambda g, out, x: -g * out * out,), saves_out=True)
NEG = Op("NegBackward0", xp.negative,
         (lambda g, out, x: -g,), saves=False)
POW = Op("PowBackward0", xp.power,                       # tensor ** number
         (lambda g, out, x, p: F.pow_scalar_grad(g, x, p),
          None))
POW_T = Op("PowBackward1", xp.power,                     # tensor ** tensor
           (lambda g, out, x, y: F.where(F.data(y) == 0, 0.0, g * y * x ** (y - 1)),  # PyTorch masks y == 0
            lambda g, out, x, y: F.masked_log_grad(g, out, x, y)), saves_out=True)
RPOW = Op("PowBackward2", xp.power,                      # number ** tensor
          (None,
           lambda g, out, s, y: F.masked_log_grad(g, out, s, y)), saves_out=True)

# -------------------------------------------------------------- elementwise
EXP = Op("ExpBackward0", xp.exp, (lambda g, out, x: g * out,), saves_out=True)
LOG = Op("LogBackward0", xp.log, (lambda g, out, x: g / x,))
SQRT = Op("SqrtBackward0", xp.sqrt, (lambda g, out, x: g / (2 * out),), saves_out=True)
SIN = Op("SinBackward0", xp.sin, (lambda g, out, x: g * F.cos(x),))
COS = Op("CosBackward0", xp.cos, (lambda g, out, x: g * -F.sin(x),))
TAN = Op("TanBackward0", xp.tan, (lambda g, out, x: g * (1 + out * out),), saves_out=True)
TANH = Op("TanhBackward0", xp.tanh, (lambda g, out, x: g * (1 - out * out),), saves_out=True)
SIGMOID = Op("SigmoidBackward0", lambda x: F.sigmoid_array(x),
             (lambda g, out, x: g * out * (1 - out),), saves_out=True)
RELU = Op("ReluBackward0", lambda x: xp.maximum(x, 0),
          (lambda g, out, x: g * F.mask(~(F.data(x) <= 0), out),))   # nan passes, as threshold_backward
ABS = Op("AbsBackward0", xp.abs, (lambda g, out, x: g * F.mask(xp.sign(F.data(x)), x),))
CLAMP = Op("ClampBackward1", lambda x, min=None, max=None: xp.clip(x, min, max),
           (lambda g, out, x, min=None, max=None: g * F.mask(F.within(x, min, max), x),))
WHERE = Op("WhereBackward0", xp.where,
           (None,
            lambda g, out, c, x, y: F.where(c, g, 0.0),
            lambda g, out, c, x, y: F.where(c, 0.0, g)))
MAXIMUM = Op("MaximumBackward0", xp.maximum,
             (lambda g, out, x, y: F.tie_split(g, x, y, keep="greater"),
              lambda g, out, x, y: F.tie_split(g, y, x, keep="greater")))
MINIMUM = Op("MinimumBackward0", xp.minimum,
             (lambda g, out, x, y: F.tie_split(g, x, y, keep="less"),
              lambda g, out, x, y: F.tie_split(g, y, x, keep="less")))

# --------------------------------------------------------------- reductions
# add.reduce is what numpy.sum calls, without its Python-level wrapper (half the time on small arrays).
SUM = Op("SumBackward0", lambda x: xp.add.reduce(x, axis=None),
         (lambda g, out, x: F.expand(g, x.shape),), saves=False)
SUM_DIM = Op("SumBackward1", lambda x, dim, keepdim: xp.sum(x, axis=dim, keepdims=keepdim),
             (lambda g, out, x, dim, keepdim: F.expand(_unsqueeze_dims(g, dim, keepdim), x.shape),),
             saves=False)
MEAN = Op("MeanBackward0", lambda x: xp.add.reduce(x, axis=None) / xp.size(x),  # numpy.mean's own sum, divided
          (lambda g, out, x: F.expand(g / _numel(x.shape, ()), x.shape),), saves=False)
MEAN_DIM = Op("MeanBackward1", lambda x, dim, keepdim: xp.mean(x, axis=dim, keepdims=keepdim),
              (lambda g, out, x, dim, keepdim:
               F.expand(_unsqueeze_dims(g, dim, keepdim) / _numel(x.shape, dim), x.shape),),
              saves=False)
AMAX_ALL = Op("MaxBackward1", lambda x: xp.max(x),
              (lambda g, out, x: F.evenly_distribute(g, x, out),), saves_out=True)
AMIN_ALL = Op("MinBackward1", lambda x: xp.min(x),
              (lambda g, out, x: F.evenly_distribute(g, x, out),), saves_out=True)
AMAX = Op("AmaxBackward0", lambda x, dim, keepdim: xp.max(x, axis=dim, keepdims=keepdim),
          (lambda g, out, x, dim, keepdim: F.amax_grad(g, out, x, dim, keepdim),), saves_out=True)
AMIN = Op("AminBackward0", lambda x, dim, keepdim: xp.min(x, axis=dim, keepdims=keepdim),
          (lambda g, out, x, dim, keepdim: F.amax_grad(g, out, x, dim, keepdim),), saves_out=True)
MAX_DIM = Op("MaxBackward0", lambda x, dim, keepdim: F.take_along(x, xp.argmax(x, axis=dim), dim, keepdim),
             (lambda g, out, x, dim, keepdim: F.select_by_index(g, x, xp.argmax(F.data(x), axis=dim), dim, keepdim),))
MIN_DIM = Op("MinBackward0", lambda x, dim, keepdim: F.take_along(x, xp.argmin(x, axis=dim), dim, keepdim),
             (lambda g, out, x, dim, keepdim: F.select_by_index(g, x, xp.argmin(F.data(x), axis=dim), dim, keepdim),))
NORM = Op("LinalgVectorNormBackward0",
          lambda x, ord, dim, keepdim: F.vector_norm_array(x, ord, dim, keepdim),
          (lambda g, out, x, ord, dim, keepdim: F.norm_grad(g, out, x, ord, dim, keepdim),), saves_out=True)
LOGSUMEXP = Op("LogsumexpBackward0", lambda x, dim, keepdim: F.logsumexp_array(x, dim, keepdim),
               (lambda g, out, x, dim, keepdim:
                _unsqueeze_dims(g, dim, keepdim) * F.exp(x - _unsqueeze_dims(out, dim, keepdim)),), saves_out=True)

# ----------------------------------------------------------- linear algebra
DOT = Op("DotBackward0", xp.dot,
         (lambda g, out, x, y: g * y,
          lambda g, out, x, y: g * x))
MV = Op("MvBackward0", xp.matmul,
        (lambda g, out, m, v: F.outer_raw(g, v),
         lambda g, out, m, v: F.mv(F.t(m), g)))
MM = Op("MmBackward0", xp.matmul,
        (lambda g, out, a, b: F.mm(g, F.t(b)),
         lambda g, out, a, b: F.mm(F.t(a), g)))
BMM = Op("BmmBackward0", xp.matmul,                      # batched, same batch dims
         (lambda g, out, a, b: F.bmm(g, F.transpose(b, -1, -2)),
          lambda g, out, a, b: F.bmm(F.transpose(a, -1, -2), g)))

# ------------------------------------------------------------------- shapes
# The first gradient accumulated with create_graph=True is a copy: PyTorch 2.13 names it so.
COPY = Op("CopyBackwards", lambda x: xp.array(x, copy=True), (lambda g, out, x: g,), saves=False)
CLONE = Op("CloneBackward0",                             # x.clone() keeps the layout; .contiguous() not
           lambda x, memory_format="preserve": xp.copy(x, order="C" if memory_format == "contiguous" else "K"),
           (lambda g, out, x, memory_format="preserve": g,), saves=False)
VIEW = Op("ViewBackward0", lambda x, shape: xp.reshape(x, shape),
          (lambda g, out, x, shape: F.reshape(g, x.shape),), saves=False)
RESHAPE_ALIAS = Op("ReshapeAliasBackward0", lambda x, shape: xp.reshape(x, shape),   # reshape, strided
                   (lambda g, out, x, shape: F.reshape(g, x.shape),), saves=False)
UNSAFE_VIEW = Op("UnsafeViewBackward0", lambda x, shape: xp.reshape(x, shape),
                 (lambda g, out, x, shape: F.reshape(g, x.shape),), saves=False)
T = Op("TBackward0", lambda x: xp.transpose(x),
       (lambda g, out, x: F.t(g),), saves=False)
PERMUTE = Op("PermuteBackward0", lambda x, dims: xp.transpose(x, dims),
             (lambda g, out, x, dims: F.permute(g, F.inverse_permutation(dims)),), saves=False)
TRANSPOSE = Op("TransposeBackward0", lambda x, dim0, dim1: xp.swapaxes(x, dim0, dim1),
               (lambda g, out, x, dim0, dim1: F.transpose(g, dim0, dim1),), saves=False)
SQUEEZE = Op("SqueezeBackward0", lambda x: xp.reshape(x, tuple(n for n in x.shape if n != 1)),
             (lambda g, out, x: F.reshape(g, x.shape),), saves=False)
SQUEEZE_DIM = Op("SqueezeBackward1", lambda x, dim: xp.squeeze(x, dim) if x.shape[dim] == 1 else x,
                 (lambda g, out, x, dim: F.reshape(g, x.shape),), saves=False)
SQUEEZE_INPLACE = Op("SqueezeBackward4", lambda x, dim: xp.squeeze(x, dim) if x.shape[dim] == 1 else x,
                     (lambda g, out, x, dim: F.reshape(g, x.shape),), saves=False)   # x.squeeze_(dim)
UNSQUEEZE = Op("UnsqueezeBackward0", lambda x, dim: xp.expand_dims(x, dim),
               (lambda g, out, x, dim: F.squeeze(g, dim),), saves=False)
EXPAND = Op("ExpandBackward0", lambda x, shape: xp.broadcast_to(x, shape),
            (lambda g, out, x, shape: F.sum_to(g, x.shape),), saves=False)
SUM_TO = Op("SumBackward1", lambda x, shape: F.sum_to_array(x, shape),
            (lambda g, out, x, shape: F.expand(g, x.shape),), saves=False)
CAT = Op("CatBackward0", lambda *xs, dim: xp.concatenate(xs, axis=dim),
         (lambda g, out, *xs, i, dim: F.narrow_piece(g, xs, i, dim),), saves=False, variadic=True)
STACK = Op("StackBackward0", lambda *xs, dim: xp.stack(xs, axis=dim),
           (lambda g, out, *xs, i, dim: F.select(g, dim, i),), saves=False, variadic=True)
SELECT = Op("SelectBackward0", lambda x, dim, index: x[F.select_key(x.ndim, dim, index)],   # a view, as in torch
            (lambda g, out, x, dim, index: F.select_backward(g, x.shape, dim, index),), saves=False)
SLICE = Op("SliceBackward0", lambda x, dim, start, stop, step: F.slice_array(x, dim, start, stop, step),
           (lambda g, out, x, dim, start, stop, step:
            F.slice_backward(g, x.shape, dim, start, stop, step),), saves=False)
INDEX = Op("IndexBackward0", lambda x, key: x[key],
           (lambda g, out, x, key: F.index_backward(g, x.shape, key),), saves=False)
# The gradients of select/slice/index put g into zeros; they are ops too, so
# create_graph can differentiate them (their own gradient selects again).
SELECT_BACKWARD = Op("SelectBackwardBackward0",
                     lambda g, shape, dim, index: F.embed(g, shape, F.select_key(len(shape), dim, index)),
                     (lambda gg, out, g, shape, dim, index: F.select(gg, dim, index),), saves=False)
SLICE_BACKWARD = Op("SliceBackwardBackward0",
                    lambda g, shape, dim, start, stop, step:
                    F.embed(g, shape, F.slice_key(len(shape), dim, start, stop, step)),
                    (lambda gg, out, g, shape, dim, start, stop, step:
                     F.slice_(gg, dim, start, stop, step),), saves=False)
INDEX_BACKWARD = Op("IndexBackwardBackward0", lambda g, shape, key: F.embed_add(g, shape, key),
                    (lambda gg, out, g, shape, key: F.index(gg, key),), saves=False)

# ------------------------------------------------------- neural networks
SOFTMAX = Op("SoftmaxBackward0", lambda x, dim: F.softmax_array(x, dim),
             (lambda g, out, x, dim: out * (g - F.sum(g * out, dim, True)),), saves_out=True)
LOG_SOFTMAX = Op("LogSoftmaxBackward0", lambda x, dim: F.log_softmax_array(x, dim),
                 (lambda g, out, x, dim: g - F.exp(out) * F.sum(g, dim, True),), saves_out=True)
BCE_LOGITS = Op("BinaryCrossEntropyWithLogitsBackward0",
                lambda z, y, reduction: F.reduce_loss(
                    xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z))), reduction),
                (lambda g, out, z, y, reduction: F.loss_grad(g, F.sigmoid(z) - y, reduction),
                 lambda g, out, z, y, reduction: F.loss_grad(g, -z, reduction)))
MSE_LOSS = Op("MseLossBackward0",
              lambda x, y, reduction: F.reduce_loss((x - y) ** 2, reduction),
              (lambda g, out, x, y, reduction: F.loss_grad(g, (x - y) * 2, reduction),
               lambda g, out, x, y, reduction: F.loss_grad(g, (x - y) * -2, reduction)))
NLL_LOSS = Op("NllLossBackward0",
              lambda x, target, reduction, ignore_index: F.nll_loss_array(x, target, reduction, ignore_index),
              (lambda g, out, x, target, reduction, ignore_index:
               F.nll_loss_grad(g, x, target, reduction, ignore_index),
               None))

# ------------------------------------------------------ no gradient at all
def _compare(ufunc):
    return Op("", ufunc, None)


LT, LE, GT, GE = (_compare(f) for f in (xp.less, xp.less_equal, xp.greater, xp.greater_equal))
EQ, NE = _compare(xp.equal), _compare(xp.not_equal)
