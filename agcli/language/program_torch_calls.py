"""A program's calls of PyTorch's functions and a tensor's methods, checked
as an expression's are when it is lowered (language/calls.py), but when the
call runs: a program's names are resolved then.

Each function keeps what a shape of call (how many arguments, which
keywords) needs, found on its first such call: NumPy's keyword names renamed,
the arguments checked against the signature (agcli's words and hint), and the
checks of the arguments that must be tensors (PyTorch's TypeError for a list,
or a number where PyTorch takes none).
"""
from __future__ import annotations

import inspect
import re

from . import ast as A
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import ndarrays as N
from ..torchapi.namespace import NUMPY_NAMES, TAKES_NUMPY_NAMES
from .index_arguments import by_names, with_ints
from .calls import (PYTORCH_PARAMETER, aten_name, bool_only, calls_that_fit, mismatch, number_refusal, pytorch_keywords,
                    signature, tensor_parameters)
from .lower import _wrap as wrap_array
from .program_numpy import ARRAY_METHODS, VALUES
from .program_out import call_with_out
from .program_values import type_name as program_type_name

_NUMBER_FIRST = frozenset(("pow", "remainder", "floor_divide", "add", "sub", "subtract", "mul", "multiply", "div", "divide",
                           "true_divide", "xlogy", "copysign", "bucketize", "float_power", "xlog1py"))
_NUMERIC_ERRORS = (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError)
_NO_CHECKS = ({}, (), None, None)
# F.softmax(input) is input.softmax(...) in PyTorch's Python (F.group_norm reads input.dim(), ...): a list
# has no such method
_READ_AS_METHOD = {"softmax": "softmax", "log_softmax": "log_softmax", "tanh": "tanh", "sigmoid": "sigmoid",
                   "group_norm": "dim", "interpolate": "dim", "adaptive_max_pool2d": "size",
                   "adaptive_max_pool2d_with_indices": "size", "adaptive_max_pool3d": "size",
                   "adaptive_max_pool3d_with_indices": "size"}


def _method_refusal(name):
    return lambda value: AgcliError(f"'{type(value).__name__}' object has no attribute '{name}'", kind="attribute")


class TorchFunction:
    """torch.NAME, F.NAME, ...: one of agcli's PyTorch functions as a program's value."""

    __slots__ = ("name", "fn", "module", "fits")
    type_name = "builtin_function_or_method"
    program_attributes = {"__name__": "name", "__qualname__": "name"}
    shared_by_copy = True       # (copy.deepcopy shares a function: a layer's activation=F.relu)

    def __init__(self, name, fn, module="torch"):
        self.name, self.fn, self.module, self.fits = name, fn, module, {}

    def __call__(self, *args, **kwargs):
        return call(self.fn, self.name, None, args, kwargs, self.fits, False, self.module)

    def __repr__(self):
        if self.module == "torch.nn.functional":
            return f"<function {self.name} at {id(self):#x}>"
        return f"<built-in method {self.name} of type object at {id(self):#x}>"


class TorchClass(TorchFunction):
    """torch.no_grad and its like: classes in PyTorch (calling one makes a context manager), so
    that `with torch.no_grad:` fails in Python's words and printing one shows its class."""

    __slots__ = ("qualified",)
    type_name = "type"

    def __init__(self, name, fn, module, qualified):
        super().__init__(name, fn, module)
        self.qualified = qualified

    def __call__(self, *args, **kwargs):
        if self.name in _INIT_CLASSES:
            try:
                inspect.signature(self.fn).bind(*args, **kwargs)
            except TypeError:
                _refuse_as_init(self.name, self.fn, args, kwargs)
        return super().__call__(*args, **kwargs)

    def __repr__(self):
        return f"<class '{self.qualified}'>"

    def is_instance(self, value) -> bool:
        return program_type_name(value) == self.name


# the grad-mode classes and where PyTorch defines them
MODE_CLASSES = {**dict.fromkeys(("no_grad", "enable_grad", "set_grad_enabled", "inference_mode"),
                                "torch.autograd.grad_mode"),
                **dict.fromkeys(("set_detect_anomaly", "detect_anomaly"), "torch.autograd.anomaly_mode")}


_INIT_CLASSES = frozenset(("set_grad_enabled", "set_detect_anomaly", "detect_anomaly"))   # (classes with __init__)


