"""Python's `inspect` in programs, as far as tutorials use it: signature() of the program's own functions,
methods and classes (its parameters' names, defaults and kinds, printed by Python's own Signature), and
isfunction, ismethod, isclass, isgeneratorfunction. agcli does not keep annotations: a signature of a def
that has them is not printed (nor its .annotation read), agcli's refusal instead; PyTorch's functions'
signatures are agcli's refusal too.
"""
from __future__ import annotations

import inspect
from collections import OrderedDict

from ..errors import AgcliError
from .program_functions import UserFunction
from .program_objects import BoundMethod, Builtin, ProgramObject, class_lookup
from .program_values import type_name, value_repr

_KINDS = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD", "VAR_POSITIONAL", "KEYWORD_ONLY", "VAR_KEYWORD")


class _Shown:
    """A default as Python's Signature prints it (the program's value, shown by agcli's repr)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return value_repr(self.value)


def _refuse_annotations(fn):
    raise AgcliError(f"agcli does not keep the annotations of {fn.qualname}(): it does not print its signature",
                     kind="type", hint="print list(inspect.signature(f).parameters) (names, defaults and kinds "
                                       "are kept)")


class Parameter:
    """One of a signature's parameters (Python's own inside, for its printing)."""

    __slots__ = ("real", "name", "default", "kind", "function")
    type_name = "Parameter"
    pytorch_module = "inspect"
    program_str = True
    program_attributes = {"name": "name", "default": "default", "kind": "kind", "annotation": "annotation",
                          "empty": "empty"}
    empty = inspect.Parameter.empty

    def __init__(self, name, kind, default, function):
        self.name, self.kind, self.default, self.function = name, kind, default, function
        shown = inspect.Parameter.empty if default is inspect.Parameter.empty else _Shown(default)
        self.real = inspect.Parameter(name, kind, default=shown)

    @property
    def annotation(self):
        if self.function.annotated:
            _refuse_annotations(self.function)
        return inspect.Parameter.empty

    def __repr__(self):
        self.annotation
        return repr(self.real)

    def __str__(self):
        self.annotation
        return str(self.real)


class Signature:
    __slots__ = ("real", "parameters", "function")
    type_name = "Signature"
    pytorch_module = "inspect"
    program_attributes = {"parameters": "parameters", "return_annotation": "return_annotation", "empty": "empty"}
    program_str = True
    empty = inspect.Signature.empty

    def __init__(self, parameters, function):
        self.parameters = OrderedDict((p.name, p) for p in parameters)
        self.real = inspect.Signature([p.real for p in parameters])
        self.function = function

    @property
    def return_annotation(self):
        if self.function.annotated:
            _refuse_annotations(self.function)
        return inspect.Signature.empty

    def __repr__(self):
        self.return_annotation
        return repr(self.real)

    def __str__(self):
        self.return_annotation
        return str(self.real)


def _parameters(fn: UserFunction) -> list:
    p, kinds, empty = fn.params, inspect.Parameter, inspect.Parameter.empty
    first_default = len(p.positional) - len(fn.defaults)
    made = [Parameter(name, kinds.POSITIONAL_OR_KEYWORD, fn.defaults[i - first_default] if i >= first_default else
                      empty, fn) for i, name in enumerate(p.positional)]
    if p.var is not None:
        made.append(Parameter(p.var, kinds.VAR_POSITIONAL, empty, fn))
    made += [Parameter(name, kinds.KEYWORD_ONLY, fn.kw_defaults.get(name, empty), fn) for name in p.kwonly]
    if p.varkw is not None:
        made.append(Parameter(p.varkw, kinds.VAR_KEYWORD, empty, fn))
    return made


def signature(obj, *, follow_wrapped=True):
    """inspect.signature of the program's function, bound method or class (its __init__, without self)."""
    if type(obj) is UserFunction:
        return Signature(_parameters(obj), obj)
    if type(obj) is BoundMethod and type(obj.function) is UserFunction:
        return Signature(_parameters(obj.function)[1:], obj.function)
    if isinstance(obj, type) and issubclass(obj, ProgramObject):
        init = class_lookup(obj, "__init__")
        if type(init) is UserFunction:
            return Signature(_parameters(init)[1:], init)
    raise AgcliError(f"agcli's inspect.signature reads the program's own functions and classes, not "
                     f"{_described(obj)}", kind="type", hint="inspect.signature(f) of a def or lambda of the "
                                                             "program, of its method or of its class")


def _described(obj) -> str:
    if isinstance(obj, type):
        return f"the class {obj.__name__} (its __init__ is not the program's)"
    return f"a '{type_name(obj)}'"


_AGCLIS = ("Builtin", "TorchFunction", "PythonFunction", "BuiltinClass")


def _is_function(obj) -> bool:
    if type(obj) is UserFunction:
        return True
    _known(obj, "isfunction")
    return False


def _is_method(obj) -> bool:
    if type(obj) is BoundMethod and type(obj.function) is UserFunction:
        return True
    _known(obj, "ismethod")
    return False


def _known(obj, what):
    """Refuse to answer for agcli's stand-ins of PyTorch's and Python's functions (Python's answer depends
    on how PyTorch wrote each one)."""
    fn = obj.function if type(obj) is BoundMethod else obj
    if type(fn).__name__ in _AGCLIS and not isinstance(fn, type):
        raise AgcliError(f"agcli's inspect.{what} answers for the program's own functions, not for "
                         f"{type_name(obj)} values of PyTorch's or Python's", kind="type")


def _is_class(obj) -> bool:
    return isinstance(obj, type) or type(obj).__name__ == "BuiltinClass"


def _is_generator_function(obj) -> bool:
    fn = obj.function if type(obj) is BoundMethod else obj
    if type(fn) is UserFunction:
        return fn.generator is not None
    _known(obj, "isgeneratorfunction")
    return False


def entries(builtin_class) -> dict:
    kinds = {name: getattr(inspect.Parameter, name) for name in _KINDS}
    return {"signature": Builtin("signature", signature),
            "Parameter": builtin_class("Parameter", "inspect", Parameter, None,
                                       {"empty": inspect.Parameter.empty, **kinds}),
            "Signature": builtin_class("Signature", "inspect", Signature, None, {"empty": inspect.Signature.empty}),
            "isfunction": Builtin("isfunction", _is_function), "ismethod": Builtin("ismethod", _is_method),
            "isclass": Builtin("isclass", _is_class),
            "isgeneratorfunction": Builtin("isgeneratorfunction", _is_generator_function)}
