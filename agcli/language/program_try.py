"""A program's statements about exceptions -> closures: try/except/else/finally,
with (over several managers), raise (from), assert.

An error travels as an AgcliError (program_exceptions.py); an `except` clause
that matches binds the exception object it stands for, and a bare `raise`
re-raises the error being handled, with its place and hint.
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError
from .lower import guard
from .program_builtins import ProgramExit
from .program_calls import invoke
from .program_exceptions import exception_value, is_exception_class, matches, raise_python, reraise
from .program_objects import MISSING, ProgramObject, call_special
from .program_operators import truth
from .program_runtime import LimitError
from .program_values import type_name


class ExceptionStatements:
    """stmt_Try, stmt_With, stmt_Raise, stmt_Assert (a mixin of StatementLowering)."""

    def stmt_Assert(self, node):
        test = self.expr(node.test)
        message = None if node.msg is None else self.expr(node.msg)
        check, span = guard(truth, node.span), node.span

        def assert_(f):
            if not check(test(f)):
                raise_python(AssertionError() if message is None else AssertionError(message(f)), span)
        return assert_

    def stmt_Raise(self, node):
        exc = None if node.exc is None else self.expr(node.exc)
        cause = None if node.cause is None else self.expr(node.cause)
        span = node.span

        def raise_(f):
            if exc is None:
                if f.runtime.handling:
                    raise f.runtime.handling[-1]
                raise_python(RuntimeError("No active exception to reraise"), span)
            value = _exception(exc(f), "exceptions must derive from BaseException", span)
            if cause is not None:
                c = cause(f)
                value.__cause__ = None if c is None else \
                    _exception(c, "exception causes must derive from BaseException", span)
            if isinstance(value, SystemExit):
                raise ProgramExit(value.code)
            reraise(value, span)
        return raise_

    def stmt_With(self, node):
        items = [(self.expr(context), None if target is None else self.store(target), context.span)
                 for context, target in node.items]
        body = self.block(node.body)

        def with_(f, i=0):
            if i == len(items):
                for step in body:
                    step(f)
                return
            context, store, span = items[i]
            manager = context(f)
            entered = _enter(manager, span)
            if store is not None:
                store(f, entered)
            try:
                with_(f, i + 1)
            except AgcliError as e:
                if not isinstance(e, LimitError) and _exit(manager, e, span):
                    return
                raise
            except BaseException:
                _exit(manager, None, span)
                raise
            _exit(manager, None, span)
        return with_

    def stmt_Try(self, node):
        body = self.block(node.body)
        handlers = [(None if h.type is None else self.expr(h.type), h.name and self._store_name(
            A.Name(h.name, h.span)), h.name, self.block(h.body)) for h in node.handlers]
        orelse, final = self.block(node.orelse), self.block(node.finalbody)
        source = self.source

        def try_(f):
            try:
                try:
                    for step in body:
                        step(f)
                except LimitError:
                    raise
                except AgcliError as e:
                    if e.source is None:
                        e.source = source
                    for kind, store, name, handler in handlers:
                        if kind is None or matches(kind(f), e):
                            _handle(f, e, store, name, handler)
                            break
                    else:
                        raise
                else:
                    for step in orelse:
                        step(f)
            finally:
                for step in final:
                    step(f)
        return try_



def _handle(f, error, store, name, handler):
    """Run an except clause for `error`, its name bound to the exception (and unbound after, as Python)."""
    begin_handling(f, error, store)
    try:
        for step in handler:
            step(f)
    finally:
        end_handling(f, store, name)


def begin_handling(f, error, store):
    f.runtime.handling.append(error)        # (what a bare `raise` re-raises)
    if store:
        store(f, exception_value(error))


def end_handling(f, store, name):
    f.runtime.handling.pop()
    if store:
        for names in (f.vars, f.globals):
            if name in names:
                del names[name]
                break


def _exception(value, refusal, span):
    if is_exception_class(value):
        value = invoke(value, (), {})
    if not isinstance(value, BaseException):
        raise_python(TypeError(refusal), span)
    return value


def _enter(manager, span):
    if isinstance(manager, ProgramObject):
        r = call_special(manager, "__enter__")
        if r is not MISSING:
            return r
    elif hasattr(type(manager), "__enter__") and type(manager).__module__.startswith("agcli"):
        return manager.__enter__()
    raise_python(TypeError(f"'{type_name(manager)}' object does not support the context manager protocol"),
                 span)


def _exit(manager, error, span) -> bool:
    """The manager's __exit__; True when it swallows `error`."""
    if isinstance(manager, ProgramObject):
        value = None if error is None else exception_value(error)
        r = call_special(manager, "__exit__", None if value is None else type(value), value, None)
        return error is not None and r is not MISSING and truth(r)
    manager.__exit__(None, None, None)
    return False
