"""PyTorch's argument parser (torch/csrc/utils/python_arg_parser.cpp and
invalid_arguments.cpp) for its native functions and a tensor's methods: does
PyTorch refuse a call, and in which words ("received an invalid combination of
arguments", "argument 'dim' (position 2) must be tuple of ints, not str", ...)?
Asked when agcli's own call fails, and in a program before a call that passes
an argument other than a tensor (once per combination of types: agcli's
functions take some that PyTorch refuses, reshape(x, 6)).

The signatures are PyTorch's as its errors print them, recorded by
tools/record_signatures.py into pytorch_signatures.json, read at the first
such question (never at start-up).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..engine.tensor import Tensor
from .index_arguments import NUMPY_NAMES, is_int_tensor
from .subscripts import has_index

_TABLE = None
# PyTorch's binary ops whose tensor operands may be numbers (should_allow_numbers_as_tensors)
_NUMBERS_AS_TENSORS = frozenset([f"{n}{s}" for n in ("add", "div", "divide", "mul", "multiply", "sub", "subtract",
                                                       "true_divide", "floor_divide") for s in ("", "_")]
                                + ["to", "copy_"])
# IntArrayRef[N] parameters take one int as well as a tuple (sum(x, 0)); the printed type hides the N
_ONE_INT_TAKEN = frozenset(("dim", "shifts", "dims"))
_ONE_INT_REFUSED = {"flip", "permute"}


class Refused(Exception):
    """PyTorch's TypeError text for a call its parser refuses."""


class Param:
    __slots__ = ("kind", "name", "optional", "allow_none", "keyword_only", "one_int", "symint")

    def __init__(self, text, keyword_only):
        left, eq, default = text.partition(" = ")
        self.kind, self.name = left.rsplit(" ", 1)
        # (a list of ints with a default takes None too: amax(x, None))
        self.allow_none = default == "None" or bool(eq) and self.kind == "tuple of ints"
        self.optional, self.keyword_only, self.one_int, self.symint = bool(eq), keyword_only, False, False


class Signature:
    """One of a function's signatures, from its printed form "(Tensor input, *, torch.dtype dtype = None)"."""

    def __init__(self, name, text, nullable=(), hidden=False):
        self.name, self.text, self.params, self.hidden = name, text, [], hidden
        keyword_only = False
        for piece in (text[1:-1].split(", ") if text != "()" else ()):
            if piece == "*":
                keyword_only = True
            else:
                self.params.append(Param(piece, keyword_only))
                self.params[-1].allow_none |= self.params[-1].name in nullable     # (`int[1]? dim`)
        self.numbers = name in _NUMBERS_AS_TENSORS
        self.max_args = len(self.params)
        self.min_args = sum(not p.optional for p in self.params)
        self.max_pos_args = sum(not p.keyword_only for p in self.params)


def _table():
    global _TABLE
    if _TABLE is None:
        _TABLE = json.loads((Path(__file__).parent / "pytorch_signatures.json").read_text(encoding="utf-8"))
    return _TABLE


_PARSED = {}


def _signatures(entry):
    parsed = _PARSED.get(id(entry))
    if parsed is None:
        nullable = entry.get("none") or [()] * len(entry["signatures"])
        parsed = [Signature(entry["name"], s, n) for s, n in zip(entry["signatures"], nullable)]
        parsed += [Signature(entry["name"], s, hidden=True) for s in entry.get("hidden", ())]   # (deprecated ones)
        ints = {p.name for sig in parsed for p in sig.params if p.kind == "int"}
        for p in (p for sig in parsed for p in sig.params):
            # int[1] dim takes one int, unless an overload of its own does (squeeze(x, 0))
            p.one_int = p.name in _ONE_INT_TAKEN and p.name not in ints and entry["name"] not in _ONE_INT_REFUSED
            p.symint = p.name in entry.get("symint", ())     # (a SymInt takes what __index__ takes)
        _PARSED[id(entry)] = parsed
    return parsed


def typed_positions(name, is_method, n_args, keywords):
    """Which of a call's arguments PyTorch's parser reads the type of, beyond its tensors (positions,
    keyword names); None where it reads none (torch.add(x, y)), or agcli has not recorded NAME."""
    entry = _table()["methods" if is_method else "functions"].get(name)
    if entry is None:
        return None
    positions = set()
    for sig in _signatures(entry):
        positional = [p for p in sig.params if not p.keyword_only]
        if sig.max_pos_args == 1 and positional and positional[0].kind == "tuple of ints":
            positions.update(range(n_args))     # (view(2, 3): each is an element of the size)
        positions.update(i for i, p in enumerate(positional[:n_args]) if p.kind != "Tensor")
        positions.update(i for i in range(len(positional), n_args))
    if not positions and not keywords:
        return None
    return tuple(sorted(p for p in positions if p < n_args)), tuple(keywords)


