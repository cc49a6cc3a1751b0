"""Text -> AST: Lark's LALR parser (generated from grammar/agcli.lark) and a
transformer that builds the frozen AST nodes of ast.py as it parses.

The parser module `_parser.py` is Lark's standalone output for our grammar, so
start-up needs neither Lark's import nor a grammar build; `python -m
agcli.syntax` regenerates it, and a test checks it is up to date.
"""
from __future__ import annotations

from . import ast as A
from .errors import AgcliError

_parser = None

# What the parser's terminal names mean to a person reading an error.
_TERMINALS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a string", "LPAR": "'('", "RPAR": "')'",
    "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "COLON": "':'", "DOT": "'.'", "EQUAL": "'='",
    "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/' or '@'", "POW": "'**'", "COMPARE": "a comparison",
    "SEMICOLON": "';'", "_NL": "the end of the line", "$END": "the end of the input",
    "ELLIPSIS": "'...'",
}
_OPERAND_START = {"NAME", "NUMBER", "STRING", "LPAR", "LSQB", "ADD_OP"}


def _build():
    from . import _parser as P

    class Indenter(P.Indenter):
        NL_type = "_NL"
        OPEN_PAREN_types = ["LPAR", "LSQB"]
        CLOSE_PAREN_types = ["RPAR", "RSQB"]
        INDENT_type = "_INDENT"
        DEDENT_type = "_DEDENT"
        tab_len = 8

    return P, P.Lark_StandAlone(transformer=_ToAst(), postlex=Indenter())


class _ToAst:
    """Callbacks named after the grammar's rules; each returns an AST node."""

    @staticmethod
    def _span(node):
        if hasattr(node, "span"):
            return node.span
        return (node.start_pos, node.end_pos)

    def start(self, items):
        return tuple(items)

    def assign(self, items):
        name, value = items
        return A.Assign(str(name), value, (name.start_pos, self._span(value)[1]))

    def name(self, items):
        (tok,) = items
        return A.Name(str(tok), (tok.start_pos, tok.end_pos))

    def number(self, items):
        (tok,) = items
        text = str(tok)
        value = float(text) if any(c in text for c in ".eE") else int(text)
        return A.Number(value, (tok.start_pos, tok.end_pos))

    def string(self, items):
        (tok,) = items
        body = str(tok)[1:-1]
        value = body.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in body else body
        return A.String(value, (tok.start_pos, tok.end_pos))

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

    compare = binop

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
        return A.Index(obj, tuple(subs), (self._span(obj)[0], self._seq_span(subs)[1] + 1))

    def subscripts(self, items):
        return items

    def slice(self, items):
        start, stop, step = items
        parts = [p for p in items if p is not None]
        return A.Slice(start, stop, step, self._seq_span(parts))

    def ellipsis(self, items):
        (tok,) = items
        return A.EllipsisLit((tok.start_pos, tok.end_pos))


def parse(text: str) -> A.Program:
    """Parse a program (one or more statements); raise AgcliError on bad syntax."""
    global _parser
    if _parser is None:
        _parser = _build()
    P, parser = _parser
    source = text if text.endswith("\n") else text + "\n"
    try:
        body = parser.parse(source)
    except P.UnexpectedInput as e:
        raise _syntax_error(P, e, text) from None
    except AgcliError as e:
        raise e.at(e.span, text)
    except P.VisitError as e:       # an error raised inside a callback
        if isinstance(e.orig_exc, AgcliError):
            raise e.orig_exc.at(e.orig_exc.span, text) from None
        raise
    if not body:
        raise AgcliError("empty expression", (0, 0), kind="syntax", source=text,
                         hint="write an expression, e.g. \"a*b + c\"")
    return A.Program(tuple(body), text)


def _syntax_error(P, e, text) -> AgcliError:
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
        expected = getattr(e, "expected", None) or getattr(e, "accepts", None)
    hint = None
    if expected:
        names = sorted({_TERMINALS.get(t, t) for t in expected if not t.startswith("_") or t == "_NL"})
        if set(expected) >= _OPERAND_START:
            names = ["an operand (a name, a number, '(' or '[')"] + sorted(
                {_TERMINALS.get(t, t) for t in set(expected) - _OPERAND_START if not t.startswith("__")})
        hint = "expected " + ", ".join(dict.fromkeys(names))
    return AgcliError(message, span, kind="syntax", hint=hint, source=text)


def _regenerate():
    """Write agcli/_parser.py from grammar/agcli.lark with Lark's standalone tool."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent
    grammar = grammar_path()
    out = root / "_parser.py"
    subprocess.run([sys.executable, "-m", "lark.tools.standalone", "--maybe_placeholders",
                    str(grammar), "-o", str(out)], check=True)
    print(f"wrote {out}")


def grammar_path():
    """The grammar file: inside the installed package, or grammar/ in a checkout."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for candidate in (here / "grammar" / "agcli.lark", here.parent / "grammar" / "agcli.lark"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("grammar/agcli.lark not found")


if __name__ == "__main__":
    _regenerate()
