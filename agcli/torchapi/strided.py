"""torch.as_strided and Tensor.as_strided (size, stride, storage_offset): a view of the input's storage with
another geometry, AsStridedBackward0. Like PyTorch it reads the storage, not the input's elements: on a view
the offset counts from its base's first element, and it may read elements the view does not hold (their
gradients are dropped, as as_strided_backward drops what the input's geometry does not cover). Overlapping
windows add their gradients up, in the output's order. PyTorch's argument errors and words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.backend_strided import strided
from ..engine.ops.strided import AS_STRIDED_PART
from ..engine.ops.writes import AS_STRIDED
from ..engine.tensor import Tensor, ViewOf, apply
from ..errors import AgcliError, python_type_name
from ..state import state
from .checks import fail, is_int


def _ints(name, value, position, what="tuple of ints", function="as_strided"):
    """PyTorch's parser: a tuple (or list, or torch.Size) of ints, else its TypeError."""
    if not isinstance(value, (tuple, list)):
        fail(f"{function}(): argument '{name}' (position {position}) must be {what}, not "
             f"{python_type_name(value)}", "type")
    for k, v in enumerate(value):
        if type(v) is Tensor and v.data.ndim == 0 and B.kind(v.data.dtype) in "iu":
            v = int(v.data)
        if not is_int(v):
            fail(f"{function}(): argument '{name}' (position {position}) must be {what}, but found element of "
                 f"type {python_type_name(v)} at pos {k}", "type")
    return tuple(int(v if type(v) is not Tensor else v.data) for v in value)


