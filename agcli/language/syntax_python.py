"""Syntax errors as Python words them: asked only once a parse has failed.

Lark knows which token it did not expect; Python's messages are about what
the writer meant: "'(' was never closed", "expected ':'", "invalid character
'×' (U+00D7)", "expected an indented block after 'if' statement on line 3".
`python_syntax_error(text)` looks for those in Python's order (the
tokenizer's findings in the order of the text, then the statements', then
brackets left open) and returns None when it finds none, so that the
parser's own account is given instead.
"""
from __future__ import annotations

import re

from ..errors import AgcliError

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_NUMBER = re.compile(r"0[xX][0-9a-fA-F_]*|0[bB][01_]*|0[oO][0-7_]*|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?[\d_]+)?|\.\d[\d_]*(?:[eE][+-]?[\d_]+)?")
_WORD = re.compile(r"[^\W\d]\w*")
# What a character that looks like Python's stands for.
_LOOKALIKES = {
    "−": "-", "–": "-", "—": "-", "×": "*", "·": "*", "÷": "/", "（": "(", "）": ")", "［": "[", "］": "]",
    "，": ",", "：": ":", "；": ";", "＝": "=", "＋": "+", "．": ".", "“": '"', "”": '"', "‘": "'", "’": "'",
}
_POWERS = {"²": "**2", "³": "**3"}
# Statements that end their first line with ':' -> how Python names them.
_BLOCKS = {"if": "'if' statement", "elif": "'elif' statement", "else": "'else' statement",
           "for": "'for' statement", "while": "'while' statement", "def": "function definition",
           "class": "class definition", "try": "'try' statement", "except": "'except' statement",
           "finally": "'finally' statement", "with": "'with' statement"}


def python_syntax_error(text: str, at: int | None = None) -> AgcliError | None:
    """Python's account of the syntax error in `text`, which the parser met at offset `at`."""
    scan = _Scan(text)
    return scan.tokens() or scan.statements() or scan.open_brackets(len(text) if at is None else at)


def not_an_identifier(name: str, start: int) -> AgcliError:
    """The error for a name the grammar took that Python would not (x²): at its first bad character."""
    i = next(i for i, c in enumerate(name) if not ("a" + c).isidentifier())
    return _Scan("")._invalid_character(name[i], start + i)


