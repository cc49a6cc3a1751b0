"""The grammar's rules -> the AST of ast.py: ToAst's methods are the callbacks
the parser calls on each reduction (named after the rules they build).

Both parsers call it: the table driver (syntax_driver.py) and Lark's
(syntax_lark.py). It also refuses what the grammar lets through but Python
does not (assigning to a call, a positional argument after a keyword).
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError
from .syntax_python import not_an_identifier
from .syntax_strings import string_literal


class ToAst:
    """Callbacks named after the grammar's rules; each returns an AST node."""

    @staticmethod
    def _span(node):
        if hasattr(node, "span"):
            return node.span
        return (node.start_pos, node.end_pos)

    def start(self, items):
        return tuple(items)

    # ---------------------------------------------------------- statements
    def assign(self, items):
        *targets, value = items
        for t in targets:
            _check_target(t)
        return A.Assign(tuple(targets), value, (self._span(targets[0])[0], self._span(value)[1]))

    def augassign(self, items):
        target, op, value = items
        if not isinstance(target, (A.Name, A.Index, A.Attribute)):
            raise AgcliError("illegal expression for augmented assignment", self._span(target), kind="syntax")
        return A.AugAssign(target, str(op)[:-1], value, (self._span(target)[0], self._span(value)[1]),
                           (op.start_pos, op.end_pos))

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
        module, alias = items
        return A.Import(module[0], None, None if alias is None else str(alias), module[1])

    def import_from(self, items):
        module, name, alias = items
        return A.Import(module[0], str(name), None if alias is None else str(alias), module[1])

    def dotted(self, items):
        return ".".join(str(t) for t in items), (items[0].start_pos, items[-1].end_pos)

    def del_(self, items):
        (target,) = items
        return A.Delete(target, self._span(target))

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
        test, body = items
        return A.While(test, body, self._span(test))

    def for_stmt(self, items):
        targets, iterable, body = items
        return A.For(targets[0], iterable, body, targets[1])

    def for_target(self, items):
        return tuple(str(t) for t in items), (items[0].start_pos, items[-1].end_pos)

    def def_stmt(self, items):
        name, params, body = items
        return A.FunctionDef(str(name), tuple(params or ()), body, (name.start_pos, name.end_pos))

    def parameters(self, items):
        return items

    def parameter(self, items):
        name, default = items
        return (str(name), default)

    def with_stmt(self, items):
        context, alias, body = items
        return A.With(context, None if alias is None else str(alias), body, self._span(context))

    def try_stmt(self, items):
        body = items[0]
        handlers = tuple(i for i in items[1:] if isinstance(i, A.ExceptHandler))
        rest = [i for i in items[1:] if isinstance(i, tuple)]
        final = rest[0] if rest else ()
        first = body[0] if body else None
        span = getattr(first, "span", None)
        return A.Try(body, handlers, final, span)

    def except_clause(self, items):
        kind, name, body = items
        return A.ExceptHandler(kind, None if name is None else str(name), body,
                               None if kind is None else self._span(kind))

    # --------------------------------------------------------- expressions
    def or_(self, items):
        left, right = items
        return A.BoolOp("or", left, right, (self._span(left)[0], self._span(right)[1]))

    def and_(self, items):
        left, right = items
        return A.BoolOp("and", left, right, (self._span(left)[0], self._span(right)[1]))

    def not_(self, items):
        (operand,) = items
        return A.Not(operand, self._span(operand))

    def ifexp(self, items):
        body, test, orelse = items
        return A.IfExp(test, body, orelse, (self._span(body)[0], self._span(orelse)[1]))

    def compare(self, items):
        operands, ops, spans = [items[0]], [], []
        pending = None
        for item in items[1:]:
            if hasattr(item, "type") and not hasattr(item, "span"):  # an operator token
                text = str(item)
                if pending is None:
                    pending = (text, (item.start_pos, item.end_pos))
                else:   # 'not in', 'is not'
                    pending = (pending[0] + " " + text, (pending[1][0], item.end_pos))
            else:
                ops.append(pending[0])
                spans.append(pending[1])
                operands.append(item)
                pending = None
        if len(ops) == 1 and ops[0] in _COMPARE_OPS:
            left, right = operands
            return A.BinOp(ops[0], left, right, (self._span(left)[0], self._span(right)[1]), spans[0])
        return A.Compare(tuple(ops), tuple(operands),
                         (self._span(operands[0])[0], self._span(operands[-1])[1]), tuple(spans))

    def name(self, items):
        (tok,) = items
        name = str(tok)
        if not name.isidentifier():     # the grammar's \w takes x² too; Python does not
            raise not_an_identifier(name, tok.start_pos)
        return A.Name(name, (tok.start_pos, tok.end_pos))

    def number(self, items):
        (tok,) = items
        text = str(tok)
        if text[:2] in ("0x", "0X", "0o", "0O", "0b", "0B"):
            value = int(text, 0)
        else:
            value = float(text) if any(c in text for c in ".eE") else int(text)
        return A.Number(value, (tok.start_pos, tok.end_pos))

    def string(self, items):
        pieces = [string_literal(tok) for tok in items]
        span = (items[0].start_pos, items[-1].end_pos)
        if not any(isinstance(p, list) for p in pieces):
            return A.String("".join(pieces), span)
        parts = []
        for p in pieces:
            parts.extend(p if isinstance(p, list) else [p])
        return A.FString(tuple(parts), span)

    def _seq_span(self, items, fallback=(0, 0)):
        items = [i for i in items if i is not None]
        if not items:
            return fallback
        return (self._span(items[0])[0], self._span(items[-1])[1])

    def list(self, items):
        items = tuple(i for i in items if i is not None)
        return A.ListLit(items, self._seq_span(items))

    def tuple(self, items):
        items = tuple(i for i in items if i is not None)
        return A.TupleLit(items, self._seq_span(items))

    def binop(self, items):
        left, op, right = items
        return A.BinOp(str(op), left, right, (self._span(left)[0], self._span(right)[1]),
                       (op.start_pos, op.end_pos))

    def unary(self, items):
        op, operand = items
        return A.Unary(str(op), operand, (op.start_pos, self._span(operand)[1]))

    def call(self, items):
        func, arguments = items
        args, kwargs = [], []
        for a in arguments or ():
            if isinstance(a, A.Keyword):
                kwargs.append(a)
            elif kwargs:
                raise AgcliError("positional argument follows keyword argument", a.span, kind="syntax")
            else:
                args.append(a)
        end = self._span((arguments or [func])[-1])[1] + 1
        return A.Call(func, tuple(args), tuple(kwargs), (self._span(func)[0], end))

    def arguments(self, items):
        return items

    def keyword(self, items):
        name, value = items
        return A.Keyword(str(name), value, (name.start_pos, self._span(value)[1]))

    def attribute(self, items):
        obj, name = items
        return A.Attribute(obj, str(name), (self._span(obj)[0], name.end_pos),
                           (name.start_pos, name.end_pos))

    def index(self, items):
        obj, subs = items
        end = max(self._span(obj)[1], self._seq_span(subs)[1]) + 1
        return A.Index(obj, tuple(subs), (self._span(obj)[0], end))

    def subscripts(self, items):
        return items

    def slice(self, items):
        start, stop, step = items
        parts = [p for p in items if p is not None]
        return A.Slice(start, stop, step, self._seq_span(parts))

    def ellipsis(self, items):
        (tok,) = items
        return A.EllipsisLit((tok.start_pos, tok.end_pos))


_COMPARE_OPS = ("<", "<=", ">", ">=", "==", "!=")


def _check_target(node):
    if isinstance(node, A.TupleLit):
        for item in node.items:
            _check_target(item)
    elif not isinstance(node, (A.Name, A.Index, A.Attribute)):
        raise AgcliError("cannot assign to this expression", node.span, kind="syntax",
                         hint="assign to a name, x[...] or x.attribute")