def _refuse_as_init(name, fn, args, kwargs):
    """Python's TypeError for arguments that do not fit a class's __init__ (its self counted): e.g.
    `torch.set_grad_enabled()`: "set_grad_enabled.__init__() missing 1 required positional argument: 'mode'"."""
    try:
        fn(*args, **kwargs)
    except TypeError as e:
        text = str(e).partition("()")[2]
        if text.startswith(" takes "):     # (each count one more: two or more, so plural)
            text = re.sub(r"\d+", lambda n: str(int(n[0]) + 1), text.replace(" argument ", " arguments ")
                          .replace(" was ", " were "))
        raise AgcliError(f"{name}.__init__(){text}", kind="type") from None


def torch_function(name, fn, module="torch"):
    """torch.NAME as a program's value: a TorchClass for the grad-mode classes, else a TorchFunction."""
    if name in MODE_CLASSES:
        return TorchClass(name, fn, module, f"{MODE_CLASSES[name]}.{name}")
    return TorchFunction(name, fn, module)


class TensorMethod:
    """x.NAME of a tensor (or a NumPy value, or None), not yet called."""

    __slots__ = ("receiver", "name", "fn", "fits")
    type_name = "builtin_function_or_method"

    def __init__(self, receiver, name, fn, fits):
        self.receiver, self.name, self.fn, self.fits = receiver, name, fn, fits

    def __call__(self, *args, **kwargs):
        return call(self.fn, self.name, self.receiver, args, kwargs, self.fits, True)

    def __repr__(self):
        return f"<built-in method {self.name} of Tensor object at {id(self.receiver):#x}>"


def call(fn, name, receiver, args, kwargs, fits, is_method, module="torch"):
    """fn(args, kwargs) (a method: fn(receiver, ...)), checked as the call's shape needs."""
    if kwargs and "out" in kwargs and not is_method and not _takes_out(fn):
        kwargs = dict(kwargs)
        out = kwargs.pop("out")
        return call_with_out(lambda: call(fn, name, receiver, args, kwargs, fits, is_method, module), name, out,
                             args, kwargs)
    key = (len(args), tuple(kwargs) if kwargs else ())
    prepared = fits.get(key)
    given, named = args, kwargs
    try:
        if prepared is None:
            prepared = fits[key] = _prepare(fn, name, is_method, len(args), key[1], module)
        renames, checks, spread, typed = prepared
        if typed is not None and (not is_method or type(receiver) is Tensor):     # (NumPy's methods: NumPy's)
            args, kwargs = typed(args, kwargs)
        if spread is not None:       # x.view(size=(3, 2)) is x.view(3, 2)
            kwargs = dict(kwargs)
            value = kwargs.pop(spread)
            args = tuple(value) if isinstance(value, (tuple, list)) and value else (value,)   # (size=(): one size)
        if renames:
            kwargs = {renames.get(k, k): v for k, v in kwargs.items()}
        if checks:
            args = list(args)
            for i, keyword, check in checks:
                if keyword is None:
                    args[i] = check(args[i])
                else:
                    kwargs[keyword] = check(kwargs[keyword])
        result = fn(*args, **kwargs) if not is_method else fn(receiver, *args, **kwargs)
    except AgcliError as e:
        raise _parser_words(e, name, receiver, given, named, is_method, module) from None
    except _NUMERIC_ERRORS as e:
        raise _parser_words(AgcliError(str(e)), name, receiver, given, named, is_method, module) from e
    except MemoryError:
        raise AgcliError("not enough memory for the result of this operation", kind="limit",
                         hint="tensors this large need a machine with more memory") from None
    return result if getattr(fn, "gives_numpy", False) else wrap_array(result)


def _parser_words(error, name, receiver, args, kwargs, is_method, module):
    """PyTorch's parser's TypeError where it refuses the call agcli failed (it would have spoken first),
    else agcli's error."""
    key = _parser_key(name, module)
    if key is None or is_method and type(receiver) is not Tensor:
        return error
    from .argument_errors import pytorch_error      # (its signatures are read at the first such error)
    message = pytorch_error(key, is_method, args, kwargs)
    return error if message is None else AgcliError(message, kind="call" if error.kind == "call" else "type")