def pytorch_error(name, is_method, args, kwargs):
    """PyTorch's TypeError text for NAME(*args, **kwargs) (a method: without its tensor),
    or None where PyTorch's parser takes the call (or agcli has not recorded NAME's signatures)."""
    found = parsed_call(name, is_method, args, kwargs)
    return found if found is None or type(found) is str else None


def parsed_call(name, is_method, args, kwargs):
    """The signature PyTorch's parser binds NAME(*args, **kwargs) to, or its TypeError text (None where
    agcli has not recorded NAME's signatures)."""
    entry = _table()["methods" if is_method else "functions"].get(name)
    if entry is None:
        return None
    signatures = _signatures(entry)
    try:
        if entry["one"]:
            _parse(signatures[0], args, kwargs, True)
            _unpack(signatures[0], args, kwargs)
            return signatures[0]
        bound = next((s for s in signatures if _parse(s, args, kwargs, False)), None)
        if bound is not None:
            _unpack(bound, args, kwargs)
            return bound
        n = len(args) + len(kwargs)
        plausible = [s for s in signatures if s.min_args <= n <= s.max_args and not s.hidden]
        if len(plausible) == 1:
            _parse(plausible[0], args, kwargs, True)
    except Refused as e:
        return str(e)
    return invalid_combination(entry["name"], args, kwargs, entry["signatures"])


def _parse(sig, args, kwargs, raise_exception) -> bool:
    """FunctionSignature::parse: does the call bind `sig`? (raise_exception: Refused with PyTorch's words)."""
    nargs, remaining, arg_pos = len(args), len(kwargs), 0
    params = sig.params
    varargs = sig.max_pos_args == 1 and params[0].kind == "tuple of ints"     # view(2, 3) is view((2, 3))
    if nargs > sig.max_pos_args and not varargs:
        if raise_exception:
            _extra_args(sig, nargs)
        return False
    for i, param in enumerate(params):
        is_kwd, obj, given = False, None, False
        if arg_pos < nargs:
            if param.keyword_only:
                if raise_exception:
                    _extra_args(sig, nargs)
                return False
            obj, given = args[arg_pos], True
        else:
            for key in (param.name, *NUMPY_NAMES.get(param.name, ())):
                if key in kwargs:
                    obj, given = kwargs[key], True
                    break
            is_kwd = True
        if not given and param.optional or given and obj is None and param.allow_none:
            pass
        elif not given:
            if raise_exception:
                missing = [f'"{p.name}"' for p in params[i:] if not p.optional]
                raise Refused(f"{sig.name}() missing {len(missing)} required positional argument"
                              f"{'s' if len(missing) == 1 else ''}: {', '.join(missing)}")
            return False
        elif _check(sig, param, obj, i):
            pass
        elif varargs and arg_pos == 0 and not is_kwd and _int_list(args):
            arg_pos = nargs
            continue
        elif raise_exception:
            if varargs and arg_pos == 0 and not is_kwd and nargs > sig.max_pos_args:
                _extra_args(sig, nargs)     # (reshape(6.0, 2): not a size, so too many arguments)
            if is_kwd:
                raise Refused(f"{sig.name}(): argument '{param.name}' must be {param.kind}, not {tp_name(obj)}")
            if param.kind == "tuple of ints" and type(obj) in (tuple, list) and obj:     # (its first element)
                raise Refused(f"{sig.name}(): argument '{param.name}' (position {arg_pos + 1}) must be {param.kind}, "
                              f"but found element of type {tp_name(obj[0])} at pos 0")
            raise Refused(f"{sig.name}(): argument '{param.name}' (position {arg_pos + 1}) must be {param.kind}, "
                          f"not {tp_name(obj)}")
        else:
            return False
        if not is_kwd:
            arg_pos += 1
        elif given:
            remaining -= 1
    if arg_pos < nargs:     # (flip((0, 1), 1): a size then more, not a size spread over the arguments)
        if raise_exception:
            _extra_args(sig, nargs)
        return False
    if remaining > 0:
        if raise_exception:
            names = [p.name for p in params]
            for key in kwargs:
                if key not in names:
                    raise Refused(f"{sig.name}() got an unexpected keyword argument '{key}'")
                if names.index(key) < nargs:
                    raise Refused(f"{sig.name}() got multiple values for argument '{key}'")
            raise Refused("invalid keyword arguments")
        return False
    return True


