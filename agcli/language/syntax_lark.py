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

        _lark = (P, P.Lark_StandAlone(transformer=ToAst(), postlex=Indenter()))
    return _lark
