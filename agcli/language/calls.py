"""How a call's arguments meet the function's signature: checked once per
shape of call (binding a signature costs more than the rest of lowering),
and which of them bind parameters that take tensors."""
from __future__ import annotations

import inspect

from . import ast as A
from ..errors import AgcliError
from ..torchapi import creation as C
from ..torchapi.ndarrays import type_name
from .names import namespace

# The parameters of the PyTorch functions that take tensors (the names agcli's
# functions give them); creation functions take data, not tensors.
TENSOR_PARAMETERS = frozenset(("x", "y", "a", "b", "m", "v", "u", "input", "target", "other", "condition", "weight",
                               "bias", "operands", "mask", "exponent", "min", "max", "src"))
_CHECKED, _CREATION_CHECKED = TENSOR_PARAMETERS | {"keepdim"}, frozenset(("input", "keepdim"))
# agcli's parameter names -> PyTorch's, as its argument errors name them.
PYTORCH_PARAMETER = {"x": "input", "a": "input", "m": "input", "u": "input", "y": "other", "b": "other",
                     "v": "vec"}


def tensor_parameters(fn, is_method, n_args, keywords) -> tuple:
    """((argument index, parameter name), ...) of a call's arguments that bind tensor parameters
    (and keepdim, which PyTorch takes as a bool only: bool_only)."""
    # creation functions take data, but ones_like(input) and the like a tensor
    tensors = _CREATION_CHECKED if getattr(fn, "__module__", None) == C.__name__ else _CHECKED
    params = list(signature(fn).parameters.values())[int(is_method):]
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    found = [(i, names[i]) for i in range(min(n_args, len(names))) if names[i] in tensors]
    found += [(n_args + j, k.name) for j, k in enumerate(keywords) if k.name in tensors]
    rest = [p.name for p in params if p.kind == p.VAR_POSITIONAL and p.name in TENSOR_PARAMETERS]
    if rest and n_args - len(names) >= 2:      # einsum's operands (one list alone is its list of operands)
        found += [(i, rest[0]) for i in range(len(names), n_args)]
    return tuple(found)


_signatures = {}
# (function, is_method, positional count, keyword names) of the calls known to bind -> their tensor arguments
calls_that_fit = {}


def signature(fn):
    sig = _signatures.get(fn)
    if sig is None:
        sig = _signatures[fn] = inspect.signature(fn)
    return sig


# Tensor methods PyTorch writes in Python (torch/_tensor.py): its messages name them Tensor.name()
_PYTHON_METHODS = frozenset(("backward", "register_hook", "register_post_accumulate_grad_hook", "split", "unique",
                             "norm", "unflatten"))


def mismatch(sig, name, is_method, n_args, error, keywords=(), module=None):
    """(message, hint) for a call that does not bind `sig`, in Python's words (PyTorch's Python functions
    raise Python's), or in its argument parser's where a missing argument of its C++ functions is told
    (a tensor's method but those written in Python, or torch's function in a program); the hint: the signature."""
    params = list(sig.parameters.values())[int(is_method):]
    shown = f".{name}()" if is_method else f"{name}()"
    hint = f"{shown[:-1]}{', '.join(_shown(params))})"
    called = f"Tensor.{name}" if is_method and name in _PYTHON_METHODS else name
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    text = str(error)
    if "too many positional" in text:
        if is_method and not params:       # (a method of no parameters at all: CPython's own words)
            return f"TensorBase.{name}() takes no arguments ({n_args} given)", hint
        least = sum(p.default is p.empty for p in positional)
        takes = f"{len(positional)}" if least == len(positional) else f"from {least} to {len(positional)}"
        return (f"{called}() takes {takes} positional argument{'' if takes == '1' else 's'} but {n_args} "
                f"{'was' if n_args == 1 else 'were'} given"), hint
    elif text.startswith("missing a required argument"):
        given = {getattr(k, "name", k) for k in keywords}
        missing = [PYTORCH_PARAMETER.get(p.name, p.name) for p in positional[n_args:]
                   if p.default is p.empty and p.name not in given]
        if missing and (module == "torch" and not is_method or is_method and name not in _PYTHON_METHODS):
            # (PyTorch's parser: "1 required positional arguments", "2 ... argument", names in double quotes)
            return (f"{name}() missing {len(missing)} required positional argument{'s' if len(missing) == 1 else ''}"
                    f": {', '.join(f'{chr(34)}{m}{chr(34)}' for m in missing)}"), hint
        if missing:
            quoted = [f"'{m}'" for m in missing]
            names = " and ".join(quoted) if len(quoted) < 3 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
            return (f"{called}() missing {len(missing)} required positional argument{'s' if len(missing) > 1 else ''}"
                    f": {names}"), hint
    elif text.startswith("got an unexpected keyword") or text.startswith("multiple values"):
        return f"{called}() {'' if text.startswith('got') else 'got '}{text}", hint
    return f"{shown}: {text.replace('missing a required argument', 'missing argument')}", hint


def _shown(params):
    """Parameter names as a signature writes them (a * before the keyword-only ones)."""
    names = []
    for p in params:
        if p.kind == p.KEYWORD_ONLY and not any(n.startswith("*") for n in names):
            names.append("*")
        names.append(f"*{p.name}" if p.kind == p.VAR_POSITIONAL else f"**{p.name}" if p.kind == p.VAR_KEYWORD
                     else p.name)
    return names


