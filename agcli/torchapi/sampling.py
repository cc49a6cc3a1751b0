"""PyTorch's random functions with PyTorch's numbers: rand, randn, randint, randperm,
their _like forms, normal, bernoulli, and the in-place normal_, uniform_, bernoulli_,
random_, exponential_ (torchapi/distributions.py draws on a torch.Generator, torchapi/generator.py),
with PyTorch's checks in its words. A draw is made on the host and moved to the
device once; in the graph it is an op of its inputs with a zero gradient
(engine/ops/sampled.py), as PyTorch records it.
"""
from __future__ import annotations

import numpy

from . import distributions as Dn
from .checks import CPP_TYPE_NAMES, broadcast_shapes, check_size, fail, is_int, numel, shape_of, size_tuple
from .devices import placement
from .dtypes import dtype_of
from .generator import chosen
from .in_place import become, before, check_in_place, check_overlap
from .layouts import laid_out, like_axes, memory_order
from .sampling_bounds import between, up_to_max
from ..engine import backend as B
from ..engine.ops import sampled as R
from ..engine.tensor import Tensor, apply, bump_version
from ..errors import AgcliError, torch_type_name
from ..state import state


def _not_for(dtype, kernel):
    """PyTorch's dispatch error: a kernel with no version for the dtype."""
    raise AgcliError(f'"{kernel}" not implemented for \'{torch_type_name(dtype)}\'', kind="not_implemented")


def _floating(dtype, kernel):
    if B.kind(B.dtype(dtype)) != "f":
        _not_for(dtype, kernel)
    return dtype


def _g(x) -> str:
    """A double as C++'s ostream prints it in PyTorch's messages (%g)."""
    return f"{x:g}"


def _number(v):
    """A 0-d tensor where PyTorch takes a number (x.normal_(torch.tensor(1.)))."""
    if type(v) is Tensor and v.data.ndim == 0:
        return B.item(v.data)
    return v


