"""PyTorch's argument checks, shared by the functions: dims, sizes,
broadcasting, the element limit, and PyTorch's words when they fail."""
from __future__ import annotations

from ..engine.backend import host_types, kind, tolist, xp
from ..engine.tensor import Tensor, data
from ..errors import AgcliError, python_type_name
from ..state import state


def shape_of(x) -> tuple:
    return tuple(getattr(x, "shape", ()))


def ndim_of(x) -> int:
    return len(shape_of(x))


def fail(message: str, kind: str = "runtime"):
    raise AgcliError(message, kind=kind)


def size_required(args, name: str, param: str = "size"):
    """PyTorch's parser on a size function given no size at all (torch.zeros(), x.reshape()): its TypeError."""
    if not args:
        fail(f'{name}() missing 1 required positional arguments: "{param}"', "type")


def is_int(v) -> bool:
    """An integer index, dim or size (Python's or an array's scalar), not a bool."""
    return not isinstance(v, bool) and hasattr(v, "__index__")


def dim_index(dim, ndim: int) -> int:
    """Wrap a negative dim; PyTorch's error when out of range."""
    if not is_int(dim):
        fail(f"dim must be an integer, got {dim!r}", "type")
    top = max(ndim, 1)
    if not -top <= dim < top:
        fail(f"Dimension out of range (expected to be in range of [{-top}, {top - 1}], but got {dim})",
             "index")       # an IndexError in PyTorch
    return int(dim) % top


def dims_tuple(dim, ndim: int) -> tuple:
    """Reduction dims, checked and wrapped; a 0-d tensor's one dim (0 or -1) is none to reduce."""
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    out = tuple(dim_index(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        twice = next(d for i, d in enumerate(out) if d in out[:i])
        fail(f"dim {twice} appears multiple times in the list of dims", "shape")
    return out if ndim else ()


def size_tuple(args, name=None) -> tuple:
    """`ones(2, 3)`, `ones((2, 3))` and `ones([2, 3])` all mean shape (2, 3); `name`: the function
    whose argument parser's words a size that is not one says (`ones`, `randn`, ...)."""
    given = len(args)       # (0 for one sequence)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args, given = tuple(args[0]), 0
    if len(args) == 1 and type(args[0]) is Tensor:
        args = tuple(int(v) for v in tolist(xp.reshape(args[0].data, (-1,))))
    sizes = []
    for position, a in enumerate(args, 1):
        if type(a) is Tensor and a.data.ndim == 0 and kind(a.data.dtype) in "iu":
            a = int(a.data)             # (a 0-d integer tensor is an int to the parser)
        if not is_int(a):
            _not_a_size(a, name, position, given)
        sizes.append(int(a))
    return tuple(sizes)


def _not_a_size(value, name, position, given):
    """PyTorch's parser's words: for a first bad size they depend on how the sizes came (one number,
    numbers, a sequence); for a later one, its position from 1."""
    if name is None:
        fail(f"sizes must be integers, got {value!r}", "type")
    got = python_type_name(value)
    if position > 1:
        fail(f"{name}(): argument 'size' failed to unpack the object at pos {position} with error "
             f"\"type must be tuple of ints,but got {got}\"", "type")
    if given == 1:
        fail(f"{name}(): argument 'size' (position 1) must be tuple of ints, not {got}", "type")
    if given > 1:
        fail(f"{name}() takes 1 positional argument but {given} were given", "type")
    fail(f"{name}(): argument 'size' (position 1) must be tuple of ints, but found element of type {got} at pos 0",
         "type")


def broadcast_shapes(a: tuple, b: tuple) -> tuple:
    """Broadcast two shapes; PyTorch's message when they do not fit."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        m = a[-i] if i <= len(a) else 1
        n = b[-i] if i <= len(b) else 1
        if m != n and m != 1 and n != 1:
            fail(f"The size of tensor a ({m}) must match the size of tensor b ({n}) "
                 f"at non-singleton dimension {max(len(a), len(b)) - i}", "shape")
        out.append(n if m == 1 else m)
    return tuple(reversed(out))


def numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def size_of(v) -> int:
    return getattr(data(v), "size", 1)


def check_size(shape, what="tensor"):
    """PyTorch's check of a new tensor's shape, and agcli's element limit."""
    n = numel(shape)
    if n > state.max_elements:
        raise AgcliError(f"{what} of shape {tuple(shape)} has {n:,} elements, over the limit of "
                         f"{state.max_elements:,}", kind="limit",
                         hint="raise the limit with --max-elements N if you mean it")
    for s in shape:
        if s < 0:
            raise AgcliError(f"Trying to create tensor with negative dimension {s}: {list(shape)}",
                             kind="shape")
    return tuple(shape)


def refuse_huge(shape_fn, product):
    """Refuse a result over --max-elements before allocating it (broadcasting
    and products can make results far larger than their operands)."""
    if product > state.unchecked_up_to:      # only large operands pay for the exact check
        check_size(shape_fn())


# PyTorch's scalar types by their C++ names, as some of its messages print them.
CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
                  "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def dims_text(shape):
    return "x".join(str(n) for n in shape)


def requires_grad(x) -> bool:
    return type(x) is Tensor and x.requires_grad


def _marked(v, ok):
    return type(v).__name__ if ok else f"!{type(v).__name__}!"


def narrow_refused(dim, start, length):
    """PyTorch's TypeError for narrow() given a float start or length (len(x) / 2)."""
    from ..engine.tensor import Tensor
    names = ", ".join(type(v).__name__ for v in (dim, start, length))
    why = "      didn't match because some of the arguments have invalid types: (int, {}, {})\n"
    length_mark = _marked(length, is_int(length))
    fail(f"narrow() received an invalid combination of arguments - got ({names}), but expected one of:\n"
         f" * (int dim, Tensor start, int length)\n{why.format(_marked(start, type(start) is Tensor), length_mark)}"
         f" * (int dim, int start, int length)\n{why.format(_marked(start, is_int(start)), length_mark)}", "type")



def narrow_start(start, length):
    """narrow()'s start as an int: its overload narrow.Tensor takes a 0-d integer tensor's item."""
    if type(start) is Tensor and type(length) is not Tensor and is_int(length):
        if start.data.ndim or kind(start.data.dtype) not in "iu":
            fail("start must be an 0-dim integral Tensor.")
        return int(start.data)
    return start


def tensors_only(name, **arguments):
    """PyTorch's TypeError for an argument that must be a tensor and is not (by position)."""
    for position, (param, v) in enumerate(arguments.items(), 1):
        if type(v) is not Tensor:
            got = f"numpy.{type(v).__name__}" if isinstance(v, host_types) else python_type_name(v)
            fail(f"{name}(): argument '{param}' (position {position}) must be Tensor, not {got}", "type")
