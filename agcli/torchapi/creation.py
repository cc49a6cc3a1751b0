"""Tensors made from nothing: literals, ones, zeros, arange, ... (random ones: sampling.py)

They follow PyTorch's dtype rules (integers stay int64, floats take the
default float dtype) and refuse a tensor over the element limit before
allocating it.
"""
from __future__ import annotations

import numpy

from ..engine import backend as B
from ..engine.backend import asarray, astype, copy, dtype_name, from_host, host_types, kind, ndarray, xp
from ..engine.forward import tangent_of
from ..engine.ops import shapes as S
from ..engine.ops.shapes import to_dtype
from ..engine.tensor import Tensor, apply, data
from ..errors import AgcliError, python_type_name
from ..state import state
from .checks import check_size, fail, is_int, shape_of, size_required, size_tuple
from .operands import stored
from .devices import placement
from .layouts import laid_out, like_axes
from .dtypes import DType, dtype_of, result_type  # noqa: F401  (DType: what torch.float32 is, made here too)


def _float(dtype):
    return dtype_of(dtype) or state.default_float


def _literal_array(value, dtype=None):
    """A nested list of numbers/bools/tensors -> array with PyTorch's dtype rule
    (or in `dtype`, built in it directly: 1/3 as float64 is not float32's 1/3)."""
    numpy_scalars, python_kinds, huge = [], set(), []     # NumPy's scalars keep their dtype (np.float64(1) is float64)

    def shape_and_kind(v, depth, leading=True):
        if isinstance(v, (list, tuple)):
            if not v:
                return (0,), "f"
            parts = [shape_and_kind(x, depth + 1, leading and i == 0) for i, x in enumerate(v)]
            first = parts[0][0]
            for s, _ in parts[1:]:
                if len(s) != len(first):        # a list where numbers are, or a number where lists are
                    raise AgcliError(_ragged(len(s) < len(first), "f" in {k for _, k in parts}), kind="type")
                if s != first:
                    raise AgcliError(f"expected sequence of length {first[0] if first else 0} "
                                     f"at dim {depth + 1} (got {s[0] if s else 0})", kind="value")   # ValueError
            kinds = {k for _, k in parts}
            return (len(v),) + first, "f" if "f" in kinds else ("i" if "i" in kinds else "b")
        if type(v) is Tensor:
            return v.shape, kind(v.dtype)
        if isinstance(v, numpy.generic) and v.dtype.kind in "biuf":
            numpy_scalars.append(v.dtype)
            return (), "i" if v.dtype.kind == "u" else v.dtype.kind
        if type(v) is str:      # (PyTorch reads the first elements' sizes first, and a text is a sequence)
            if leading and depth:
                raise AgcliError("too many dimensions 'str'", kind="value")
            raise AgcliError("new(): invalid data type 'str'", kind="type")
        python_kinds.add(type(v))
        if isinstance(v, (bool, numpy.bool_)):
            return (), "b"
        if isinstance(v, (int, numpy.integer)):
            if not -2 ** 63 <= v < 2 ** 63:
                huge.append(v)
            return (), "i"
        if isinstance(v, (float, numpy.floating)):
            return (), "f"
        raise AgcliError(f"Could not infer dtype of {python_type_name(v)}")

    shape, found = shape_and_kind(value, 0)
    check_size(shape)
    explicit = dtype is not None
    if dtype is None:
        dtype = {"f": state.default_float, "i": "int64", "u": "int64", "b": "bool"}[found]
        if numpy_scalars:       # PyTorch promotes each element's dtype: the widest of the top kind
            top = [d for d in numpy_scalars if (d.kind if d.kind != "u" else "i") == found]
            python = {"f": float, "i": int, "b": bool}[found] in python_kinds
            dtype = numpy.result_type(*top, *([dtype] if python or not top else [])).name
    if huge and B.kind(B.dtype(dtype)) in "iub":     # (PyTorch reads each int into an int64 first)
        raise AgcliError("Overflow when unpacking long long", kind="value")
    if _holds_tensors(value):
        return _stacked(value, dtype)
    plain = _plain(value)
    if explicit and B.kind(B.dtype(dtype)) in "iu":     # (PyTorch's check of each number; -1 into uint8 is 255)
        plain = _stored_each(plain, B.dtype(dtype))
    return asarray(plain, dtype=dtype)


def _stored_each(v, dtype):
    if isinstance(v, list):
        return [_stored_each(x, dtype) for x in v]
    return stored(v, dtype, B.dtype_name(dtype))


