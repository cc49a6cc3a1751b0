"""f-strings in programs: each field an expression of the program, formatted as
Python formats it (program_format.py), with `!r`/`!s`/`!a`, `{x=}`, and format
specs that hold fields of their own (`{value:{width}.{precision}f}`).

The fields are parsed when the program is lowered; their spans are moved to
where they sit in the program's text, so an error in one points into the string.
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError
from .lower import guard
from .program_format import conversion, format_field
from .syntax import parse


class FStringLowering:
    """lower_FString (a mixin of ProgramExpressions)."""

    def lower_FString(self, node):
        parts = []
        for part in node.parts:
            if isinstance(part, str):
                parts.append((None, part, None, None))
                continue
            text, offset, spec, conv, spec_at = part
            if text.rstrip().endswith("=") and not text.rstrip().endswith(("==", "!=", "<=", ">=")):
                parts.append((None, text, None, None))      # f"{x=}": the field's text, then its value
                text = text.rstrip()[:-1]
                conv = conv or ("r" if not spec else None)
            field = self._field(text, offset)
            parts.append((field, None, self._spec(spec, spec_at), conv))
        fmt = guard(format_field, node.span)
        convert = guard(conversion, node.span)

        def fstring(f):
            out = []
            for field, text, spec, conv in parts:
                if field is None:
                    out.append(text)
                else:
                    out.append(fmt(convert(field(f), conv), spec if type(spec) is str else spec(f)))
            return "".join(out)
        return fstring

    def _field(self, text, offset):
        try:
            program = parse(text.strip() or text)
        except AgcliError as e:
            raise AgcliError(e.message, (e.span[0] + offset, e.span[1] + offset) if e.span else None,
                             kind="syntax", hint=e.hint, source=self.source) from None
        if len(program.body) != 1:
            raise self.error("an f-string field holds one expression", (offset, offset + len(text)), "syntax")
        return self.expr(_shift(program.body[0], offset + len(text) - len(text.lstrip())))

    def _spec(self, spec, spec_at):
        """A field's format spec: text, or (with {fields} of its own) a closure making it."""
        if "{" not in spec:
            return spec
        pieces, i = [], 0
        while i < len(spec):
            j = spec.find("{", i)
            if j < 0:
                pieces.append(spec[i:])
                break
            pieces.append(spec[i:j])
            k = spec.index("}", j)
            pieces.append(self._field(spec[j + 1:k], spec_at + j + 1))
            i = k + 1
        return lambda f: "".join(p if type(p) is str else format_field(p(f), "") for p in pieces)


def _shift(node, delta):
    """A copy of an AST with every span moved by delta (f-string fields)."""
    if isinstance(node, tuple):
        return tuple(_shift(n, delta) for n in node)
    if not isinstance(node, A._Record):
        return node
    values = []
    for field in node.__slots__:
        v = getattr(node, field)
        if field.endswith("span") and isinstance(v, tuple) and len(v) == 2 and all(isinstance(i, int) for i in v):
            v = (v[0] + delta, v[1] + delta)
        else:
            v = _shift(v, delta)
        values.append(v)
    return type(node)(*values)
