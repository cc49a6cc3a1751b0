"""In-place methods (x.add_(y), x.exp_(), x.copy_(y), x.t_(), ...) as PyTorch
records them: the op runs on a copy of x's old value that keeps x's place in the
graph, and x takes the result's value and history; when x is a view, its base's
history is rebased instead (CopySlices, engine/views.py). PyTorch's checks first."""
from __future__ import annotations

from . import bitwise, functions
from . import scatter as SC
from ..engine import backend as B
from ..engine.backend import kind
from ..engine.forward import tangent_of
from ..engine.ops import activations as A
from ..engine.ops import pieces as P
from ..engine.ops import shapes as S
from ..engine.ops import writes as W
from ..engine.saved import Arg, fields
from ..engine.tensor import Tensor, apply, bump_version, fresh, set_grad_enabled, version_of
from ..engine.views import internal_overlap, no_grad_view, overlap, partial_overlap, rebase
from ..errors import AgcliError
from ..state import state
from .nn import _floating as floating_only, _number as scalar_argument
from .checks import broadcast_shapes, dim_index, dims_tuple, fail
from .deprecated import old_alpha
from .operands import bound_type, stored

_OVERLAP = "unsupported operation: {} refer{} to a single memory location. Please clone() the tensor before " \
           "performing the operation."


def _tensor(x):
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type(x).__name__}", kind="type")
    return x


def check_in_place(x, *others):
    """PyTorch's check_inplace: nothing to say unless the change will be recorded
    (an inference tensor changed outside inference mode is refused by bump_version,
    after the change, as PyTorch does)."""
    if not state.grad_enabled:
        return
    fresh(x)
    if not (x.requires_grad or any(type(o) is Tensor and o.requires_grad for o in others)):
        return
    info = x.view_of
    if info is not None:
        if info.grad_mode is not True:
            raise no_grad_view(x, indirect=False)
        if any(op in _MULTI_OUTPUT for op, _ in info.ops):
            op, params = info.ops[-1]
            raise AgcliError(f"Output {params['index'] if op in _MULTI_OUTPUT else 0} of "
                             f"{op.name.rstrip('0123456789').removesuffix('Backward')} is a view and is being modified "
                             "inplace. This view is the output of a function that returns multiple views. Such "
                             "functions do not allow the output views to be modified inplace. You should replace the "
                             "inplace operation by an out-of-place one.")
        if x.requires_grad and info.base.grad_fn is None:
            raise AgcliError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if x.requires_grad and x.grad_fn is None:
        raise AgcliError("a leaf Variable that requires grad is being used in an in-place operation.")


# Views that come several from one call (split, chunk, unbind, a tensor's rows in a for loop): PyTorch
# refuses to change one, or a view of one, in place where the change would be recorded.
_MULTI_OUTPUT = (P.SPLIT, P.SPLIT_WITH_SIZES, S.UNBIND)


def check_overlap(x, *others):
    """PyTorch refuses to write into an expanded tensor, or from an operand that partly overlaps it."""
    if x.is_view and internal_overlap(x.data):
        fail(_OVERLAP.format("more than one element of the written-to tensor", "s"))
    for o in others:
        if type(o) is Tensor and (_storage(o) is _storage(x) or o.data is x.data) \
                and partial_overlap(x.data, o.data):
            fail(_OVERLAP.format("some elements of the input tensor and the written-to tensor", ""))


def check_assignment(x, key, plain_key, advanced, value):
    """PyTorch's checks for x[key] = value: a basic key writes through the view x[key]
    (copy_), an advanced key or one that takes all of x writes into x (index_put_, copy_)."""
    whole = not advanced and functions.whole_key(key, x.data.shape) is True     # (x[-2:] is a view, x[:] x)
    if not (advanced or whole):
        if state.grad_enabled and (x.requires_grad or value.requires_grad):
            if x.view_of is None and x.requires_grad and x.grad_fn is None:
                raise AgcliError("a view of a leaf Variable that requires grad is being used in an in-place "
                                 "operation.")
            if x.view_of is not None and x.view_of.grad_mode is not True:
                raise no_grad_view(functions.getitem(x, key), indirect=False)
        if x.is_view and internal_overlap(B.getitem(x.data, plain_key)):
            fail(_OVERLAP.format("more than one element of the written-to tensor", "s"))
    if _storage(value) is _storage(x) or value.data is x.data:
        _check_value_overlap(x, plain_key, advanced, value)
    check_in_place(x, value)


