"""torch.take and torch.put (put_) at flat indices (engine/ops/takes.py), torch.combinations and
torch.vander composed as ATen composes them (meshgrid, masked_select, stack; fill, copies into a
slice, cumprod, flip: the graph holds those nodes), and torch.gcd / lcm of integer tensors."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import takes as TK
from ..engine.tensor import Tensor, apply, data
from ..errors import AgcliError, torch_type_name
from . import creation as C
from .checks import broadcast_shapes, fail, shape_of, tensors_only
from .dtypes import result_type
from .in_place import become, before, check_in_place, check_overlap, copy_, fill_
from .reductions import cumprod
from .scatter import masked_select
from .shaping import flip, meshgrid, narrow, stack, unsqueeze


def _flat_index(name, input, index):
    """index checked as ATen's take/put check it: a long tensor within input's elements."""
    if type(index) is not Tensor:
        fail(f"{name}(): argument 'index' (position {1 if name == 'put_' else 2}) must be Tensor, not "
             f"{type(index).__name__}", "type")
    if B.dtype_name(index.data.dtype) != "int64":
        fail(f"{name}(): Expected a long tensor for index, but got {torch_type_name(index.data.dtype)}")
    n = data(input).size
    if index.data.size:
        if n == 0:
            raise AgcliError(f"{name}(): tried to take from an empty tensor", kind="index")
        low, high = B.item(B.xp.min(index.data)), B.item(B.xp.max(index.data))
        for bad in (low, high):
            if not -n <= bad < n:
                raise AgcliError(f"out of range: tried to access index {bad} on a tensor of {n} elements.",
                                 kind="index")
    return index.data


def take(input, index):
    """torch.take (x.take): input's elements at flat indices, in index's shape (TakeBackward0)."""
    tensors_only("take", input=input)
    return apply(TK.TAKE, input, index=_flat_index("take", input, index))


def _put_checks(name, input, index, source):
    tensors_only(name, input=input, source=source)
    key = _flat_index(name, input, index)
    if source.data.size != key.size:
        raise AgcliError(f"{name}(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.data.size}, index.numel() = {key.size}", kind="index")
    if source.data.dtype != input.data.dtype:
        fail(f"{name}(): self and source expected to have the same dtype, but got self.dtype = "
             f"{torch_type_name(input.data.dtype)} and source.dtype = {torch_type_name(source.data.dtype)}")
    return key


def put(input, index, source, accumulate=False):
    """torch.put (x.put): a copy of input with source written (added) at flat indices (PutBackward0)."""
    key = _put_checks("put_", input, index, source)
    return apply(TK.PUT, input, source, index=key, accumulate=bool(accumulate))


def put_(input, index, source, accumulate=False):
    key = _put_checks("put_", input, index, source)
    check_in_place(input, source)
    check_overlap(input, source)
    return become(input, apply(TK.PUT, before(input), source, index=key, accumulate=bool(accumulate)))


def combinations(input, r=2, with_replacement=False):
    """torch.combinations: the r-element combinations of a 1-d tensor's elements, a row each (StackBackward0
    over MaskedSelectBackward0s, as ATen builds it from meshgrid and a mask of i < j < ...)."""
    tensors_only("combinations", input=input)
    if data(input).ndim != 1:
        fail(f"Expect a 1D vector, but got shape [{', '.join(map(str, shape_of(input)))}]")
    if r < 0:
        fail(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor(B.empty((0,), dtype=input.data.dtype), device=input.device)
    n = data(input).shape[0]
    grid = B.xp.meshgrid(*([B.arange(n, dtype=B.dtype("int64"))] * r), indexing="ij")
    mask = B.ones(tuple(grid[0].shape), dtype=B.dtype("bool"))
    for lower, upper in zip(grid, grid[1:]):
        mask = mask & ((lower <= upper) if with_replacement else (lower < upper))
    mask = Tensor(mask, device=input.device)
    return stack([masked_select(t, mask) for t in meshgrid(*([input] * r), indexing="ij")], 1)


def vander(x, N=None, increasing=False):
    """torch.vander: columns x**(N-1) ... x**0 (increasing: the other way), built as ATen builds it."""
    tensors_only("vander", x=x)
    if data(x).ndim != 1:
        fail("x must be a one-dimensional tensor.")
    n = data(x).shape[0] if N is None else N
    if n < 0:
        fail("N must be non-negative.")
    dtype = x.data.dtype if B.kind(x.data.dtype) == "f" else B.dtype("int64")
    result = C.empty((data(x).shape[0], n), dtype=C.DType(B.dtype_name(dtype)), device=x.device)
    if n > 0:
        fill_(result, 1)
        if n > 1:
            copy_(narrow(result, 1, 1, n - 1), unsqueeze(x, 1))
            copy_(narrow(result, 1, 1, n - 1), cumprod(narrow(result, 1, 1, n - 1), 1))
    return result if increasing else flip(result, [1])


def _integer_pair(name, host_fn):
    """gcd / lcm of two integer tensors, broadcast and promoted (no gradient: integers)."""
    def function(input, other):
        tensors_only(name, input=input, other=other)
        broadcast_shapes(shape_of(input), shape_of(other))
        cast = result_type(input, other)
        if B.kind(cast) not in "iu":
            fail(f'"{name}_cpu" not implemented for \'{torch_type_name(cast)}\'', "not_implemented")
        a, b = (B.to_host(B.astype(t.data, cast)) for t in (input, other))
        return Tensor(B.from_host(B.host.asarray(host_fn(a, b), dtype=B.host.dtype(B.dtype_name(cast)))),
                      device=input.device)
    function.__name__ = name
    return function


gcd, lcm = _integer_pair("gcd", B.host.gcd), _integer_pair("lcm", B.host.lcm)


def _integer_pair_(fn):
    """x.gcd_(y), x.lcm_(y): the result cast back to x's dtype, checked first as PyTorch's in-place ops check it."""
    def method(input, other):
        tensors_only(fn.__name__ + "_", input=input, other=other)
        check_in_place(input, other)
        cast = result_type(input, other)
        if B.kind(cast) == "f" and B.kind(input.data.dtype) != "f":
            fail(f"result type {torch_type_name(cast)} can't be cast to the desired output type "
                 f"{torch_type_name(input.data.dtype)}")
        result = fn(input, other)
        return become(input, Tensor(B.astype(result.data, input.data.dtype), device=input.device))
    return method


VALUED = {"take": take, "put": put, "combinations": combinations, "gcd": gcd, "lcm": lcm}
RECORDED = {"vander": vander}
IN_PLACE = {"put_": put_, "gcd_": _integer_pair_(gcd), "lcm_": _integer_pair_(lcm)}
