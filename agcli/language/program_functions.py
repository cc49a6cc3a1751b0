"""A program's functions: `def` and `lambda` (their arguments bound by
Python's rules and words), and the generators a function with `yield` or a
generator expression gives.

Each call runs the lowered body in a new Frame (program_runtime.py): the
function's own names, the module's, and those of the functions it was made in.
"""
from __future__ import annotations

from ..errors import AgcliError
from .program_exceptions import raise_python
from .program_objects import BoundMethod
from .program_runtime import Frame, LimitError, ReturnSignal


class Parameters:
    """A def's parameters: positional names (those with defaults last), *args,
    keyword-only names, **kwargs. Made once, when the def is lowered."""

    __slots__ = ("positional", "var", "kwonly", "varkw", "names")

    def __init__(self, positional, var, kwonly, varkw):
        self.positional, self.var, self.kwonly, self.varkw = tuple(positional), var, tuple(kwonly), varkw
        self.names = frozenset(self.positional + self.kwonly)


def _listed(names) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def _missing(who, kind, names):
    s = "s" if len(names) > 1 else ""
    return AgcliError(f"{who}() missing {len(names)} required {kind} argument{s}: {_listed(names)}", kind="type")


class UserFunction:
    """A `def` (or a lambda: `expression` instead of a body) with its defaults and the names it closes over."""

    __slots__ = ("name", "qualname", "params", "defaults", "kw_defaults", "body", "expression", "generator",
                 "globals", "cells", "runtime", "source", "owner")
    type_name = "function"
    program_attributes = {"__name__": "name", "__qualname__": "qualname"}

    def __init__(self, name, qualname, params, defaults, kw_defaults, body, frame, source, *,
                 expression=None, generator=None):
        self.name, self.qualname, self.params = name, qualname, params
        self.defaults, self.kw_defaults = defaults, kw_defaults
        self.body, self.expression, self.generator = body, expression, generator
        self.globals, self.cells, self.runtime = frame.globals, frame.inner_cells(), frame.runtime
        self.source = source
        self.owner = None           # the class whose body made it (what super() starts after)

    def get_for(self, instance, owner):
        """As a class attribute: a bound method of an instance; the function itself from the class."""
        return self if instance is None else BoundMethod(self, instance)

    def bind(self, args, kwargs) -> dict:
        """The call's arguments as the function's local names, by Python's rules (and its words)."""
        p = self.params
        positional = p.positional
        n = len(positional)
        local = {}
        if len(args) > n:
            if p.var is None:
                given = len(args)
                least = n - len(self.defaults)
                takes = f"from {least} to {n}" if least != n else str(n)
                raise AgcliError(f"{self.qualname}() takes {takes} positional argument{'s' if n != 1 else ''} "
                                 f"but {given} {'was' if given == 1 else 'were'} given", kind="type")
            local[p.var] = tuple(args[n:])
            args = args[:n]
        elif p.var is not None:
            local[p.var] = ()
        for name, value in zip(positional, args):
            local[name] = value
        extra = {} if p.varkw is not None else None
        for key, value in kwargs.items():
            if key in p.names:
                if key in local:
                    raise AgcliError(f"{self.qualname}() got multiple values for argument '{key}'", kind="type")
                local[key] = value
            elif extra is not None:
                extra[key] = value
            else:
                raise AgcliError(f"{self.qualname}() got an unexpected keyword argument '{key}'", kind="type")
        if extra is not None:
            local[p.varkw] = extra
        if len(local) < len(p.names) + (p.var is not None) + (p.varkw is not None):
            self._defaults_into(local)
        return local

    def _defaults_into(self, local):
        p = self.params
        first_default = len(p.positional) - len(self.defaults)
        missing = []
        for i, name in enumerate(p.positional):
            if name not in local:
                if i >= first_default:
                    local[name] = self.defaults[i - first_default]
                else:
                    missing.append(name)
        if missing:
            raise _missing(self.qualname, "positional", missing)
        missing = []
        for name in p.kwonly:
            if name not in local:
                if name in self.kw_defaults:
                    local[name] = self.kw_defaults[name]
                else:
                    missing.append(name)
        if missing:
            raise _missing(self.qualname, "keyword-only", missing)

    def __call__(self, *args, **kwargs):
        frame = Frame(self.bind(args, kwargs), self.globals, self.cells, self.runtime, self)
        if self.generator is not None:
            return ProgramGenerator(self.generator(frame), self.name, self.source)
        runtime = self.runtime
        runtime.depth += 1
        try:
            if runtime.depth > runtime.max_depth:
                raise LimitError("maximum recursion depth exceeded", kind="limit")
            if self.expression is not None:
                return self.expression(frame)
            for step in self.body:
                step(frame)
        except ReturnSignal as r:
            return r.value
        except AgcliError as e:
            if e.span is not None and e.source is None:     # the error's place is in this function's text
                e.source = self.source
            raise
        finally:
            runtime.depth -= 1
        return None

    def __repr__(self):
        return f"<function {self.qualname} at {id(self):#x}>"


class ProgramGenerator:
    """What calling a generator function (or a generator expression) gives: Python's
    generator over the lowered body, resumed by for, next(), list(), ..."""

    __slots__ = ("gen", "name", "source")
    type_name = "generator"
    program_methods = frozenset(("send", "close"))

    def __init__(self, gen, name, source=None):
        self.gen, self.name, self.source = gen, name, source

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self.gen)
        except AgcliError as e:
            if e.span is not None and e.source is None:
                e.source = self.source
            raise

    def send(self, value):
        try:
            return self.gen.send(value)
        except StopIteration:
            raise_python(StopIteration())

    def close(self):
        self.gen.close()

    def __repr__(self):
        return f"<generator object {self.name} at {id(self):#x}>"
