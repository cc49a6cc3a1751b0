"""Python's `enum` in programs: a class deriving from Enum makes its plain attributes its members
(auto() numbering them 1, 2, ...), each with .name and .value, printed as Python prints them
(Color.RED, <Color.RED: 1>); the class is iterated, measured, subscripted by name and called with a
value, as Python's.

IntEnum, Flag and IntFlag: each class has a shadow, Python's own enum of the same name and values,
which decides what Python decides (Perm(3)'s name READ|WRITE, Flag's ~, |, `in`, iteration, the
printing, the errors); the program's members stand for the shadow's. IntEnum's and IntFlag's members
are ints (Python's int arithmetic, indexing and hashing apply to them)."""
from __future__ import annotations

from .program_exceptions import python_errors, raise_python
from .program_functions import UserFunction
from .program_objects import MISSING, Builtin, ClassMethod, ProgramObject, Property, StaticMethod, call_special, \
    class_lookup
from .program_values import type_name, value_repr


class _EnumType(type):
    """enum.EnumType: an Enum class shown as Python shows it (<enum 'Color'>)."""

    def __repr__(cls):
        return f"<flag '{cls.__name__}'>" if issubclass(cls, Flag) else f"<enum '{cls.__name__}'>"


_EnumType.__module__, _EnumType.__name__, _EnumType.__qualname__ = "enum", "EnumType", "EnumType"


class Enum(ProgramObject, metaclass=_EnumType):
    """enum.Enum: its subclasses' members are made when the class is (a program's __repr__ and __str__ first)."""

    __slots__ = ()

    def __repr__(self):
        r = call_special(self, "__repr__")
        return f"<{type(self).__name__}.{self.name}: {value_repr(self.value)}>" if r is MISSING else \
            ProgramObject.__repr__(self)

    def __str__(self):
        r = call_special(self, "__str__")
        return f"{type(self).__name__}.{self.name}" if r is MISSING else ProgramObject.__str__(self)


Enum.__module__ = "enum"


def _set_attribute(member, name, value):
    """member.NAME = value: a program's own attribute, not its name or value (Python's AttributeError)."""
    if name in ("name", "value", "_name_", "_value_"):
        raise_python(AttributeError(f"<enum 'Enum'> cannot set attribute '{name}'"))
    prop = class_lookup(type(member), name)
    if type(prop) is Property:
        return prop.set_on(member, value)
    member.__dict__[name] = value
    return None


Enum.program_setattr = staticmethod(_set_attribute)


def _shown(how):
    """repr, str or format of a member: the program's own method, else the shadow's (as Python's)."""
    special = {repr: "__repr__", str: "__str__"}.get(how)

    def show(self, *spec):
        r = MISSING if special is None else call_special(self, special)
        if r is MISSING:
            return how(self._shadow, *spec)
        return ProgramObject.__repr__(self) if how is repr else ProgramObject.__str__(self)
    return show


class IntEnum(int, Enum):
    __slots__ = ()
    native_operators = True     # (Python's int arithmetic and comparisons)
    __repr__, __str__, __format__ = _shown(repr), _shown(str), _shown(format)


