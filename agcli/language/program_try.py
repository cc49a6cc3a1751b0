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
from .program_calls import invoke
from .program_exceptions import ProgramException, exception_value, is_exception_class, matches, raise_python, \
    reraise
from .program_objects import MISSING, ProgramObject, call_special
from .program_operators import truth
from .program_runtime import LimitError, ProgramExit
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
                    last = exception_value(f.runtime.handling[-1])
                    if isinstance(last, SystemExit):
                        raise ProgramExit(last.code)
                    raise f.runtime.handling[-1]
                raise_python(RuntimeError("No active exception to reraise"), span)
            value = _exception(exc(f), "exceptions must derive from BaseException", span)
            if f.runtime.handling:          # (raised while handling another: Python's implicit context)
                context = exception_value(f.runtime.handling[-1])
                if context is not value:
                    value.__context__ = context
            if cause is not None:
                c = cause(f)
                value.__cause__ = None if c is None else \
                    _exception(c, "exception causes must derive from BaseException", span)
            if isinstance(value, SystemExit):
                raise ProgramExit(value.code)
            reraise(value, span)
        return raise_

    def with_items(self, node):
        """A `with` statement's items: (its manager's expression, the `as` target's store or None, span)."""
        return [(self.expr(context), None if target is None else self.store(target), context.span)
                for context, target in node.items]

    def stmt_With(self, node):
        items = self.with_items(node)
        body = self.block(node.body)

        def with_(f, i=0):
            if i == len(items):
                for step in body:
                    step(f)
                return
            with ManagedBy(f, *items[i]):
                with_(f, i + 1)
        return with_

    def except_clauses(self, node, block):
        """A try statement's except clauses: (the class expression or None for a bare `except`,
        the `as` name's store or None, that name, the body lowered by `block`)."""
        return [(None if h.type is None else self.expr(h.type), h.name and self._store_name(
            A.Name(h.name, h.span)), h.name, block(h.body)) for h in node.handlers]

    def stmt_Try(self, node):
        body = self.block(node.body)
        handlers = self.except_clauses(node, self.block)
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
                    clause = catching(f, handlers, e)
                    if clause is None:
                        raise
                    _handle(f, e, *clause[1:])
                except ProgramExit as e:       # (sys.exit(), argparse's error: `except SystemExit` catches it)
                    error = ProgramException(SystemExit(e.code))
                    clause = catching(f, handlers, error)
                    if clause is None:
                        raise
                    _handle(f, error, *clause[1:])
                else:
                    for step in orelse:
                        step(f)
            finally:
                for step in final:
                    step(f)
        return try_


def catching(f, handlers, error):
    """The first of except_clauses' clauses that catches `error` (None: none does)."""
    for clause in handlers:
        if clause[0] is None or matches(clause[0](f), error):
            return clause
    return None


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


class ManagedBy:
    """One `with` item, run by Python's own `with` (the plain and the generator lowering
    share it): entering evaluates the manager, enters it and stores the target; leaving
    calls its __exit__, which may swallow a program's error — never agcli's limits."""

    __slots__ = ("manager", "store", "span", "frame")

    def __init__(self, f, context, store, span):
        self.manager, self.store, self.span, self.frame = context(f), store, span, f

    def __enter__(self):
        entered = _enter(self.manager, self.span)
        if self.store is not None:
            self.store(self.frame, entered)

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, LimitError):
            return False
        if isinstance(error, AgcliError):
            return _exit(self.manager, error, self.span)
        _exit(self.manager, None, self.span)
        return False


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
    if getattr(manager, "takes_errors", False):        # (contextlib's: a @contextmanager, suppress)
        return manager.exit_with(error)
    if isinstance(manager, ProgramObject):
        value = None if error is None else exception_value(error)
        r = call_special(manager, "__exit__", None if value is None else type(value), value, None)
        return error is not None and r is not MISSING and truth(r)
    manager.__exit__(None, None, None)
    return False
