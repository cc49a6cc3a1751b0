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
from itertools import accumulate

from . import ast as A

# Tokens as the table driver's lexer cuts them (_tables.PATTERN), for the
# tokens handled here, each with the blanks before it: a name with an ASCII
# first letter, a number (checked below), an operator (one character, or
# ** // and a character followed by =, as "(=": the lexer's too); anything
# else that is not white space, one character (white space but blanks is left
# out: a gap in the pieces, which expression_line refuses). Parentheses are
# tried first: they are the commonest. No groups: findall then returns the
# pieces themselves, and the tokens and their ends come from them in C, not
# in a loop a token.
_BLANKS = "\t \x0c"
_PIECE = re.compile(r"[\t \x0c]*+(?:[()]=?+|[A-Za-z_]\w*+|\*\*|//|"
                    r"\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d[\d_]*)?|\.\d[\d_]*(?:[eE][-+]?\d[\d_]*)?|"
                    r"[-+*/%@\[\],.:=<>!]=?+|\S)")
# The grammar's NUMBER, which the lexer's number must be all of (they differ only in underscores).
_NUMBER = re.compile(r"(\d(_?\d)*\.?(\d(_?\d)*)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?")
_BINARY = {"+": 1, "-": 1, "*": 2, "@": 2, "/": 2, "//": 2, "%": 2}     # how tightly each binds
_PRODUCT = frozenset(op for op, strength in _BINARY.items() if strength == 2)
_COMPARE = frozenset(("<", "<=", ">", ">=", "==", "!="))
_AFTER_OPERAND = frozenset(_BINARY) | _COMPARE      # what may follow an operand within an expression
_POSTFIX = frozenset(("(", ".", "[", "**"))

# Python's keywords and the grammar's (_tables.KEYWORDS): never a name here.
_KEYWORDS = frozenset(("yield", "raise", "from", "pass", "break", "continue", "return", "import", "del", "global",
                       "nonlocal", "assert", "as", "else", "if", "elif", "while", "for", "in", "def", "class", "with",
                       "finally", "try", "except", "lambda", "or", "and", "not", "is", "async", "await"))
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_END = "\n"     # after the last token (a text holding a line end never gets here)

Name, Number, BinOp, Unary, Call, Attribute = A.Name, A.Number, A.BinOp, A.Unary, A.Call, A.Attribute
# The commonest records are made as new(Name) and their fields stored here, one store a
# statement: calling the class would run its __init__ in a frame of its own, which costs more
# than the record, and a store of several targets at once builds a tuple first.
new = object.__new__


class _NotHere(Exception):
    """The text is not one this module parses: the table driver will."""


def expression_line(text: str):
    """The statements (a 1-tuple holding the expression) of `text`, or None
    when it is not a line this fast path knows (see the module's docstring)."""
    if "\n" in text or "\r" in text:
        return None
    pieces = _PIECE.findall(text)
    if not pieces:
        return None
    ends = list(accumulate(map(len, pieces)))
    if ends[-1] != len(text.rstrip(_BLANKS)):      # a gap: white space other than blanks
        return None
    tokens = list(map(str.lstrip, pieces))          # (a token starts with no white space)
    if not text.isascii() and not _identifiers(tokens):
        return None
    tokens.append(_END)
    parser = new(_Parser)       # (_Parser(tokens, ends), spelled out: see `new`)
    parser.tokens = tokens
    parser.ends = ends
    parser.at = 0
    try:
        node = parser.expr()
    except _NotHere:
        return None
    if tokens[parser.at] is not _END:       # something after the expression
        return None
    return (node,)


def _identifiers(tokens) -> bool:
    """Whether each word that starts as a name is one (\\w takes more than a name does: x²)."""
    return all(token.isidentifier() for token in tokens if token[0] in _NAME_START)