class _Method:
    """A special method of Flag: the shadow's, on the shadows of its operands, its result the program's member."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def get_for(self, instance, owner):
        def call(*args):
            result = python_errors(getattr(instance._shadow, self.name))(*[getattr(a, "_shadow", a) for a in args])
            if self.name == "__iter__":
                return iter([_program_member(owner, m) for m in result])
            return _program_member(owner, result)
        return Builtin(self.name, call)


class Flag(Enum):
    __slots__ = ()
    __repr__, __str__, __format__ = _shown(repr), _shown(str), _shown(format)


Flag._ns = {name: _Method(name) for name in ("__or__", "__ror__", "__and__", "__rand__", "__xor__", "__rxor__",
                                             "__invert__", "__contains__", "__iter__", "__len__", "__bool__")}


class IntFlag(int, Flag):
    __slots__ = ()
    native_operators = True
    __repr__, __str__, __format__ = _shown(repr), _shown(str), _shown(format)


class _StrEnum(str, Enum):
    """`class Color(str, Enum)`: members that are strs (made Python's StrEnum-like mixin, shadowed too)."""
    __slots__ = ()
    native_operators = True
    __repr__, __str__, __format__ = _shown(repr), _shown(str), _shown(format)


class StrEnum(_StrEnum):
    """enum.StrEnum (Python 3.11): str() and format() its value, auto() its name in lower case."""
    __slots__ = ()


class _FloatEnum(float, Enum):
    __slots__ = ()
    native_operators = True
    __repr__, __str__, __format__ = _shown(repr), _shown(str), _shown(format)


for _cls in (IntEnum, Flag, IntFlag, _StrEnum, StrEnum, _FloatEnum):
    _cls.__module__ = "enum"
_SHADOWED = (IntFlag, Flag, IntEnum, StrEnum, _StrEnum, _FloatEnum)        # (most derived first: the shadow's kind)
MIXINS = {str: _StrEnum, float: _FloatEnum, int: IntEnum}


def mixed_bases(bases: tuple) -> tuple:
    """`class C(str, Enum)`, `class C(int, Enum)`: the mixin and Enum as one of agcli's bases."""
    if len(bases) == 2 and bases[0] in MIXINS and bases[1] is Enum:
        return (MIXINS[bases[0]],)
    return bases


class Auto:
    """auto(): numbered when the class is made; `ALL = READ | WRITE` of two of them waits for their numbers."""

    __slots__ = ()
    type_name = "auto"
    native_operators = True

    def __repr__(self):
        return "auto(_generate_next_value_)"


class _Later:
    """An operation on auto() values in a class body (Python numbers them at once: it is done when they are)."""

    __slots__ = ("fn", "args")
    type_name = "auto"
    native_operators = True

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def value(self, numbers):
        return self.fn(*[numbers.get(id(a), a) if type(a) is Auto else a.value(numbers) if type(a) is _Later else a
                         for a in self.args])


def _later(name):
    import operator
    fn = getattr(operator, name)
    return (lambda self, other: _Later(fn, (self, other))), (lambda self, other: _Later(fn, (other, self)))


for _owner in (Auto, _Later):
    for _op in ("or", "and", "xor", "add", "sub", "mul"):
        _forward, _reflected = _later(f"{_op}_" if _op in ("or", "and") else _op)
        setattr(_owner, f"__{_op}__", _forward)
        setattr(_owner, f"__r{_op}__", _reflected)


_NOT_MEMBERS = (UserFunction, Property, StaticMethod, ClassMethod, Builtin)


def make_members(cls):
    """Turn cls's plain class attributes into its members (called when the class is made)."""
    kind = next((k for k in _SHADOWED if issubclass(cls, k)), None)
    members, values, flags, numbers = {}, [], kind in (Flag, IntFlag), {}
    for name, value in list(cls._ns.items()):
        if name.startswith("_") or isinstance(value, _NOT_MEMBERS) or isinstance(value, type):
            continue
        auto = value
        if type(value) is _Later:
            value = python_errors(value.value)(numbers)
        elif type(value) is Auto and kind is StrEnum:
            value = name.lower()
        elif type(value) is Auto:     # (Python's _generate_next_value_: Flag's next power of two)
            last = values[-1] if values else 0
            value = (2 ** max(values).bit_length() if flags else last + 1) if values and all(
                type(v) is int for v in values) else 1
            numbers[id(auto)] = value
        values.append(value)
        alias = next((m for m in members.values() if m.value == value), None)
        member = alias or _new_member(cls, name, value)
        members[name] = cls._ns[name] = member
    cls._members = {name: m for name, m in members.items() if m.name == name}
    cls._aliases = members
    if kind is not None:
        import enum
        pairs = [(name, m.value) for name, m in members.items()]
        shadow = cls._shadow_class = python_errors(getattr(enum, kind.__name__))(cls.__name__, pairs) if \
            kind in (IntFlag, Flag, IntEnum, StrEnum) else python_errors(enum.Enum)(cls.__name__, pairs, type=kind.__mro__[1])
        shadow.__qualname__ = cls.__qualname__
        for name, member in members.items():
            member._shadow = shadow[name]
            member.__dict__.update(value=member._shadow.value, _value_=member._shadow.value)
        cls._pseudo = {}
        cls._members = {m.name: cls._aliases[m.name] for m in shadow}


def _new_member(cls, name, value, shadow=None):
    mixin = next((k for k in (int, str, float) if issubclass(cls, k)), None)
    member = object.__new__(cls) if mixin is None else python_errors(mixin.__new__)(cls, value)
    member.__dict__.update(name=name, value=value, _name_=name, _value_=value)
    if shadow is not None:
        member._shadow = shadow
    return member


def _program_member(cls, value):
    """What the shadow gave, as the program sees it: its member for one of the shadow's (Perm(3): one made
    once for that value), else the value itself."""
    if not isinstance(value, cls._shadow_class):
        return value
    if value.name in cls._aliases:
        return cls._aliases[value.name]
    made = cls._pseudo.get(value.value)
    if made is None:
        made = cls._pseudo[value.value] = _new_member(cls, value.name, value.value, value)
    return made


def is_enum_class(value) -> bool:
    return isinstance(value, type) and getattr(value, "_members", None) is not None


def members(cls) -> list:
    return list(cls._members.values())


def member_named(cls, name):
    if name not in cls._aliases:
        raise_python(KeyError(name))
    return cls._aliases[name]


def member_of_value(cls, value):
    """Color(1): the member with that value (Python's ValueError when none has it)."""
    if getattr(cls, "_shadow_class", None) is not None:
        return _program_member(cls, python_errors(cls._shadow_class)(value))
    for member in cls._members.values():
        if member.value == value:
            return member
    raise_python(ValueError(f"{value_repr(value)} is not a valid {cls.__qualname__}"))


def unique(cls):
    """@enum.unique: Python's ValueError when a member is another's alias."""
    if not is_enum_class(cls):
        owner = f"type object '{cls.__name__}'" if isinstance(cls, type) else f"'{type_name(cls)}' object"
        raise_python(AttributeError(f"{owner} has no attribute '__members__'"))
    aliases = [f"{name} -> {member.name}" for name, member in cls._aliases.items() if member.name != name]
    if aliases:
        raise_python(ValueError(f"duplicate values found in {cls!r}: {', '.join(aliases)}"))
    return cls


def entries(builtin_class) -> dict:
    return {"Enum": Enum, "IntEnum": IntEnum, "Flag": Flag, "IntFlag": IntFlag, "StrEnum": StrEnum,
            "auto": Builtin("auto", Auto), "unique": Builtin("unique", unique)}
