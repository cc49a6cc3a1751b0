"""The grammar's statement rules -> the AST's statements (ast.py): the
callbacks ToAst (syntax_to_ast.py) takes from this mixin.

Besides building records they refuse what the grammar lets through but
Python does not, in Python's words (assigning to a call, `*a` alone as a
target, a parameter without a default after one with).
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError


class StatementCallbacks:
    """Callbacks named after the grammar's statement rules; each returns an AST node."""

    def assign(self, items):
        *targets, value = items
        for t in targets:
            check_target(t)
        return A.Assign(tuple(targets), value, (self._span(targets[0])[0], self._span(value)[1]))

    def augassign(self, items):
        target, op, value = items
        if not isinstance(target, (A.Name, A.Index, A.Attribute)):
            raise AgcliError("illegal expression for augmented assignment", self._span(target), kind="syntax")
        return A.AugAssign(target, str(op)[:-1], value, (self._span(target)[0], self._span(value)[1]),
                           (op.start_pos, op.end_pos))

    def annassign(self, items):
        target, _annotation, value = items
        if not isinstance(target, (A.Name, A.Index, A.Attribute)):
            raise AgcliError("illegal target for annotation", self._span(target), kind="syntax")
        return A.AnnAssign(target, value, self._span(target))

    def pass_(self, items):
        return A.Pass(None)

    def break_(self, items):
        return A.Break(None)

    def continue_(self, items):
        return A.Continue(None)

    def return_(self, items):
        (value,) = items
        return A.Return(value, None if value is None else self._span(value))

    def import_(self, items):
        return A.Import(tuple((module, alias) for module, alias, _ in items), (items[0][2][0], items[-1][2][1]))

    def dotted_as(self, items):
        (module, span), alias = items
        return module, None if alias is None else str(alias), span

    def import_from(self, items):
        (module, span), *names = items
        if len(names) == 1 and not isinstance(names[0], tuple):      # from x import *
            return A.ImportFrom(module, "*", span)
        return A.ImportFrom(module, tuple(names), span)

    def import_name(self, items):
        name, alias = items
        return str(name), None if alias is None else str(alias)

    def dotted(self, items):
        return ".".join(str(t) for t in items), (items[0].start_pos, items[-1].end_pos)

    def del_(self, items):
        (target,) = items
        targets = target.items if isinstance(target, A.TupleLit) else (target,)
        for t in targets:
            if not isinstance(t, (A.Name, A.Index, A.Attribute, A.TupleLit, A.ListLit)):
                raise AgcliError("cannot delete this expression", self._span(t), kind="syntax")
        return A.Delete(tuple(targets), self._span(target))

    def global_(self, items):
        return A.Global(tuple(str(t) for t in items), (items[0].start_pos, items[-1].end_pos))

    def nonlocal_(self, items):
        return A.Nonlocal(tuple(str(t) for t in items), (items[0].start_pos, items[-1].end_pos))

    def assert_(self, items):
        test, msg = items
        return A.Assert(test, msg, self._span(test))

    def raise_(self, items):
        keyword, exc, cause = items
        return A.Raise(exc, cause, (keyword.start_pos, self._span(cause or exc or keyword)[1]))

    def suite(self, items):
        return tuple(items)

    def if_stmt(self, items):
        test, body, *elifs, orelse = items
        for e_test, e_body in reversed(elifs):
            orelse = (A.If(e_test, e_body, orelse or (), self._span(e_test)),)
        return A.If(test, body, orelse or (), self._span(test))

    def elif_clause(self, items):
        return tuple(items)

    def while_stmt(self, items):
        test, body, orelse = items
        return A.While(test, body, orelse or (), self._span(test))

    def for_stmt(self, items):
        target, iterable, body, orelse = items
        return A.For(target, iterable, body, orelse or (), self._span(target))

    def targets(self, items):
        for t in items:
            check_target(t, alone=len(items) == 1)
        if len(items) == 1:
            return items[0]
        return A.TupleLit(tuple(items), (self._span(items[0])[0], self._span(items[-1])[1]))

    def lone_target(self, items):
        """`for a, in rows`: a tuple of one target, unpacked."""
        (target,) = items
        check_target(target, alone=False)
        return A.TupleLit((target,), self._span(target))

    def decorated(self, items):
        *decorators, definition = items
        fields = {name: getattr(definition, name) for name in definition.__slots__}
        fields["decorators"] = tuple(decorators)
        return type(definition)(*fields.values())

    def decorator(self, items):
        _at, expression = items
        return expression

    def def_stmt(self, items):
        name, params, returns, body = items
        annotated = returns is not None or any(p.annotated for p in params or ())
        return A.FunctionDef(str(name), check_parameters(params or ()), body, (), (name.start_pos, name.end_pos),
                             annotated)

    def parameters(self, items):
        return items

    def lambda_parameters(self, items):
        return items

    def parameter(self, items):
        name, *rest = items
        default = rest[-1]      # NAME [":" annotation] ["=" default], or NAME ["=" default] in a lambda
        annotated = len(rest) == 2 and rest[0] is not None
        return A.Parameter(str(name), default, "", (name.start_pos, name.end_pos), annotated)

    def star_parameter(self, items):
        star, name = items[0], items[1]
        span = (star.start_pos, (name or star).end_pos)
        annotated = len(items) == 3 and items[2] is not None
        return A.Parameter(None if name is None else str(name), None, "*", span, annotated)

    def double_star_parameter(self, items):
        star, name = items[0], items[1]
        annotated = len(items) == 3 and items[2] is not None
        return A.Parameter(str(name), None, "**", (star.start_pos, name.end_pos), annotated)

    def class_stmt(self, items):
        name, arguments, body = items
        bases, keywords = [], []
        for a in arguments or ():
            (keywords if isinstance(a, A.Keyword) else bases).append(a)
        return A.ClassDef(str(name), tuple(bases), tuple(keywords), body, (), (name.start_pos, name.end_pos))

    def with_stmt(self, items):
        *with_items, body = items
        return A.With(tuple(with_items), body, self._span(with_items[0][0]))

    def with_item(self, items):
        context, target = items
        if target is not None:
            check_target(target)
        return context, target

    def try_stmt(self, items):
        body, *rest = items
        handlers = tuple(i for i in rest if isinstance(i, A.ExceptHandler))
        orelse, final = rest[len(handlers):]
        return A.Try(body, handlers, orelse or (), final or (), _first_span(body))

    def try_finally(self, items):
        body, final = items
        return A.Try(body, (), (), final, _first_span(body))

    def except_clause(self, items):
        kind, name, body = items
        return A.ExceptHandler(kind, None if name is None else str(name), body,
                               None if kind is None else self._span(kind))


