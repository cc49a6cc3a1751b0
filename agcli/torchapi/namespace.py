"""The names an expression can use: functions, methods, attributes, constants.

`torch.xxx`, `functions.xxx` and `torch.nn.functional.xxx` all resolve to FUNCTIONS,
so expressions pasted from PyTorch code work unchanged.
"""
from __future__ import annotations

import math

from . import creation as C
from . import ranges
from . import sampling as RS
from . import devices as D
from . import functions
from . import norms
from .size import Size
from . import logical as L
from . import autograd
from .dtypes import STRIDED
from .layouts import converted
from ..errors import AgcliError
from ..engine import backend as B
from ..engine.layouts import chosen_strides, laid_out, row_major
from ..engine.ops.layout import is_contiguous
from ..engine.ops.shapes import to_dtype
from ..engine.tensor import Tensor, version_of

# Each name says whether a batch may replay a recording of an expression that
# uses it (engine/replay.py; language/replay_safety.py reads REPLAY):
SAFE = "safe"          # its output is a recorded op of its inputs
LITERAL = "literal"    # it makes a constant: safe when every argument is a literal
NEVER = "never"        # its output can depend on values in ways no op records (item, rand, detach, ...)

REPLAY: dict = {}
FUNCTIONS: dict = {}     # torch.NAME(...), functions.NAME(...), NAME(...)
METHODS: dict = {}       # x.NAME(...): METHODS[NAME](x, ...)
ATTRIBUTES: dict = {}    # x.NAME


def declare(table, replay, entries):
    for name, value in entries.items():
        table[name] = value
        if REPLAY.setdefault(name, replay) != replay:
            raise ValueError(f"{name!r} is declared both {REPLAY[name]} and {replay} for replays")


_COMPUTED = {
    "exp": functions.exp, "log": functions.log, "sqrt": functions.sqrt, "sin": functions.sin, "cos": functions.cos, "tan": functions.tan, "tanh": functions.tanh,
    "sigmoid": functions.sigmoid, "relu": functions.relu, "abs": functions.abs, "neg": functions.neg, "negative": functions.neg,
    "reciprocal": functions.reciprocal,
    "add": functions.add, "sub": functions.subtract, "subtract": functions.subtract, "mul": functions.mul, "multiply": functions.mul,
    "remainder": functions.remainder, "div": functions.divide, "divide": functions.divide, "true_divide": functions.divide, "pow": functions.pow,
    "clamp": functions.clamp, "clip": functions.clamp, "where": functions.where, "maximum": functions.maximum, "minimum": functions.minimum,
    "sum": functions.sum, "mean": functions.mean, "max": functions.max, "min": functions.min, "amax": functions.amax, "amin": functions.amin, "norm": functions.norm,
    "logsumexp": functions.logsumexp,
    "matmul": functions.matmul, "mm": functions.mm, "mv": functions.mv, "bmm": functions.bmm, "dot": functions.dot, "inner": functions.inner,
    "outer": functions.outer, "ger": functions.outer,
    "reshape": functions.reshape, "flatten": functions.flatten, "t": functions.t, "transpose": functions.transpose, "swapaxes": functions.transpose,
    "permute": functions.permute, "squeeze": functions.squeeze, "unsqueeze": functions.unsqueeze, "select": functions.select,
    "softmax": functions.softmax, "log_softmax": functions.log_softmax,
    "binary_cross_entropy_with_logits": functions.binary_cross_entropy_with_logits,
    "mse_loss": functions.mse_loss, "cross_entropy": functions.cross_entropy, "nll_loss": functions.nll_loss,
}
declare(FUNCTIONS, SAFE, _COMPUTED)
declare(METHODS, SAFE, _COMPUTED)
declare(FUNCTIONS, SAFE, {"rsub": functions.rsub})     # (a function only: Tensor has no rsub method)
declare(FUNCTIONS, SAFE, {"add": functions.add_function, "mul": functions.multiply, "multiply": functions.multiply})
declare(FUNCTIONS, SAFE, {"cat": functions.cat, "concat": functions.cat, "concatenate": functions.cat, "stack": functions.stack,
                           "ones_like": C.ones_like, "zeros_like": C.zeros_like, "empty_like": C.empty_like})
