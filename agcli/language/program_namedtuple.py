"""collections.namedtuple and typing.NamedTuple's call in programs: Python's own
namedtuple classes (a DQN tutorial's `Transition = namedtuple('Transition',
('state', 'action', 'next_state', 'reward'))`), made in the program's module,
read field by field, printed with agcli's reprs of what they hold.
"""
from __future__ import annotations

import collections

from ..errors import AgcliError
from .program_exceptions import python_errors, raise_python
from .program_iteration import iterate
from .program_objects import Builtin

_INSTANCE_METHODS = ("_asdict", "_replace", "count", "index")


def is_namedtuple_class(cls) -> bool:
    """A class a program made with namedtuple (Python's own kind: a tuple with _fields)."""
    return getattr(cls, "_made_by_program", False)


def _namedtuple(typename, field_names, *, rename=False, defaults=None, module=None):
    if not isinstance(field_names, str):
        field_names = list(iterate(field_names))
    cls = collections.namedtuple(typename, field_names, rename=rename,
                                 defaults=None if defaults is None else list(iterate(defaults)),
                                 module="__main__" if module is None else module)
    cls._made_by_program = True
    return cls


def _typed_namedtuple(typename, fields=None, /, **kwargs):
    """typing.NamedTuple('Point', [('x', float), ('y', float)]) (or x=float, y=float): the same class."""
    pairs = list(iterate(fields)) if fields is not None else list(kwargs.items())
    names = []
    for pair in pairs:
        pair = tuple(iterate(pair))
        if len(pair) != 2:
            raise_python(TypeError("NamedTuple('Name', [(f0, t0), (f1, t1), ...]); each t must be a type"))
        names.append(pair[0])
    return _namedtuple(typename, names)


def namedtuple_builtin():
    return Builtin("namedtuple", python_errors(_namedtuple))


TYPED_NAMEDTUPLE = Builtin("NamedTuple", python_errors(_typed_namedtuple))


def namedtuple_class(name, namespace, annotated):
    """`class Point(NamedTuple):` with annotated fields and their defaults (its body's only names)."""
    extra = [key for key in namespace if key not in annotated and key != "__doc__"]
    if extra:
        raise AgcliError(f"agcli's programs give a NamedTuple class fields only (annotated names and their "
                         f"defaults), not '{extra[0]}'", kind="name",
                         hint="a @dataclass holds fields and methods; collections.namedtuple makes the tuple")
    defaults = [namespace[field] for field in annotated if field in namespace]
    for field, after in zip(annotated, annotated[1:]):
        if field in namespace and after not in namespace:
            raise_python(TypeError(f"Non-default namedtuple field {after} cannot follow default field {field}"))
    return python_errors(_namedtuple)(name, list(annotated), defaults=defaults or None)


def attribute(v, name, no_attribute, class_attribute):
    """A namedtuple's attributes (p.x, p._asdict(), p._replace(x=1), p._fields) and its class's
    (Point._fields, Point._make(iterable), else class_attribute's); else Python's AttributeError."""
    cls = v if isinstance(v, type) else type(v)
    if name in ("_fields", "_field_defaults"):
        return getattr(cls, name)
    if cls is v:
        if name == "_make":
            return Builtin("_make", python_errors(lambda iterable: cls._make(iterate(iterable))))
        return class_attribute(cls, name)
    if name in cls._fields:
        return getattr(v, name)
    if name in _INSTANCE_METHODS:
        return Builtin(name, python_errors(getattr(v, name)))
    no_attribute(v, name, cls._fields)