def _takes_out(fn) -> bool:
    """Does fn take out= itself (else the call writes its result into out: program_out.py)?"""
    try:
        params = signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return "out" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _prepare(fn, name, is_method, n_args, kw_names, module):
    typed = _typed_check(name, is_method, n_args, kw_names, module)
    if typed is None:
        typed = by_names(fn, is_method, n_args, kw_names)
    own = _own_names(fn, is_method, n_args, kw_names)
    if own is None:
        return {}, (), kw_names[0], typed
    _no_alias_twice(name, kw_names, own)
    keywords = [A.Keyword(k, None, None) for k in own]
    renamed = pytorch_keywords(fn, name, keywords)      # x.sum(axis=0) is x.sum(dim=0)
    renames = {k: r.name for k, r in zip(kw_names, renamed) if k != r.name}
    try:
        fitting = fit(fn, name, is_method, n_args, renamed, module)
    except AgcliError:
        if is_method and name in ARRAY_METHODS:     # NumPy's method takes it (a.sum(axis=0)); a
            return _NO_CHECKS                       # tensor's refuses it when it runs
        raise
    checks = []
    for i, param in fitting:
        position = None if param == "keepdim" and i >= n_args else i + 1     # (keepdim=...: no position)
        check = _tensor_check(name, param, position, not is_method, module)
        if check is not None:
            checks.append((i, None, check) if i < n_args else (None, renamed[i - n_args].name, check))
    if name in _JOINED and not is_method and n_args:
        checks.append((0, None, _tensors_only))
    return renames, tuple(checks), None, typed


def _typed_check(name, is_method, n_args, kw_names, module):
    """A check of the types of a call's arguments as PyTorch's parser reads them (an int where it takes a
    tuple of ints: reshape(x, 6)), each combination of types once; None where the parser reads only
    tensors (torch.add(x, y)) or agcli has not recorded the function's signatures."""
    name = _parser_key(name, module)
    if name is None:
        return None
    from .argument_errors import parsed_call, typed_positions
    typed = typed_positions(name, is_method, n_args, kw_names)
    if typed is None:
        return None
    positions, keywords = typed
    seen = set()

    def check(args, kwargs):
        """(args, kwargs) as the call takes them: an integer tensor that an int parameter reads, its int."""
        key = [_type_key(args[i]) for i in positions]
        if keywords:
            key += [_type_key(v) for v in kwargs.values()]
        key = tuple(key)
        if key in seen:
            return args, kwargs
        found = parsed_call(name, is_method, args, kwargs)
        if type(found) is str:
            raise AgcliError(found, kind="type")
        taken = (args, kwargs) if found is None else with_ints(found, args, kwargs)
        if Tensor not in key and taken[0] is args and taken[1] is kwargs:
            seen.add(key)       # (a tensor's dtype and shape decide where an int is taken: check each)
        return taken
    return check


def _type_key(v):
    t = type(v)
    return (t, *map(type, v)) if t is tuple or t is list else t


# The functions that join a list of tensors: in a program a list inside it is a list, not a tensor
_JOINED = frozenset(("cat", "concat", "concatenate", "stack", "hstack", "vstack"))


def _tensors_only(tensors):
    if isinstance(tensors, (list, tuple)):
        for k, t in enumerate(tensors):
            if type(t) is not Tensor:
                raise AgcliError(f"expected Tensor as element {k} in argument 0, but got {N.type_name(t)}",
                                 kind="type")
    return tensors


_SPREAD = frozenset(("size", "shape", "dims", "repeats", "sizes"))


def _own_names(fn, is_method, n_args, kw_names):
    """The keywords in fn's own names where PyTorch's argument parser takes others: input= and other=
    for agcli's x, a, y, b (torch.sum(input=x)), axis= for dim=; None for the one keyword of a method
    whose shape comes as *args (x.view(size=(3, 2)))."""
    if not kw_names:
        return kw_names
    try:
        params = signature(fn).parameters
    except (TypeError, ValueError):
        return kw_names
    mine = list(params.values())[int(is_method):]
    if len(kw_names) == 1 and kw_names[0] in _SPREAD and not n_args and mine and mine[0].kind is mine[0].VAR_POSITIONAL:
        return None
    own = []
    for k in kw_names:
        if k not in params:
            same = [p.name for p in mine if PYTORCH_PARAMETER.get(p.name) == k or k == "axis" and p.name == "dim"]
            k = same[0] if len(same) == 1 else k
        own.append(k)
    return tuple(own)


