"""torch.contiguous_format, torch.preserve_format, torch.channels_last and torch.channels_last_3d, and the
calls that take one (memory_format=): x.contiguous(), x.is_contiguous(), x.clone(), x.to(), torch.empty()
and the *_like functions. channels_last lays a 4-d tensor out NHWC (channels_last_3d a 5-d one NDHWC),
with PyTorch's strides (engine/layouts.py); a random *_like draws its values in that memory order."""
from __future__ import annotations

from ..engine import backend as B
from ..engine import layouts as E
from ..engine.ops import shapes as S
from ..engine.ops.layout import is_contiguous as row_major_contiguous
from ..engine.tensor import Tensor, apply
from ..errors import AgcliError, python_type_name


class MemoryFormat:
    """torch.memory_format: one of PyTorch's four."""

    __slots__ = ("name", "key")
    type_name = "torch.memory_format"

    def __init__(self, name, key):
        self.name, self.key = name, key

    def __repr__(self):
        return f"torch.{self.name}"


CONTIGUOUS = MemoryFormat("contiguous_format", "contiguous")
PRESERVE = MemoryFormat("preserve_format", "preserve")
CHANNELS_LAST = MemoryFormat("channels_last", "channels_last")
CHANNELS_LAST_3D = MemoryFormat("channels_last_3d", "channels_last_3d")
FORMATS = {f.name: f for f in (CONTIGUOUS, PRESERVE, CHANNELS_LAST, CHANNELS_LAST_3D)}
_RANK = {CHANNELS_LAST: 4, CHANNELS_LAST_3D: 5}


def _format(value, function):
    if type(value) is not MemoryFormat:
        raise AgcliError(f"{function}(): argument 'memory_format' must be torch.memory_format, not "
                         f"{python_type_name(value)}", kind="type")
    return value


def _rank_checked(a, fmt):
    rank = _RANK.get(fmt)
    if rank is not None and a.ndim != rank:
        raise AgcliError(f"required rank {rank} tensor to use {fmt.name} format")


def in_format(a, fmt) -> bool:
    """x.is_contiguous(memory_format=fmt) of array a (preserve_format asks as contiguous_format does)."""
    rank = _RANK.get(fmt)
    if rank is None:
        return row_major_contiguous(a)
    return a.ndim == rank and E.is_channels_last(a.shape, B.strides(a))


def is_contiguous(x, *, memory_format=CONTIGUOUS):
    return in_format(x.data, _format(memory_format, "is_contiguous"))


def contiguous(x, *, memory_format=CONTIGUOUS):
    """x itself when laid out so already, else a copy laid out so (CloneBackward0)."""
    fmt = _format(memory_format, "contiguous")
    if type(x) is not Tensor or in_format(x.data, fmt):
        return x
    if fmt is PRESERVE:
        raise AgcliError("preserve memory format is unsupported by the contiguous operator")
    _rank_checked(x.data, fmt)
    return apply(S.CLONE, x, memory_format=fmt.key)


def clone(x, *, memory_format=PRESERVE):
    fmt = _format(memory_format, "clone")
    _rank_checked(x.data, fmt)
    return apply(S.CLONE, x, memory_format=fmt.key)


def _relaid(t, fmt):
    """t (a new tensor, not a view) laid out in fmt."""
    if fmt is CONTIGUOUS:
        t.data = B.clone(t.data, True) if not row_major_contiguous(t.data) else t.data
    elif fmt is not PRESERVE:
        as_channels_last(t)
    return t