def _plain(v):
    """Numbers only (NumPy's scalars as Python's: a device takes no host values)."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v.item() if isinstance(v, numpy.generic) else v


def _needs_grad(v) -> bool:
    if type(v) is Tensor:       # (a dual tensor's tangent must flow through the literal too)
        return v.requires_grad or state.dual is not None and tangent_of(v) is not None
    return isinstance(v, (list, tuple)) and any(_needs_grad(x) for x in v)


def _stack_literal(v):
    """[a, b] with a or b requiring grad: torch.stack of the parts (numbers as tensors)."""
    parts = [_stack_literal(x) if isinstance(x, (list, tuple)) else x if type(x) is Tensor else as_tensor(x)
             for x in v]
    if len({p.data.shape for p in parts}) > 1:
        raise AgcliError(f"expected sequence of length {len(parts[0].data)} at dim 1 (got {len(parts[1].data)})"
                         if parts[0].data.ndim else "a tensor literal mixes numbers and lists", kind="value")
    common = result_type(*parts)
    return apply(S.STACK, *[p if p.data.dtype == common else to_dtype(p, common) for p in parts], dim=0)


def _holds_tensors(v) -> bool:
    return type(v) is Tensor or isinstance(v, (list, tuple)) and any(_holds_tensors(x) for x in v)


def _stacked(v, dtype):
    """A literal holding tensors ([x, y], [[1, 2], t]): its parts stacked on the device."""
    if isinstance(v, (list, tuple)):
        if not v:
            return asarray([], dtype=dtype)
        return xp.stack([_stacked(x, dtype) for x in v])
    return astype(v.data, dtype) if type(v) is Tensor else asarray(_plain(v), dtype=dtype)


def tensor(data, dtype=None, requires_grad=False, device=None):
    _bool_argument(requires_grad, "tensor")
    if isinstance(data, range):     # (a sequence of ints to PyTorch, as a list)
        data = list(data)
    if type(data) is Tensor or isinstance(data, (ndarray, *host_types)):   # a copy; its dtype is kept
        array = copy(data.data if type(data) is Tensor else data if type(data) is ndarray else from_host(data))
        if dtype is not None:
            array = astype(array, dtype_of(dtype))
    else:
        array = _literal_array(data, dtype_of(dtype))
    return _leaf(array, requires_grad, device, data)


def _bool_argument(value, function):
    """PyTorch's argument parser on a function of one signature: requires_grad is a bool."""
    if type(value) is not bool:
        raise AgcliError(f"{function}(): argument 'requires_grad' must be bool, not {type(value).__name__}",
                         kind="type")


def _leaf(array, requires_grad, device=None, like=None):
    """A new tensor on `device` (default: like's, or the CPU), PyTorch's checks on the way."""
    t = Tensor(array, device=placement(device) if device is not None else like.device if type(like) is Tensor
               else "cpu")
    if requires_grad:
        if kind(array.dtype) != "f":
            raise AgcliError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _filled(fill, size, dtype, requires_grad, device, name):
    shape = check_size(size_tuple(size, name))
    return _leaf(B.full(shape, fill, dtype=_float(dtype)), requires_grad, device)


def ones(*sizes, size=None, dtype=None, requires_grad=False, device=None):
    _bool_argument(requires_grad, "ones")
    size = sizes if size is None else (size,)
    size_required(size, "ones")
    return _filled(1, size, dtype, requires_grad, device, "ones")


def zeros(*sizes, size=None, dtype=None, requires_grad=False, device=None, _name="zeros"):
    _bool_argument(requires_grad, _name)
    size = sizes if size is None else (size,)
    size_required(size, _name)
    if _name == "zeros" and any(is_int(s) and s < 0 for s in size_tuple(size, _name)):   # (zeros words it apart)
        raise AgcliError("zeros: Dimension size must be non-negative.")
    return _filled(0, size, dtype, requires_grad, device, _name)


