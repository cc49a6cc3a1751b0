"""Python's `typing` and `__future__` in programs.

agcli reads annotations and never evaluates them (as `from __future__ import
annotations` makes Python do), so what a program needs of typing is its names:
importable, subscriptable where an alias is written outside an annotation
(`Batch = Tuple[torch.Tensor, torch.Tensor]`), printed as Python 3.11 prints
them, Generic[T] and Protocol as bases that add nothing, and cast, TypeVar,
NewType, overload and TYPE_CHECKING with Python's behaviour; NamedTuple is
program_namedtuple.py's. What needs evaluated annotations (get_type_hints,
TypedDict) is refused by name.
"""
from __future__ import annotations

from .program_exceptions import raise_python
from .program_namedtuple import TYPED_NAMEDTUPLE
from .program_objects import Builtin
from .program_values import value_repr

# Python 3.11's __future__ features (a name outside them is a SyntaxError, as Python's compiler says)
FUTURE_FEATURES = ("nested_scopes", "generators", "division", "absolute_import", "with_statement",
                   "print_function", "unicode_literals", "barry_as_FLUFL", "generator_stop", "annotations")


class Feature:
    """A __future__ feature's value (`__future__.annotations`)."""

    __slots__ = ("name",)
    type_name = "_Feature"

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"_Feature({self.name})"


def future_entries():
    return {name: Feature(name) for name in FUTURE_FEATURES}


def type_repr(obj) -> str:
    """typing._type_repr: a class by its qualified name (a builtin's bare), `...`, a function's name."""
    if obj is Ellipsis:
        return "..."
    if type(obj) is list:       # (Callable's parameter list)
        return "[" + ", ".join(map(type_repr, obj)) + "]"
    text = value_repr(obj)
    if text.startswith("<class '") and text.endswith("'>"):
        return text[8:-2]
    if text.startswith("<function "):
        return text[10:].split(" ", 1)[0]
    return text


class TypingForm:
    """A name of typing (List, Optional, Callable ...) or its subscription (List[int])."""

    __slots__ = ("name", "args", "builtin")
    type_name = "_GenericAlias"
    program_attributes = {"__name__": "name", "__args__": "args"}

    def __init__(self, name, args=None, builtin=None):
        self.name, self.args, self.builtin = name, args, builtin

    def __getitem__(self, key):
        if self.args is not None or self.name in _NOT_SUBSCRIPTABLE:
            raise_python(TypeError(f"{self!r} is not a generic class" if self.args is not None else
                                   "type 'Any' is not subscriptable" if self.name == "Any" else      # (a class in 3.11)
                                   f"{self!r} is not subscriptable"))
        args = key if type(key) is tuple else (key,)
        if self.name == "Union":
            return _union(args)
        if self.name == "Optional":
            if len(args) != 1:
                raise_python(TypeError(f"typing.Optional requires a single type. Got {type_repr(key)}."))
            return _union(args + (None,))
        return TypingForm(self.name, args)

    def __call__(self, *args, **kwargs):
        if self.builtin is not None:
            raise_python(TypeError(f"Type {self.name} cannot be instantiated; use {self.builtin}() instead"))
        raise_python(TypeError(f"Cannot instantiate {self!r}"))

    def __repr__(self):
        if self.args is None:
            return f"typing.{self.name}"
        if self.name == "Union" and len(self.args) == 2 and type(None) in self.args:
            other = self.args[0] if self.args[1] is type(None) else self.args[1]
            return f"typing.Optional[{type_repr(other)}]"
        return f"typing.{self.name}[{', '.join(map(type_repr, self.args))}]"


_NOT_SUBSCRIPTABLE = frozenset(("Any", "NoReturn", "Never", "LiteralString", "Self"))


def _union(args):
    """Union[...] as Python makes it: None read as NoneType, nested unions flattened, repeats dropped."""
    flat = []
    for arg in args:
        arg = type(None) if arg is None else arg
        for a in arg.args if type(arg) is TypingForm and arg.name == "Union" else (arg,):
            if not any(a is b or (type(a) is TypingForm and repr(a) == repr(b)) for b in flat):
                flat.append(a)
    return flat[0] if len(flat) == 1 else TypingForm("Union", tuple(flat))


class TypeVar:
    __slots__ = ("name",)
    type_name = "TypeVar"
    program_attributes = {"__name__": "name"}

    def __init__(self, name, *constraints, bound=None, covariant=False, contravariant=False):
        if type(name) is not str:
            raise_python(TypeError("TypeVar() argument 'name' must be str"))
        self.name = name

    def __repr__(self):
        return f"~{self.name}"


class NewType:
    """NewType('UserId', int): calling it gives its argument back, as Python's does."""

    __slots__ = ("name",)
    type_name = "NewType"
    program_attributes = {"__name__": "name"}

    def __init__(self, name, tp):
        self.name = name

    def __call__(self, value):
        return value

    def __repr__(self):
        return f"__main__.{self.name}"


def _cast(typ, val):
    return val


def _overload(func):
    def dummy(*args, **kwargs):
        raise_python(NotImplementedError(
            "You should not call an overloaded function. A series of @typing.overload-decorated functions "
            "outside a stub module should always be followed by an implementation that is not "
            "@typing.overload-decorated."))
    return Builtin("_overload_dummy", dummy)


def _unchanged(func):       # @final, @no_type_check, @runtime_checkable: the function or class itself
    return func


# typing's aliases of builtin classes, with the class Python's refusal to call them names
_ALIASES = {"List": "list", "Dict": "dict", "Set": "set", "FrozenSet": "frozenset", "Tuple": "tuple",
            "Type": "type", "DefaultDict": "collections.defaultdict", "OrderedDict": "collections.OrderedDict",
            "Counter": "collections.Counter", "Deque": "collections.deque"}
_FORMS = ("Any", "Optional", "Union", "Callable", "Iterable", "Iterator", "Sequence", "MutableSequence",
          "Mapping", "MutableMapping", "Generator", "Literal", "ClassVar", "Final", "Annotated", "NoReturn",
          "Hashable", "Sized", "Collection", "Container", "AbstractSet", "Awaitable", "Coroutine", "AsyncIterator",
          "AsyncIterable", "Reversible", "SupportsInt", "SupportsFloat", "SupportsAbs", "SupportsIndex",
          "Generic", "Protocol")
BASES_THAT_ADD_NOTHING = frozenset(("Generic", "Protocol"))


def is_base_that_adds_nothing(base) -> bool:
    """Generic, Generic[T], Protocol and Protocol[T] as a class's base: nothing of theirs is used at run time."""
    return type(base) is TypingForm and base.name in BASES_THAT_ADD_NOTHING


def typing_entries():
    entries = {name: TypingForm(name, builtin=builtin) for name, builtin in _ALIASES.items()}
    entries.update((name, TypingForm(name)) for name in _FORMS)
    entries.update(TYPE_CHECKING=False, Text=str, AnyStr=TypeVar("AnyStr"),
                   cast=Builtin("cast", _cast), overload=Builtin("overload", _overload),
                   final=Builtin("final", _unchanged), no_type_check=Builtin("no_type_check", _unchanged),
                   runtime_checkable=Builtin("runtime_checkable", _unchanged))
    entries["NamedTuple"] = TYPED_NAMEDTUPLE
    for cls in (TypeVar, NewType):
        entries[cls.__name__] = Builtin(cls.__name__, cls)
    return entries