def with_format(fn, function):
    """fn (a *_like function or torch.empty) taking memory_format= as well: a *_like is made as of a stand-in
    of its input laid out in that format (its random values drawn in that memory order)."""
    def call(*args, memory_format=None, **kwargs):
        if memory_format is None:
            return fn(*args, **kwargs)
        fmt = _format(memory_format, function)
        if function == "empty":
            if fmt is PRESERVE:
                raise AgcliError("unsupported memory format Preserve")
            t = fn(*args, **kwargs)
            _rank_checked(t.data, fmt)
            return _relaid(t, fmt)
        if fmt is not PRESERVE and args and type(args[0]) is Tensor:
            x = args[0]
            _rank_checked(x.data, fmt)
            stand_in = Tensor(B.clone(x.data, True) if fmt is CONTIGUOUS else E.in_channels_last(x.data),
                              device=x.device)
            args = (stand_in, *args[1:])
        return fn(*args, **kwargs)
    call.__name__ = function
    return _signed(call, fn, None)


def to(fn):
    """x.to(..., memory_format=...): the conversion, then a copy laid out so unless it is already
    (to_will_alias: x's suggested format is that one; a copy is ToCopyBackward0, as PyTorch's _to_copy)."""
    def call(x, *args, memory_format=PRESERVE, **kwargs):
        fmt = _format(memory_format, "to")
        if type(x) is Tensor:
            _rank_checked(x.data, fmt)
        t = fn(x, *args, **kwargs)
        if fmt is PRESERVE or type(t) is not Tensor or _suggested(t.data) is fmt:
            return t
        if t is x:
            t = apply(S.MOVE, x)
        return _relaid(t, fmt)
    call.__name__ = "to"
    return _signed(call, fn, PRESERVE)


def _signed(call, fn, default):
    """call with fn's signature and memory_format= (agcli's calls read a function's parameters: its tensors)."""
    import inspect
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    params.append(inspect.Parameter("memory_format", inspect.Parameter.KEYWORD_ONLY, default=default))
    params += [p for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD]
    call.__signature__ = sig.replace(parameters=params)
    return call


def _suggested(a):
    """suggest_memory_format: channels_last(_3d) where the strides say so, else contiguous_format."""
    if a.ndim in (4, 5) and E.suggests_channels_last(a.shape, B.strides(a)):
        return CHANNELS_LAST if a.ndim == 4 else CHANNELS_LAST_3D
    return CONTIGUOUS


def take_memory_formats(functions, methods, attributes):
    """The namespace's entries that take memory_format=, and torch's four formats."""
    attributes.update(FORMATS)
    for name in ("empty", "empty_like", "zeros_like", "ones_like", "full_like", "rand_like", "randn_like",
                 "randint_like"):
        if name in functions:
            functions[name] = with_format(functions[name], name)
    functions["clone"] = methods["clone"] = clone
    methods.update(contiguous=contiguous, is_contiguous=is_contiguous, to=to(methods["to"]))


def suggests_channels_last(x) -> bool:
    return type(x) is Tensor and x.data.ndim in (4, 5) and E.suggests_channels_last(x.data.shape, B.strides(x.data))


def channels_last_kernel(name, tensors, values_differ=False) -> bool:
    """Does a channels_last tensor reach `name` (PyTorch's channels_last kernel of it)? Where those kernels add
    in another order than the row-major ones agcli follows (values_differ: the op's own values; else its
    gradients), agcli refuses rather than give other last bits."""
    if not any(suggests_channels_last(t) for t in tensors):
        return False
    from ..state import state
    if values_differ or state.grad_enabled and any(type(t) is Tensor and t.requires_grad for t in tensors):
        what = "values" if values_differ else "gradients"
        raise AgcliError(f"agcli does not compute {name} of a channels_last tensor: PyTorch's channels_last kernel "
                         f"adds in another order, and its {what} differ in the last bits", kind="not_implemented",
                         hint="make the tensors .contiguous() first" + ("" if values_differ else
                                                                        " (or compute under torch.no_grad())"))
    return True


def row_major_copy(t):
    """t's values row-major, as a tensor of its own (no history: nothing here requires grad)."""
    return Tensor(B.clone(t.data, True), device=t.device) if type(t) is Tensor else t


def as_channels_last(t):
    """t (a new tensor) laid out channels_last, on the host (a device's arrays keep the backend's layout)."""
    if B.ON_HOST:
        t.data = E.in_channels_last(t.data)
    return t
