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
# tokens handled here, each with the blanks before it: a word (a name with an
# ASCII first letter, or a number, checked below) or an operator (one
# character, or ** // and a character followed by =); anything else, one character.
# (One group for all three: a group each made findall dearer than telling them apart below.)
_TOKEN = re.compile(r"([\t \x0c]*)([A-Za-z_]\w*|"
                    r"\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d[\d_]*)?|\.\d[\d_]*(?:[eE][-+]?\d[\d_]*)?|"
                    r"\*\*|//|[-+*/%@()\[\],.:=<>!]=?|[^\t \x0c])")
# The grammar's NUMBER, which the lexer's number must be all of (they differ only in underscores).
_NUMBER = re.compile(r"(\d(_?\d)*\.?(\d(_?\d)*)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?")
# What an operator's text is to the parser; any other text goes to the driver.
_OPERATORS = {op: op for op in ("+", "-", "*", "/", "//", "%", "@", "**", "(", ")", "[", "]", ",", ".", ":", "=")}
_OPERATORS.update((op, "COMPARE") for op in ("<", "<=", ">", ">=", "==", "!="))
_BINARY = {"+": 1, "-": 1, "*": 2, "@": 2, "/": 2, "//": 2, "%": 2}     # how tightly each binds

# Python's keywords and the grammar's (_tables.KEYWORDS): never a name here.
_KEYWORDS = frozenset(("yield", "raise", "from", "pass", "break", "continue", "return", "import", "del", "global",
                       "nonlocal", "assert", "as", "else", "if", "elif", "while", "for", "in", "def", "class", "with",
                       "finally", "try", "except", "lambda", "or", "and", "not", "is", "async", "await"))
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_END = ("", "", -1, -1)


class _NotHere(Exception):
    """The text is not one this module parses: the table driver will."""


def expression_line(text: str):
    """The statements (a 1-tuple holding the expression) of `text`, or None
    when it is not a line this fast path knows (see the module's docstring)."""
    if "\n" in text or "\r" in text:
        return None
    tokens = _tokens(text)
    if tokens is None:
        return None
    parser = _Parser(tokens)
    try:
        node = parser.expr()
    except _NotHere:
        return None
    if tokens[parser.at][0]:     # something after the expression
        return None
    return (node,)


def _tokens(text: str):
    """(kind, text, start, end) of each token, then _END; None if a token is
    not one of this parser's. A name's kind is NAME, a number's NUMBER, an
    operator's its text."""
    tokens = []
    append = tokens.append
    operators = _OPERATORS
    names_are_identifiers = text.isascii()      # (an ASCII name always is one)
    at = 0
    for blank, token in _TOKEN.findall(text):
        start = at + len(blank) if blank else at
        at = start + len(token)
        kind = operators.get(token)
        if kind is not None:
            pass
        elif token[0] in _NAME_START:
            if token in _KEYWORDS or not (names_are_identifiers or token.isidentifier()):
                return None
            kind = "NAME"
        elif token[0].isdecimal() or token[1:2].isdecimal():    # (\d is a decimal digit; .5 is a number, .= not)
            if "_" in token and not _NUMBER.fullmatch(token):   # (they differ only in underscores)
                return None
            kind = "NUMBER"
        else:                   # another operator, a string, a comment ...
            return None
        append((kind, token, start, at))
    if not tokens or text[at:].strip("\t \x0c"):
        return None
    append(_END)
    return tokens


class _Parser:
    """Precedence climbing over the tokens; each method reads its construct
    from `at` on and leaves `at` after it. `_NotHere` anywhere: the driver parses."""
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
        return A.BinOp(op[1], left, right, (left.span[0], right.span[1]), (op[2], op[3]))

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
            right = self.factor() if strength == 2 else self.binary(2)     # (nothing binds tighter than 2)
            left = A.BinOp(op[1], left, right, (left.span[0], right.span[1]), (op[2], op[3]))

    def factor(self):
        """Unary signs, an atom with its calls, attributes and indexing, then ** and
        its exponent (which binds tighter than the signs before it: -a**b is -(a**b))."""
        tokens = self.tokens
        token = tokens[self.at]
        kind = token[0]
        self.at += 1
        if kind == "NAME":
            node = A.Name(token[1], (token[2], token[3]))
        elif kind == "NUMBER":
            node = A.Number(_number(token[1]), (token[2], token[3]))
        elif kind == "-" or kind == "+":
            operand = self.factor()
            return A.Unary(token[1], operand, (token[2], operand.span[1]))
        elif kind == "(":
            items, comma = self.items(")")
            if len(items) == 1 and not comma:
                node = items[0]             # parentheses around an expression
            else:
                node = A.TupleLit(items, (items[0].span[0], items[-1].span[1]) if items else (0, 0))
        elif kind == "[":
            items, _ = self.items("]")
            node = A.ListLit(items, (items[0].span[0], items[-1].span[1]) if items else (0, 0))
        else:
            raise _NotHere
        while True:                         # the atom's postfixes
            token = tokens[self.at]
            kind = token[0]
            if kind == "(":
                self.at += 1
                node = self.call(node)
            elif kind == ".":
                name = tokens[self.at + 1]
                if name[0] != "NAME":
                    raise _NotHere
                self.at += 2
                node = A.Attribute(node, name[1], (node.span[0], name[3]), (name[2], name[3]))
            elif kind == "[":
                self.at += 1
                node = self.index(node)
            elif kind == "**":
                self.at += 1
                exponent = self.factor()
                return A.BinOp("**", node, exponent, (node.span[0], exponent.span[1]), (token[2], token[3]))
            else:
                return node

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
        self.expect(close)
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
                last = A.Keyword(token[1], value, (token[2], value.span[1]))
                kwargs.append(last)
            else:
                if kwargs:      # a positional argument after a keyword: the driver says so
                    raise _NotHere
                last = self.expr()
                args.append(last)
            if tokens[self.at][0] != ",":
                break
            self.at += 1
        self.expect(")")
        return A.Call(func, tuple(args), tuple(kwargs), (func.span[0], last.span[1] + 1))

    def index(self, obj):
        tokens = self.tokens
        items = [self.subscript()]
        while tokens[self.at][0] == "," and tokens[self.at + 1][0] != "]":
            self.at += 1
            items.append(self.subscript())
        if tokens[self.at][0] == ",":   # a trailing comma
            self.at += 1
        self.expect("]")
        end = max(obj.span[1], items[-1].span[1]) + 1
        return A.Index(obj, tuple(items), (obj.span[0], end))

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
        return A.Slice(start, stop, step, (parts[0].span[0], parts[-1].span[1]) if parts else (0, 0))

    def expect(self, kind):
        if self.tokens[self.at][0] != kind:
            raise _NotHere
        self.at += 1


def _number(text: str):
    """A NUMBER token's value, as syntax_to_ast.ToAst.number reads it (the
    lexer here takes no 0x, 0o nor 0b: their letters end the number)."""
    return float(text) if "." in text or "e" in text or "E" in text else int(text)