def pytorch_keywords(fn, name, keywords):
    """A call's keywords with PyTorch's names where it takes NumPy's too
    (x.sum(axis=0, keepdims=True) is x.sum(dim=0, keepdim=True)); not for
    Python's own max() and min() in a program."""
    names = namespace()
    numpy_names = names.NUMPY_NAMES
    if name not in names.TAKES_NUMPY_NAMES or not any(k.name in numpy_names for k in keywords) or \
            getattr(fn, "__wrapped__", fn) not in (names.FUNCTIONS.get(name), names.METHODS.get(name)):
        return keywords
    renamed, seen = [], set()
    for k in keywords:
        pytorch_name = numpy_names.get(k.name, k.name)
        if pytorch_name in seen:        # (PyTorch names NumPy's alias, whichever comes first)
            alias = next(a for a in keywords if a.name != numpy_names.get(a.name, a.name)
                         and numpy_names[a.name] == pytorch_name)
            raise AgcliError(f"{name}() got an unexpected keyword argument '{alias.name}'",
                             (alias.span[0], alias.span[0] + len(alias.name)), kind="call")
        seen.add(pytorch_name)
        renamed.append(A.Keyword(pytorch_name, k.value, k.span))
    return renamed


# Where a PyTorch function takes a tensor, a Python number is a TypeError, but for the
# operands of the functions that take numbers too (PyTorch's Scalar overloads).
NUMBERS_TAKEN = frozenset(("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
                           "remainder", "floor_divide", "where", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less",
                           "greater_equal", "less_equal", "not_equal", "fmod", "rsub", "xlogy", "copysign", "lerp",
                           "bucketize", "searchsorted", "float_power", "xlog1py"))
_SECOND_PARAMETER = {"dot": "tensor", "mm": "mat2", "bmm": "mat2", "mv": "vec", "outer": "vec2", "ger": "vec2"}
_ATEN_NAME = {"cross_entropy": "cross_entropy_loss", "nll_loss": "nll_loss_nd", "entr": "special_entr",
              "ndtr": "special_ndtr", "i1": "special_i1", "log_ndtr": "special_log_ndtr",    # (torch.special's own)
              "unfold": "im2col", "fold": "col2im",        # (F.unfold's and F.fold's)
              "grid_sample": "grid_sampler"}
# torch.nn.functional's Python code, and torch.norm's, read an attribute of the number first
_ATTRIBUTE_READ = {"mse_loss": "size", "binary_cross_entropy_with_logits": "size", "binary_cross_entropy": "size",
                   "norm": "layout", "affine_grid": "is_floating_point",
                   "max_unpool1d": "size", "max_unpool2d": "size", "max_unpool3d": "size"}


def tensor_argument(closure, node, name, param, position):
    """An expression's argument where `name` takes a tensor (`param`; position None: a
    keyword): a list literal is a tensor literal; a tuple, or a number where it takes none,
    PyTorch's error (einsum's operands may be a tuple of tensors). keepdim: a bool only."""
    if param == "keepdim":
        check = bool_only(name, position)
        return lambda env: check(closure(env))
    if type(node) is A.ListLit:
        return lambda env: C.as_tensor(closure(env))
    if param == "operands":
        return closure
    span = node.span

    def tensor_only(env, closure=closure, name=name, param=param, position=position, span=span):     # (see closures.py)
        value = closure(env)
        if type(value) in _NOT_TENSORS:     # (decided and worded only then: most lines never need it)
            refuse_non_tensor(value, name, param, position, span)
        return value
    return tensor_only


_NOT_TENSORS = (tuple, int, float, bool)


def bool_only(name, position):
    """keepdim's check: PyTorch's TypeError for anything but a bool (x.sum(0, 1) is not keepdim=True)."""
    where = "" if position is None else f" (position {position})"

    def check(value):
        if type(value) is not bool:
            raise AgcliError(f"{name}(): argument 'keepdim'{where} must be bool, not {type_name(value)}", kind="type")
        return value
    return check


def refuse_non_tensor(value, name, param, position, span):
    """PyTorch's error for a tuple, or for a number where `name` takes none, as `param`."""
    if type(value) is tuple:
        raise must_be_tensor(name, param, position)(value).at(span)
    if not takes_number(name, param):
        raise number_refusal(name, param, position)(value).at(span)


def takes_number(name, param) -> bool:
    """Does PyTorch take a Python number for `name`'s tensor parameter `param`?"""
    return name in NUMBERS_TAKEN and param != "condition" or param in ("operands", "min", "max") or \
        (name, param) == ("scatter", "src")       # (scatter's third argument may be its value)


def number_refusal(name, param, position):
    """A function `value -> AgcliError`: PyTorch's error for a number `value` given to
    `name`'s tensor parameter `param` (position None: as a keyword); None where
    PyTorch takes a number there."""
    if takes_number(name, param):
        return None
    if name in _ATTRIBUTE_READ:
        attribute = _ATTRIBUTE_READ[name]
        return lambda value: AgcliError(f"'{type(value).__name__}' object has no attribute '{attribute}'",
                                        kind="attribute")
    return must_be_tensor(name, param, position)


def aten_name(name) -> str:
    """The name PyTorch's parser gives `name` in its errors (F.unfold's is im2col)."""
    return _ATEN_NAME.get(name, name)


def must_be_tensor(name, param, position):
    """A function `value -> AgcliError`: "NAME(): argument 'PARAM' (position N) must be Tensor, not TYPE"."""
    pytorch_name = PYTORCH_PARAMETER.get(param, param)
    if pytorch_name != "input" and name in _SECOND_PARAMETER:
        pytorch_name = _SECOND_PARAMETER[name]
    where = "" if position is None else f" (position {position})"
    prefix = f"{_ATEN_NAME.get(name, name)}(): argument '{pytorch_name}'{where} must be Tensor"
    return lambda value: AgcliError(f"{prefix}, not {type(value).__name__}", kind="type",
                                    hint="make it a tensor first: tensor(...)")
