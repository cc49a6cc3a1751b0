"""A sweep's binding texts read as numbers all at once, with NumPy, for texts
that differ from their column's first text only in their numbers.

JSON (bindings.py: stacked_values) makes a Python object of every number and
list; here the texts of all columns are one byte array, checked and read by
array operations. What this reads is what stacked_values gives, bit for bit,
or None, and then stacked_values reads the texts:

- each column's first text is read by stacked_values itself, and every text
  of a column must be its first text with other numbers in the same places
  (the same bytes between the numbers, the numbers at the same places among
  them), so each text is one JSON value of the first text's shape;
- each number is `-?(0|[1-9][0-9]*)(.[0-9]+)?` with at most 15 digits (no
  exponent): its digits make an integer below 2**53 and its fraction a power
  of ten below 10**16, both exact in a float64, so their quotient is the
  correctly rounded decimal, as float() reads it (an integer as JSON reads
  it: -0 is 0).
"""
from __future__ import annotations

import numpy as np

_MOST_DIGITS = 15
_POWERS = 10 ** np.arange(_MOST_DIGITS + 1, dtype=np.int64)
_FLOAT_POWERS = _POWERS.astype(np.float64)

# A byte's kind: anything else, '-', '.', a digit other than 0, '0' (digits are the kinds >= 3).
_OTHER, _MINUS, _DOT, _DIGIT, _ZERO = range(5)
_KINDS = bytearray(256)
_KINDS[ord("-")], _KINDS[ord(".")] = _MINUS, _DOT
for _byte in b"123456789":
    _KINDS[_byte] = _DIGIT
_KINDS[ord("0")] = _ZERO
_KINDS = bytes(_KINDS)
_NUMBER_BYTES = b"0123456789.-"


def _good_triples() -> bytes:
    """The codes (before * 5 + kind) * 5 + after of a byte's kind with its neighbours' that
    `-?(0|[1-9][0-9]*)(.[0-9]+)?` allows (one '.' a number at most is checked apart)."""
    digits = (_DIGIT, _ZERO)
    good = bytearray()
    for before in range(5):
        for kind in range(5):
            for after in range(5):
                bad = (kind == _MINUS and (before != _OTHER or after not in digits)     # '-' first, then a digit
                       or kind == _DOT and (before not in digits or after not in digits)
                       or kind == _ZERO and before in (_OTHER, _MINUS) and after in digits)    # leading zeros
                if not bad:
                    good.append((before * 5 + kind) * 5 + after)
    return bytes(good)


_GOOD = _good_triples()
_NUMBER_RUN = None          # the regex of a run of number bytes, made on first use


def number_columns(columns, first_arrays):
    """The float64 arrays (lines, *shape) of columns of texts (lists of one length), given
    stacked_values of each column's first text alone (`first_arrays`, shape (1, *shape));
    None unless every text is its column's first with other numbers in the same places."""
    skeletons = [_skeleton(texts[0], first.size) for texts, first in zip(columns, first_arrays)]
    if any(skeleton is None for skeleton in skeletons):
        return None
    # (line breaks around the texts: every byte of a text has neighbours)
    document = "\n" + "\n".join([text for texts in columns for text in texts]) + "\n"
    if not document.isascii():
        return None
    raw = document.encode("ascii")
    size = len(columns[0])
    if raw.translate(None, _NUMBER_BYTES) != _expected_skeleton(skeletons, size):
        return None
    kind = np.frombuffer(raw.translate(_KINDS), np.uint8)
    triples = (kind[:-2] * 5 + kind[1:-1]) * 5 + kind[2:]
    if triples.tobytes().translate(None, _GOOD):
        return None
    values = _read_numbers(np.frombuffer(raw, np.uint8), kind, _places(skeletons, size))
    if values is None:
        return None
    arrays, at = [], 0
    for first in first_arrays:
        count = size * first.size
        arrays.append(values[at:at + count].reshape((size, *first.shape[1:])))
        at += count
    return arrays


def _skeleton(text, count):
    """(the text without its number bytes, where each of its numbers stands among those bytes),
    or None if its number runs are not its `count` numbers or it holds a line break, an
    exponent or a '+'."""
    global _NUMBER_RUN
    if _NUMBER_RUN is None:
        import re
        _NUMBER_RUN = re.compile(r"[0-9.\-]+")
    places, rest, dropped = [], [], 0
    last = 0
    for match in _NUMBER_RUN.finditer(text):
        rest.append(text[last:match.start()])
        places.append(match.start() - dropped)
        dropped += match.end() - match.start()
        last = match.end()
    rest.append(text[last:])
    skeleton = "".join(rest)
    # (no exponent nor '+': neither is in any text, which has this skeleton)
    if len(places) != count or "\n" in skeleton or "e" in skeleton or "E" in skeleton or "+" in skeleton:
        return None
    return skeleton, places


def _expected_skeleton(skeletons, size) -> bytes:
    """The document without its numbers if each text is its column's first but for them."""
    return ("\n" + "\n".join(["\n".join([skeleton] * size) for skeleton, _ in skeletons]) + "\n").encode("ascii")


def _places(skeletons, size):
    """Where the numbers stand among the other bytes of a document whose texts are their
    columns' first but for their numbers: the count of other bytes before each."""
    places, base = [], 1
    for skeleton, first_places in skeletons:
        texts_at = base + np.arange(size, dtype=np.int64) * (len(skeleton) + 1)
        places.append(np.add.outer(texts_at, np.array(first_places, np.int64)).ravel())
        base += size * (len(skeleton) + 1)
    return np.concatenate(places)


def _read_numbers(data, kind, places):
    """float64 values of the runs of number bytes of `data` (a byte array, its kinds: `kind`),
    or None unless they stand at `places` (counted in other bytes) and hold at most
    _MOST_DIGITS digits and one '.' each."""
    other = kind == _OTHER
    edges = np.flatnonzero(other[:-1] != other[1:]) + 1      # (the document starts and ends with an other byte)
    starts, ends = edges[0::2], edges[1::2]
    lengths = ends - starts
    if starts.size != places.size or not np.array_equal(starts - (np.cumsum(lengths) - lengths), places):
        return None
    if not starts.size:
        return np.zeros(0)
    dot = kind == _DOT
    dots_to = np.cumsum(dot)        # the dots up to each byte
    dotted = dots_to[ends - 1] - dots_to[starts - 1]
    if dotted.max() > 1:            # one '.' a number at most
        return None
    negative = kind[starts] == _MINUS
    counts = lengths - negative - dotted
    if counts.max() > _MOST_DIGITS:
        return None
    digits_end = np.cumsum(counts)
    at = np.flatnonzero(kind >= _DIGIT)
    place = np.repeat(digits_end - 1, counts) - np.arange(at.size)
    whole = np.add.reduceat((data[at] - ord("0")).astype(np.int64) * _POWERS[place], digits_end - counts)
    fraction = np.zeros(starts.size, np.int64)
    owner = np.flatnonzero(dotted)
    fraction[owner] = ends[owner] - np.flatnonzero(dot) - 1        # the digits after a number's '.'
    values = whole / _FLOAT_POWERS[fraction]
    negative[(fraction == 0) & (whole == 0)] = False        # JSON's -0 is the integer 0
    return np.where(negative, -values, values)