def _check_value_overlap(x, plain_key, advanced, value):
    """z[1:] = z[:-1]: copy_ refuses a value partly in the written-to elements; index_put_
    refuses one in x at all (PyTorch's assert_no_partial_overlap and assert_no_overlap)."""
    view_key = plain_key if any(k is Ellipsis for k in plain_key) else plain_key + (...,)    # (a view even of
    status = overlap(x.data if advanced else B.getitem(x.data, view_key), value.data)    # one element)
    if status == "partial" or advanced and status == "full":
        fail(_OVERLAP.format("some elements of the input tensor and the written-to tensor", ""))


def assignment_error(x, plain_key, advanced, value, error) -> AgcliError:
    """PyTorch's words for a value that does not fit x[key] (NumPy's are `error`'s): copy_'s
    expand of the value (leading dims of one dropped) or index_put_'s shape mismatch."""
    region = B.getitem(x.data, plain_key).shape
    shape = value.data.shape
    if advanced:
        return AgcliError(f"shape mismatch: value tensor of shape [{', '.join(map(str, shape))}] cannot be "
                          f"broadcast to indexing result of shape [{', '.join(map(str, region))}]")
    while shape and shape[0] == 1:
        shape = shape[1:]
    try:
        functions.expand(B.xp.reshape(value.data, shape), region)
    except AgcliError as refusal:
        return refusal
    return AgcliError(str(error), kind="shape")


def _storage(t):
    """The tensor whose storage t shares (its version counter's owner)."""
    return t if t.base is None else t.base


def before(x):
    """A copy of x's value that keeps x's place in the graph: what an in-place
    op's node saves, so writing into x afterwards cannot change its gradient."""
    old = Tensor(B.copy(x.data), requires_grad=x.requires_grad, device=x.device)
    _same_place(old, x)
    return old


def _as_it_was(x):
    """x's array and place in the graph, not copied: for an op whose rules read shapes only."""
    old = Tensor(x.data, requires_grad=x.requires_grad, device=x.device)
    _same_place(old, x)
    return old


def _same_place(old, x):
    old.grad_fn = x.grad_fn
    old._accumulator = x.edge() if x.grad_fn is None and x.requires_grad else None
    if state.dual is not None and tangent_of(x) is not None:     # forward AD: the op sees x's tangent too
        state.dual.give(old, tangent_of(x))


def _dual(x) -> bool:
    """Does x carry a tangent (forward AD)? Then an in-place op computes x's new tangent too."""
    return state.dual is not None and tangent_of(x) is not None


def become(x, result):
    """x takes result's value and history: how an in-place op looks from outside."""
    if result.data.shape != x.data.shape:
        raise AgcliError(f"output with shape [{', '.join(map(str, x.data.shape))}] doesn't match the "
                         f"broadcast shape [{', '.join(map(str, result.data.shape))}]", kind="shape")
    B.setitem(x.data, ..., result.data)
    bump_version(x)
    if state.dual is not None:      # x's tangent is now the result's (self_t changed in place, as PyTorch's)
        _take_tangent(x, result)
    node = result.grad_fn
    if node is not None:
        _save_a_clone(node)
        if x.view_of is not None:
            rebase(x, node)         # the base's history is what changed (CopySlices)
        else:
            x.grad_fn = node
            x.requires_grad = True
            node.output_is(x)
    return x


def _take_tangent(x, result):
    tangent = tangent_of(result)
    if tangent is not None:
        state.dual.give_in_place(x, tangent)
    elif tangent_of(x) is not None:
        del x.tangent


def _save_a_clone(node):
    """Where its formula reads self, PyTorch's in-place op saves a clone of self's old value
    (`original_self = self.clone()`): _saved_self has grad_fn CloneBackward0, and a gradient
    taken with create_graph runs through it. The node's edge stays self's history."""
    field = fields(node).get("self")
    old = node.inputs[0]
    if type(field) is Arg and field.index == 0 and field.saved(node) and type(old) is Tensor and old.requires_grad:
        node.inputs = (apply(S.CLONE, old),) + tuple(node.inputs[1:])


def zero_(x):
    x = _tensor(x)
    check_in_place(x)
    if state.grad_enabled and x.requires_grad or _dual(x):
        return become(x, apply(W.ZERO, _as_it_was(x)))          # ZeroBackward0
    B.setitem(x.data, ..., 0)
    bump_version(x)
    return x