declare(FUNCTIONS, LITERAL, {"tensor": C.tensor, "as_tensor": C.tensor, "ones": C.ones, "zeros": C.zeros, "empty": C.empty,
                              "full": C.full, "eye": C.eye, "arange": ranges.arange, "linspace": C.linspace})
declare(FUNCTIONS, NEVER, {"detach": functions.detach, "full_like": C.full_like})
# PyTorch's random numbers (torchapi/sampling.py): a replay would repeat the first draw.
declare(FUNCTIONS, NEVER, {name: getattr(RS, name) for name in (
    "rand", "randn", "rand_like", "randn_like", "randint", "randint_like", "randperm", "normal", "bernoulli")})
declare(METHODS, NEVER, {"bernoulli": RS.bernoulli})
declare(METHODS, NEVER, {"detach": functions.detach})
declare(METHODS, SAFE, {"masked_fill": functions.masked_fill})
declare(FUNCTIONS, SAFE, {"masked_fill": functions.masked_fill})
declare(FUNCTIONS, SAFE, {"log1p": functions.log1p, "einsum": functions.einsum, "softplus": functions.softplus,
                           "linear": functions.linear, "binary_cross_entropy": functions.binary_cross_entropy})
declare(METHODS, SAFE, {"log1p": functions.log1p})
declare(FUNCTIONS, SAFE, {"clamp_min": functions.clamp_min, "clamp_max": functions.clamp_max})   # torch.clamp_min(x, 1)
# Arguments (name: position) whose values reach a SAFE function's output outside its recorded ops: a call
# given one is not replayed (language/replay_safety.py). nll_loss keeps its class weights with the op;
# cross_entropy's label smoothing counts the targets that are not ignored.
VALUE_ARGUMENTS = {"nll_loss": {"weight": 2}, "cross_entropy": {"weight": 2, "label_smoothing": 7}}
# torch.nn.functional's losses and activations (torchapi/nn_losses.py, nn.py): recorded ops of their inputs
declare(FUNCTIONS, SAFE, {name: getattr(functions, name) for name in (
    "l1_loss", "smooth_l1_loss", "huber_loss", "leaky_relu", "elu", "celu", "selu", "silu", "gelu", "logsigmoid",
    "softmin", "normalize", "hardtanh", "relu6", "hardsigmoid", "hardswish", "threshold", "softshrink", "hardshrink",
    "mish", "softsign", "tanhshrink", "cosine_similarity")})     # (F.pad: nn_extras.py's, with its modes)
# Comparisons and rounding: recorded ops of their inputs (comparisons give bools, without a gradient).
_COMPARED = {"eq": functions.eq, "ne": functions.ne, "lt": functions.lt, "le": functions.le, "gt": functions.gt,
             "ge": functions.ge, "greater": functions.gt, "less": functions.lt, "greater_equal": functions.ge,
             "less_equal": functions.le, "not_equal": functions.ne, "floor_divide": functions.floor_divide, "fmod": functions.fmod,
             "round": functions.round, "floor": functions.floor, "ceil": functions.ceil, "trunc": functions.trunc,
             "fix": functions.trunc, "frac": functions.frac, "sign": functions.sign, "sgn": functions.sgn}
declare(FUNCTIONS, SAFE, _COMPARED)
declare(METHODS, SAFE, _COMPARED)
declare(METHODS, SAFE, {"repeat": functions.repeat})     # (flip and cumprod: _FLIPS, _STATISTICS below)
_MOVES = {"narrow": functions.narrow, "movedim": functions.movedim, "moveaxis": functions.movedim,
          "unflatten": functions.unflatten, "tile": functions.tile, "roll": functions.roll}
declare(FUNCTIONS, NEVER, {"meshgrid": functions.meshgrid, "unique": functions.unique})
declare(METHODS, NEVER, {"unique": functions.unique})    # (tuples; values)
declare(FUNCTIONS, SAFE, {**_MOVES, "hstack": functions.hstack, "vstack": functions.vstack})
declare(METHODS, SAFE, _MOVES)
# index_select's index and masked_select's mask are parameters of the op recorded: a replay would keep them
declare(FUNCTIONS, NEVER, {"masked_select": functions.masked_select})     # (index_select: _WRITES below)
declare(METHODS, NEVER, {"masked_select": functions.masked_select})
_ELEMENTARY = {name: getattr(functions, name) for name in (
    "log2", "log10", "exp2", "expm1", "rsqrt", "sinh", "cosh", "asin", "acos", "atan", "erf", "erfc", "asinh", "acosh",
    "atanh")}
