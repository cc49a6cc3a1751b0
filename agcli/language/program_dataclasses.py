"""Python's dataclasses in programs: @dataclass on a program's class (a training
config, a record of results) makes its __init__, __repr__ and __eq__ (order=,
frozen= too) from the names annotated in the class body, as Python's does, and
field(), asdict(), astuple(), fields() and replace() work on its instances.
"""
from __future__ import annotations

from ..errors import AgcliError
from .program_copy import deepcopy
from .program_exceptions import raise_python
from .program_functions import Parameters, UserFunction
from .program_objects import MISSING, BoundMethod, Builtin, ProgramObject, class_lookup
from .program_operators import sequence_compare
from .program_stdlib import Method, invoke
from .program_values import value_repr


class Field:
    """dataclasses.field(...): a field's default (or default_factory) and whether __init__,
    __repr__ and __eq__ take it."""

    __slots__ = ("name", "default", "default_factory", "init", "repr", "compare")
    type_name = "Field"
    program_attributes = {n: n for n in ("name", "default", "default_factory", "init", "repr", "compare")}

    def __init__(self, default=MISSING, default_factory=MISSING, init=True, repr=True, compare=True):
        self.name, self.default, self.default_factory = None, default, default_factory
        self.init, self.repr, self.compare = init, repr, compare

    def __repr__(self):
        return f"Field(name={self.name!r})"


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True, hash=None, compare=True,
          metadata=None, kw_only=MISSING):
    if default is not MISSING and default_factory is not MISSING:
        raise_python(ValueError("cannot specify both default and default_factory"))
    return Field(default, default_factory, init, repr, compare)


def dataclass(cls=None, *, init=True, repr=True, eq=True, order=False, unsafe_hash=False, frozen=False,
              match_args=True, kw_only=False, slots=False, weakref_slot=False):
    def wrap(c):
        return _process(c, init, repr, eq, order, frozen)
    return Builtin("wrap", wrap) if cls is None else wrap(cls)


def _process(cls, init, show, eq, order, frozen):
    if not (isinstance(cls, type) and issubclass(cls, ProgramObject)):
        raise AgcliError("agcli's @dataclass decorates a program's own classes", kind="type")
    fields = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(base.__dict__.get("_dataclass_fields", {}))
    ns = cls._ns
    for name in cls.__dict__.get("_annotated", ()):
        value = ns.get(name, MISSING)
        f = value if type(value) is Field else Field(value)
        f.name = name
        if type(f.default) in (list, dict, set):
            raise_python(ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: "
                                    f"use default_factory"))
        if type(value) is Field:
            if f.default is MISSING:
                ns.pop(name, None)
            else:
                ns[name] = f.default
        fields[name] = f
    seen_default = None
    for f in fields.values():
        if f.init:
            if f.default is MISSING and f.default_factory is MISSING:
                if seen_default:
                    raise_python(TypeError(f"non-default argument '{f.name}' follows default argument"))
            else:
                seen_default = f.name
    cls._dataclass_fields = fields
    qualname = cls.__qualname__

    def put(name, fn):
        if name not in ns:
            ns[name] = Method(name, f"{qualname}.{name}", fn)

    cls._dataclass_repr = bool(show) and "__repr__" not in ns       # (pprint lays such an instance out)
    if init:
        put("__init__", _init(cls, fields, frozen))
    if show:
        put("__repr__", lambda self: f"{type(self).__qualname__}(" + ", ".join(
            f"{f.name}={value_repr(self.__dict__.get(f.name))}" for f in fields.values() if f.repr) + ")")
    compared = [f.name for f in fields.values() if f.compare]

    def compare_with(op):
        def method(self, other):
            if type(other) is not type(self):
                return NotImplemented
            return sequence_compare(op, tuple(self.__dict__.get(n) for n in compared),
                                    tuple(other.__dict__.get(n) for n in compared))
        return method
    if eq:
        put("__eq__", compare_with("=="))
        if frozen:
            put("__hash__", lambda self: hash(tuple(self.__dict__.get(n) for n in compared)))
    if order:
        for op, name in (("<", "__lt__"), ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__")):
            put(name, compare_with(op))
    if frozen:
        cls.program_setattr = _frozen_setattr
    return cls


def _frozen_setattr(obj, name, value):
    raise_python(_FrozenInstanceError(f"cannot assign to field '{name}'"))


_FrozenInstanceError = type("FrozenInstanceError", (AttributeError,), {"__module__": "dataclasses"})


def _init(cls, fields, frozen):
    taken = [f for f in fields.values() if f.init]
    signature = _Signature(f"{cls.__qualname__}.__init__", ["self", *(f.name for f in taken)],
                           [_FACTORY if f.default is MISSING else f.default for f in taken
                            if f.default is not MISSING or f.default_factory is not MISSING])

    def init(self, *args, **kwargs):
        local = signature.bind((self, *args), kwargs)
        for f in fields.values():
            if f.init:
                value = local[f.name]
                if value is _FACTORY:
                    value = invoke(f.default_factory, (), {})
            elif f.default_factory is not MISSING:
                value = invoke(f.default_factory, (), {})
            elif f.default is not MISSING:
                value = f.default
            else:
                continue
            self.__dict__[f.name] = value
        post = class_lookup(type(self), "__post_init__")
        if post is not MISSING:
            BoundMethod(post, self)()
        return None
    return init


_FACTORY = object()


class _Signature:
    """The generated __init__'s parameters, bound by a program function's own rules and words."""

    bind = UserFunction.bind
    _defaults_into = UserFunction._defaults_into

    def __init__(self, qualname, names, defaults):
        self.qualname, self.params = qualname, Parameters(names, None, (), None)
        self.defaults, self.kw_defaults = tuple(defaults), {}


def asdict(obj):
    if not hasattr(type(obj), "_dataclass_fields") or isinstance(obj, type):
        raise_python(TypeError("asdict() should be called on dataclass instances"))
    return {n: _plain(obj.__dict__.get(n)) for n in type(obj)._dataclass_fields}


def astuple(obj):
    if not hasattr(type(obj), "_dataclass_fields") or isinstance(obj, type):
        raise_python(TypeError("astuple() should be called on dataclass instances"))
    return tuple(_plain(obj.__dict__.get(n)) for n in type(obj)._dataclass_fields)


def _plain(v):
    if hasattr(type(v), "_dataclass_fields") and not isinstance(v, type):
        return asdict(v)
    if type(v) in (list, tuple):
        return type(v)(_plain(x) for x in v)
    if type(v) is dict:
        return {_plain(k): _plain(x) for k, x in v.items()}
    return deepcopy(v)


def fields_of(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    if not hasattr(cls, "_dataclass_fields"):
        raise_python(TypeError("must be called with a dataclass type or instance"))
    return tuple(cls._dataclass_fields.values())


def replace(obj, **changes):
    values = {n: obj.__dict__.get(n) for n, f in type(obj)._dataclass_fields.items() if f.init}
    return invoke(type(obj), (), {**values, **changes})


def dataclasses_entries():
    return {"dataclass": Builtin("dataclass", dataclass), "field": Builtin("field", field),
            "asdict": Builtin("asdict", asdict), "astuple": Builtin("astuple", astuple),
            "fields": Builtin("fields", fields_of), "replace": Builtin("replace", replace),
            "FrozenInstanceError": _FrozenInstanceError}
