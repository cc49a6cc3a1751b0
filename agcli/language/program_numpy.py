"""`import numpy as np` in a program: the NumPy names it may use, NumPy's
methods and attributes on its arrays, and what a method call does whatever
its receiver (a tensor's method, NumPy's, or Python's AttributeError).

Every NumPy name a program reaches is declared here by name; a NumPy value
answers only the methods and attributes in ARRAY_METHODS / ARRAY_ATTRIBUTES.
What NumPy computes keeps NumPy's values, words and error classes
(torchapi/ndarrays.py: numpy_errors), as a real program prints them.
"""
from __future__ import annotations

import functools
import operator

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..errors import AgcliError, did_you_mean
from ..torchapi import autograd, functions, namespace
from ..torchapi import ndarrays as N
from . import suggestions
from .calls import PYTORCH_PARAMETER, mismatch, signature
from .unknown_names import not_provided, pytorch_has

np = N.host
VALUES = N.VALUES

# np.NAME(...), by what NumPy does with a tensor among the arguments:
_UFUNCS = ("exp", "log", "log1p", "sqrt", "square", "abs", "sign", "tanh", "sin", "cos", "maximum", "minimum",
           "power", "matmul", "add", "subtract", "multiply", "divide")  # a tensor in, a tensor out (__array_wrap__)
_CONVERTING = ("array", "asarray", "zeros_like", "ones_like", "full_like", "allclose", "isclose", "array_equal",
               "where", "concatenate", "stack", "dot")      # a tensor is read as an array (Tensor.__array__)
_ARRAYS_ONLY = ("sum", "mean", "max", "min", "argmax", "argmin", "std", "var", "prod", "cumsum", "transpose",
                "reshape", "clip", "round")       # NumPy hands a tensor to its own method: refused here
_DTYPES = ("float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool_")
_MAKERS = ("zeros", "ones", "full", "eye", "arange", "linspace", *_DTYPES)

# np.NAME as a value.
NUMPY_ATTRIBUTES = {"pi": np.pi, "e": np.e, "inf": np.inf, "nan": np.nan, "newaxis": None,
                    **{name: getattr(np, name) for name in _DTYPES}}

# a.NAME(...) and a.NAME on a NumPy array or scalar.
ARRAY_METHODS = frozenset((
    "sum", "mean", "max", "min", "argmax", "argmin", "std", "var", "prod", "cumsum", "tolist", "item", "reshape",
    "flatten", "ravel", "copy", "astype", "round", "transpose", "squeeze", "clip", "all", "any", "dot", "fill",
    "sort", "argsort"))
ARRAY_ATTRIBUTES = frozenset(("shape", "dtype", "T", "ndim", "size", "itemsize", "nbytes"))
_NUMPY_KEYWORDS = {pytorch: numpy for numpy, pytorch in namespace.NUMPY_NAMES.items()}
# NumPy's other names: asked of an array, they are agcli's limit, not an AttributeError.
_NUMPY_NAMES = frozenset(n for n in dir(np.ndarray) + dir(np.generic) if not n.startswith("_"))


class NumpyFunction:
    """np.NAME(...): NumPy's function, with tensors among its arguments as NumPy would take them."""

    __slots__ = ("name", "fn", "role")
    gives_numpy = True          # lowering hands its result out as it is (never as a tensor)

    def __init__(self, name, role):
        self.name, self.role = name, role
        self.fn = getattr(np, name)         # a name declared above

    def __call__(self, *args, **kwargs):
        tensors = any(type(a) is Tensor for a in args) or any(type(v) is Tensor for v in kwargs.values())
        if tensors and self.role == "arrays":
            raise AgcliError(f"np.{self.name}() of a tensor: agcli gives NumPy's functions NumPy values",
                             kind="type", hint=f"x.numpy() first, or torch.{self.name}(x)")
        result = N.numpy_errors(self.fn, *[N.host_value(a) for a in args],
                                **{k: N.host_value(v) for k, v in kwargs.items()})
        return N.tensor_of(result) if tensors and self.role == "ufunc" else result

    def __repr__(self):
        return repr(self.fn)        # NumPy's own: <function sum at 0x...>, <ufunc 'exp'>


class RandomFunction:
    """np.random.NAME(...): NumPy's legacy global generator (a RandomState: np.random.seed(0) then
    rand, randn, ... give NumPy's numbers)."""

    __slots__ = ("name",)
    gives_numpy = True

    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        return N.numpy_errors(getattr(_global_state(), self.name), *[N.host_value(a) for a in args],
                              **{k: N.host_value(v) for k, v in kwargs.items()})

    def __repr__(self):
        return repr(getattr(_global_state(), self.name))   # <bound method RandomState.rand of RandomState(...) ...>


_GLOBAL_STATE = None


def _global_state():
    global _GLOBAL_STATE
    if _GLOBAL_STATE is None:       # (made on first use: importing numpy.random costs a program's start 9 ms)
        _GLOBAL_STATE = np.random.RandomState()
    return _GLOBAL_STATE
