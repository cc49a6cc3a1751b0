"""Syntax errors in words: what Lark's parser saw, and what it would have
taken instead ("unexpected ')'", "expected an operand (a name, ...)").
"""
from __future__ import annotations

from ..errors import AgcliError

# What the parser's terminal names mean to a person reading an error.
_TERMINALS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a string", "LPAR": "'('", "RPAR": "')'",
    "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "COLON": "':'", "DOT": "'.'", "EQUAL": "'='",
    "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/' or '@'", "POW": "'**'", "COMPARE": "a comparison",
    "SEMICOLON": "';'", "_NL": "the end of the line", "$END": "the end of the input",
    "ELLIPSIS": "'...'", "LBRACE": "'{'", "RBRACE": "'}'", "STAR": "'*'", "INVERT": "'~'",
}
_OPERAND_START = {"NAME", "NUMBER", "STRING", "LPAR", "LSQB", "ADD_OP"}


def syntax_error(P, e, text) -> AgcliError:
    """The AgcliError for Lark's exception `e` (P: the _parser module) on `text`."""
    pos = min(getattr(e, "pos_in_stream", None) or 0, len(text))
    if isinstance(e, P.UnexpectedCharacters):
        ch = text[pos] if pos < len(text) else ""
        message = f"unexpected character {ch!r}"
        span = (pos, pos + 1)
        expected = None
    else:
        tok = e.token
        if tok.type in ("$END", "_NL") or tok.start_pos is None or tok.start_pos >= len(text):
            message = "unexpected end of input"
            end = len(text.rstrip())
            span = (end, end + 1)
        else:
            message = f"unexpected {str(tok)!r}"
            span = (tok.start_pos, tok.end_pos)
        expected = _parser_accepts(e) or getattr(e, "expected", None)
    if expected:     # (LALR's lookaheads of a merged state: a closer of no bracket open there is never taken,
        # nor, inside brackets, a statement's end; nor a ':' inside parentheses)
        inside = _innermost_open(text, span[0])
        expected = set(expected) - {t for t, c in _BRACKET_CLOSERS.items() if c != inside}
        if inside:
            expected -= {"SEMICOLON", "_NL", "$END"} | ({"COLON"} if inside == "(" else set())
    hint = None if not expected else "expected " + _expected_text(expected)
    return AgcliError(message, span, kind="syntax", hint=hint, source=text)


_BRACKET_CLOSERS = {"RPAR": "(", "RSQB": "[", "RBRACE": "{"}


def _innermost_open(text, end):
    """The bracket open at offset `end` of `text`, innermost ('(', '[', '{'), or None (strings skipped)."""
    opened, quote, i = [], None, 0
    while i < end:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#":
            while i < end and text[i] != "\n":
                i += 1
        elif c in "([{":
            opened.append(c)
        elif c in ")]}" and opened:
            opened.pop()
        i += 1
    return opened[-1] if opened else None


def _parser_accepts(e):
    """The terminals the parser's state takes (the lexer's own list is wider)."""
    state = getattr(e, "state", None)
    try:
        return {t for t in state.parse_conf.parse_table.states[state.position] if t.isupper() or t == "_NL"}
    except AttributeError:
        return None


_OPERATORS = {"ADD_OP", "MUL_OP", "POW", "COMPARE", "AND", "OR", "IN", "IS", "NOT", "IF", "DOT",
              "LSQB", "LPAR", "AUGOP", "EQUAL", "ELSE", "AS", "STAR", "AT", "BIT_AND", "BIT_OR", "BIT_XOR",
              "SHIFT", "FOR", "FROM"}
_CLOSERS = {"RPAR": "')'", "RSQB": "']'", "COMMA": "','", "COLON": "':'", "SEMICOLON": "';'"}


def _expected_text(expected: set) -> str:
    """A short account of what the parser would have taken instead."""
    if expected >= _OPERAND_START:
        return "an operand (a name, a number, '(' or '[')"
    parts = [text for t, text in _CLOSERS.items() if t in expected]
    if expected & _OPERATORS:
        parts.append("an operator")
    if expected & {"_NL", "$END"}:
        parts.append("the end of the line")
    others = sorted(_TERMINALS.get(t, t.lower()) for t in expected - _OPERATORS - set(_CLOSERS)
                    - {"_NL", "$END"} if not t.startswith("_"))
    parts = others + parts
    if not parts:
        return "something else"
    return ", ".join(parts[:-1]) + (" or " if len(parts) > 1 else "") + parts[-1]
