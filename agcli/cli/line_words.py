"""A batch line's words, split as a POSIX shell splits them (shlex.split's answer), by str methods
or one regex where they suffice: a line is split once per batch line, so the common quoting is cheap."""
from __future__ import annotations

import functools
import re

from ..errors import AgcliError


@functools.cache
def _patterns():
    """(a line, a word, a word's quoted or plain part): compiled on first use (start-up)."""
    return (re.compile(r"""(?:[^"'\\]|"[^"\\]*"|'[^']*')*"""),     # one way to match: no backtracking blow-up
            re.compile(r"""(?:"[^"\\]*"|'[^']*'|[^\s"'\\])+"""),
            re.compile(r""""([^"]*)"|'([^']*)'|([^"']+)"""))


def split_words(line: str) -> list[str]:
    """Split a line as a POSIX shell would (shlex.split). Lines with double
    quotes only are split with str methods, lines with single quotes too by a
    regex (a tenth of shlex's time); backslashes go to shlex."""
    if "#" in line:
        line = _without_comment(line)
    if "'" not in line and "\\" not in line and line.count('"') % 2 == 0:
        return _split_double_quoted(line)
    whole, word, part = _patterns()
    if whole.fullmatch(line):
        return [w if '"' not in w and "'" not in w else "".join(a + b + c for a, b, c in part.findall(w))
                for w in word.findall(line)]
    import shlex
    try:
        return shlex.split(line, comments=False)
    except ValueError as e:     # (shlex's words, "No escaped character", said as a line's writer would)
        why = _SHLEX.get(str(e), (str(e), None))
        raise AgcliError(f"cannot split the line into arguments: {why[0]}", kind="usage", hint=why[1]) from None


_SHLEX = {"No closing quotation": ("a quote is not closed", "close each quoted word: \"x*2\" --x 1"),
          "No escaped character": ("it ends in a backslash", "a batch line does not go on to the next: join them")}


def _without_comment(line: str) -> str:
    """The line up to its comment: a # that starts a word outside quotes, as a
    shell reads it ("x#1" and a#b are words; shlex would also cut a#b)."""
    quote, word_start, i = None, True, 0
    while i < len(line):
        c = line[i]
        if quote == "'":
            quote = None if c == "'" else quote
        elif quote == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                quote = None
        elif c == "\\":
            i += 1
        elif c in "'\"":
            quote = c
        elif c == "#" and word_start:
            return line[:i]
        word_start = quote is None and c in " \t\r\n"
        i += 1
    return line


def _split_double_quoted(line: str) -> list[str]:
    """shlex.split of a line whose only quoting is double quotes: the text
    between quotes is taken as it is, the text outside is split on spaces,
    and pieces not parted by a space make one word (--x="1, 2")."""
    words = []
    word = None                         # the word being built; None between words
    for i, piece in enumerate(line.split('"')):
        if i % 2:                       # inside quotes
            word = piece if word is None else word + piece
        elif piece:
            parts = piece.split()
            if piece[0].isspace() and word is not None:
                words.append(word)
                word = None
            if not parts:
                continue
            if word is not None:
                parts[0] = word + parts[0]
            word = None if piece[-1].isspace() else parts.pop()
            words += parts
    if word is not None:
        words.append(word)
    return words
