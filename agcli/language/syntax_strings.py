"""String literals: a STRING token's text -> the string it means, or the
parts of an f-string (text pieces and the fields to parse as expressions).

Escapes are Python's; an f-string field keeps its offset in the source so
errors inside it point at the right place.
"""
from __future__ import annotations

from ..errors import AgcliError

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0",
            "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": ""}


def unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 == len(body):
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2:i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
                i += 2 + width
            except ValueError:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def string_literal(tok):
    """A STRING token -> its text, or for an f-string a list of parts:
    str pieces and (field text, offset of the field in the source, format spec)."""
    text = str(tok)
    prefix = ""
    while text[0] in "fFrR":
        prefix += text[0].lower()
        text = text[1:]
    quote = 3 if text[:3] in ('"""', "'''") else 1
    body = text[quote:-quote]
    body_start = tok.start_pos + len(prefix) + quote
    if "f" not in prefix:
        return body if "r" in prefix else unescape(body)
    parts, i, piece = [], 0, []
    while i < len(body):
        c = body[i]
        if c in "{}" and body[i:i + 2] in ("{{", "}}"):
            piece.append(c)
            i += 2
        elif c == "{":
            depth, j = 0, i + 1
            while j < len(body) and not (body[j] in "}:!" and depth == 0):
                depth += body[j] in "([{"
                depth -= body[j] in ")]}"
                j += 1
            field_end = j
            spec = ""
            if j < len(body) and body[j] == "!":     # !r / !s: agcli prints str() either way
                j += 2
            if j < len(body) and body[j] == ":":
                k = body.find("}", j)
                spec, j = body[j + 1:k], k
            if j >= len(body) or body[j] != "}":
                raise AgcliError("f-string: expecting '}'", (body_start + i, body_start + i + 1), kind="syntax")
            if piece:
                parts.append(unescape("".join(piece)) if "r" not in prefix else "".join(piece))
                piece = []
            parts.append((body[i + 1:field_end], body_start + i + 1, spec))
            i = j + 1
        elif c == "}":
            raise AgcliError("f-string: single '}' is not allowed", (body_start + i, body_start + i + 1),
                             kind="syntax")
        else:
            piece.append(c)
            i += 1
    if piece:
        parts.append(unescape("".join(piece)) if "r" not in prefix else "".join(piece))
    return parts
