"""The fast path of parse() for the commonest text: one line holding one
arithmetic expression (names, numbers, + - * / // % @ **, unary signs, one
comparison, calls with positional and keyword arguments, attributes,
indexing and slices, parentheses, list and tuple literals).

A batch of distinct expressions spent half of its parsing in the table
driver's shift/reduce loop and callbacks; precedence climbing over the same
tokens builds the same AST (ast.py) directly. It accepts only what it knows:
anything else (a keyword, a comparison, a string, a second line, a syntax
error ...) makes `expression_line` return None, and the table driver parses
the text as before, errors and all. tests/test_syntax_oneline.py checks that
both give equal trees.
"""
from __future__ import annotations

import re

from . import ast as A

# Tokens as the table driver's lexer cuts them (_tables.PATTERN), for the
# tokens handled here, each with the blanks before it: a name (ASCII first
# letter), a number (checked below), or an operator (one character, or
# ** // and a character followed by =); anything else, one character.
_TOKEN = re.compile(r"([\t \x0c]*)(?:([A-Za-z_]\w*)|"
                    r"(\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d[\d_]*)?|\.\d[\d_]*(?:[eE][-+]?\d[\d_]*)?)|"
                    r"(\*\*|//|[-+*/%@()\[\],.:=<>!]=?|[^\t \x0c]))")
# The grammar's NUMBER, which the lexer's number must be all of.
_NUMBER = re.compile(r"(\d(_?\d)*\.?(\d(_?\d)*)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?")
# What an operator's text is to the parser; any other text goes to the driver.
_OPERATORS = {op: op for op in ("+", "-", "*", "/", "//", "%", "@", "**", "(", ")", "[", "]", ",", ".", ":", "=")}
_OPERATORS.update((op, "COMPARE") for op in ("<", "<=", ">", ">=", "==", "!="))
_BINARY = {"+": 1, "-": 1, "*": 2, "@": 2, "/": 2, "//": 2, "%": 2}     # how tightly each binds

# Python's keywords and the grammar's (_tables.KEYWORDS): never a name here.
_KEYWORDS = frozenset(("yield", "raise", "from", "pass", "break", "continue", "return", "import", "del", "global",
                       "nonlocal", "assert", "as", "else", "if", "elif", "while", "for", "in", "def", "class", "with",
                       "finally", "try", "except", "lambda", "or", "and", "not", "is", "async", "await"))
_END = ("", "", -1, -1)


class _NotHere(Exception):
    """The text is not one this module parses: the table driver will."""


def _maker(cls, fields):
    """cls(*fields), made by calling its slots' setters directly: ast.py's
    records are immutable, and their __init__ loops over the setters, which
    made most of this path's cost. None if cls's fields are not `fields` (then
    this fast path stands aside: the driver builds what ast.py now declares)."""
    if cls.__slots__ != fields:
        return None
    new = object.__new__
    setters = [cls.__dict__[name].__set__ for name in fields]
    if len(setters) == 2:
        s0, s1 = setters

        def make(a, b):
            node = new(cls)
            s0(node, a)
            s1(node, b)
            return node
    elif len(setters) == 3:
        s0, s1, s2 = setters

        def make(a, b, c):
            node = new(cls)
            s0(node, a)
            s1(node, b)
            s2(node, c)
            return node
    elif len(setters) == 4:
        s0, s1, s2, s3 = setters

        def make(a, b, c, d):
            node = new(cls)
            s0(node, a)
            s1(node, b)
            s2(node, c)
            s3(node, d)
            return node
    else:
        s0, s1, s2, s3, s4 = setters

        def make(a, b, c, d, e):
            node = new(cls)
            s0(node, a)
            s1(node, b)
            s2(node, c)
            s3(node, d)
            s4(node, e)
            return node
    return make


_Name = _maker(A.Name, ("id", "span"))
_Number = _maker(A.Number, ("value", "span"))
_ListLit = _maker(A.ListLit, ("items", "span"))
_TupleLit = _maker(A.TupleLit, ("items", "span"))
_Unary = _maker(A.Unary, ("op", "operand", "span"))
_BinOp = _maker(A.BinOp, ("op", "left", "right", "span", "op_span"))
_Keyword = _maker(A.Keyword, ("name", "value", "span"))
_Call = _maker(A.Call, ("func", "args", "kwargs", "span"))
_Attribute = _maker(A.Attribute, ("obj", "name", "span", "name_span"))
_Slice = _maker(A.Slice, ("start", "stop", "step", "span"))
_Index = _maker(A.Index, ("obj", "items", "span"))
_READY = None not in (_Name, _Number, _ListLit, _TupleLit, _Unary, _BinOp, _Keyword, _Call, _Attribute, _Slice,
                      _Index)


def expression_line(text: str):
    """The statements (a 1-tuple holding the expression) of `text`, or None
    when it is not a line this fast path knows (see the module's docstring)."""
    if "\n" in text or "\r" in text or not _READY:
        return None
    tokens = []
    append = tokens.append
    at = 0
    operators = _OPERATORS
    for blank, name, number, op in _TOKEN.findall(text):
        start = at + len(blank)
        if name:
            at = start + len(name)
            if name in _KEYWORDS or not name.isidentifier():
                return None
            append(("NAME", name, start, at))
        elif number:
            at = start + len(number)
            if not _NUMBER.fullmatch(number):
                return None
            append(("NUMBER", number, start, at))
        else:
            at = start + len(op)
            kind = operators.get(op)
            if kind is None:        # another operator, a string, a comment ...
                return None
            append((kind, op, start, at))
    if not tokens or text[at:].strip("\t \x0c"):
        return None
    tokens.append(_END)
    parser = _Parser(tokens)
    try:
        node = parser.expr()
    except _NotHere:
        return None
    if parser.tokens[parser.at][0]:     # something after the expression
        return None
    return (node,)


