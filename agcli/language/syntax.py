"""Text -> AST: `parse()`, the one entry point.

The grammar (grammar/agcli.lark) is parsed by Lark's LALR parser, generated
by `python tools/gen_parser.py` into two modules (a test checks both are up
to date):
- `_parser.py`, Lark's standalone parser: no Lark import and no grammar
  build at start-up;
- `_tables.py`, its parse table, rules and terminals as plain literals.
Most texts are parsed by the table driver (syntax_driver.py) from
`_tables.py` alone, so start-up does not build Lark's parser either (half of
agcli's start-up beyond NumPy's). Lark's parser (syntax_lark.py) is built
when a text needs it: to word a syntax error (syntax_errors.py), and to lex a
text of several lines (indentation). Both build the AST of ast.py through
the same callbacks (syntax_to_ast.py).
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError
from .syntax_oneline import expression_line

# The table driver and Lark's parser (and the modules they need) are imported
# when a text needs them: most expressions take the fast path, and a short
# `agcli grad` need not import them.
_driver = None      # TableDriver on _tables.py, made on the first parse that needs it


def _fast_driver():
    global _driver
    if _driver is None:
        from . import _tables
        from .syntax_driver import TableDriver
        from .syntax_to_ast import ToAst
        _driver = TableDriver(_tables, ToAst())
    return _driver


def __getattr__(name):
    """The names tools/gen_parser.py and tests/test_language.py import from here."""
    if name == "_lark_parser":
        from .syntax_lark import lark_parser
        return lark_parser
    if name == "_passes_up":
        from .syntax_driver import passes_up
        return passes_up
    if name == "_ToAst":
        from .syntax_to_ast import ToAst
        return ToAst
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse(text: str, *, empty_ok: bool = False) -> A.Program:
    """Parse a program (one or more statements); raise AgcliError on bad syntax (and, unless
    empty_ok, on a text of no statement: a program of comments runs, an expression does not)."""
    body = expression_line(text)     # the commonest text, parsed directly (syntax_oneline.py)
    if body is not None:
        return A.Program(body, text)
    driver = _driver or _fast_driver()
    source = text if text.endswith("\n") else text + "\n"
    try:
        body = driver.parse(source)
    except AgcliError as e:
        raise e.at(e.span, text)
    except Exception:      # something the driver does not expect (a syntax error): Lark's parse says what
        body = _lark_parse(source, text)
    if not body:
        if empty_ok:
            return A.Program((), text)
        raise AgcliError("empty expression", (0, 0), kind="syntax", source=text,
                         hint="write an expression, e.g. \"a*b + c\"")
    return A.Program(tuple(body), text)


def _lark_parse(source, text):
    from .syntax_errors import syntax_error
    from .syntax_lark import lark_parser
    from .syntax_python import python_syntax_error
    P, lark = lark_parser()
    try:
        return lark.parse(source)
    except P.UnexpectedInput as e:
        raise python_syntax_error(text, _failed_at(e)) or syntax_error(P, e, text) from None
    except P.DedentError:       # the indenter's own check; the scan words it as Python does
        raise python_syntax_error(text) or AgcliError(
            "unindent does not match any outer indentation level", (0, 0), kind="syntax", source=text) from None
    except P.VisitError as e:       # an error raised inside a callback
        if isinstance(e.orig_exc, AgcliError):
            raise e.orig_exc.at(e.orig_exc.span, text) from None
        raise


def _failed_at(e) -> int | None:
    """Where Lark's parse failed: the unexpected token's offset (None: at the end)."""
    token = getattr(e, "token", None)
    if token is not None:
        return None if token.type in ("$END", "_DEDENT") else token.start_pos
    return getattr(e, "pos_in_stream", None)