def fill_(x, value):
    x = _tensor(x)
    if type(value) is Tensor and value.data.ndim:
        fail(f"fill_ only supports 0-dimension value tensor but got tensor with {value.data.ndim} dimensions.")
    check_in_place(x, value)
    value = stored(value, x.data.dtype)
    if state.grad_enabled and (x.requires_grad or type(value) is Tensor and value.requires_grad) or _dual(x) \
            or type(value) is Tensor and _dual(value):
        if type(value) is Tensor:
            return become(x, apply(W.FILL_TENSOR, _as_it_was(x), value))
        return become(x, apply(W.FILL, _as_it_was(x), value=value))
    value = functions.data(value)
    if type(value) in (int, float, bool):       # a number takes x's dtype first (2.9 into integers is 2)
        value = B.astype(B.asarray(value), x.data.dtype)
    B.setitem(x.data, ..., value)
    bump_version(x)
    return x


def _cannot_cast(produced, x, words=None):
    raise AgcliError(f"result type {functions.torch_type_name(produced)} can't be cast to the desired output type "
                     f"{words or functions.torch_type_name(x.data.dtype)}")


def _in_place(fn):
    def method(x, other, **alpha):
        x = _tensor(x)
        check_in_place(x, other)
        check_overlap(x, other)
        result = fn(before(x), other, **alpha)      # the op's node keeps x's old value
        return become(x, castable(x, result, type(other) is Tensor))
    return method


def castable(x, result, other_tensor=True):
    """result, to be written into x: refused where PyTorch cannot cast its dtype to x's (a float into
    an integer x), converted where it can (int64 into int32: wraps). other_tensor: False where the
    result's dtype came from a Python number's, which is weakly typed (its words name the default float).
    A result of another shape is become's error first (PyTorch checks shapes before dtypes)."""
    if result.data.dtype != x.data.dtype and kind(x.data.dtype) != "f" and result.data.shape == x.data.shape:
        produced = B.dtype_name(result.data.dtype)
        if kind(result.data.dtype) == "f" or kind(x.data.dtype) == "b" != kind(result.data.dtype):
            if kind(result.data.dtype) == "f" and not other_tensor:
                produced = state.default_float
            _cannot_cast(produced, x)
        result = Tensor(B.astype(result.data, x.data.dtype), device=x.device)
    return result


add_ = old_alpha(_in_place(functions.add), "add_")          # x.add_(y, alpha=2) too
sub_ = old_alpha(_in_place(functions.sub), "sub_")
mul_ = _in_place(functions.mul)
div_ = _in_place(functions.div)
pow_ = _in_place(functions.pow)
remainder_ = _in_place(functions.remainder)
floor_divide_ = _in_place(functions.floor_divide)
bitwise_and_, bitwise_or_, bitwise_xor_, bitwise_left_shift_, bitwise_right_shift_ = (
    _in_place(bitwise.binary(op, in_place=True)) for op in ("&", "|", "^", "<<", ">>"))


def _in_place_unary(fn, words=None):
    """x.exp_() and kin; `words`: how PyTorch names x's dtype when refusing (clamp_ says 'long int')."""
    def method(x):
        x = _tensor(x)
        check_in_place(x)
        check_overlap(x)
        result = fn(before(x))
        if result.data.dtype != x.data.dtype and not (kind(x.data.dtype) == "f" == kind(result.data.dtype)):
            _cannot_cast(B.dtype_name(result.data.dtype), x, words and words.get(B.dtype_name(x.data.dtype)))
        return become(x, result)        # (float64 into float32: stored as x's dtype, as PyTorch's kernel writes it)
    return method


exp_, log_, sqrt_ = _in_place_unary(functions.exp), _in_place_unary(functions.log), _in_place_unary(functions.sqrt)
log1p_ = _in_place_unary(functions.log1p)
sin_, cos_, tan_ = _in_place_unary(functions.sin), _in_place_unary(functions.cos), _in_place_unary(functions.tan)
tanh_, sigmoid_ = _in_place_unary(functions.tanh), _in_place_unary(functions.sigmoid)
relu_, abs_, neg_ = _in_place_unary(functions.relu), _in_place_unary(functions.abs), _in_place_unary(functions.neg)
reciprocal_ = _in_place_unary(functions.reciprocal)
def leaky_relu_(x, negative_slope=0.01):
    """F.leaky_relu_ (F.leaky_relu(inplace=True)): LeakyReluBackward1, whose rule reads the result."""
    x = _tensor(x)
    negative_slope = scalar_argument(negative_slope, "leaky_relu", "negative_slope", 2)
    check_in_place(x)
    check_overlap(x)
    floating_only(x, "leaky_relu_cpu")
    return become(x, apply(A.LEAKY_RELU_, before(x), negative_slope=negative_slope))