def _unpack(sig, args, kwargs):
    """A list of ints the parser took by its first element (it looks no further) fails when read."""
    params = sig.params
    if sig.max_pos_args == 1 and params[0].kind == "tuple of ints" and len(args) > 1:
        given = [(params[0], args)]     # (view(2, 'a'): the arguments are the list)
    else:
        given = [(p, args[i]) for i, p in enumerate(params[:len(args)])]
        given += [(p, kwargs.get(p.name)) for p in params[len(args):]]
    for param, v in given:
        if param.kind == "tuple of ints" and isinstance(v, (list, tuple)):
            bad = next((k for k, e in enumerate(v) if not _is_index(e) and type(e) is not bool), None)   # (but the first)
            if bad is not None:
                raise Refused(f"{sig.name}(): argument '{param.name}' failed to unpack the object at pos {bad + 1} "
                              f"with error \"type must be tuple of ints,but got {tp_name(v[bad])}\"")


def _extra_args(sig, nargs):
    if sig.min_args != sig.max_pos_args:
        raise Refused(f"{sig.name}() takes from {sig.min_args} to {sig.max_pos_args} positional arguments but "
                      f"{nargs} were given")
    raise Refused(f"{sig.name}() takes {sig.max_pos_args} positional argument{'' if sig.max_pos_args == 1 else 's'}"
                  f" but {nargs} {'was' if nargs == 1 else 'were'} given")


def _is_int(v) -> bool:
    """THPUtils_checkLong, or INT64's 0-d integer tensor (index_arguments.py)."""
    if type(v) is Tensor:
        return is_int_tensor(v)
    return isinstance(v, int) and type(v) is not bool or _numpy_kind(v) in "iu"


def _is_index(v) -> bool:
    """THPUtils_checkIndex: an int, or a tensor with __index__ (one integer or bool element)."""
    return has_index(v) if type(v) is Tensor else _is_int(v)


def _is_float(v) -> bool:
    return isinstance(v, (int, float)) or _numpy_kind(v) in "iufb" or _plain_scalar_tensor(v)


def _plain_scalar_tensor(v) -> bool:
    return type(v) is Tensor and v.ndim == 0 and not v.requires_grad


def _numpy_kind(v) -> str:
    """NumPy's scalar kind of v ('f', 'i', ...), '-' for anything else."""
    return v.dtype.kind if type(v).__module__ == "numpy" and getattr(v, "ndim", 1) == 0 else "-"


def _int_list(values) -> bool:
    return isinstance(values, (list, tuple)) and (not values or _is_index(values[0]))


def _check(sig, param, v, index) -> bool:
    """FunctionParameter::check: does v fit the parameter's type?"""
    kind = param.kind
    if kind == "Tensor":
        return type(v) is Tensor or sig.numbers and (isinstance(v, (int, float, complex)) or _numpy_kind(v) in "iufcb")
    if kind == "Number":
        return isinstance(v, (int, float, complex)) or _is_float(v) or _numpy_kind(v) == "c"
    if kind == "float":
        return _is_float(v)
    if kind == "int":
        return _is_int(v) or param.symint and _is_index(v)
    if kind == "bool":
        return type(v) is bool
    if kind == "tuple of ints":
        return _int_list(v) or param.one_int and _is_index(v)
    if kind == "tuple of Tensors":
        if not isinstance(v, (list, tuple)):
            return False
        for k, t in enumerate(v):
            if type(t) is not Tensor:       # (PyTorch's parser raises this even while it tries signatures)
                raise Refused(f"expected Tensor as element {k} in argument {index}, but got {tp_name(t)}")
        return True
    if kind == "tuple of floats":
        return isinstance(v, (list, tuple)) and all(_is_float(e) for e in v)
    if kind == "torch.dtype":
        return tp_name(v) == kind or v in (float, int, bool, complex)
    if kind == "torch.device":
        return _is_int(v) and type(v) is not Tensor or isinstance(v, str) or tp_name(v) == kind
    if kind == "str":
        return isinstance(v, str)
    if kind == "object":
        return True
    # torch.Generator, torch.layout, torch.memory_format: agcli's objects of those
    return tp_name(v) == kind or type(v).__module__.startswith("agcli") and type(v) is not Tensor