def _no_alias_twice(name, kw_names, own):
    """x.sum(dim=0, axis=1): PyTorch takes NumPy's name only in place of its own, never beside it (here
    the two would be one keyword, the last one winning: a silently different sum)."""
    final = [NUMPY_NAMES.get(o, o) if name in TAKES_NUMPY_NAMES else o for o in own]
    if len(set(final)) < len(final):
        alias = next(k for k, f in zip(kw_names, final) if k != f and final.count(f) > 1)
        raise AgcliError(f"{name}() got an unexpected keyword argument '{alias}'", kind="type")


def fit(fn, name, is_method, n_args, keywords, module=None):
    """Check a call against fn's signature (agcli's words and hint if it does not fit); the
    arguments that bind tensor parameters, as calls.tensor_parameters."""
    key = (fn, is_method, n_args, tuple([k.name for k in keywords]) if keywords else ())
    fitted = calls_that_fit.get(key)
    if fitted is not None:
        return fitted
    try:
        sig = signature(fn)
    except (TypeError, ValueError):
        return ()
    try:
        sig.bind(*([None] * (n_args + is_method)), **{k.name: None for k in keywords})
    except TypeError as e:
        message, hint = mismatch(sig, parser_name(name, module), is_method, n_args, e, keywords, module)
        raise AgcliError(message, kind="call", hint=hint) from None
    fitted = calls_that_fit[key] = tensor_parameters(fn, is_method, n_args, keywords)
    return fitted


_PARSER_PREFIXES = {"torch.linalg": "linalg_", "torch.special": "special_"}


def _parser_key(name, module):
    """NAME's key in the parser's recorded signatures (torch.linalg.det: linalg.det), None for another module's."""
    return name if module == "torch" else module[6:] + "." + name if module in _PARSER_PREFIXES else None


def parser_name(name, module):
    """The name PyTorch's argument parser gives a function of `module` (torch.linalg.det: linalg_det)."""
    return _PARSER_PREFIXES.get(module, "") + name


def _named_as(words, plain, shown):
    """words (value -> AgcliError), its message naming the function as the parser does."""
    def worded(value):
        error = words(value)
        if error.message.startswith(plain):
            error.message = shown + error.message[len(plain):]
        return error
    return worded


def _tensor_check(name, param, position, function, module):
    """In a program a list is a list: where PyTorch takes a tensor, PyTorch's TypeError."""
    if param in ("operands", "src"):        # einsum, copy_ and scatter word PyTorch's errors themselves
        return None
    if param == "keepdim":
        return bool_only(name, position)
    pytorch_name = PYTORCH_PARAMETER.get(param, param)
    # A function's input must be a tensor too (torch.tanh(0.5) is a TypeError), but for
    # the functions PyTorch also takes a number first (torch.pow(2, t)).
    no_number = pytorch_name == "input" and position == 1 and name not in _NUMBER_FIRST
    # A NumPy array is not a tensor either; a NumPy scalar is a number. A method decides
    # when it runs, by its receiver (program_numpy.on_receiver): NumPy's takes arrays.
    refused = (list, tuple) + ((bool, int, float, type(None)) if no_number else ()) + \
        ((VALUES if no_number else (VALUES[0],)) if function else ())
    words = number_refusal(name, param, position)      # PyTorch's words for this argument, where it has its own
    if module == "torch.nn.functional" and name in _READ_AS_METHOD and position == 1:
        words = _method_refusal(_READ_AS_METHOD[name])

    # (None, a module, a function, a generator as a function's input: PyTorch's TypeError names its type)
    strict = function and position == 1 and (no_number or pytorch_name == "condition")

    shown = parser_name(aten_name(name), module)
    if words is not None and shown != aten_name(name):     # (torch.special.expit([1.]): special_expit's words)
        words = _named_as(words, f"{name}(", f"{shown}(")

    def checked(value):
        if strict and type(value) is not Tensor and not isinstance(value, refused):
            raise AgcliError(f"{shown}(): argument '{pytorch_name}' (position {position}) must be "
                             f"Tensor, not {program_type_name(value)}", kind="type")
        if isinstance(value, refused):
            if words is not None and not isinstance(value, VALUES):
                raise words(value)
            raise AgcliError(f"{shown}(): argument '{pytorch_name}' (position {position}) must be Tensor, "
                             f"not {N.type_name(value)}", kind="type",
                             hint="make it a tensor first: torch.tensor([...])")
        return N.as_number(value) if function else value
    return checked