_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


def _clamped_in_place(x, clamp, *bounds):
    """x.clamp_(...): an integer x refuses a float bound before anything runs (PyTorch's words: 'long int')."""
    x = _tensor(x)
    if (produced := bound_type(x.data.dtype, bounds, state.default_float)) is not None:
        _cannot_cast(produced, x, _C_NAMES.get(B.dtype_name(x.data.dtype)))
    return _in_place_unary(clamp)(x)        # (tensor bounds: the tensor iterator's words, 'Long')


def clamp_(x, min=None, max=None):
    return _clamped_in_place(x, lambda t: functions.clamp(t, min, max), min, max)


def clamp_min_(x, min):
    return _clamped_in_place(x, lambda t: functions.clamp_min(t, min), min)


def clamp_max_(x, max):
    return _clamped_in_place(x, lambda t: functions.clamp_max(t, max), max)


def masked_fill_(x, mask, value):
    return _in_place_unary(lambda t: functions.masked_fill(t, mask, value))(x)


# ------------------------------------------------------- copy_ and scatters
def copy_(x, other, non_blocking=False):
    """x's values from `other` (PyTorch's Python name for src; broadcast, converted to x's dtype): CopyBackwards."""
    src = other
    x = _tensor(x)
    if type(src) is not Tensor:
        if not isinstance(src, (bool, int, float)):
            fail(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}", "type")
        src = Tensor(B.asarray(src, dtype=x.data.dtype), device=x.device)
    if src.data.shape != x.data.shape and broadcast_shapes(x.data.shape, src.data.shape) != x.data.shape:
        fail(f"output with shape [{', '.join(map(str, x.data.shape))}] doesn't match the broadcast shape "
             f"[{', '.join(map(str, broadcast_shapes(x.data.shape, src.data.shape)))}]", "shape")
    check_in_place(x, src)
    check_overlap(x, src)
    with set_grad_enabled(state.grad_enabled and kind(x.data.dtype) == "f"):    # an integer x has no gradient
        return become(x, apply(W.COPY_INTO, before(x), src))


def index_fill_(x, dim, index, value):
    x = _tensor(x)
    check_in_place(x, value)
    check_overlap(x)
    return become(x, SC.index_fill(before(x), dim, index, value))     # (an integer x too records, as in PyTorch)


def scatter_(x, dim, index, src=None, value=None, reduce=None):
    x = _tensor(x)
    check_in_place(x, src)
    check_overlap(x, src)
    return become(x, SC.scatter_in_place(before(x), dim, index, src, value, reduce))


def scatter_add_(x, dim, index, src):
    x = _tensor(x)
    check_in_place(x, src)
    check_overlap(x, src)
    return become(x, SC.scatter_add(before(x), dim, index, src))


# ------------------------------------------------------ in-place view ops
def _reshaped(op, x, **params):
    """x takes the shape op gives it, in place (the same storage; PyTorch's
    t_(), squeeze_(), ...): a node of its own (TBackward1, ...) and a new version."""
    check_in_place(x)
    out = apply(op, _as_it_was(x), **params)
    x.data = out.data
    bump_version(x)
    if x.view_of is not None:
        x.view_of.ops += ((op, params),)
    if out.grad_fn is not None:
        out.grad_fn.out = x
        x.grad_fn, x.requires_grad = out.grad_fn, True
        if x.view_of is not None:
            x.view_of.version = version_of(x)
    return x


def unsqueeze_(x, dim):
    x = _tensor(x)
    return _reshaped(W.UNSQUEEZE_INPLACE, x, dim=dim_index(dim, x.data.ndim + 1))


def squeeze_(x, dim=None):
    x = _tensor(x)
    if dim is None:
        return _reshaped(W.SQUEEZE_ALL_INPLACE, x)
    if isinstance(dim, (tuple, list)):
        return _reshaped(W.SQUEEZE_DIMS_INPLACE, x, dims=dims_tuple(dim, x.data.ndim))
    return _reshaped(S.SQUEEZE_INPLACE, x, dim=dim_index(dim, x.data.ndim))


def t_(x):
    x = _tensor(x)
    if x.data.ndim > 2:
        fail(f"t_() expects a tensor with <= 2 dimensions, but self is {x.data.ndim}D")
    return _reshaped(W.T_INPLACE, x)


def transpose_(x, dim0, dim1):
    x = _tensor(x)
    n = x.data.ndim
    return _reshaped(W.TRANSPOSE_INPLACE, x, dim0=dim_index(dim0, n), dim1=dim_index(dim1, n))