class _Parser:
    __slots__ = ("tokens", "at")

    def __init__(self, tokens):
        self.tokens = tokens
        self.at = 0

    def expr(self):
        """An expression: arithmetic, or one comparison of two (a chain goes to the driver)."""
        left = self.binary(1)
        op = self.tokens[self.at]
        if op[0] != "COMPARE":
            return left
        self.at += 1
        right = self.binary(1)
        if self.tokens[self.at][0] == "COMPARE":
            raise _NotHere
        return _BinOp(op[1], left, right, (left.span[0], right.span[1]), (op[2], op[3]))

    def binary(self, tightest):
        """Operands joined by the binary operators that bind at least as tightly
        as `tightest` (+ - 1, * @ / // % 2), left to right."""
        left = self.factor()
        tokens, binding = self.tokens, _BINARY
        while True:
            op = tokens[self.at]
            strength = binding.get(op[0], 0)
            if strength < tightest:
                return left
            self.at += 1
            right = self.binary(strength + 1)
            left = _BinOp(op[1], left, right, (left.span[0], right.span[1]), (op[2], op[3]))

    def factor(self):
        op = self.tokens[self.at]
        if op[0] == "-" or op[0] == "+":
            self.at += 1
            operand = self.factor()
            return _Unary(op[1], operand, (op[2], operand.span[1]))
        base = self.postfix()
        op = self.tokens[self.at]
        if op[0] != "**":
            return base
        self.at += 1
        exponent = self.factor()
        return _BinOp("**", base, exponent, (base.span[0], exponent.span[1]), (op[2], op[3]))

    def postfix(self):
        node = self.atom()
        tokens = self.tokens
        while True:
            kind = tokens[self.at][0]
            if kind == "(":
                self.at += 1
                node = self.call(node)
            elif kind == ".":
                name = tokens[self.at + 1]
                if name[0] != "NAME":
                    raise _NotHere
                self.at += 2
                node = _Attribute(node, name[1], (node.span[0], name[3]), (name[2], name[3]))
            elif kind == "[":
                self.at += 1
                node = self.index(node)
            else:
                return node

    def atom(self):
        token = self.tokens[self.at]
        kind = token[0]
        self.at += 1
        if kind == "NAME":
            return _Name(token[1], (token[2], token[3]))
        if kind == "NUMBER":
            return _Number(_number(token[1]), (token[2], token[3]))
        if kind == "(":
            items, comma = self.items(")")
            if len(items) == 1 and not comma:
                return items[0]             # parentheses around an expression
            return _TupleLit(items, (items[0].span[0], items[-1].span[1]) if items else (0, 0))
        if kind == "[":
            items, _ = self.items("]")
            return _ListLit(items, (items[0].span[0], items[-1].span[1]) if items else (0, 0))
        raise _NotHere

    def items(self, close):
        """The comma-separated expressions up to `close` (a trailing comma
        allowed) and whether there was a comma."""
        tokens = self.tokens
        items, comma = [], False
        while tokens[self.at][0] != close:
            items.append(self.expr())
            if tokens[self.at][0] != ",":
                break
            self.at += 1
            comma = True
        self._expect(close)
        return tuple(items), comma

    def call(self, func):
        tokens = self.tokens
        args, kwargs = [], []
        last = func
        while tokens[self.at][0] != ")":
            token = tokens[self.at]
            if token[0] == "NAME" and tokens[self.at + 1][0] == "=":
                self.at += 2
                value = self.expr()
                last = _Keyword(token[1], value, (token[2], value.span[1]))
                kwargs.append(last)
            else:
                if kwargs:      # a positional argument after a keyword: the driver says so
                    raise _NotHere
                last = self.expr()
                args.append(last)
            if tokens[self.at][0] != ",":
                break
            self.at += 1
        self._expect(")")
        return _Call(func, tuple(args), tuple(kwargs), (func.span[0], last.span[1] + 1))

    def index(self, obj):
        tokens = self.tokens
        items = [self.subscript()]
        while tokens[self.at][0] == "," and tokens[self.at + 1][0] != "]":
            self.at += 1
            items.append(self.subscript())
        if tokens[self.at][0] == ",":   # a trailing comma
            self.at += 1
        self._expect("]")
        end = max(obj.span[1], items[-1].span[1]) + 1
        return _Index(obj, tuple(items), (obj.span[0], end))

    def subscript(self):
        tokens = self.tokens
        start = None if tokens[self.at][0] == ":" else self.expr()
        if tokens[self.at][0] != ":":
            return start
        self.at += 1
        stop = step = None
        if tokens[self.at][0] not in (":", ",", "]"):
            stop = self.expr()
        if tokens[self.at][0] == ":":
            self.at += 1
            if tokens[self.at][0] not in (",", "]"):
                step = self.expr()
        parts = [p for p in (start, stop, step) if p is not None]
        return _Slice(start, stop, step, (parts[0].span[0], parts[-1].span[1]) if parts else (0, 0))

    def _expect(self, kind):
        if self.tokens[self.at][0] != kind:
            raise _NotHere
        self.at += 1


def _number(text: str):
    """A NUMBER token's value, as syntax_to_ast.ToAst.number reads it."""
    if text[:2] in ("0x", "0X", "0o", "0O", "0b", "0B"):
        return int(text, 0)
    return float(text) if any(c in text for c in ".eE") else int(text)