def empty(*sizes, size=None, dtype=None, requires_grad=False, device=None):
    """torch.empty: PyTorch leaves the memory as it was; agcli gives zeros (a program fills it first)."""
    return zeros(*sizes, size=size, dtype=dtype, requires_grad=requires_grad, device=device, _name="empty")


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    _bool_argument(requires_grad, "full")
    if type(fill_value) is Tensor and fill_value.data.ndim == 0:
        fill_value = B.item(fill_value.data)
    if not isinstance(fill_value, (bool, int, float)) and not (type(fill_value) in B.host_types and not
                                                                getattr(fill_value, "ndim", 1)):
        raise AgcliError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                         f"{'Tensor' if type(fill_value) is Tensor else type(fill_value).__name__}", kind="type")
    if dtype is None and isinstance(fill_value, bool):
        dtype = "bool"
    elif dtype is None and isinstance(fill_value, int):
        dtype = "int64"
    shape = check_size(size_tuple((size,)))
    dtype = _float(dtype)
    return _leaf(B.full(shape, stored(fill_value, B.dtype(dtype)), dtype=dtype), requires_grad, device)


def _like(x, fill, dtype, requires_grad, device, function, shape=None):
    """A new tensor filled with `fill`, in x's dtype and on its device unless told (of x's shape, laid out as x
    is, as PyTorch's preserve_format: a fill in place then follows x's memory order; or of `shape`)."""
    _bool_argument(requires_grad, function)
    d = dtype_of(dtype) or dtype_name(data(x).dtype)
    axes = like_axes(x.data) if shape is None and type(x) is Tensor else None
    shape = shape_of(x) if shape is None else check_size(size_tuple(shape))
    if axes is not None:
        shape = tuple(shape[a] for a in axes)
    t = _leaf(B.full(shape, stored(fill, B.dtype(d)), dtype=d), requires_grad, device, x)
    return t if axes is None else laid_out(t, axes, x.data)


def new_zeros(x, *size, dtype=None, requires_grad=False, device=None, _name="new_zeros"):
    size_required(size, _name)
    return _like(x, 0, dtype, requires_grad, device, _name, size)


def new_empty(x, *size, dtype=None, requires_grad=False, device=None):
    """x.new_empty: zeros, as torch.empty here."""
    return new_zeros(x, *size, dtype=dtype, requires_grad=requires_grad, device=device, _name="new_empty")


def new_ones(x, *size, dtype=None, requires_grad=False, device=None):
    size_required(size, "new_ones")
    return _like(x, 1, dtype, requires_grad, device, "new_ones", size)


def new_full(x, size, fill_value, dtype=None, requires_grad=False, device=None):
    return _like(x, fill_value, dtype, requires_grad, device, "new_full", (size,))


def new_tensor(x, data_, dtype=None, requires_grad=False, device=None):
    """x.new_tensor(data): a tensor of data in x's dtype (unless told) and on its device."""
    t = tensor(data_, dtype=dtype or DType(dtype_name(data(x).dtype)), requires_grad=requires_grad)
    return _leaf(t.data, requires_grad, device, x)


def ones_like(input, dtype=None, requires_grad=False, device=None):
    return _like(input, 1, dtype, requires_grad, device, "ones_like")


def zeros_like(input, dtype=None, requires_grad=False, device=None):
    return _like(input, 0, dtype, requires_grad, device, "zeros_like")


def empty_like(input, dtype=None, requires_grad=False, device=None):
    return _like(input, 0, dtype, requires_grad, device, "empty_like")


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None):
    return _like(input, fill_value, dtype, requires_grad, device, "full_like")


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    if not is_int(n) or m is not None and not is_int(m):
        _not_int("eye", n, m, forms=("(int n, ", "(int n, int m, "), alone="n" if m is None else None)
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if is_int(v) and v < 0:
            raise AgcliError(f"{name} must be greater or equal to 0, got {v}")
    check_size((n, m))
    return _leaf(B.eye(n, m, dtype=_float(dtype)), requires_grad, device)