class _Parser:
    """Precedence climbing over the tokens (their texts; ends: where each ends in
    the line); each method reads its construct from `at` on and leaves `at` after
    it. A token is only passed after a check of what it is, so a token this
    parser does not know (a string, an operator such as ! or +=) is never
    passed: `_NotHere`, or an expression that ends before it.
    (Each call and bytecode counts here: methods keep `at` in a local between calls.)"""
    __slots__ = ("tokens", "ends", "at")

    def __init__(self, tokens, ends):
        self.tokens = tokens
        self.ends = ends
        self.at = 0

    def expr(self):
        """An expression: arithmetic, or one comparison of two (a chain goes to the driver)."""
        left = self.factor()
        if self.tokens[self.at] in _AFTER_OPERAND:
            return self.operators(left)
        return left                 # (the commonest: a lone operand)

    def operators(self, left, compared=False):
        """`left`, an operand, and the binary operators and operands after it, left
        to right, * @ / // % before + -; then one comparison (`compared`: the
        right side of one, which a second comparison would make a chain)."""
        tokens, ends = self.tokens, self.ends
        while True:
            at = self.at
            op = tokens[at]
            strength = _BINARY.get(op)
            if strength is None:
                break
            self.at = at + 1
            right = self.factor()
            if strength == 1:
                while tokens[self.at] in _PRODUCT:     # (they bind tighter: they take `right` first)
                    product_at = self.at
                    self.at += 1
                    operand = self.factor()
                    product, end = tokens[product_at], ends[product_at]
                    right = BinOp(product, right, operand, (right.span[0], operand.span[1]), (end - len(product), end))
            end = ends[at]
            node = new(BinOp)
            node.op = op
            node.left = left
            node.right = right
            node.span = (left.span[0], right.span[1])
            node.op_span = (end - len(op), end)
            left = node
        if op not in _COMPARE:
            return left
        if compared:
            raise _NotHere
        self.at = at + 1
        right = self.operators(self.factor(), True)
        end = ends[at]
        return BinOp(op, left, right, (left.span[0], right.span[1]), (end - len(op), end))

    def factor(self):
        """Unary signs, an atom with its calls, attributes and indexing, then ** and
        its exponent (which binds tighter than the signs before it: -a**b is -(a**b))."""
        tokens = self.tokens
        at = self.at
        token = tokens[at]
        if token[0] in _NAME_START:
            if token in _KEYWORDS:
                raise _NotHere
            end = self.ends[at]
            node = new(Name)
            node.id, node.span = token, (end - len(token), end)
            at += 1
        elif token == "(":
            self.at = at + 1
            node = self.factor() if tokens[at + 1] != ")" else None     # (items(")"), for the commonest:
            if node is not None and tokens[self.at] in _AFTER_OPERAND:   # parentheses around an expression)
                node = self.operators(node)
            if node is not None and tokens[self.at] == ")":
                at = self.at + 1
            else:                           # a tuple: read again as items
                self.at = at + 1
                items, comma = self.items(")")
                at = self.at
                node = items[0] if len(items) == 1 and not comma else \
                    A.TupleLit(items, (items[0].span[0], items[-1].span[1]) if items else (0, 0))
        elif token == "-" or token == "+":
            self.at = at + 1
            operand = self.factor()
            return Unary(token, operand, (self.ends[at] - 1, operand.span[1]))
        elif token[0].isdecimal() or token[1:2].isdecimal():    # (\d is a decimal digit; .5 is a number, .= not)
            if "_" in token and not _NUMBER.fullmatch(token):   # (they differ only in underscores)
                raise _NotHere
            end = self.ends[at]
            # (the value as syntax_to_ast.ToAst.number reads it; no 0x, 0o nor 0b here: their letters end the number)
            if "." in token or "e" in token or "E" in token:
                value = float(token)
            elif token[0] == "0" and token.strip("0_"):     # 08: the full parser words Python's refusal
                raise _NotHere
            else:
                value = int(token)
            node = new(Number)
            node.value, node.span = value, (end - len(token), end)
            at += 1
        elif token == "[":
            self.at = at + 1
            items, _ = self.items("]")
            at = self.at
            node = A.ListLit(items, (items[0].span[0], items[-1].span[1]) if items else (0, 0))
        else:
            raise _NotHere
        while True:                         # the atom's postfixes
            token = tokens[at]
            if token not in _POSTFIX:
                self.at = at
                return node
            if token == "(":
                self.at = at + 1
                node = self.call(node)
                at = self.at
            elif token == ".":
                name = tokens[at + 1]
                if name[0] not in _NAME_START or name in _KEYWORDS:
                    raise _NotHere
                end = self.ends[at + 1]
                attribute = new(Attribute)
                attribute.obj = node
                attribute.name = name
                attribute.span = (node.span[0], end)
                attribute.name_span = (end - len(name), end)
                node = attribute
                at += 2
            elif token == "[":
                self.at = at + 1
                node = self.index(node)
                at = self.at
            else:                           # **
                self.at = at + 1
                exponent = self.factor()
                end = self.ends[at]
                return BinOp("**", node, exponent, (node.span[0], exponent.span[1]), (end - 2, end))

    def items(self, close):
        """The comma-separated expressions up to `close` (a trailing comma
        allowed) and whether there was a comma."""
        tokens = self.tokens
        items, comma = [], False
        while tokens[self.at] != close:
            item = self.factor()            # (self.expr(), without a call for a lone operand)
            items.append(item if tokens[self.at] not in _AFTER_OPERAND else self.operators(item))
            if tokens[self.at] != ",":
                break
            self.at += 1
            comma = True
        if tokens[self.at] != close:
            raise _NotHere
        self.at += 1
        return tuple(items), comma

    def call(self, func):
        tokens = self.tokens
        at = self.at
        token = tokens[at]
        # f() and f(x), the commonest, without the loop's lists (anything else is read again by it)
        if token == ")" or not (token[0] in _NAME_START and tokens[at + 1] == "="):
            last = func if token == ")" else self.factor()
            if tokens[self.at] in _AFTER_OPERAND:
                last = self.operators(last)
            if tokens[self.at] == ")":
                self.at += 1
                node = new(Call)
                node.func = func
                node.args = () if last is func else (last,)
                node.kwargs = ()
                node.span = (func.span[0], last.span[1] + 1)
                return node
            self.at = at
        args, kwargs = [], []
        last = func
        while tokens[self.at] != ")":
            token = tokens[self.at]
            if token[0] in _NAME_START and tokens[self.at + 1] == "=" and token not in _KEYWORDS:
                start = self.ends[self.at] - len(token)
                self.at += 2
                value = self.expr()
                last = A.Keyword(token, value, (start, value.span[1]))
                kwargs.append(last)
            else:
                if kwargs:      # a positional argument after a keyword: the driver says so
                    raise _NotHere
                last = self.factor()        # (self.expr(), without a call for a lone operand)
                if tokens[self.at] in _AFTER_OPERAND:
                    last = self.operators(last)
                args.append(last)
            if tokens[self.at] != ",":
                break
            self.at += 1
        if tokens[self.at] != ")":
            raise _NotHere
        self.at += 1
        node = new(Call)
        node.func = func
        node.args = tuple(args)
        node.kwargs = tuple(kwargs)
        node.span = (func.span[0], last.span[1] + 1)
        return node

    def index(self, obj):
        tokens = self.tokens
        items = [self.subscript()]
        while tokens[self.at] == "," and tokens[self.at + 1] != "]":
            self.at += 1
            items.append(self.subscript())
        if tokens[self.at] == ",":   # a trailing comma (after one item: a tuple key, which the driver reads)
            if len(items) == 1:
                raise _NotHere
            self.at += 1
        if tokens[self.at] != "]":
            raise _NotHere
        self.at += 1
        end = max(obj.span[1], items[-1].span[1]) + 1
        return A.Index(obj, tuple(items), (obj.span[0], end))

    def subscript(self):
        tokens = self.tokens
        start = None if tokens[self.at] == ":" else self.expr()
        if tokens[self.at] != ":":
            return start
        self.at += 1
        stop = step = None
        if tokens[self.at] not in (":", ",", "]"):
            stop = self.expr()
        if tokens[self.at] == ":":
            self.at += 1
            if tokens[self.at] not in (",", "]"):
                step = self.expr()
        parts = [p for p in (start, stop, step) if p is not None]
        return A.Slice(start, stop, step, (parts[0].span[0], parts[-1].span[1]) if parts else (0, 0))
