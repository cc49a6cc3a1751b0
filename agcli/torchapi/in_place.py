"""In-place methods (x.add_(y), x.exp_(), x.zero_(), ...) as PyTorch records
them: the op runs on a copy of x's old value that keeps x's place in the
graph, and x takes the result's value and history; PyTorch's checks first."""
from __future__ import annotations

from . import functions
from ..engine import backend as B
from ..engine.backend import kind
from ..engine.tensor import Tensor, bump_version
from ..errors import AgcliError
from ..state import state


def _tensor(x):
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type(x).__name__}", kind="type")
    return x


def check_in_place(x, other=None):
    if not state.grad_enabled:
        return
    if x.requires_grad and x.grad_fn is None:
        raise AgcliError("a leaf Variable that requires grad is being used in an in-place operation.")
    if x.is_view:
        check_view_in_place(x, type(other) is Tensor and other.requires_grad)


def check_view_in_place(view, records: bool):
    """PyTorch's error for a view of a leaf that requires grad; and where PyTorch would
    rebase the base's history onto the change (CopySlices), agcli refuses rather
    than give the base a gradient that misses it."""
    base = view.base
    if base.requires_grad and base.grad_fn is None:
        raise AgcliError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if records or view.requires_grad:
        raise AgcliError("agcli does not record an in-place change through a view of a tensor in the graph",
                         kind="value", hint="assign through the tensor itself instead, e.g. y[1] = y[1] * 3 "
                                            "rather than y[1].mul_(3)")


def zero_(x):
    x = _tensor(x)
    check_in_place(x)
    B.setitem(x.data, ..., 0)
    bump_version(x)
    return x


def fill_(x, value):
    x = _tensor(x)
    check_in_place(x)
    B.setitem(x.data, ..., functions.data(value))
    bump_version(x)
    return x




def _in_place(fn):
    def method(x, other, **alpha):
        x = _tensor(x)
        check_in_place(x, other)
        result = fn(before(x), other, **alpha)      # the op's node keeps x's old value
        if result.data.dtype != x.data.dtype and kind(x.data.dtype) != "f":
            produced = B.dtype_name(result.data.dtype)
            if kind(result.data.dtype) == "f" and type(other) is not Tensor:
                produced = state.default_float        # a Python number is weakly typed
            raise AgcliError(f"result type {functions.torch_type_name(produced)} can't be cast to the "
                             f"desired output type {functions.torch_type_name(x.data.dtype)}")
        _become(x, result)
        return x
    return method


def before(x):
    """A copy of x's value that keeps x's place in the graph: what an in-place
    op's node saves, so writing into x afterwards cannot change its gradient."""
    old = Tensor(B.copy(x.data), requires_grad=x.requires_grad, device=x.device)
    old.grad_fn = x.grad_fn
    old._accumulator = x.edge() if x.grad_fn is None and x.requires_grad else None
    return old


def _become(x, result):
    """x takes result's value and history: how an in-place op looks from outside."""
    if result.data.shape != x.data.shape:
        raise AgcliError(f"output with shape [{', '.join(map(str, x.data.shape))}] doesn't match the "
                         f"broadcast shape [{', '.join(map(str, result.data.shape))}]", kind="shape")
    B.setitem(x.data, ..., result.data)
    bump_version(x)
    if result.grad_fn is not None:
        x.grad_fn = result.grad_fn
        x.requires_grad = True
        result.grad_fn.output_is(x)


add_ = _in_place(functions.add)                 # x.add_(y, alpha=2) too
sub_ = _in_place(functions.sub)
mul_ = _in_place(functions.mul)
div_ = _in_place(functions.div)
pow_ = _in_place(functions.pow)
remainder_ = _in_place(functions.remainder)




def _in_place_unary(fn):
    def method(x):
        x = _tensor(x)
        check_in_place(x)
        result = fn(before(x))
        if result.data.dtype != x.data.dtype:
            raise AgcliError(f"result type {functions.torch_type_name(B.dtype_name(result.data.dtype))} can't be "
                             f"cast to the desired output type {functions.torch_type_name(x.data.dtype)}")
        _become(x, result)
        return x
    return method


exp_, log_, sqrt_ = _in_place_unary(functions.exp), _in_place_unary(functions.log), _in_place_unary(functions.sqrt)
sin_, cos_, tan_ = _in_place_unary(functions.sin), _in_place_unary(functions.cos), _in_place_unary(functions.tan)
tanh_, sigmoid_ = _in_place_unary(functions.tanh), _in_place_unary(functions.sigmoid)
relu_, abs_, neg_ = _in_place_unary(functions.relu), _in_place_unary(functions.abs), _in_place_unary(functions.neg)
reciprocal_ = _in_place_unary(functions.reciprocal)


def clamp_(x, min=None, max=None):
    return _in_place_unary(lambda t: functions.clamp(t, min, max))(x)


def masked_fill_(x, mask, value):
    return _in_place_unary(lambda t: functions.masked_fill(t, mask, value))(x)