def _made(values, shape, requires_grad, device, like=None):
    """A new leaf from host values (to the device once)."""
    t = Tensor(B.from_host(values.reshape(shape)), device=placement(device) if device is not None
               else like.device if type(like) is Tensor else "cpu")
    if requires_grad:
        if B.kind(t.data.dtype) != "f":
            fail("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _shape(sizes, size, name, keywords=()):
    if not sizes and size is None:      # (PyTorch's parser: with a dtype or generator, the size is "missing")
        if keywords:
            fail(f'{name}() missing 1 required positional arguments: "size"', "type")
        fail(_SIZE_FORMS.format(name), "type")
    return check_size(size_tuple(sizes if size is None else (size,), name))


_SIZE_FORMS = ("{}() received an invalid combination of arguments - got (), but expected one of:\n"
               + "".join(f" * (tuple of ints size, *, {gen}Tensor out = None, torch.dtype dtype = None, torch.layout "
                         "layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = "
                         "False)\n" for gen in ("torch.Generator generator, ", "")))


# ------------------------------------------------------------ new tensors
def rand(*sizes, size=None, generator=None, dtype=None, requires_grad=False, device=None):
    shape = _shape(sizes, size, "rand", generator is not None or dtype is not None)
    d = _floating(dtype_of(dtype) or state.default_float, "check_uniform_bounds")
    return _made(Dn.uniform(chosen(generator), numel(shape), d), shape, requires_grad, device)


def randn(*sizes, size=None, generator=None, dtype=None, requires_grad=False, device=None):
    shape = _shape(sizes, size, "randn", generator is not None or dtype is not None)
    d = _floating(dtype_of(dtype) or state.default_float, "normal_kernel_cpu")
    return _made(Dn.normal(chosen(generator), numel(shape), d), shape, requires_grad, device)


def _like(draw, input, dtype, requires_grad, device, generator):
    """draw(...) of input's shape laid out as input is (PyTorch's preserve_format), its values drawn in
    memory order: a transposed input's rand_like is filled along its columns, as PyTorch fills it."""
    d = dtype_of(dtype) or B.dtype_name(input.data.dtype)
    axes = like_axes(input.data)
    t = draw(size=tuple(shape_of(input)[a] for a in axes), generator=generator, dtype=d,
             requires_grad=requires_grad, device=device if device is not None else input.device)
    return laid_out(t, axes, input.data)


def rand_like(input, *, generator=None, dtype=None, requires_grad=False, device=None):
    return _like(rand, input, dtype, requires_grad, device, generator)


def randn_like(input, *, generator=None, dtype=None, requires_grad=False, device=None):
    """randn of input's layout: a result not row-major is filled by normal_'s serial kernel, value by value."""
    contiguous = like_axes(input.data) == tuple(range(input.data.ndim))

    def draw(size, generator, dtype, requires_grad, device):
        d = _floating(dtype_of(dtype) or state.default_float, "normal_kernel_cpu")
        return _made(Dn.normal(chosen(generator), numel(size), d, contiguous=contiguous), size, requires_grad, device)
    return _like(draw, input, dtype, requires_grad, device, generator)


_RANDINT_FORMS = ("randint() received an invalid combination of arguments - got ({}), but expected one of:\n"
                  + "".join(f" * ({args}, *, {gen}Tensor out = None, torch.dtype dtype = None, torch.layout layout = "
                            "None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
                            for args in ("int high, tuple of ints size", "int low, int high, tuple of ints size")
                            for gen in ("torch.Generator generator, ", "")))


def _python_types(*args) -> str:
    return ", ".join("Tensor" if type(a) is Tensor else type(a).__name__ for a in args)


def randint(low=None, high=None, size=None, *, generator=None, dtype=None, requires_grad=False, device=None):
    """randint(high, size) or randint(low, high, size): x.random_(low, high) of a new int64 tensor."""
    given = [v for v in (low, high, size) if v is not None]
    low, high = _number(low), _number(high)     # (a 0-d tensor is a number here)
    if size is None:
        low, high, size = 0, low, high
    elif low is None:
        low = 0
    elif high is None:          # randint(10, size=(3,)): the one number is high
        low, high = 0, low
    if high is None or size is None or not (is_int(low) and is_int(high)):
        raise AgcliError(_RANDINT_FORMS.format(_python_types(*given)), kind="type")
    if not isinstance(size, (tuple, list)):
        fail(f"randint(): argument 'size' (position {len(given)}) must be tuple of ints, not "
             f"{type(size).__name__}", "type")
    shape = check_size(size_tuple((size,)))
    d = dtype_of(dtype) or "int64"
    low, span = between(d, int(low), int(high))
    return _made(Dn.integers(chosen(generator), numel(shape), d, low, span), shape, requires_grad, device)


def randint_like(input, low=None, high=None, *, generator=None, dtype=None, requires_grad=False, device=None):
    """randint_like(input, high) or randint_like(input, low, high), in input's dtype."""
    if high is None:
        low, high = 0, low
    low, high = _number(low), _number(high)
    if not (is_int(low) and is_int(high)):
        fail(f"randint_like(): low and high must be integers, got {_python_types(low, high)}", "type")
    d = dtype_of(dtype) or B.dtype_name(input.data.dtype)
    axes = like_axes(input.data)
    shape = tuple(shape_of(input)[a] for a in axes)
    low, span = between(d, int(low), int(high))
    return laid_out(_made(Dn.integers(chosen(generator), numel(shape), d, low, span), shape, requires_grad, device,
                          like=input), axes, input.data)


def randperm(n, *, generator=None, dtype=None, requires_grad=False, device=None):
    n = _number(n)
    if not is_int(n):
        fail(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}", "type")
    n = int(n)
    check_size((n,))
    d = dtype_of(dtype) or "int64"
    if d in ("float16", "float32") and n > 2 ** Dn.DIGITS[d] + 1:
        fail(f"n cannot be greater than {'2049' if d == 'float16' else '2^24+1'} for "
             f"{torch_type_name(d)} type.")
    return _made(Dn.permutation(chosen(generator), n).astype(d), (n,), requires_grad, device)


# ------------------------------------------------------------ normal and bernoulli
_NORMAL_FORMS = ("normal() received an invalid combination of arguments - got ({}), but expected one of:\n"
                 " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
                 " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
                 " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
                 " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out = "
                 "None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
                 "bool pin_memory = False, bool requires_grad = False)\n")


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False, device=None):
    """torch.normal: numbers and a size (x.normal_(mean, std)), or tensors of means and/or
    stds: standard draws of the broadcast shape, times std, plus mean (two roundings)."""
    g = chosen(generator)
    tensors = type(mean) is Tensor, type(std) is Tensor
    if not any(tensors):
        if size is None:
            raise AgcliError(_NORMAL_FORMS.format(_python_types(mean, std)), kind="type")
        shape = check_size(size_tuple((size,)))
        _check_std(std)
        d = _floating(dtype_of(dtype) or state.default_float, "normal_kernel_cpu")
        return _made(Dn.normal(g, numel(shape), d, float(mean), float(std)), shape, requires_grad, device)
    if size is not None:
        raise AgcliError(_NORMAL_FORMS.format(_python_types(mean, std, size)), kind="type")
    if tensors[1]:
        if std.data.size and not B.item(B.xp.min(std.data) >= 0):
            fail("normal expects all elements of std >= 0.0")
    else:
        _check_std(std)
    out_like = mean if tensors[0] else std
    d = _floating(B.dtype_name(out_like.data.dtype), "normal_kernel_cpu")
    shape = broadcast_shapes(shape_of(mean), shape_of(std)) if all(tensors) else shape_of(out_like)
    n = numel(check_size(shape))
    if tensors[0] and not tensors[1]:       # normal_(0, std), then + mean
        values = B.from_host(Dn.normal(g, n, d, 0.0, float(std)).reshape(shape))
        op, inputs = R.NORMAL_MEAN, (mean,)
    else:                                   # normal_(0, 1), then * std + mean
        values = B.astype(B.from_host(Dn.normal(g, n, d).reshape(shape)) * std.data, d)
        op, inputs = (R.NORMAL_BOTH, (mean, std)) if tensors[0] else (R.NORMAL_STD, (std,))
    values = B.astype(values + (mean.data if tensors[0] else B.asarray(float(mean), dtype=d)), d)
    if state.grad_enabled and any(t.requires_grad for t in inputs):
        return apply(op, *inputs, values=values)
    return Tensor(values, device=out_like.device)


