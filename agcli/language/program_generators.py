"""Functions with `yield`: their bodies lowered as Python generators.

A statement that yields (or holds a statement that does) becomes a generator
function of the frame, which the statements around it `yield from`; the rest
stay the ordinary closures. So `for x in data_iter(...)` resumes the lowered
body where it left off, as Python resumes the textbook's data_iter.
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError
from .lower import guard
from .program_iteration import iterate
from .program_operators import truth
from .program_runtime import BreakSignal, ContinueSignal, LimitError, ReturnSignal, check_iterations
from .program_scopes import has_yield
from .program_try import ManagedBy, begin_handling, catching, end_handling


class GeneratorStatements:
    """gen_<Statement> methods: the statements that yield, lowered to generators of the frame."""

    def generator_body(self, body):
        """The function frame -> Python generator that runs a generator function's body."""
        run = self.gen_block(body)

        def generator(f):
            try:
                yield from run(f)
            except ReturnSignal as r:
                return r.value          # (StopIteration's value: what `yield from` gives)
        return generator

    def gen_block(self, body):
        steps = [(has_yield(s), self.gen_statement(s) if has_yield(s) else self.statement(s)) for s in body]

        def run(f):
            for yields, step in steps:
                if yields:
                    yield from step(f)
                else:
                    step(f)
        return run

    def gen_statement(self, node):
        method = getattr(self, "gen_" + type(node).__name__, None)
        if method is None:
            raise self.error("agcli runs 'yield' as a statement or as an assignment's value",
                             getattr(node, "span", None), "syntax")
        return method(node)

    def gen_Yield(self, node):
        value = None if node.value is None else self.expr(node.value)
        if node.is_from:
            items_of = guard(iterate, node.span)

            def yield_from(f):
                return (yield from items_of(value(f)))
            return yield_from

        def yield_(f):
            return (yield None if value is None else value(f))
        return yield_

    def gen_Assign(self, node):
        if type(node.value) is not A.Yield:
            return self.gen_statement(node.value)        # (refused: a yield inside an expression)
        produce = self.gen_Yield(node.value)
        stores = [self.store(t) for t in node.targets]

        def assign(f):
            sent = yield from produce(f)
            for store in stores:
                store(f, sent)
        return assign

    def gen_If(self, node):
        test, check = self.expr(node.test), guard(truth, node.test.span)
        body, orelse = self.gen_block(node.body), self.gen_block(node.orelse)

        def if_(f):
            yield from (body if check(test(f)) else orelse)(f)
        return if_

    def gen_While(self, node):
        test, check = self.expr(node.test), guard(truth, node.test.span)
        body, orelse, span = self.loop_body(node.body, self.gen_block), self.gen_block(node.orelse), node.span

        def while_(f):
            yield from _loop(f, _while_holds(check, test, f), None, body, orelse, span)
        return while_

    def gen_For(self, node):
        iterable, items_of = self.expr(node.iter), guard(iterate, node.iter.span)
        store = self.store(node.target)
        body, orelse, span = self.loop_body(node.body, self.gen_block), self.gen_block(node.orelse), node.span

        def for_(f):
            yield from _loop(f, items_of(iterable(f)), store, body, orelse, span)
        return for_

    def gen_Try(self, node):
        body = self.gen_block(node.body)
        handlers = self.except_clauses(node, self.gen_block)
        orelse, final = self.gen_block(node.orelse), self.gen_block(node.finalbody)

        def try_(f):
            try:
                try:
                    yield from body(f)
                except LimitError:
                    raise
                except AgcliError as e:
                    clause = catching(f, handlers, e)
                    if clause is None:
                        raise
                    _, store, name, handler = clause
                    begin_handling(f, e, store)
                    try:
                        yield from handler(f)
                    finally:
                        end_handling(f, store, name)
                else:
                    yield from orelse(f)
            finally:
                yield from final(f)
        return try_

    def gen_With(self, node):
        items = self.with_items(node)
        body = self.gen_block(node.body)

        def with_(f, i=0):
            if i == len(items):
                yield from body(f)
                return
            with ManagedBy(f, *items[i]):
                yield from with_(f, i + 1)
        return with_


def _loop(f, items, store, body, orelse, span):
    """A while or for loop that yields: per item the iteration limit, the target stored
    (a for loop's), the body; `break` skips the else."""
    count = 0
    for item in items:
        count += 1
        check_iterations(f.runtime, count, span)
        if store is not None:
            store(f, item)
        try:
            yield from body(f)
        except BreakSignal:
            return
        except ContinueSignal:
            pass
    yield from orelse(f)


def _while_holds(check, test, f):
    """A while loop's items: one (None) each time its test holds."""
    while check(test(f)):
        yield None