_ELEMENTARY.update({"arcsin": functions.asin, "arccos": functions.acos, "arctan": functions.atan,
                    "arcsinh": functions.asinh, "arccosh": functions.acosh, "arctanh": functions.atanh,
                    "absolute": functions.abs})
declare(FUNCTIONS, SAFE, {**_ELEMENTARY, "broadcast_to": lambda input, size: functions.expand(input, size)})
declare(METHODS, SAFE, {**_ELEMENTARY, "broadcast_to": lambda input, *sizes, size=None:       # (x.broadcast_to(2, 3)
                         functions.expand(input, size if size is not None else sizes[0] if len(sizes) == 1 else sizes)})
_TRIANGLES = {"tril": functions.tril, "triu": functions.triu, "diag": functions.diag}
declare(FUNCTIONS, SAFE, _TRIANGLES)
declare(METHODS, SAFE, _TRIANGLES)
# topk and median's values are recorded ops (their indices recomputed with them, as max(dim)'s are)
declare(FUNCTIONS, SAFE, {"topk": functions.topk, "median": functions.median})
declare(METHODS, SAFE, {"topk": functions.topk, "median": functions.median})
declare(FUNCTIONS, SAFE, {"logcumsumexp": functions.logcumsumexp})
declare(METHODS, SAFE, {"logcumsumexp": functions.logcumsumexp})
declare(FUNCTIONS, NEVER, {"argsort": functions.argsort})
declare(METHODS, NEVER, {"argsort": functions.argsort})
# split and chunk (and their unsafe_ kin) give a tuple of tensors: no replay
_PIECES = {n: getattr(functions, n) for n in "split chunk unsafe_split unsafe_chunk unsafe_split_with_sizes".split()}
declare(FUNCTIONS, NEVER, _PIECES)
declare(METHODS, NEVER, _PIECES)
# Indices and counts of nonzero elements, contiguity: no gradient, read from the values.
declare(FUNCTIONS, NEVER, {"nonzero": functions.nonzero, "count_nonzero": functions.count_nonzero,
                            "argwhere": lambda input: functions.nonzero(input)})
declare(METHODS, NEVER, {"nonzero": functions.nonzero, "count_nonzero": functions.count_nonzero,
                          "argwhere": lambda input: functions.nonzero(input),
                          "is_contiguous": lambda input, memory_format=None: is_contiguous(functions.data(input))})
declare(FUNCTIONS, LITERAL, {"empty": C.empty, "logspace": C.logspace})
# prod, std, var, cumsum, trace and diagonal's outputs are recorded ops; so are sort's
# values (its indices are recomputed with them, as max(dim)'s are).
_STATISTICS = {"prod": functions.prod, "std": functions.std, "var": functions.var, "cumsum": functions.cumsum,
               "cumprod": functions.cumprod, "sort": functions.sort, "trace": functions.trace, "diagonal": functions.diagonal}
declare(FUNCTIONS, SAFE, _STATISTICS)
declare(METHODS, SAFE, _STATISTICS)
# PyTorch's argument parser takes NumPy's names for `dim` and `keepdim` too, in the
# functions it binds from C++: these (x.sum(axis=0, keepdims=True); not F.softmax, a
# Python function). Lowering renames them (language/calls.py).
NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim"}
TAKES_NUMPY_NAMES = frozenset(("sum", "mean", "max", "min", "amax", "amin", "logsumexp", "argmax", "argmin",
                               "prod", "std", "var", "cumsum", "cumprod", "sort", "all", "any"))
# Their index tensor is a parameter of the op recorded, not an input: a replay would keep the first one.
_WRITES = {"index_fill": functions.index_fill, "scatter": functions.scatter, "scatter_add": functions.scatter_add,
           "gather": functions.gather, "index_select": functions.index_select}
