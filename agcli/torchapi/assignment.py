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
from .indexing import refuse_zero_dim_key
from .operands import stored


def _tensor(x):
    if type(x) is not Tensor:
        raise AgcliError(f"expected a tensor, got {type(x).__name__}", kind="type")
    return x


def setitem(x, key, value):
    x = _tensor(x)
    if type(key) is bool:       # (PyTorch's setitem: x[False] writes nothing, x[True] is x[None], a view)
        if not key:
            return
        key = None
    if not x.data.ndim:
        refuse_zero_dim_key(key)
    if type(value) in (int, float) and B.kind(x.data.dtype) in "iu":   # (PyTorch checks integers; 1e6 into
        value = stored(value, x.data.dtype)                             # float16 is inf)
    if type(value) in (int, float) and B.kind(x.data.dtype) == "f":   # (a number is stored in x's dtype: 0.1
        value = Tensor(B.asarray(value, dtype=x.data.dtype), device=x.device)   # into float64 is float64's 0.1)
    v = value if type(value) is Tensor else C.as_tensor(value)
    plain_key = functions.checked_key(x, read_plain_key(key, v))
    advanced = any(type(k) is B.ndarray or isinstance(k, list) for k in plain_key)
    op = S.INDEX_PUT if advanced else W.ASSIGN
    split = functions.views_first(x.data.shape, plain_key) if advanced else None
    if split is not None:       # PyTorch's index_put_ on a view (CopySlices): each element where x[key] has it
        plain_key, op = functions.positions_key(x.data.shape, *split), W.ASSIGN
    if v.data.ndim and v.data.shape[0] == 1:
        v = _leading_ones_dropped(v, B.getitem(x.data, plain_key).ndim)
    check_assignment(x, key, plain_key, advanced, v)
    try:
        dual = state.dual is not None and (tangent_of(v) is not None or tangent_of(x) is not None)
        if not (state.grad_enabled and (v.requires_grad or x.requires_grad) or dual):
            B.setitem(x.data, plain_key, v.data)
            bump_version(x)
            return
        if not advanced and _names_all(plain_key, x.data.shape):
            _write_all(x, v)
            return
        if not advanced and v.data.ndim:    # (a view's copy_ of a value of another shape: copy_to's expand)
            v = _as_copy_to_sees(v, B.getitem(x.data, plain_key).shape)
        become(x, apply(op, before(x), v, key=plain_key))
    except (ValueError, IndexError) as e:
        raise assignment_error(x, plain_key, advanced, v, e) from None


def _names_all(key, shape) -> bool:
    """x[:], x[...], x[0:n], x[()]: PyTorch's setitem takes a slice from 0 past the end as x itself
    (applySlice's shortcut), not a view, and writes into x (copy_to): no CopySlices."""
    if not all(k is Ellipsis or type(k) is slice for k in key) or sum(k is Ellipsis for k in key) > 1:
        return False
    if Ellipsis in key:     # (it stands for the dims the others leave)
        at = key.index(Ellipsis)
        key = key[:at] + (slice(None),) * (len(shape) - len(key) + 1) + key[at + 1:]
    return len(key) <= len(shape) and all(
        k.start in (None, 0) and k.step in (None, 1) and (k.stop is None or k.stop >= n) for k, n in zip(key, shape))


def _write_all(x, v):
    """PyTorch's copy_to(x, v): copy_ of the same shape (CopyBackwards), fill_ of one number
    (FillBackward3), else copy_ of v viewed and expanded."""
    if v.data.shape == x.data.shape:
        return in_place.copy_(x, v)
    if not v.data.ndim:
        return in_place.fill_(x, v)
    return in_place.copy_(x, _as_copy_to_sees(v, x.data.shape))


def _as_copy_to_sees(v, shape):
    """v as PyTorch's copy_to hands it to copy_ when the shapes differ: viewed without its leading
    ones (ViewBackward0), then expanded (ExpandBackward0)."""
    if v.data.shape == shape:
        return v
    stripped = v.data.shape
    while stripped and stripped[0] == 1:
        stripped = stripped[1:]
    v = functions.view(v, stripped)
    return v if stripped == shape else functions.expand(v, shape)


def _leading_ones_dropped(v, ndim):
    """v without the leading dims of size one that x[key] has no room for (x[1] = tensor([2.])),
    as PyTorch drops them (a view) before it writes."""
    shape = v.data.shape
    while len(shape) > ndim and shape and shape[0] == 1:
        shape = shape[1:]
    return v if len(shape) == v.data.ndim else functions.view(v, shape)


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