def _checked(x, size, stride, storage_offset, first):
    if type(x) is not Tensor:
        fail(f"as_strided(): argument 'input' (position 1) must be Tensor, not {python_type_name(x)}", "type")
    size = _ints("size", size, first)
    stride = _ints("stride", stride, first + 1)
    if storage_offset is not None and not is_int(storage_offset):
        fail(f"as_strided(): argument 'storage_offset' (position {first + 2}) must be int, not "
             f"{python_type_name(storage_offset)}", "type")
    if len(size) != len(stride):
        fail("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        fail(f"as_strided: Negative strides are not supported at the moment, got strides: [{_listed(stride)}]")
    return size, stride, None if storage_offset is None else int(storage_offset)


def _listed(values) -> str:
    return ", ".join(map(str, values))


def _extent(a) -> int:
    """The storage elements an array spans from its first one (PyTorch's strides are not negative)."""
    if not a.size:
        return 0
    return 1 + sum((n - 1) * st for n, st in zip(a.shape, B.strides(a)))


def _places(a, start):
    """The storage index of each element of array a, whose storage begins at address `start`."""
    places = B.full(tuple(a.shape), (B.address(a) - start) // B.itemsize(a.dtype) if a.size else 0,
                    dtype=B.dtype("int64"))
    for d, (n, st) in enumerate(zip(a.shape, B.strides(a))):
        shape = [1] * a.ndim
        shape[d] = n
        places = places + B.xp.reshape(B.arange(n) * st, tuple(shape))
    return places


def _inverse(a, start, size):
    """For each storage index below size: the flat position of a's element there, -1 where none is."""
    inverse = B.full((size,), -1, dtype=B.dtype("int64"))
    if a.size:
        B.setitem(inverse, (B.xp.reshape(_places(a, start), (-1,)),), B.arange(a.size))
    return inverse


def as_strided(x, size, stride, storage_offset=None, first=2):
    size, stride, offset = _checked(x, size, stride, storage_offset, first)
    storage = x if x.base is None else x.base         # the tensor whose storage x shares
    root = x if x.view_of is None else x.view_of.base  # the tensor x is a view of, as PyTorch's _base
    start = B.address(storage.data)
    own = (B.address(x.data) - start) // B.itemsize(x.data.dtype) if x.data.size else 0
    offset = own if offset is None else offset
    if offset < 0:
        fail(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        fail(f"Storage size calculation overflowed with sizes=[{_listed(size)}] and strides=[{_listed(stride)}]")
    extent = _extent(storage.data)
    count = 1
    for n in size:
        count *= n
    needed = offset + (1 + sum((n - 1) * st for n, st in zip(size, stride)) if count else 0)
    if needed > extent:
        width = B.itemsize(x.data.dtype)
        fail(f"setStorage: sizes [{_listed(size)}], strides [{_listed(stride)}], storage offset {offset}, and "
             f"itemsize {width} requiring a storage size of {needed * width} are out of bounds for storage of "
             f"size {extent * width}")
    want = B.full(size, offset, dtype=B.dtype("int64"))
    for d, (n, st) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        want = want + B.xp.reshape(B.arange(n) * st, tuple(shape))
    if not count:
        want = B.xp.reshape(want, size)
    from_root = B.getitem(_inverse(root.data, start, extent), (want,))
    if count and bool(B.xp.any(from_root < 0)):
        raise AgcliError("as_strided reads storage no element of its base holds, which agcli cannot follow",
                         kind="value", hint="take as_strided of a tensor whose storage it covers (e.g. a clone)")
    from_x = B.getitem(_inverse(x.data, start, extent), (want,))
    if not count or bool(B.xp.all(from_x >= 0)) and int(B.xp.unique_values(from_x).size) == count:
        out = apply(AS_STRIDED, x, positions=from_x)
    else:
        values = B.getitem(B.xp.reshape(root.data, (-1,)), (from_root,))
        out = apply(AS_STRIDED_PART, x, positions=from_x, values=values)
    return _as_view(out, x, storage, root, size, stride, offset, from_root)


def _as_view(out, x, storage, root, size, stride, offset, from_root):
    """out shares the storage (writes through it reach x's base) and is a view of x's base."""
    view = strided(storage.data, size, stride, offset) if out.data.size else None
    if view is not None:        # (on CuPy: the gathered copy)
        out.data = view
    out.base, out.is_view = storage, True
    info = x.view_of
    made = state.grad_enabled if info is None else state.grad_enabled and info.grad_mode
    out.view_of = ViewOf(root, ((AS_STRIDED, {"positions": from_root}),), storage.version, made)
    if root.requires_grad:
        out.requires_grad = True
    return out


def as_strided_method(x, size, stride, storage_offset=None):
    """x.as_strided(size, stride, storage_offset): the positions PyTorch's messages give count from size."""
    return as_strided(x, size, stride, storage_offset, first=1)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """torch.empty_strided: a new tensor of this geometry over a storage of its own (zeros, as agcli's empty;
    on a device, the backend's layout)."""
    size = _ints("size", size, 1, function="empty_strided")
    stride = _ints("stride", stride, 2, function="empty_strided")
    if len(size) != len(stride):
        fail(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides ({len(stride)})")
    if any(n < 0 for n in size) or any(st < 0 for st in stride):
        fail(f"Storage size calculation overflowed with sizes=[{_listed(size)}] and strides=[{_listed(stride)}]")
    from .creation import zeros
    t = zeros(size, dtype=dtype, requires_grad=requires_grad, device=device, _name="empty_strided")
    count = 1
    for n in size:
        count *= n
    extent = 1 + sum((n - 1) * st for n, st in zip(size, stride)) if count else 0
    view = strided(B.zeros((extent,), dtype=t.data.dtype), size, stride, 0) if count else None
    if view is not None:
        t.data = view
    return t


def new_empty_strided(x, size, stride, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """x.new_empty_strided: in x's dtype and on its device unless told."""
    return empty_strided(size, stride, dtype=dtype if dtype is not None else B.dtype_name(x.data.dtype),
                         device=device if device is not None else x.device, requires_grad=requires_grad)


def is_set_to(x, tensor):
    """x.is_set_to(tensor): the same storage, offset, sizes and strides."""
    if type(tensor) is not Tensor:
        fail(f"is_set_to(): argument 'tensor' (position 1) must be Tensor, not {python_type_name(tensor)}", "type")
    same_storage = (x if x.base is None else x.base) is (tensor if tensor.base is None else tensor.base)
    return bool(same_storage and x.data.shape == tensor.data.shape and B.strides(x.data) == B.strides(tensor.data)
                and (not x.data.size or B.address(x.data) == B.address(tensor.data)))


FUNCTIONS = {"as_strided": as_strided, "empty_strided": empty_strided}
METHODS = {"as_strided": as_strided_method, "new_empty_strided": new_empty_strided, "is_set_to": is_set_to}
