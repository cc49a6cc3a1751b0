"""torch.func.vmap (torch.vmap): the function called once per batch element, the
results stacked along out_dims, with functorch's checks and messages.
functorch's batching rules give the same values; a function that looks at its
batch as a whole (.item(), data-dependent control flow) works here where
vmap would refuse it.
"""
from __future__ import annotations

from ..engine.tensor import Tensor
from . import functions as F
from .func_levels import Transformed, _runtime, _value_error, flatten, name_of, python_type
from .generator import VMAP_RANDOMNESS


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    if randomness not in ("error", "different", "same"):
        raise _runtime(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    _check_out_dims(out_dims, func)
    return Transformed("vmap", lambda *args, **kwargs: _randomly(randomness, func, in_dims, out_dims, args, kwargs),
                       func)


def _randomly(randomness, *call):
    """_vmap_call under its randomness= (generator.py refuses a random draw in 'error' mode)."""
    VMAP_RANDOMNESS.append(randomness)
    try:
        return _vmap_call(*call)
    finally:
        VMAP_RANDOMNESS.pop()


def _check_out_dims(out_dims, func):
    for d in flatten(out_dims)[0]:
        if d is not None and not (isinstance(d, int) and not isinstance(d, bool)):
            raise _value_error(f"vmap({name_of(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, None or "
                               "a python collection of ints representing where in the outputs the vmapped dimension "
                               "should appear.")


def _broadcast_dims(dims, args):
    """in_dims per argument tensor (flat), or None when the structures do not match."""
    if not isinstance(dims, tuple):
        return [dims] * len(flatten(args)[0])
    if not isinstance(args, (tuple, list)) or len(dims) != len(args):
        return None
    out = []
    for d, a in zip(dims, args):
        sub = _broadcast_dims(d, a) if isinstance(d, tuple) else [d] * len(flatten(a)[0])
        if sub is None:
            return None
        out += sub
    return out


def _vmap_call(func, in_dims, out_dims, args, kwargs):
    name = name_of(func)
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise _value_error(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                           "(potentially nested) tuple matching the structure of inputs, got: "
                           f"{python_type(in_dims)}.")
    if not args:
        raise _value_error(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                           "trying to vmap over a function with no inputs. The latter is unsupported.")
    flat_args, rebuild = flatten(args)
    flat_dims = _broadcast_dims(in_dims, args)
    if flat_dims is None:
        raise _value_error(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                           "structure of `inputs`.")
    for i, (arg, d) in enumerate(zip(flat_args, flat_dims)):
        if d is not None and not (isinstance(d, int) and not isinstance(d, bool)):
            raise _value_error(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                               "in_dim must be either an integer dimension or None.")
        if d is not None and type(arg) is not Tensor:
            raise _value_error(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                               f"the input is of type {python_type(arg)}. We cannot vmap over non-Tensor "
                               "arguments, please use None as the respective in_dim")
        if d is not None:
            n = arg.data.ndim
            if d < -n or d >= n:
                raise _value_error(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, "
                                   f"but that input is a Tensor of dimensionality {n} so expected in_dim to satisfy "
                                   f"-{n} <= in_dim < {n}.")
            flat_dims[i] = d % n
    sizes = [arg.data.shape[d] for arg, d in zip(flat_args, flat_dims) if d is not None]
    if not sizes:
        raise _value_error("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise _value_error(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                           f"{sizes} for the mapped dimension")
    results = []
    for b in range(sizes[0]):
        sliced = [arg if d is None else F.select(arg, d, b) for arg, d in zip(flat_args, flat_dims)]
        results.append(func(*rebuild(sliced), **kwargs))
    return _stacked(results, out_dims, name)


def _stacked(results, out_dims, name):
    flat_first, rebuild = flatten(results[0])
    if type(results[0]) is Tensor:
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            out_dims = out_dims[0]
        dims = [out_dims]
    elif isinstance(out_dims, tuple):
        dims = _broadcast_dims(out_dims, results[0])
        if dims is None:
            raise _value_error(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
                               "the structure of `outputs`.")
    else:
        dims = [out_dims] * len(flat_first)
    columns = [flatten(r)[0] for r in results]
    stacked = []
    for k, d in enumerate(dims):
        values = [column[k] for column in columns]
        if d is None:
            stacked.append(values[0])
            continue
        if type(values[0]) is not Tensor:
            raise _value_error(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                               f"{python_type(values[0])}. Did you mean to set out_dims= to None for output?")
        stacked.append(F.stack(values, dim=d))
    return rebuild(stacked)