RANDOM_FUNCTIONS = {name: RandomFunction(name) for name in (
    "seed", "rand", "randn", "randint", "random", "random_sample", "uniform", "normal", "standard_normal",
    "permutation", "shuffle", "choice", "binomial", "poisson", "exponential", "beta", "gamma", "multinomial")}


NUMPY_FUNCTIONS = {name: NumpyFunction(name, role) for names, role in (
    (_UFUNCS, "ufunc"), (_CONVERTING, "converting"), (_ARRAYS_ONLY, "arrays"), (_MAKERS, "maker"))
    for name in names}


def random_attribute(name):
    """np.random.NAME that agcli does not provide (the Generator API, the rarer distributions)."""
    raise AgcliError(f"agcli's programs do not reach 'numpy.random.{name}'", kind="name",
                     hint=did_you_mean(name, list(RANDOM_FUNCTIONS)) or
                     "NumPy random functions agcli provides: " + ", ".join(sorted(RANDOM_FUNCTIONS)))


def module_attribute(name):
    """np.NAME: the value, or agcli's error for a name it does not provide."""
    if name in NUMPY_ATTRIBUTES:
        return NUMPY_ATTRIBUTES[name]
    if name in NUMPY_FUNCTIONS:
        raise AgcliError(f"'np.{name}' is a function: call it, e.g. np.{name}(a)", kind="name")
    raise AgcliError(f"agcli's programs do not reach 'numpy.{name}'", kind="name",
                     hint=did_you_mean(name, [*NUMPY_ATTRIBUTES, *NUMPY_FUNCTIONS]) or
                     "NumPy names agcli provides: " + ", ".join(sorted({*NUMPY_FUNCTIONS, *NUMPY_ATTRIBUTES})))


# ------------------------------------------------------------ receivers
def _missing(value, name):
    """Python's AttributeError for a name the value's type lacks; agcli's limit for the names
    NumPy's arrays (or PyTorch's tensors: x.ravel()) have and agcli does not provide."""
    if isinstance(value, VALUES) and name in _NUMPY_NAMES:
        return AgcliError(f"agcli's programs do not reach {N.type_name(value)}.{name}",
                          hint="what agcli provides on NumPy values: " +
                          ", ".join(sorted(ARRAY_METHODS | ARRAY_ATTRIBUTES)))
    if type(value) is Tensor and pytorch_has(name, method=True):
        return AgcliError(f"agcli does not provide Tensor.{name}", hint=not_provided(f"Tensor.{name}"))
    error = AgcliError(f"'{N.type_name(value)}' object has no attribute '{name}'", kind="attribute")
    if isinstance(value, VALUES):       # (a NumPy value: dir() of it is what Python suggests from)
        error.suggestion = suggestions.suggestion(name, dir(value))
    return error


def _numpy_side(name, is_method):
    if is_method and name in ARRAY_METHODS:
        # Lowering gives a.sum(axis=0) PyTorch's names (calls.pytorch_keywords): NumPy's back.
        numpy_keyword = _NUMPY_KEYWORDS if name in namespace.TAKES_NUMPY_NAMES else {}

        def method(a, *args, **kwargs):
            return N.numpy_errors(getattr(a, name), *[N.host_value(v) for v in args],
                                  **{numpy_keyword.get(k, k): N.host_value(v) for k, v in kwargs.items()})
        return method
    if not is_method and name in ARRAY_ATTRIBUTES:
        return lambda a: getattr(a, name)

    def missing(a, *args, **kwargs):
        raise _missing(a, name)
    return missing


def _tensor_attribute(name):
    """Attributes NumPy's arrays have and tensors answer otherwise."""
    if name == "itemsize":
        return lambda x: B.itemsize(x.data.dtype) if type(x) is Tensor else _fail(_missing(x, name))
    if name == "nbytes":
        return lambda x: B.itemsize(x.data.dtype) * x.numel() if type(x) is Tensor else _fail(_missing(x, name))
    if name == "size":
        def size(x):
            if type(x) is Tensor:
                raise AgcliError("a tensor's size is a method: call it, x.size()", kind="type")
            raise _missing(x, name)
        return size
    return lambda x: _fail(_missing(x, name))


def _fail(error):
    raise error


def on_receiver(name, fn, is_method, refuse_none):
    """x.NAME(...) (or x.NAME) whatever x is: NumPy's for a NumPy value; otherwise `fn`, the
    tensor's (None: the value has no such name), which refuses NumPy arrays among its
    arguments as PyTorch does; refuse_none(name) raises Python's error for x None."""
    numpy_side = _numpy_side(name, is_method)
    if fn is None:
        fn = (lambda x, *args, **kwargs: _fail(_missing(x, name))) if is_method else _tensor_attribute(name)

    @functools.wraps(fn)
    def method(receiver, *args, **kwargs):
        if receiver is None:
            refuse_none(name)
        if isinstance(receiver, VALUES):
            return numpy_side(receiver, *args, **kwargs)
        for i, v in enumerate(args):
            if isinstance(v, VALUES):       # no array; a NumPy scalar is a Python number to PyTorch
                if type(v) is np.ndarray:
                    raise AgcliError(f"{name}(): argument '{_parameter(fn, i)}' (position {i + 1}) must be "
                                     "Tensor, not numpy.ndarray", kind="type")
                args = (*args[:i], v.item(), *args[i + 1:])
        try:
            return fn(receiver, *args, **kwargs)
        except TypeError:
            _refuse_misfit(fn, name, receiver, args, kwargs)
            raise
    method.gives_numpy = True       # NumPy's values as they are; a tensor's methods give tensors
    return method


