"""The JSON lines of a run of a sweep's lines (output/json_lines.py: json_pieces): one
head (what the lines share) and one tail template, each line's numbers and line number.

Written from the numbers' rows of text (output/float_text.py: float_rows) when it can
be: every line's tail, the head left out, is a row of one byte matrix (the rows, the template's
text between the numbers, the line's number), read without its blanks in one pass; the
lines are then that text with the head put before each. No object is made a number.
"""
from __future__ import annotations

import numpy as np

from .float_text import float_rows

_BLANK = ord(" ")
_SPACE = b"\x02"        # a space of the template's text, which survives the blanks' removal
_HEAD = "\x01"          # starts a line's tail in the matrix: the line's head goes there
_SPACES_BACK = bytes.maketrans(_SPACE, b" ")
_MARK = "\x03"          # stands for a number in a template filled in once to find its text
_LITERALS: dict = {}    # a template's text between its numbers, by (template, count)
_KEPT = 4096


def run_text(head, template, count, numbers, line_numbers) -> str:
    """The lines of a run, from each number's text: one formatting of all of them, its
    arguments (the head, each line's numbers and number) interleaved by slices."""
    step = count + 2
    args = [head] * (step * len(line_numbers))
    for j in range(count):
        args[j + 1::step] = numbers[j::count]
    args[count + 1::step] = line_numbers
    return (f'%s{template}, "line": %s}}\n' * len(line_numbers)) % tuple(args)


def run_text_from_rows(head, template, count, values, line_numbers):
    """The lines of a run (as run_text writes them) from their numbers (a float64 array, a
    line's `count` numbers after another's), or None when float_rows cannot write them all or
    a line number is not an int from 0 to 2**62."""
    digits = _line_digits(line_numbers)
    if digits is None or count == 0:
        return None
    rows = float_rows(values)
    if rows is None:
        return None
    literals = _literals(template, count)
    lines, width = len(line_numbers), rows.shape[1]
    tails = np.empty((lines, 1 + count * width + sum(map(len, literals[1:])) + digits.shape[1] + 2), np.uint8)
    tails[:, 0] = ord(_HEAD)
    numbers = rows.reshape(lines, count, width)
    at = 1
    for j, literal in enumerate(literals[1:]):
        tails[:, at:at + width] = numbers[:, j]
        at += width
        tails[:, at:at + len(literal)] = np.frombuffer(literal, np.uint8)
        at += len(literal)
    tails[:, at:at + digits.shape[1]] = digits
    tails[:, -2:] = np.frombuffer(b"}\n", np.uint8)
    text = tails.tobytes().translate(_SPACES_BACK, b" ").decode("utf-8")
    return text.replace(_HEAD, head + literals[0].translate(_SPACES_BACK).decode("utf-8"))


def _literals(template, count) -> list:
    """The template's text before, between and after its numbers (the last one with `, "line": `)
    in UTF-8, its spaces as _SPACE (no byte of a character written in several is a space)."""
    key = (template, count)
    literals = _LITERALS.get(key)
    if literals is None:
        text = (template % ((_MARK,) * count)) + ', "line": '
        literals = [part.encode("utf-8").replace(b" ", _SPACE) for part in text.split(_MARK)]
        if len(_LITERALS) >= _KEPT:
            _LITERALS.clear()
        _LITERALS[key] = literals
    return literals


def _line_digits(line_numbers):
    """The line numbers' decimal digits as ASCII, a row each, right-aligned after blanks; None
    unless each is an int from 0 to 2**62."""
    if set(map(type, line_numbers)) != {int} or min(line_numbers) < 0 or max(line_numbers) >= 2**62:
        return None
    numbers = np.array(line_numbers, np.int64)
    places = len(str(int(numbers.max())))
    powers = 10 ** np.arange(places - 1, -1, -1, dtype=np.int64)
    digits = (numbers[:, None] // powers) % 10 + ord("0")
    leading = (numbers[:, None] < powers) & (powers > 1)        # (a 0 is written "0")
    return np.where(leading, _BLANK, digits).astype(np.uint8)