class _Scan:
    def __init__(self, text):
        self.text = text
        self.open = []          # (bracket, position) not yet closed
        self.code = []          # per line: its text with strings blanked and comments cut
        self.continued = set()  # numbers of the lines that continue a statement (in brackets, after \\)

    def error(self, message, start, end=None, hint=None):
        return AgcliError(message, (start, start + 1 if end is None else end), kind="syntax", hint=hint,
                          source=self.text or None)

    def line_of(self, pos):
        return self.text.count("\n", 0, pos) + 1

    def tokens(self):
        """The tokenizer's errors, in the order of the text."""
        text, i, n = self.text, 0, len(self.text)
        code = []
        while i < n:
            c = text[i]
            if c == "#":
                end = text.find("\n", i)
                i = n if end < 0 else end
                continue
            if c in "\"'":
                if re.search(r"(?<!\w)(?:[bB][rR]?|[rR][bB])$", text[max(0, i - 3):i]):
                    return self.error("bytes literals (b'...') are not supported: agcli's programs hold str, "
                                      "numbers and tensors", i - 1, i, hint="write a str ('...') instead")
                start = i
                quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
                end = text.find(quote, i + len(quote)) if len(quote) == 3 else _line_string_end(text, i + 1, c)
                if end < 0:
                    kind = "triple-quoted string literal" if len(quote) == 3 else "string literal"
                    at = self.line_of(max(0, n - 1) if len(quote) == 3 else start)
                    return self.error(f"unterminated {kind} (detected at line {at})", start)
                i = end + len(quote)
                code.append(re.sub(r"[^\n]", " ", text[start:i]))
                for _ in range(text.count("\n", start, i)):
                    self.continued.add(self.line_of(start) + 1 + _)
                continue
            if c == "\n" and (self.open or (i > 0 and text[i - 1] == "\\")):
                self.continued.add(self.line_of(i) + 1)
            if c.isdigit() or (c == "." and text[i + 1:i + 2].isdigit()):
                if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
                    code.append(c)
                    i += 1
                    continue
                number = _NUMBER.match(text, i).group()
                after = _WORD.match(text, i + len(number))
                if after and after.group() in ("j", "J"):     # Python's imaginary literal: 2j
                    return self.error("complex numbers are not supported: agcli's tensors hold real numbers",
                                      i, i + len(number) + 1,
                                      hint="keep real and imaginary parts as two real tensors")
                if after and not after.group()[0] in "jJ" and after.group() not in _KEYWORDS_AFTER_NUMBER:
                    kind = "hexadecimal" if number[:2] in ("0x", "0X") else "decimal"
                    last = i + len(number) - 1
                    return self.error(f"invalid {kind} literal", last,
                                      hint=None if kind == "hexadecimal" else
                                      f"write {number}*{after.group()} for a product")
                code.append(number)
                i += len(number)
                continue
            if c in _OPENERS:
                self.open.append((c, i))
            elif c in _CLOSERS:
                if not self.open:
                    return self.error(f"unmatched '{c}'", i)
                opener, at = self.open.pop()
                if _OPENERS[opener] != c:
                    where = "" if self.line_of(at) == self.line_of(i) else f" on line {self.line_of(at)}"
                    return self.error(f"closing parenthesis '{c}' does not match opening parenthesis "
                                      f"'{opener}'{where}", i)
            elif c > "\x7f" and not ("a" + c).isidentifier():
                return self._invalid_character(c, i)
            elif c == ":" and text[i + 1:i + 2] == "=":
                return self.error("agcli does not run assignment expressions (the walrus operator ':=')", i,
                                  i + 2, hint="assign on a line of its own: x = ..., then test x")
            elif c == "/" and re.search(r"(?:^|\n)[ \t]*(?:async[ \t]+)?def[ \t]+\w+[ \t]*\([^)]*$", text[:i]) \
                    and re.match(r"[ \t]*[,)]", text[i + 1:]):
                return self.error("agcli does not run positional-only parameters (the '/' in a def)", i,
                                  hint="drop the '/': the parameters before it are then positional-or-keyword")
            elif c == "^":
                return self.error("agcli does not provide '^' (bitwise xor in Python)", i,
                                  hint="for a power write x**2")
            code.append(c)
            i += 1
        self.code = "".join(code).split("\n")
        return None

    def _invalid_character(self, c, i):
        if "\udc80" <= c <= "\udcff":      # a byte that is not UTF-8, as the shell or a file passed it on
            return self.error(f"byte 0x{ord(c) - 0xdc00:02X} is not UTF-8 text", i,
                              hint="save the text as UTF-8, or write the character it stands for")
        if not c.isprintable():
            return self.error(f"invalid non-printable character U+{ord(c):04X}", i, hint="replace it with a space")
        hint = (f"for a power write x{_POWERS[c]}" if c in _POWERS else
                f"write '{_LOOKALIKES[c]}' (the ASCII character) instead" if c in _LOOKALIKES else None)
        return self.error(f"invalid character '{c}' (U+{ord(c):04X})", i, hint=hint)

    def statements(self):
        """A block's first line without ':', or a block without an indented body."""
        if self.open:
            return None         # lines inside brackets continue one statement
        starts = _line_starts(self.text)
        lines = self.code
        levels = [0]
        expect_block = None     # (what, line number) of the line before, if it opened a block
        for number, line in enumerate(lines, 1):
            content = line.rstrip()
            if not content.strip() or number in self.continued:
                continue
            indent = len(content) - len(content.lstrip())
            start = starts[number - 1]
            if expect_block is not None:
                what, at = expect_block
                if indent <= levels[-1]:
                    return self.error(f"expected an indented block after {what} on line {at}", start + indent)
                levels.append(indent)
                expect_block = None
            elif indent > levels[-1]:
                return self.error("unexpected indent", start + indent)
            elif indent < levels[-1]:
                while levels and indent < levels[-1]:
                    levels.pop()
                if not levels or indent != levels[-1]:
                    return self.error("unindent does not match any outer indentation level", start + len(content))
            word = _WORD.match(content, indent)
            keyword = word.group() if word else None
            if keyword in _BLOCKS:
                if not content.endswith(":") and not _ends_a_one_line_block(content[indent:]):
                    return self.error("expected ':'", start + len(content))
                if content.endswith(":"):
                    expect_block = (_BLOCKS[keyword], number)
        if expect_block is not None:
            what, at = expect_block
            return self.error(f"expected an indented block after {what} on line {at}", len(self.text.rstrip()))
        return None

    def open_brackets(self, failed_at):
        """As CPython: a bracket left open is blamed when the parse failed on a later line, or at
        the end of the text (`(x`, `[1, 2`: "'(' was never closed", not "unexpected end of input")."""
        at_end = failed_at >= len(self.text.rstrip())
        before = [(bracket, at) for bracket, at in self.open if at < failed_at]
        if before and (at_end or self.line_of(before[-1][1]) < self.line_of(failed_at)):
            bracket, at = before[-1]
            return self.error(f"'{bracket}' was never closed", at)
        return None


# Python reads `1if x else y` and `1or 2` as a number and a keyword.
_KEYWORDS_AFTER_NUMBER = {"if", "else", "or", "and", "in", "is", "not", "for"}


def _ends_a_one_line_block(statement: str) -> bool:
    """`if x: y = 1` has its ':' inside the line."""
    return re.search(r":\s*\S", statement) is not None


def _line_string_end(text, i, quote):
    """The index of the quote ending a one-line string that starts before i, or -1."""
    while i < len(text) and text[i] != "\n":
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1


def _line_starts(text):
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts
