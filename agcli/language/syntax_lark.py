"""Lark's standalone parser (_parser.py, generated from grammar/agcli.lark),
built on first use with ToAst's callbacks and Python's indentation rules.

Start-up never builds it: the table driver parses one-line texts alone.
It is built to lex texts of several lines (indentation) and to word a
syntax error, which is why it is a module of its own.
"""
from __future__ import annotations

from .syntax_to_ast import ToAst

_lark = None        # (the _parser module, Lark's parser), made when first needed


def lark_parser():
    """(the _parser module, Lark's standalone parser with our transformer and indenter)."""
    global _lark
    if _lark is None:
        from . import _parser as P      # here, not above: importing it costs start-up time

        class Indenter(P.Indenter):
            NL_type = "_NL"
            OPEN_PAREN_types = ["LPAR", "LSQB", "LBRACE"]
            CLOSE_PAREN_types = ["RPAR", "RSQB", "RBRACE"]
            INDENT_type = "_INDENT"
            DEDENT_type = "_DEDENT"
            tab_len = 8

            def process(self, stream):
                self.alt_level = [0]
                return super().process(stream)

            def handle_NL(self, token):
                """Python's tokenizer's indentation: a tab moves to the next multiple of 8, and
                a line whose indent compares otherwise when a tab counts as 1 is its TabError."""
                if self.paren_level > 0:
                    return
                yield token
                indent_str = token.rsplit("\n", 1)[1]
                col = alt = 0
                for c in indent_str:
                    if c == "\f":
                        col = alt = 0
                    else:
                        col, alt = (col // 8 + 1) * 8 if c == "\t" else col + 1, alt + 1
                levels, alts = self.indent_level, self.alt_level
                if col > levels[-1]:
                    if alt <= alts[-1]:
                        raise _tab_error(token)
                    levels.append(col)
                    alts.append(alt)
                    yield P.Token.new_borrow_pos(self.INDENT_type, indent_str, token)
                    return
                while col < levels[-1]:
                    levels.pop()
                    alts.pop()
                    yield P.Token.new_borrow_pos(self.DEDENT_type, indent_str, token)
                if col != levels[-1]:
                    raise P.DedentError(f"Unexpected dedent to column {col}. Expected dedent to {levels[-1]}")
                if alt != alts[-1]:
                    raise _tab_error(token)

        _lark = (P, P.Lark_StandAlone(transformer=ToAst(), postlex=Indenter()))
    return _lark


def _tab_error(token):
    from ..errors import AgcliError
    at = token.end_pos      # the statement's first character, after its indentation
    return AgcliError("inconsistent use of tabs and spaces in indentation", (at, at + 1), kind="syntax",
                      hint="indent with spaces only (or tabs only): a tab counts as 1 to 8 spaces")