def tp_name(v) -> str:
    """Py_TYPE(v)->tp_name: 'Tensor', 'int', 'torch.dtype', 'numpy.ndarray', 'Parameter'."""
    from .program_values import type_name       # (only when an error is worded)
    name = type_name(v)
    return _TORCH_NAMES.get(name, name) if type(v).__module__.startswith("agcli") else name


_TORCH_NAMES = {"dtype": "torch.dtype", "device": "torch.device", "Size": "torch.Size", "layout": "torch.layout",
                "Generator": "torch._C.Generator"}


def _described(v) -> str:
    """A value as "got (...)" names it: 'int', 'tuple of (int, str)', 'list of [float]'."""
    if type(v) in (tuple, list):
        inside = ", ".join(tp_name(e) for e in v)
        if type(v) is tuple:
            return f"tuple of ({inside}{',' if len(v) == 1 else ''})"
        return f"list of [{inside}]"
    return tp_name(v)


def invalid_combination(name, args, kwargs, options) -> str:
    """torch::format_invalid_args: the "received an invalid combination of arguments" text."""
    message = f"{name}() received an invalid combination of arguments - "
    given = [tp_name(a) for a in args] + [f"{k}={tp_name(kwargs[k])}" for k in _hash_order(kwargs)]
    got = "(" + ", ".join(given) + (", " if kwargs and not args else "") + ")"
    if len(options) == 1:
        option = _Option(options[0])
        unmatched = option.unmatched_keywords(kwargs) if kwargs else []
        if unmatched:
            return message + "got unrecognized keyword arguments: " + ", ".join(unmatched)
        shown = option.formatted(args, kwargs) if option.count_matches(args, kwargs) else got
        return message + f"got {shown}, but expected {options[0]}"
    message += f"got {got}, but expected one of:\n"
    for text in options:
        option = _Option(text)
        message += f" * {text}\n"
        if option.count_matches(args, kwargs):
            unmatched = option.unmatched_keywords(kwargs) if kwargs else []
            if unmatched:
                message += "      didn't match because some of the keywords were incorrect: " + \
                    ", ".join(unmatched) + "\n"
            else:
                message += "      didn't match because some of the arguments have invalid types: " + \
                    option.formatted(args, kwargs) + "\n"
    return message


class _Option:
    """invalid_arguments.cpp's reading of a printed signature: it splits at ", " (so "*" and
    "bool keepdim = False" are arguments too, the latter's type "bool keepdim =", named "False")."""

    def __init__(self, text):
        self.arguments = []
        for arg in text[1:-1].split(", "):      # ("()": one argument, named "")
            type_name, _, name = arg.rpartition(" ")
            self.arguments.append((name, type_name if type_name else arg))
        self.variadic = "..." in text

    def count_matches(self, args, kwargs) -> bool:
        got = len(args) + len(kwargs)
        return got == len(self.arguments) or self.variadic and got > len(self.arguments)

    def unmatched_keywords(self, kwargs):
        start = max(len(self.arguments) - len(kwargs), 0)
        names = [n for n, _ in self.arguments[start:]]
        return [k for k in _hash_order(kwargs) if k not in names]

    def formatted(self, args, kwargs) -> str:
        shown = []
        for i in range(len(args) + len(kwargs)):
            keyword = i >= len(args)
            name = self.arguments[i][0] if i < len(self.arguments) else None
            value = kwargs.get(name) if keyword else args[i]
            matching = i < len(self.arguments) and _matches(self.arguments[i][1], value)
            text = (f"{name}=" if keyword else "") + _described(value)
            shown.append(text if matching else f"!{text}!")
        return "(" + ", ".join(shown) + (", " if kwargs and not args else "") + ")"


def _matches(type_name, value) -> bool:
    """invalid_arguments.cpp's type test: by the type's name alone."""
    name = tp_name(value)
    if type_name == "float":
        return name in ("float", "int", "long")
    if type_name == "int":
        return name in ("int", "long")
    return name == type_name


def _hash_order(kwargs):
    """The keywords in the order PyTorch's std::unordered_map gives them: the last given first
    (libstdc++ puts a new key in front while the keys fall in different buckets: with a few, nearly always)."""
    return list(reversed(kwargs))
