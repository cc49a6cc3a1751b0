"""Python's `enum` in programs: a class deriving from Enum makes its plain attributes its members
(auto() numbering them 1, 2, ...), each with .name and .value, printed as Python prints them
(Color.RED, <Color.RED: 1>); the class is iterated, measured, subscripted by name and called with a
value, as Python's. IntEnum and Flag (members that are ints) are not provided: refused by name."""
from __future__ import annotations

from .program_exceptions import raise_python
from .program_functions import UserFunction
from .program_objects import MISSING, Builtin, ClassMethod, ProgramObject, Property, StaticMethod, call_special
from .program_values import value_repr


class Enum(ProgramObject):
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


class Auto:
    __slots__ = ()
    type_name = "auto"

    def __repr__(self):
        return "auto(_generate_next_value_)"


_NOT_MEMBERS = (UserFunction, Property, StaticMethod, ClassMethod, Builtin)


def make_members(cls):
    """Turn cls's plain class attributes into its members (called when the class is made)."""
    members, last = {}, 0
    for name, value in list(cls._ns.items()):
        if name.startswith("_") or isinstance(value, _NOT_MEMBERS) or isinstance(value, type):
            continue
        if type(value) is Auto:
            value = last + 1 if type(last) is int else 1
        last = value
        alias = next((m for m in members.values() if m.value == value), None)
        member = alias or object.__new__(cls)
        if alias is None:
            member.__dict__.update(name=name, value=value, _name_=name, _value_=value)
        members[name] = cls._ns[name] = member
    cls._members = {name: m for name, m in members.items() if m.name == name}
    cls._aliases = members


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
    for member in cls._members.values():
        if member.value == value:
            return member
    raise_python(ValueError(f"{value_repr(value)} is not a valid {cls.__qualname__}"))


def entries(builtin_class) -> dict:
    return {"Enum": Enum, "auto": Builtin("auto", Auto)}
