"""The table driver: parses with the LALR table _tables.py writes down (from
Lark's own), calling ToAst's callbacks, without building Lark's parser.

Half of agcli's start-up beyond NumPy's was building Lark's parser; this
driver needs only literals. It takes the same steps as Lark's parser except
the reductions that only pass a value up a level of precedence, which it
skips (see TableDriver). A text it does not expect (a syntax error) makes it
raise, and syntax.py hands the text to Lark's parser to say what is wrong.
"""
from __future__ import annotations

import re
from itertools import chain

from .syntax_lark import lark_parser


class TableDriver:
    """Lark's LALR table (as _tables.py writes it down) with ToAst's callbacks,
    driven by a loop that skips the reductions which only pass a value up a
    level of precedence.

    An operand climbs about ten such levels (atom -> postfix -> ... -> expr)
    before the parser can use it, and Lark's loop pays for each. A run of
    these unit reductions pops one state and pushes one, so the state below
    stays put: where it ends depends only on (state below, state on top,
    next token), and is looked up once. Anything unexpected (a syntax error)
    is left to Lark's own parse, which says what went wrong.
    """

    def __init__(self, tables, transformer):
        self.pattern = re.compile(tables.PATTERN, tables.FLAGS)
        self.ignore = frozenset(tables.IGNORE)
        self.keywords = tables.KEYWORDS             # NAME -> {text: a keyword's terminal}
        rules = [(size, symbol, _callback(spec, transformer), passes_up)
                 for size, symbol, passes_up, spec in tables.RULES]
        self.table = _Table(tables.TABLE, rules)
        self.start, self.end = tables.START, tables.END
        self.climbs = {}

    def parse(self, text: str):
        table, climbs, end = self.table, self.climbs, self.end
        stack = _Stack([self.start])
        state_stack = stack.states
        value_stack = []
        if text.find("\n") == len(text) - 1 and "\r" not in text:
            tokens = self._one_line_tokens(text)
        else:                                       # indentation: Lark's lexer and indenter
            P, lark = lark_parser()
            tokens = lark.parser.lexer.lex(P.LexerState(P.TextSlice.cast_from(text)), stack)
        for token in chain(tokens, _END):
            kind = token.type
            while True:
                shift, arg = table[state_stack[-1]][kind]
                if shift:
                    state_stack.append(arg)
                    value_stack.append(token)
                    break
                size, symbol, callback, passes_up = arg
                if passes_up:               # skip the run of reductions that pass a value up
                    key = (state_stack[-2], state_stack[-1], kind)
                    top = climbs.get(key)
                    if top is None:
                        top = climbs[key] = self._climb(*key)
                    state_stack[-1] = top
                    continue
                if size:                    # reduce
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                state_stack.append(table[state_stack[-1]][symbol][1])
                value_stack.append(callback(children))
                if state_stack[-1] == end:  # the start rule, after $END
                    return value_stack[-1]

    def _one_line_tokens(self, text):
        """The tokens of a text that is one line: one scan with the regex of all
        terminals (as Lark's basic lexer), no indentation to track."""
        keywords, ignore = self.keywords, self.ignore
        pos = 0
        for m in self.pattern.finditer(text):
            start, stop = m.span()
            if start != pos:
                raise NotOneLine          # a character no terminal matches: Lark's lexer says which
            kind = m.lastgroup
            if kind not in ignore:
                token = _Token(m.group())
                token.type = keywords[kind].get(token, kind) if kind in keywords else kind
                token.start_pos = start
                token.end_pos = stop
                yield token
            pos = stop
        if pos != len(text):
            raise NotOneLine

    def _climb(self, below, top, kind):
        """The state a run of pass-up reductions ends in."""
        table = self.table
        while True:
            shift, arg = table[top].get(kind, (True, None))
            if shift or not arg[3]:
                return top
            top = table[below][arg[1]][1]


class _Table(dict):
    """state -> {symbol: (True, next state) to shift, or (False, rule) to reduce},
    a rule being (how many values it takes, the symbol it makes, its callback,
    whether it only passes its value up). A state's row is made from
    _tables.TABLE (n >= 0: shift to state n; n < 0: reduce by rule -1 - n)
    when first asked for."""

    def __init__(self, rows, rules):
        super().__init__()
        self.rows, self.rules = rows, rules

    def __missing__(self, state):
        rules = self.rules
        row = self[state] = {symbol: (True, n) if n >= 0 else (False, rules[-1 - n])
                             for symbol, n in self.rows[state].items()}
        return row


def _callback(spec, transformer):
    """What a rule's reduction calls, from its description in _tables.RULES
    (which writes down the callbacks Lark's parse-tree builder makes)."""
    kind = spec[0]
    if kind == "method":                        # a method of ToAst
        return getattr(transformer, spec[1])
    if kind == "tree":                          # a rule ToAst leaves alone: a tree to splice
        name = spec[1]
        return lambda children: _Tree(name, children)
    if kind == "expand1":                       # ?rule: one child passes up as it is
        build = _callback(spec[1], transformer)
        return lambda children: children[0] if len(children) == 1 else build(children)
    _, to_include, append_none, inner = spec    # "filter": drop punctuation, splice _rules
    build = _callback(inner, transformer)

    def filtered(children):                     # as Lark's ChildFilterLALR
        kept = []
        for i, to_expand, add_none in to_include:
            if add_none:
                kept += [None] * add_none
            if to_expand:
                if kept:
                    kept += children[i].children
                else:
                    kept = children[i].children
            else:
                kept.append(children[i])
        if append_none:
            kept += [None] * append_none
        return build(kept)
    return filtered


class _Tree:
    """A rule's children, to be spliced into its parent's (Lark's Tree, as far as it is used)."""

    __slots__ = ("data", "children")

    def __init__(self, data, children):
        self.data, self.children = data, children


class _Token(str):
    """What the callbacks read of a token: its text, terminal and span (Lark's
    Token carries line and column too, and costs more to make)."""

    __slots__ = ("type", "start_pos", "end_pos")


_END = (_Token(""),)          # what follows the last token
_END[0].type = "$END"


class NotOneLine(Exception):
    """The fast lexer cannot read this text: Lark's lexer will."""


class _Stack:
    """What Lark's contextual lexer asks of the parser: its current state."""

    __slots__ = ("states",)

    def __init__(self, states):
        self.states = states

    @property
    def position(self):
        return self.states[-1]


def passes_up(rule, callbacks) -> bool:
    """Is `rule` a `?rule` with one symbol, whose callback hands its one child back?"""
    if len(rule.expansion) != 1 or rule.alias or not rule.options.expand1:
        return False
    child = object()
    try:
        return callbacks[rule]([child]) is child
    except Exception:
        return False