def _parameter(fn, i) -> str:
    """PyTorch's name for a method's i-th argument after self, as its argument errors say it."""
    if fn.__name__ == "dot":
        return "tensor"
    params = list(signature(fn).parameters)[1:]
    name = params[i] if i < len(params) else "other"
    return "other" if PYTORCH_PARAMETER.get(name, name) == "input" else PYTORCH_PARAMETER.get(name, name)


def _refuse_misfit(fn, name, receiver, args, kwargs):
    """A call lowering let through for NumPy's method (a.sum(axis=0)) that the tensor's does not take."""
    try:
        sig = signature(fn)
    except (TypeError, ValueError):
        return
    try:
        sig.bind(receiver, *args, **kwargs)
    except TypeError as e:      # (in the words of the tensor's method, as lowering's check gives them)
        message, hint = mismatch(sig, name, True, len(args), e, tuple(kwargs))
        raise AgcliError(message, kind="type", hint=hint) from None


# ------------------------------------------------------------ operators
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "@": operator.matmul}
_IN_PLACE = {"+": operator.iadd, "-": operator.isub, "*": operator.imul, "/": operator.itruediv,
             "//": operator.ifloordiv, "%": operator.imod, "**": operator.ipow, "@": operator.imatmul}
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
            "!=": operator.ne}
# What Python says of array + tensor: NumPy defers to the tensor, whose __radd__ declines.
_CONCATENATION = ("Concatenation operation is not implemented for NumPy arrays, use np.concatenate() instead. "
                  "Please do not rely on this error; it may not be given on all Python implementations.")


def _unsupported(op, a, b, in_place):
    shown = f"{op}=" if in_place else "** or pow()" if op == "**" else op
    return AgcliError(f"unsupported operand type(s) for {shown}: '{N.type_name(a)}' and '{N.type_name(b)}'",
                      kind="type")


def arithmetic(op, a, b, on_tensors, in_place=False):
    """a OP b (a OP= b: in_place) where a or b is a NumPy value, as Python with PyTorch and NumPy
    does it; on_tensors(a, b) is what the operator does on tensors and numbers."""
    if type(a) is not Tensor and type(b) is not Tensor:
        return N.numpy_errors((_IN_PLACE if in_place else _ARITHMETIC)[op], a, b)
    other = b if type(a) is Tensor else a
    if isinstance(other, np.generic):           # a NumPy scalar is a Python number to PyTorch
        if op == "@":
            raise _unsupported(op, a, b, in_place)
        return on_tensors(N.as_number(a), N.as_number(b))
    if type(a) is Tensor:       # tensor OP array (and tensor OP= array): NumPy computes, a new tensor holds it
        return N.tensor_of(N.numpy_errors(_ARITHMETIC[op], N.numpy(a), b))
    if op == "/":               # array / tensor: the tensor's __rtruediv__, x.reciprocal() * array
        return N.tensor_of(N.numpy_errors(operator.mul, N.numpy(functions.reciprocal(b)), a))
    if op == "+":
        raise AgcliError(_CONCATENATION, kind="type")
    raise _unsupported(op, a, b, in_place)


def compare(op, a, b, on_tensors):
    """a OP b, a comparison, where a or b is a NumPy value."""
    if type(a) is not Tensor and type(b) is not Tensor:
        return N.numpy_errors(_COMPARE[op], a, b)
    other = b if type(a) is Tensor else a
    if isinstance(other, np.generic):
        return on_tensors(N.as_number(a), N.as_number(b))
    if op == "==":              # the tensor's __eq__ takes the array
        return on_tensors(a, N.tensor_of(b)) if type(a) is Tensor else on_tensors(N.tensor_of(a), b)
    if op == "!=":              # neither side's __ne__ answers: Python's fallback, `a is not b`
        return True
    raise AgcliError(f"'{op}' not supported between instances of '{N.type_name(a)}' and '{N.type_name(b)}'",
                     kind="type")


def setitem(x, key, value):
    """x[key] = value: NumPy's assignment into an array; into a tensor, PyTorch's (NumPy values checked)."""
    if isinstance(x, np.ndarray):
        return N.setitem(x, key, value)
    return autograd.setitem(x, key, N.assignable(x, value) if type(x) is Tensor else value)


def contains(container, item):
    """item in a NumPy value: NumPy's answer."""
    return bool(N.numpy_errors(operator.contains, container, N.host_value(item)))