_FLIPS = {"flip": functions.flip, "fliplr": functions.fliplr, "flipud": functions.flipud}
declare(FUNCTIONS, SAFE, _FLIPS)
declare(METHODS, SAFE, _FLIPS)
declare(FUNCTIONS, NEVER, _WRITES)
declare(METHODS, NEVER, _WRITES)
_ARGS = {"argmax": functions.argmax, "argmin": functions.argmin}
declare(FUNCTIONS, NEVER, _ARGS)
declare(METHODS, NEVER, _ARGS)
declare(FUNCTIONS, NEVER, {"unbind": functions.unbind})      # (a tuple of tensors: no replay)
# one_hot's shape comes from the values; kl_div's 'mean' warns, which a replay would not
declare(FUNCTIONS, NEVER, {"one_hot": functions.one_hot, "kl_div": functions.kl_div})
declare(FUNCTIONS, NEVER, {"embedding": functions.embedding})      # (its indices: a parameter of the op)
declare(METHODS, NEVER, {"unbind": functions.unbind})
declare(METHODS, SAFE, {"to": D.to, "cuda": D.cuda, "cpu": D.cpu})
declare(FUNCTIONS, NEVER, {"device": D.device})
declare(FUNCTIONS, LITERAL, {"Tensor": C.legacy(), "FloatTensor": C.legacy("float32"),
                              "DoubleTensor": C.legacy("float64"), "LongTensor": C.legacy("int64")})
declare(FUNCTIONS, NEVER, {"numel": lambda input: _numel(input), "is_tensor": lambda obj: type(obj) is Tensor,
                            "Size": lambda sizes=(): Size(int(s) for s in sizes)})


def _cast(name):
    """x.double(), x.long(), ...: a float result stays in the graph (ToCopyBackward0), as in PyTorch;
    integers and bools carry no gradient."""
    def cast(x):
        if B.dtype_name(x.data.dtype) == name:
            return x
        if name.startswith("float"):
            return to_dtype(x, B.dtype(name))
        return Tensor(converted(x.data, name))
    return cast




def _numel(x) -> int:
    """x.numel(), torch.numel(x), x.shape.numel()."""
    if isinstance(x, Size):
        n = 1
        for s in x:
            n *= s
        return n
    return int(functions.data(x).size)


def _size(x, dim=None):
    return Size(functions.shape_of(x)) if dim is None else functions.shape_of(x)[functions.dim_index(dim, functions.ndim_of(x))]


def _where_method(x, condition, y):
    return functions.where(condition, x, y)     # x.where(condition, y) keeps x where condition holds


def _expand_as(x, other):
    return functions.expand(x, functions.shape_of(other))


def _view_as(x, other):
    return functions.view(x, functions.shape_of(other))


def _reshape_as(x, other):
    return functions.reshape(x, functions.shape_of(other))


def _all(x, dim=None, keepdim=False):
    return _truth(B.xp.all, x, dim, keepdim)


def _any(x, dim=None, keepdim=False):
    return _truth(B.xp.any, x, dim, keepdim)


def _truth(reduce, x, dim, keepdim):
    """all/any: a bool tensor, but a uint8 one for uint8 input (PyTorch keeps that legacy)."""
    a = B.asarray(functions.data(x))
    dims = None if dim is None else functions.dims_tuple(dim, a.ndim) or None
    found = B.asarray(reduce(B.astype(a, "bool"), axis=dims if a.ndim else None, keepdims=bool(keepdim)))
    found = laid_out(row_major, found, (a,))        # (a reduction's result: row-major)
    return Tensor(B.astype(found, "uint8") if B.dtype_name(a.dtype) == "uint8" else found)


