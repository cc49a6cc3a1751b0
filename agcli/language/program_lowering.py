"""A program's AST -> closures: ProgramLowering, with what makes a scope of its
own — def (and its generators), lambda, class, comprehensions — and super().

Each nested scope is lowered by a ProgramLowering of its own Scope
(program_scopes.py), so that a name inside it is read from the right frame.
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError
from .lower import guard
from .program_calls import invoke
from .program_classes import make_class, make_super
from .program_exceptions import python_errors
from .program_functions import Parameters, ProgramGenerator, UserFunction
from .program_generators import GeneratorStatements
from .program_iteration import iterate
from .program_objects import MISSING
from .program_operators import truth
from .program_runtime import Frame, check_iterations
from .program_scopes import class_scope, comprehension_scope, function_scope
from .program_statements import StatementLowering

_COMPREHENSION = "<comprehension>"      # a comprehension's frame is a function's (its names are its own)


class ProgramLowering(GeneratorStatements, StatementLowering):
    """Lowers a program, or one scope of it (a def's body, a class body, a lambda)."""

    def __init__(self, scope, source, first_parameter=None):
        super().__init__(scope, source)
        self.first_parameter = first_parameter     # a def's first parameter: what super() binds

    def nested(self, scope, first_parameter=None):
        return ProgramLowering(scope, self.source, first_parameter)

    def _qualname(self, name):
        scope = self.scope
        if scope.kind == "module":
            return name
        return f"{scope.qualname}.{name}" if scope.kind == "class" else f"{scope.qualname}.<locals>.{name}"

    # -- def and lambda
    def _function(self, name, params, body, span, annotated=False):
        """A closure frame -> UserFunction for a def (body: statements) or a lambda (body: an expression)."""
        qualname = self._qualname(name)
        scope = function_scope(self.scope, qualname, params, body, self.source)
        positional = [p.name for p in params if p.kind == "" and not _after_star(params, p)]
        kwonly = [p.name for p in params if p.kind == "" and _after_star(params, p)]
        var = next((p.name for p in params if p.kind == "*"), None)
        varkw = next((p.name for p in params if p.kind == "**"), None)
        parameters = Parameters(positional, var, kwonly, varkw)
        defaults = [self.expr(p.default) for p in params if p.kind == "" and p.default is not None
                    and p.name in positional]
        kw_defaults = [(p.name, self.expr(p.default)) for p in params if p.name in kwonly and p.default is not None]
        inner = self.nested(scope, positional[0] if positional else None)
        source = self.source
        if not isinstance(body, tuple):
            expression = inner.expr(body)
            return lambda f: UserFunction(name, qualname, parameters, tuple(d(f) for d in defaults),
                                          {k: d(f) for k, d in kw_defaults}, None, f, source,
                                          expression=expression)
        inner.loops = 0
        if scope.generator:
            generator, steps = inner.generator_body(body), None
        else:
            generator, steps = None, inner.block(body)
        doc = body[0].value if body and type(body[0]) is A.String else None

        def make(f):
            fn = UserFunction(name, qualname, parameters, tuple(d(f) for d in defaults),
                              {k: d(f) for k, d in kw_defaults}, steps, f, source, generator=generator)
            fn.doc, fn.annotated = doc, annotated
            return fn
        return make

    def stmt_FunctionDef(self, node):
        decorators = [self.expr(d) for d in node.decorators]
        make = self._function(node.name, node.params, node.body, node.span, node.annotated)
        return self._define(make, decorators, self._store_name(A.Name(node.name, node.span)), node.span)

    def _define(self, make, decorators, store, span):
        def define(f):
            applied = [d(f) for d in decorators]        # (Python evaluates them before the def)
            value = make(f)
            for decorator in reversed(applied):
                try:
                    value = invoke(decorator, (value,), {})
                except AgcliError as e:
                    raise e.at(span)
            store(f, value)
        return define

    def lower_Lambda(self, node):
        return self._function("<lambda>", node.params, node.body, node.span)

    # -- class
    def stmt_ClassDef(self, node):
        if node.keywords:
            raise self.error("agcli's programs define classes without keywords (metaclass=...)",
                             node.keywords[0].span, "syntax")
        qualname = self._qualname(node.name)
        bases = [self.expr(b) for b in node.bases]
        decorators = [self.expr(d) for d in node.decorators]
        scope = class_scope(self.scope, qualname, node.body, self.source)
        body = self.nested(scope).block(node.body)
        name, make_type = node.name, guard(make_class, node.span)
        annotated = tuple(s.target.id for s in node.body if type(s) is A.AnnAssign and type(s.target) is A.Name)

        def make(f):
            namespace = {}
            frame = Frame(namespace, f.globals, f.inner_cells(), f.runtime, None)
            for step in body:
                step(frame)
            return make_type(name, qualname, tuple(b(f) for b in bases), namespace, annotated)
        return self._define(make, decorators, self._store_name(A.Name(node.name, node.span)), node.span)

    def super_call(self, node):
        """super() (or super(cls, obj)) inside a method."""
        explicit = [self.expr(a) for a in node.args]
        first, span = self.first_parameter, node.span
        build = guard(make_super, span)

        def super_(f):
            if explicit:
                return build(None, MISSING, *[e(f) for e in explicit])
            return build(f.function, f.vars.get(first, MISSING) if first else MISSING)
        return super_

    # -- comprehensions
    def lower_Comprehension(self, node):
        clauses = node.clauses
        first = self.expr(clauses[0].iter)
        scope = comprehension_scope(self.scope, clauses)
        inner = self.nested(scope)
        steps = []
        for i, clause in enumerate(clauses):
            if type(clause) is A.CompFor:
                iterable = None if i == 0 else inner.expr(clause.iter)
                steps.append(("for", iterable, inner.store(clause.target), guard(iterate, clause.iter.span)))
            else:
                steps.append(("if", inner.expr(clause.test), guard(truth, clause.test.span), None))
        element = inner.expr(node.element)
        value = None if node.value is None else inner.expr(node.value)
        span = node.span

        def produce(f, i, items, count):
            if i == len(steps):
                yield element(f) if value is None else (element(f), value(f))
                return
            kind, a, b, c = steps[i]
            if kind == "if":
                if b(a(f)):
                    yield from produce(f, i + 1, None, count)
                return
            for item in c(a(f)) if items is None else items:
                count[0] += 1
                check_iterations(f.runtime, count[0], span)
                b(f, item)
                yield from produce(f, i + 1, None, count)

        first_items = guard(iterate, clauses[0].iter.span)

        def start(f):
            items = first_items(first(f))       # (Python reads the first iterable at once)
            frame = Frame({}, f.globals, f.inner_cells(), f.runtime, _COMPREHENSION)
            return produce(frame, 0, items, [0])
        kind = node.kind
        if kind == "generator":
            source = self.source
            return lambda f: ProgramGenerator(start(f), "<genexpr>", source)
        if kind == "list":
            return lambda f: list(start(f))
        collect = guard(python_errors(set if kind == "set" else dict), span)     # (an unhashable key: Python's words)
        return lambda f: collect(start(f))


def _after_star(params, p) -> bool:
    """Is parameter p keyword-only (after a * or *args)?"""
    for q in params:
        if q is p:
            return False
        if q.kind == "*":
            return True
    return False