def _first_span(body):
    return getattr(body[0], "span", None) if body else None


def check_target(node, alone=False):
    """Python's refusals of an assignment's (or a loop's) target."""
    if isinstance(node, (A.TupleLit, A.ListLit)):
        starred = [i for i in node.items if isinstance(i, A.Starred)]
        if len(starred) > 1:
            raise AgcliError("multiple starred expressions in assignment", starred[1].span, kind="syntax")
        for item in node.items:
            check_target(item.value if isinstance(item, A.Starred) else item)
    elif isinstance(node, A.Starred):
        if alone:
            raise AgcliError("starred assignment target must be in a list or tuple", node.span, kind="syntax")
        check_target(node.value)
    elif not isinstance(node, (A.Name, A.Index, A.Attribute)):
        raise AgcliError("cannot assign to this expression", node.span, kind="syntax",
                         hint="assign to a name, x[...] or x.attribute")


def check_parameters(params):
    """Python's order of parameters: no default-less one after a default (before a *),
    one * and one **, ** last."""
    seen_default = seen_star = seen_double = False
    names = set()
    for p in params:
        if p.name is not None and p.name in names:
            raise AgcliError(f"duplicate argument '{p.name}' in function definition", p.span, kind="syntax")
        names.add(p.name)
        if seen_double:
            raise AgcliError("arguments cannot follow var-keyword argument", p.span, kind="syntax")
        if p.kind == "**":
            seen_double = True
        elif p.kind == "*":
            if seen_star:
                raise AgcliError("* argument may appear only once", p.span, kind="syntax")
            seen_star = True
        elif p.default is not None:
            seen_default = True
        elif seen_default and not seen_star:
            raise AgcliError("non-default argument follows default argument", p.span, kind="syntax")
    bare = [p for p in params if p.kind == "*" and p.name is None]
    if bare and (params[-1] is bare[0] or params[params.index(bare[0]) + 1].kind == "**"):
        raise AgcliError("named arguments must follow bare *", bare[0].span, kind="syntax")
    return tuple(params)