def _allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(B.xp.all(functions.isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def _isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor(functions.isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _equal(input, other, _position=2):
    if type(other) is not Tensor:       # (x.equal(y) counts from the method's first argument)
        raise AgcliError(f"equal(): argument 'other' (position {_position}) must be Tensor, not "
                         f"{type(other).__name__}", kind="type")
    a, b = functions.data(input), functions.data(other)
    return a.shape == b.shape and bool(B.xp.all(a == b))


# Tests of values: no gradient flows through them.
_TESTS = {"all": _all, "any": _any, "allclose": _allclose, "isclose": _isclose, "equal": _equal}
declare(FUNCTIONS, NEVER, _TESTS)
declare(METHODS, NEVER, {**_TESTS, "equal": lambda input, other: _equal(input, other, 1)})
declare(METHODS, SAFE, {
    "view": functions.view, "expand": functions.expand, "expand_as": _expand_as, "view_as": _view_as,
    "reshape_as": _reshape_as, "contiguous": functions.contiguous, "clamp_min": functions.clamp_min,
    "clamp_max": functions.clamp_max, "clone": functions.clone,
    "double": _cast("float64"),
})
declare(METHODS, NEVER, {
    "float": _cast("float32"), "long": _cast("int64"), "int": _cast("int32"), "bool": _cast("bool"),
    "item": autograd.item, "size": _size, "dim": functions.ndim_of, "numel": lambda x: _numel(x),
    "type": lambda x, dtype=None: _type(x, dtype),
})
# Tests of values and logic (bools without a gradient), and the new_* constructors of a tensor's kind.
_LOGICAL = {name: getattr(L, name) for name in (
    "isnan", "isinf", "isfinite", "signbit", "logical_and", "logical_or", "logical_xor", "logical_not")}
declare(FUNCTIONS, NEVER, _LOGICAL)
declare(METHODS, NEVER, {**_LOGICAL, **{name: getattr(C, name) for name in (
    "new_zeros", "new_ones", "new_full", "new_tensor", "new_empty")},
    "element_size": lambda x: B.itemsize(x.data.dtype), "nelement": lambda x: _numel(x),
    "is_floating_point": lambda x: B.kind(x.data.dtype) == "f", "half": _cast("float16"), "byte": _cast("uint8"),
    "short": _cast("int16"), "char": _cast("int8"), "type_as": lambda x, other: _cast(B.dtype_name(other.data.dtype))(x)})
declare(FUNCTIONS, SAFE, {"square": lambda input: functions.pow(input, 2), "clone": functions.clone})
declare(METHODS, SAFE, {"square": lambda input: functions.pow(input, 2)})
declare(METHODS, NEVER, {"stride": lambda x, dim=None: _stride(x, dim), "storage_offset": lambda x: _storage_offset(x)})
METHODS["where"] = _where_method        # x.where(condition, y): torch.where's replay decision
declare(ATTRIBUTES, SAFE, {"T": functions.attr_T, "mT": functions.attr_mT,
                            "values": lambda x: _tuple_field(x, 0, "values"),
                            "min": lambda x: _named_field(x, "min"), "max": lambda x: _named_field(x, "max")})
declare(ATTRIBUTES, NEVER, {
    "shape": _size, "ndim": functions.ndim_of, "dtype": lambda x: C.DType(B.dtype_name(functions.data(x).dtype)),
    "indices": lambda x: _tuple_field(x, 1, "indices"), "data": functions.data_of,
    "requires_grad": lambda x: bool(getattr(x, "requires_grad", False)) or _view_of_grad(x),
    "is_leaf": lambda x: getattr(x, "grad_fn", None) is None,
    "device": D.device_of, "is_cuda": D.is_cuda, "_version": lambda x: _version(x),
    "layout": lambda x: STRIDED,
})


_LEGACY_TYPES = {f"torch.{name}Tensor": dtype for name, dtype in (
    ("Float", "float32"), ("Double", "float64"), ("Half", "float16"), ("Long", "int64"), ("Int", "int32"),
    ("Short", "int16"), ("Char", "int8"), ("Byte", "uint8"), ("Bool", "bool"))}


def _type(x, dtype=None):
    """x.type(): the legacy type's name ('torch.FloatTensor'); x.type(torch.int64) or
    x.type('torch.DoubleTensor'): x in that dtype (x itself when it is already)."""
    if dtype is None:
        return f"torch.{'cuda.' if x.device != 'cpu' else ''}{functions.torch_type_name(x.data.dtype)}Tensor"
    if not isinstance(dtype, (str, C.DType)) and f"torch.{getattr(dtype, 'name', '')}" in _LEGACY_TYPES:
        dtype = f"torch.{dtype.name}"      # x.type(torch.LongTensor): the legacy class itself
    if isinstance(dtype, str) and dtype in _LEGACY_TYPES:
        dtype = C.DType(_LEGACY_TYPES[dtype])
    if isinstance(dtype, str):         # (a name that is no legacy type's: Python's own ValueError)
        raise AgcliError(f"invalid type: {dtype!r}", kind="value")
    if not isinstance(dtype, C.DType):
        raise AgcliError("dtype must be a type, str, or dtype object", kind="type")
    return _cast(dtype.name)(x)


def _stride(x, dim=None):
    """x.stride(): its strides in elements (agcli's arrays keep PyTorch's layouts). A row-major x of
    its own (not a view), or an empty one, has PyTorch's row-major strides, a dim of 1 or 0 counted
    as 1: NumPy's differ there (an empty array's are all 0), where no element is stepped over; but
    strides engine/layouts.py chose are PyTorch's already (a dim of one's stride as TensorIterator's)."""
    st = B.strides(x.data)
    if not x.data.size or x.base is None and 1 in x.data.shape and is_contiguous(x.data) \
            and not chosen_strides(x.data):
        st, step = [], 1
        for n in reversed(x.data.shape):
            st.insert(0, step)
            step *= max(n, 1)
        st = tuple(st)
    return st if dim is None else st[functions.dim_index(dim, x.data.ndim)]


def _storage_offset(x) -> int:
    """Where x's first element sits in its base's storage, in elements (0 for a tensor of its own)."""
    if x.base is None or not x.data.size:
        return 0
    return (B.address(x.data) - B.address(x.base.data)) // B.itemsize(x.data.dtype)


def _version(x) -> int:
    v = version_of(x)
    if v is None:
        raise AgcliError("Inference tensors do not track version counter.")
    return v


def _view_of_grad(x) -> bool:
    """A view requires grad when its base does (PyTorch's), also when the base came to since."""
    info = getattr(x, "view_of", None)
    return info is not None and info.base.requires_grad


def _named_field(x, name):
    """aminmax's .min and .max; on a tensor they are methods, to call."""
    if not isinstance(x, functions.ValuesIndices) or name not in x.fields:
        raise AgcliError(f"unknown attribute '.{name}'", kind="name",
                         hint=f"'{name}' is a method: call it, e.g. x.{name}()")
    return x[x.fields.index(name)]


def _tuple_field(x, i, name):
    if not isinstance(x, functions.ValuesIndices):
        raise AgcliError(f"'.{name}' is only on what max(x, dim), min(x, dim) and sort(x) return", kind="type")
    return x[i]


CONSTANTS = {"pi": math.pi, "inf": math.inf, "nan": math.nan, "true": True,
             "false": False, "True": True, "False": False, "None": None}

# Attributes of the torch module itself: torch.pi, torch.float64, ...
MODULE_ATTRIBUTES = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan, "strided": STRIDED}
MODULE_ATTRIBUTES.update({name: C.DType(C.dtype_of(name)) for name in (
    "float32", "float64", "float16", "float", "double", "half", "int64", "long", "int32", "int",
    "bool", "int16", "short", "int8", "uint8")})

# torch.linalg's own (the module reaches FUNCTIONS too): its norm of a matrix is a matrix norm, its
# diagonal takes the last two dims.
LINALG: dict = {}
declare(LINALG, SAFE, {"norm": norms.linalg_norm, "vector_norm": norms.vector_norm,
                        "matrix_norm": norms.matrix_norm, "diagonal": norms.diagonal, "inv": functions.inv,
                        "solve": functions.solve})
declare(FUNCTIONS, SAFE, {"inverse": functions.inv})
declare(METHODS, SAFE, {"inverse": functions.inv})

# torch.special's own names for agcli's functions.
SPECIAL = {"expit": FUNCTIONS["sigmoid"],
           "round": lambda input, *, decimals=0: FUNCTIONS["round"](input, decimals=decimals)}  # RoundBackward1

MODULES = ("torch", "F", "torch.nn.functional", "nn.functional", "functional", "torch.linalg", "torch.special")

# (torchapi/rarer_names.py declares the rarer groups' names into these tables when one is first missing)
TORCH_ONLY: dict = {}       # torch.NAME whose arguments differ from F.NAME's (torch.batch_norm)

from .memory_formats import take_memory_formats  # noqa: E402  (the entries it wraps are declared above)
take_memory_formats(FUNCTIONS, METHODS, MODULE_ATTRIBUTES)