def _check_std(std):
    if not std >= 0.0:
        fail(f"normal expects std >= 0.0, but found std {_g(std)}")


def bernoulli(input, p=None, *, generator=None):
    """torch.bernoulli(p) draws 1 where a uniform draw is below p; torch.bernoulli(x, p) with p a number."""
    p = _number(p)
    g = chosen(generator)
    d = B.dtype_name(input.data.dtype)
    if p is None:
        values = B.astype(B.from_host(_bernoulli_tensor(g, input).reshape(shape_of(input))), d)
        op = R.BERNOULLI
    else:
        values = B.astype(B.from_host(_bernoulli_number(g, numel(shape_of(input)), p).reshape(shape_of(input))), d)
        op = R.BERNOULLI_P
    if state.grad_enabled and input.requires_grad:
        return apply(op, input, values=values)
    return Tensor(values, device=input.device)


def _bernoulli_tensor(g, p):
    d = B.dtype_name(p.data.dtype)
    if d not in ("float16", "float32", "float64"):
        _not_for(d, "bernoulli_tensor_cpu_p_")
    return Dn.bernoulli(g, B.to_host(p.data).ravel(), d)


def _bernoulli_number(g, n, p):
    if not 0 <= p <= 1:
        fail(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    return Dn.bernoulli_scalar(g, n, p)


# ------------------------------------------------------------ in place
def _fill(x, draw, op, *others, along=None):
    """x takes draw(n, contiguous, along) as drawn_like lays it out (`along`: bernoulli_'s p).
    Recorded with a zero gradient when x is in a graph."""
    check_overlap(x)
    values = drawn_like(x, draw, along)
    if state.grad_enabled and (x.requires_grad or any(type(o) is Tensor and o.requires_grad for o in others)):
        return become(x, apply(op, before(x), *others, values=values))
    B.setitem(x.data, ..., values)
    bump_version(x)
    return x


def drawn_like(x, draw, along=None):
    """draw(n, contiguous, along) laid out as x is, in the order PyTorch fills x: its memory
    order (a transposed view is filled along its base); `along`, an array of x's shape, is
    given to draw in that order too. A device array."""
    axes, contiguous = memory_order(x.data)
    in_order = axes != tuple(range(len(axes)))
    if along is not None and in_order:
        along = numpy.transpose(along, axes)
    values = draw(numel(x.data.shape), contiguous, None if along is None else along.ravel())
    values = values.reshape(tuple(x.data.shape[a] for a in axes))
    return B.from_host(numpy.transpose(values, numpy.argsort(axes)) if in_order else values)


def _target(x, *others):
    """The tensor an in-place draw writes: autograd's checks come before the kernel's."""
    if type(x) is not Tensor:
        fail(f"expected a tensor, got {type(x).__name__}", "type")
    check_in_place(x, *others)


def normal_(x, mean=0.0, std=1.0, *, generator=None):
    _target(x)
    mean, std = float(_number(mean)), float(_number(std))
    _check_std(std)
    d = _floating(B.dtype_name(x.data.dtype), "normal_kernel_cpu")
    g = chosen(generator)
    return _fill(x, lambda n, contiguous, _: Dn.normal(g, n, d, mean, std, contiguous), R.NORMAL_)


def uniform_(x, from_=0.0, to=1.0, *, generator=None):
    _target(x)
    from_, to = float(_number(from_)), float(_number(to))
    d = _floating(B.dtype_name(x.data.dtype), "check_uniform_bounds")
    top = float(numpy.finfo(d).max)
    for value, name in ((from_, "from"), (to, "to")):
        if not -top <= value <= top:
            fail(f"{name} is out of bounds for {CPP_TYPE_NAMES.get(d, d)}")
    if from_ > to:
        fail(f"uniform_ expects to return a [from, to) range, but found from={_g(from_)} > to={_g(to)}")
    if to - from_ > top:
        fail(f"uniform_ expects to-from <= std::numeric_limits<{torch_type_name(d)}>::max(), but found "
             f"to={_g(to)} and from={_g(from_)} which result in to-from to exceed the limit")
    g = chosen(generator)
    return _fill(x, lambda n, contiguous, _: Dn.uniform(g, n, d, from_, to), R.UNIFORM_)


def exponential_(x, lambd=1.0, *, generator=None):
    _target(x)
    lambd = float(_number(lambd))
    if not lambd > 0.0:
        fail(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    d = B.dtype_name(x.data.dtype)
    if B.kind(x.data.dtype) != "f":
        fail("Exponential distribution is a continuous probability distribution. dtype must be a floating point "
             f"but you specified {torch_type_name(d)}")
    g = chosen(generator)
    return _fill(x, lambda n, contiguous, _: Dn.exponential(g, n, d, lambd), R.EXPONENTIAL_)


def cauchy_(x, median=0.0, sigma=1.0, *, generator=None):
    _target(x)
    median, sigma = float(_number(median)), float(_number(sigma))
    if not sigma > 0.0:
        fail(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    d = B.dtype_name(x.data.dtype)
    if B.kind(x.data.dtype) != "f":
        fail("Cauchy distribution is a continuous probability distribution. dtype must be a floating point but "
             f"you specified {CPP_TYPE_NAMES.get(d, d)}")
    g = chosen(generator)
    return _fill(x, lambda n, contiguous, _: Dn.cauchy(g, n, d, median, sigma), R.CAUCHY_)


def bernoulli_(x, p=0.5, *, generator=None):
    _target(x, p)
    g = chosen(generator)
    d = B.dtype_name(x.data.dtype)
    if type(p) is Tensor:               # (a 0-d p too: PyTorch's tensor kernel, a float draw for a float p)
        p_dtype = B.dtype_name(p.data.dtype)
        if p_dtype not in ("float16", "float32", "float64"):
            _not_for(p_dtype, "bernoulli_tensor_cpu_p_")
        return _fill(x, lambda n, contiguous, along: Dn.bernoulli(g, along, p_dtype).astype(d),
                     R.BERNOULLI_TENSOR_, p, along=_expanded(p, shape_of(x)))
    if not 0 <= p <= 1:
        fail(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    return _fill(x, lambda n, contiguous, _: Dn.bernoulli_scalar(g, n, p).astype(d), R.BERNOULLI_)


def _expanded(p, shape):
    """p broadcast to x's shape, as expand_inplace does (PyTorch's words when it cannot)."""
    have = shape_of(p)
    for i in range(1, len(have) + 1):
        target = shape[-i] if i <= len(shape) else None
        if target is None or have[-i] not in (1, target):
            fail(f"The expanded size of the tensor ({-1 if target is None else target}) must match the existing "
                 f"size ({have[-i]}) at non-singleton dimension {max(len(shape), len(have)) - i}.  Target sizes: "
                 f"[{', '.join(map(str, shape))}].  Tensor sizes: [{', '.join(map(str, have))}]", "shape")
    return numpy.broadcast_to(B.to_host(p.data), shape)


_RANDOM_FORMS = ("random_() received an invalid combination of arguments - got ({}), but expected one of:\n"
                 " * (*, torch.Generator generator = None)\n"
                 " * (int from, int to, *, torch.Generator generator = None)\n"
                 " * (int to, *, torch.Generator generator = None)\n")


def random_(x, *bounds, generator=None):
    """x.random_(): [0, the dtype's top]; x.random_(to); x.random_(from, to), to None: up to the dtype's top."""
    if len(bounds) > 2 or bounds[:1] == (None,) or any(v is not None and not is_int(v) for v in bounds):
        fail(_RANDOM_FORMS.format(_python_types(*bounds)), "type")
    _target(x)
    g = chosen(generator)
    d = B.dtype_name(x.data.dtype)
    if not bounds:
        return _fill(x, lambda n, contiguous, _: Dn.any_integers(g, n, d), R.RANDOM_)
    op = R.RANDOM_TO_ if len(bounds) == 1 else R.RANDOM_FROM_TO_
    if len(bounds) == 1:
        low, span = between(d, 0, int(bounds[0]))
    elif bounds[1] is None:
        low, span = up_to_max(d, int(bounds[0]))
    else:
        low, span = between(d, int(bounds[0]), int(bounds[1]))
    return _fill(x, lambda n, contiguous, _: Dn.integers(g, n, d, low, span), op)
