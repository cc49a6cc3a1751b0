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
from .program_runtime import Frame, ReturnSignal


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


def _too_many(fn, given, kwonly_given):
    """Python's TypeError for more positional arguments than fn takes."""
    n = len(fn.params.positional)
    least = n - len(fn.defaults)
    takes = f"from {least} to {n}" if least != n else str(n)
    plural = "s" if least != n or n != 1 else ""
    also = (f" positional argument{'s' if given != 1 else ''} (and {kwonly_given} keyword-only argument"
            f"{'s' if kwonly_given != 1 else ''})" if kwonly_given else "")
    return AgcliError(f"{fn.qualname}() takes {takes} positional argument{plural} but {given}{also} "
                      f"{'was' if given == 1 and not kwonly_given else 'were'} given", kind="type")


class UserFunction:
    """A `def` (or a lambda: `expression` instead of a body) with its defaults and the names it closes over."""

    __slots__ = ("name", "qualname", "params", "defaults", "kw_defaults", "body", "expression", "generator",
                 "globals", "cells", "runtime", "source", "owner", "attrs", "doc", "annotated")
    type_name = "function"
    takes_attributes = True         # (counter.calls = 0: a function's own attributes, in attrs)
    program_attributes = {"__name__": "name", "__qualname__": "qualname", "__doc__": "doc"}

    def __init__(self, name, qualname, params, defaults, kw_defaults, body, frame, source, *,
                 expression=None, generator=None):
        self.name, self.qualname, self.params = name, qualname, params
        self.defaults, self.kw_defaults = defaults, kw_defaults
        self.body, self.expression, self.generator = body, expression, generator
        self.globals, self.cells, self.runtime = frame.globals, frame.inner_cells(), frame.runtime
        self.source = source
        self.owner = None           # the class whose body made it (what super() starts after)
        self.attrs = self.doc = None
        self.annotated = False      # (a def's `x: int` or `-> T`, which agcli does not keep: inspect says so)

    def get_for(self, instance, owner):
        """As a class attribute: a bound method of an instance; the function itself from the class."""
        return self if instance is None else BoundMethod(self, instance)

    def bind(self, args, kwargs) -> dict:
        """The call's arguments as the function's local names, by Python's rules (and its words)."""
        p = self.params
        positional = p.positional
        n = len(positional)
        local = {}
        too_many = len(args) > n and p.var is None      # (Python says so after the keywords' errors)
        if len(args) > n:
            if p.var is not None:
                local[p.var] = tuple(args[n:])
            given, args = len(args), args[:n]
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
        if too_many:
            raise _too_many(self, given, sum(1 for key in kwargs if key in p.kwonly))
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
                raise_python(RecursionError("maximum recursion depth exceeded"))    # (Python's: catchable)
            if self.expression is not None:
                return self.expression(frame)
            for step in self.body:
                step(frame)
        except ReturnSignal as r:
            return r.value
        except RecursionError:      # (the interpreter's own stack, before the depth limit: Python's error)
            raise_python(RecursionError("maximum recursion depth exceeded"))
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
        except StopIteration as e:
            raise_python(StopIteration(*e.args))

    def close(self):
        self.gen.close()

    def __repr__(self):
        return f"<generator object {self.name} at {id(self):#x}>"
