"""x[key] = value as PyTorch's Python binding writes it (THPVariable_setitem): a basic key
writes through a view (copy_ into x[key]: CopySlices), an advanced one is index_put_, a key that
names all of x writes into x itself (copy_ or fill_: CopyBackwards, FillBackward3)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.forward import tangent_of
from ..engine.ops import shapes as S
from ..engine.ops import writes as W
from ..engine.tensor import Tensor, apply, bump_version
from ..errors import AgcliError
from ..state import state
from . import creation as C
from . import functions
from . import in_place
from .in_place import assignment_error, become, before, check_assignment
from .assigned_values import check_put_dtype, copy_to_value, leading_ones_dropped
from .operands import stored


def _tensor(x):
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type(x).__name__}", kind="type")
    return x


def setitem(x, key, value):
    x = _tensor(x)
    if type(value) in (int, float) and B.kind(x.data.dtype) in "iu":   # (PyTorch checks integers; 1e6 into
        value = stored(value, x.data.dtype)                             # float16 is inf)
    if type(value) in (int, float) and B.kind(x.data.dtype) == "f":   # (a number is stored in x's dtype: 0.1
        value = Tensor(B.asarray(value, dtype=x.data.dtype), device=x.device)   # into float64 is float64's 0.1)
    v = value if type(value) is Tensor else C.as_tensor(value)
    if not x.data.ndim:
        functions.lone_key_of_0d(key)
    whole = functions.whole_key(key, x.data.shape)
    if whole is not None:       # (PyTorch's copy_to of x itself: copy_, or fill_ of a 0-d value; x[False]: nothing)
        if not whole or v.data.ndim == 0 and x.data.ndim:
            return in_place.fill_(x, v) if whole else None
        v = copy_to_value(v, x.data.shape)
        if v.data.shape == x.data.shape:
            return in_place.copy_(x, v)
    plain_key = functions.checked_key(x, read_plain_key(key, v))
    advanced = any(type(k) is B.ndarray or isinstance(k, list) for k in plain_key)
    op = S.INDEX_PUT if advanced else W.ASSIGN
    split, key_read = functions.views_first(x.data.shape, plain_key) if advanced else None, plain_key
    if split is not None:       # PyTorch's index_put_ on a view (CopySlices): each element where x[key] has it
        plain_key, op = functions.positions_key(x.data.shape, *split), W.ASSIGN
        if state.grad_enabled and x.requires_grad and x.grad_fn is None and x.view_of is None:
            raise AgcliError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if v.data.ndim:         # (index_put_'s value without its leading ones; copy_'s as copy_to makes it)
        v = leading_ones_dropped(v) if advanced else copy_to_value(v, B.getitem(x.data, plain_key).shape)
    check_assignment(x, key, plain_key, advanced, v)
    if advanced and type(value) is Tensor:      # (after the in-place checks, as index_put_'s)
        check_put_dtype(x.data, key_read, plain_key, v.data)
    try:
        dual = state.dual is not None and (tangent_of(v) is not None or tangent_of(x) is not None)
        if not (state.grad_enabled and (v.requires_grad or x.requires_grad) or dual):
            B.setitem(x.data, plain_key, v.data)
            bump_version(x)
            return
        become(x, apply(op, before(x), v, key=plain_key))
    except (ValueError, IndexError) as e:
        raise assignment_error(x, plain_key, advanced, v, e) from None


def read_plain_key(key, value):
    """The key's arrays (a list is an array of indices, checked as one)."""
    key = functions.read_key(_refuse_byte_fill(key, value))
    return tuple(k.data if type(k) is Tensor else B.asarray(k) if isinstance(k, list) else k for k in key)


def _refuse_byte_fill(key, value):
    """x[mask] = one value is PyTorch's masked_fill_, which takes no uint8 mask."""
    masks = [k for k in (key if isinstance(key, tuple) else (key,)) if type(k) is Tensor]
    if len(masks) == 1 and B.dtype_name(masks[0].data.dtype) == "uint8" and value.data.size == 1:
        raise AgcliError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
    return key