def _not_int(name, *args, forms=None, alone=None):
    """PyTorch's TypeError for a float where an int goes (a size as len(x) / 2): one argument's words
    (`alone`: its name) or, with several overloads, the invalid-combination list."""
    if alone is not None:
        fail(f"{name}(): argument '{alone}' (position 1) must be int, not {type(args[0]).__name__}", "type")
    got = ", ".join(type(a).__name__ for a in args if a is not None)
    shown = "".join(f" * {form}{_CREATION_KEYWORDS}\n" for form in forms)
    fail(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n{shown}", "type")


_CREATION_KEYWORDS = ("*, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
                      "torch.device device = None, bool pin_memory = False, bool requires_grad = False)")


def _steps_forms(extra=""):
    return tuple(f"({a} start, {b} end, int steps, {extra}" for a, b in (
        ("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"), ("Number", "Number")))


# (end and steps default to None only so that a call without them gets PyTorch's words, not Python's)
def linspace(start, end=None, steps=None, dtype=None, requires_grad=False, device=None):
    if end is None or not is_int(steps):
        _not_int("linspace", start, end, steps, forms=_steps_forms())
    if is_int(steps) and steps < 0:
        raise AgcliError("number of steps must be non-negative")
    check_size((steps,))
    return _leaf(from_host(_linspace(start, end, steps, _float(dtype))), requires_grad, device)


def logspace(start, end=None, steps=None, base=10.0, dtype=None, requires_grad=False, device=None):
    """base ** (steps evenly spaced from start to end): PyTorch's CPU kernel, each power in double
    from the nearer end (start and end, and their difference, in the output's dtype first)."""
    if end is None or steps is None:
        _not_int("logspace", start, end, steps, forms=_steps_forms("float base = 10.0, "))
    if is_int(steps) and steps < 0:
        raise AgcliError("number of steps must be non-negative")
    check_size((steps,))
    d = numpy.dtype(_float(dtype))
    s, e = d.type(start), d.type(end)
    i = numpy.arange(steps, dtype=numpy.float64)
    step = float(e - s) / (steps - 1) if steps > 1 else 0.0
    exponents = numpy.where(i < steps // 2, float(s) + step * i, float(e) - step * (steps - 1 - i))
    if steps == 1:
        exponents = numpy.full(1, float(s))
    return _leaf(from_host(numpy.power(float(base), exponents).astype(d)), requires_grad, device)


def _linspace(start, end, steps, dtype):
    """PyTorch's linspace: the first half stepped from start, the second from end,
    in the output's float dtype (double for integers), so both ends are exact."""
    d = numpy.dtype(dtype)
    work = d if d.kind == "f" else numpy.dtype("float64")
    if steps <= 1:
        return numpy.full(steps, start, dtype=d)
    s, e = work.type(start), work.type(end)
    step = (e - s) / work.type(steps - 1)
    i = numpy.arange(steps)
    if work in (numpy.float32, numpy.float64):      # PyTorch's kernel: start + step * i in one FMA
        from .cpu_math import fma32, fma64          # (measured exact against PyTorch 2.13)
        fma = fma32 if work == numpy.float32 else fma64
        up = fma(numpy.full(steps, step, work), i.astype(work), numpy.full(steps, s, work))
        down = fma(numpy.full(steps, -step, work), (steps - 1 - i).astype(work), numpy.full(steps, e, work))
    else:
        up, down = s + step * i.astype(work), e - step * (steps - 1 - i).astype(work)
    return numpy.where(i < steps // 2, up, down).astype(d)


def _ragged(number_among_lists: bool, floats: bool) -> str:
    """PyTorch's TypeError for a list whose elements are not all lists or all numbers."""
    if number_among_lists:
        return "not a sequence"
    return "must be real number, not list" if floats else "'list' object cannot be interpreted as an integer"


def as_tensor(value) -> Tensor:
    """Any value an expression can produce, as a tensor (numbers, lists, tensors).

    A list holding tensors that require grad is stacked (StackBackward0), so
    the gradient reaches them: `[a, b] * c` depends on a and b."""
    if type(value) is Tensor:
        return value
    if isinstance(value, (list, tuple)):
        if _needs_grad(value):
            return _stack_literal(value)
        return Tensor(_literal_array(value))
    if isinstance(value, bool):
        return Tensor(asarray(value, dtype="bool"))
    if isinstance(value, int):
        return Tensor(asarray(value, dtype="int64"))
    if isinstance(value, float):
        return Tensor(asarray(value, dtype=state.default_float))
    if type(value) is ndarray:
        return Tensor(value)
    if isinstance(value, host_types):        # a NumPy value (what .numpy() gave)
        return Tensor(from_host(value))
    raise AgcliError(f"expected a tensor, got {type(value).__name__}", kind="type")


def legacy(dtype=None):
    """torch.Tensor(data), torch.FloatTensor(data), ...; with sizes instead of data,
    a tensor of that shape (PyTorch leaves its values uninitialised: here zeros).
    dtype None: the default float, as torch.Tensor."""
    def construct(*args):
        if len(args) == 1 and (isinstance(args[0], (list, tuple)) or type(args[0]) is Tensor):
            return tensor(args[0], dtype=dtype or state.default_float)
        return zeros(*(args or (0,)), dtype=dtype or state.default_float, _name="new")    # (no sizes: empty 1-d)
    return construct
