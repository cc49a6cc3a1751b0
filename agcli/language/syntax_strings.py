"""String literals: a STRING token's text -> the string it means, or the
parts of an f-string (text pieces and the fields to parse as expressions).

Escapes are Python's; an f-string field keeps its offset in the source so
errors inside it point at the right place.
"""
from __future__ import annotations

import unicodedata

from ..errors import AgcliError

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"',
            "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": ""}
_OCTAL = "01234567"


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
        elif nxt in _OCTAL:         # \7, \12, \101: up to three octal digits
            end = i + 2
            while end < min(i + 4, len(body)) and body[end] in _OCTAL:
                end += 1
            out.append(chr(int(body[i + 1:end], 8)))
            i = end
        elif nxt == "N" and body[i + 2:i + 3] == "{" and "}" in body[i + 3:]:     # \N{BULLET}
            name = body[i + 3:body.index("}", i + 3)]
            try:
                out.append(unicodedata.lookup(name))
            except KeyError:
                raise AgcliError(f"(unicode error) 'unicodeescape' codec can't decode bytes: unknown Unicode "
                                 f"character name", kind="syntax") from None
            i += 4 + len(name)
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
    """A STRING token -> its text, or for an f-string a list of parts: str pieces and
    (field text, offset of the field in the source, format spec, conversion (r, s, a or None),
    offset of the spec)."""
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
        if c == "\\" and body[i + 1:i + 3] == "N{" and "r" not in prefix and "}" in body[i + 3:]:
            end = body.index("}", i + 3) + 1        # \N{BULLET}: a character's name, not a field
            piece.append(body[i:end])
            i = end
        elif c == "\\" and i + 1 < len(body) and body[i + 1] not in "{}" and "r" not in prefix:    # (\\ and its char)
            piece.append(body[i:i + 2])
            i += 2
        elif c in "{}" and body[i:i + 2] in ("{{", "}}"):
            piece.append(c)
            i += 2
        elif c == "{":
            depth, j = 0, i + 1
            while j < len(body) and not (body[j] in "}:!" and depth == 0) or \
                    j + 1 < len(body) and body[j:j + 2] in ("!=", "==", "<=", ">=") and depth == 0:
                if body[j] in "\"'":      # a string inside the field: its braces are its own
                    end = body.find(body[j], j + 1)
                    j = len(body) if end < 0 else end
                depth += body[j] in "([{"
                depth -= body[j] in ")]}"
                j += 2 if depth == 0 and body[j:j + 2] in ("!=", "==", "<=", ">=") else 1
            field_end = j
            spec, conversion, spec_at = "", None, 0
            if j < len(body) and body[j] == "!":
                conversion = body[j + 1:j + 2]
                j += 2
            if j < len(body) and body[j] == ":":
                k, nested = j + 1, 0
                while k < len(body) and (body[k] != "}" or nested):
                    nested += (body[k] == "{") - (body[k] == "}")
                    k += 1
                spec, spec_at, j = body[j + 1:k], body_start + j + 1, k
            if j >= len(body) or body[j] != "}":
                raise AgcliError("f-string: expecting '}'", (body_start + i, body_start + i + 1), kind="syntax")
            if piece:
                parts.append(unescape("".join(piece)) if "r" not in prefix else "".join(piece))
                piece = []
            parts.append((body[i + 1:field_end], body_start + i + 1, spec, conversion, spec_at))
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
