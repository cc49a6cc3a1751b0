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
from .syntax_statements import StatementCallbacks, check_parameters
from .syntax_strings import string_literal


class ToAst(StatementCallbacks):
    """Callbacks named after the grammar's rules; each returns an AST node
    (the statements' are StatementCallbacks')."""

    @staticmethod
    def _span(node):
        if hasattr(node, "span"):
            return node.span
        return (node.start_pos, node.end_pos)

    def start(self, items):
        return tuple(items)

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
        elif any(c in text for c in ".eEjJ"):
            value = float(text)
        else:
            if text[0] == "0" and text.strip("0_"):       # 08: Python refuses it (00 is zero)
                raise AgcliError("leading zeros in decimal integer literals are not permitted; use an 0o prefix "
                                 "for octal integers", (tok.start_pos, tok.end_pos), kind="syntax")
            value = int(text)
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
            elif any(k.name is None for k in kwargs):
                what = "iterable argument unpacking" if isinstance(a, A.Starred) else "positional argument"
                raise AgcliError(f"{what} follows keyword argument unpacking", a.span, kind="syntax")
            elif kwargs and not isinstance(a, A.Starred):
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

    def lone_subscript(self, items):
        """`d[1,]`: the key is a tuple of one (a slice stays itself: x[1:2,] is x[1:2] to a tensor)."""
        (item,) = items
        return items if type(item) is A.Slice else [A.TupleLit((item,), item.span)]

    def slice(self, items):
        start, stop, step = items
        parts = [p for p in items if p is not None]
        return A.Slice(start, stop, step, self._seq_span(parts))

    def ellipsis(self, items):
        (tok,) = items
        return A.EllipsisLit((tok.start_pos, tok.end_pos))

    # ------------------------------------------------ programs' expressions
    def starred(self, items):
        star, value = items
        return A.Starred(value, (star.start_pos, self._span(value)[1]))

    def double_starred(self, items):
        star, value = items
        return A.Keyword(None, value, (star.start_pos, self._span(value)[1]))

    def dict(self, items):
        entries = [i for i in items if i is not None]
        return A.DictLit(tuple(k for k, _ in entries), tuple(v for _, v in entries),
                         self._seq_span([v for _, v in entries]))

    def dict_entry(self, items):
        key, value = items
        return key, value

    def dict_unpack(self, items):
        _star, value = items
        return None, value

    def set(self, items):
        return A.SetLit(tuple(items), self._seq_span(items))

    def _comprehension(self, kind, element, value, clauses):
        return A.Comprehension(kind, element, value, clauses, (self._span(element)[0], clauses[-1].span[1]))

    def generator(self, items):
        element, clauses = items
        return self._comprehension("generator", element, None, clauses)

    def generator_argument(self, items):
        return [self.generator(items)]

    def list_comprehension(self, items):
        element, clauses = items
        return self._comprehension("list", element, None, clauses)

    def set_comprehension(self, items):
        element, clauses = items
        return self._comprehension("set", element, None, clauses)

    def dict_comprehension(self, items):
        key, value, clauses = items
        return self._comprehension("dict", key, value, clauses)

    def comprehension(self, items):
        return tuple(items)

    def comp_for(self, items):
        target, iterable = items
        return A.CompFor(target, iterable, (self._span(target)[0], self._span(iterable)[1]))

    def comp_if(self, items):
        (test,) = items
        return A.CompIf(test, self._span(test))

    def lambda_expr(self, items):
        params, body = items
        return A.Lambda(check_parameters(params or ()), body, self._span(body))

    def yield_(self, items):
        keyword, value = items
        return A.Yield(value, False, (keyword.start_pos, self._span(value or keyword)[1]))

    def yield_from(self, items):
        keyword, value = items
        return A.Yield(value, True, (keyword.start_pos, self._span(value)[1]))


_COMPARE_OPS = ("<", "<=", ">", ">=", "==", "!=")
