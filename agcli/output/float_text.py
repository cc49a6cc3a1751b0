"""Python's ``repr`` of many floats at once, computed with NumPy.

JSON output prints every float as ``repr`` prints it: the shortest decimal that
reads back as the same double (David Gay's dtoa, mode 0), laid out by CPython's
``format_float_short`` with the 'r' rules.  Calling ``repr`` once a number is
the largest cost of a swept line, so ``float_reprs`` finds the same digits for a
whole array with exact integer arithmetic on uint64 arrays and builds all the
text at once.

Digits: Schubfach (R. Giulietti, "The Schubfach way to render doubles"; the
reference is Java's ``jdk.internal.math.DoubleToDecimal``).  For a double
``c * 2**q`` it scales ``4c`` and its two rounding-interval ends by a 126-bit
upper approximation ``g`` of a power of ten and rounds the results to odd; it
then picks the shortest decimal inside the interval, the closest one on a tie of
lengths, the even one on a tie of distance: dtoa mode 0's answer.

Text: each number gets one fixed-width row of bytes, blank-padded: the sign and
integer digits right-aligned before a decimal point at a fixed column, the
fraction digits left-aligned after it, the exponent (if any) right after the
last digit.  Blanks never occur inside a repr, so one ``str.split()`` of all
rows gives the list.

Subnormals, infinities and nans go through ``repr`` one by one, as do arrays
too small for the vector path to pay.
"""
from __future__ import annotations

import functools
import numpy as np

__all__ = ["float_reprs", "float_rows"]

# Below this many numbers plain repr is faster than the vector path's set-up.
SMALL_ARRAY = 512
# Numbers done at once: the arrays of a larger chunk outgrow what the C
# allocator keeps between calls, and touching fresh pages then costs more
# than the calls a chunk saves. A long batch keeps freed memory (evaluate/
# batch.py: keep_freed_memory), and then larger chunks pay: CHUNK_KEPT.
CHUNK = 2048
CHUNK_KEPT = 16384

_U64 = np.uint64
_POINT_BIAS = 400                        # dtoa's decpt + this indexes _Tables.layout
_K_BIAS = 1024                           # k + this is stored in a uint64


def _unsigned(value):
    # NumPy takes a 0-d array operand faster than a Python int.
    return np.array(value, _U64)


def _signed(value):
    return np.array(value, np.int64)


(_0, _1, _2, _3, _4, _8, _10, _16, _24, _32, _40, _52, _63, _64, _128, _10_000) = map(
    _unsigned, (0, 1, 2, 3, 4, 8, 10, 16, 24, 32, 40, 52, 63, 64, 128, 10_000))
_2_SIGNED, _3_SIGNED, _8_SIGNED, _16_SIGNED, _52_SIGNED, _1015_SIGNED = map(_signed, (2, 3, 8, 16, 52, 1015))
_LOW8, _LOW32, _HIDDEN_BIT, _EXPONENT_MASK = map(_unsigned, (0xFF, 0xFFFF_FFFF, 1 << 52, 0x7FF))
_IRREGULAR_ROWS = _signed(2048)
_INDEX_OF_17_DIGITS = _signed(2 * (17 + _POINT_BIAS))
_ZERO_TO_BLANK = _unsigned(0x1010_1010_1010_1010)   # '0' ^ 0x10 == ' ', per byte
_ASCII_ZEROS = _unsigned(0x3030_3030_3030_3030)
_MINUS_OVER_BLANK = _unsigned(0x0D)                  # ' ' | 0x0D == '-'


def _row(int_places):
    """One row of text: integer places (with, for 16 of them, a margin for the
    sign), the point, 20 fraction places, room for an exponent after the 16th
    fraction digit, and a blank that ends the row.  Rows with fewer integer
    places are shorter text to split."""
    lead = {16: [("margin", "u1", 0), ("int_high", "<u8", 1), ("int_low", "<u8", 9)],
            8: [("int_low", "<u8", 0)],
            4: [("int_low", "<u4", 0)]}[int_places]
    point = int_places + (int_places == 16)
    fields = lead + [("point", "u1", point), ("frac_high", "<u8", point + 1),
                     ("frac_low", "<u8", point + 9), ("frac_tail", "<u4", point + 17)]
    names, formats, offsets = zip(*fields)
    return np.dtype({"names": list(names), "formats": list(formats), "offsets": list(offsets),
                     "itemsize": point + 23})


_ROWS = {places: _row(places) for places in (4, 8, 16)}


class _Tables:
    """The constants, computed exactly with Python ints as numbers first need them (a
    batch's numbers span a few exponents: all of them would cost a process more
    than formatting thousands of lines)."""

    def __init__(self):
        # Rows of quantities (takes give contiguous rows), few of them: a take
        # costs more than unpacking small numbers from one word.
        self.schubfach = np.zeros((3, 4096), _U64)     # by biased exponent (+ 2048 when c == 2**52): g0, g1, h | k << 8
        self.layout = np.zeros((5, 4 * _POINT_BIAS), _U64)     # by 2 * (decpt + _POINT_BIAS) + (16 digits): _layout_row
        self.exponents = np.zeros(4 * _POINT_BIAS, _U64)      # by the same: "e-05 " as little-endian ASCII
        self._known = {"schubfach": np.zeros(4096, bool), "layout": np.zeros(4 * _POINT_BIAS, bool)}
        digits = [np.arange(10_000, dtype=_U64) // _unsigned(10 ** (3 - i)) % _10 for i in range(4)]
        self.ascii4 = sum((digit + _unsigned(ord("0"))) << _unsigned(8 * i) for i, digit in enumerate(digits))

    def schubfach_rows(self, rows):
        """g0, g1 and h | k << 8 of these rows."""
        self._fill("schubfach", rows, self._schubfach)
        return self.schubfach.take(rows, axis=1)

    def layout_rows(self, rows):
        """_layout_row's first five quantities for these rows (decpt and length)."""
        self._fill("layout", rows, self._layout)
        return self.layout.take(rows, axis=1)

    def _schubfach(self, row):
        self.schubfach[:, row] = _schubfach_row(row % 2048 - 1075, row >= 2048)

    def _layout(self, row):
        *quantities, exponent = _layout_row(row // 2 - _POINT_BIAS, 17 - row % 2)
        self.layout[:, row] = quantities
        self.exponents[row] = exponent

    def _fill(self, table, rows, fill):
        """Make the rows of `table` not made yet (each is known only once made)."""
        known = self._known[table]
        missing = ~known.take(rows)
        if missing.any():
            for row in sorted(set(rows[missing].tolist())):     # (np.unique's first call imports more of NumPy)
                fill(row)
                known[row] = True


def _floor_log10(num, den):
    """floor(log10(num / den)) for positive ints."""
    k = len(str(num)) - len(str(den))     # the answer or one more
    return k if num * 10 ** max(-k, 0) >= den * 10 ** max(k, 0) else k - 1


def _schubfach_row(q, irregular):
    """k, g (Java's g1 * 2**63 + g0) and h for a double c * 2**q."""
    # k = floor(log10(2**q)), or of 3/4 * 2**q when the lower interval end is
    # nearer (c a power of two, except for the smallest normal exponent).
    num, den = 1 << max(q, 0), 1 << max(-q, 0)
    k = _floor_log10(3 * num, 4 * den) if irregular else _floor_log10(num, den)
    # 10**-k == beta * 2**r with 2**125 <= beta < 2**126, and g = floor(beta) + 1
    if k <= 0:
        power = 10 ** -k
        r = power.bit_length() - 126
        g = (power >> r if r >= 0 else power << -r) + 1
    else:
        power = 10 ** k
        r = -(125 + power.bit_length())
        g = (1 << -r) // power + 1
    h = q + r + 127
    assert 1 <= h <= 8, (q, h)                # keeps c << (h + 2) below 2**63
    return [g & (2**63 - 1), g >> 63, h | (k + _K_BIAS) << 8]


def _layout_row(point, length):
    """How a significand of this many digits (16 or 17) and decpt are cut into text."""
    scientific = point < -3 or point > 16
    taken = 1 if scientific else max(point, 0)        # integer digits taken
    blanks = 16 - max(taken, 1)                        # before the integer digits
    shifts = [
        0 if scientific else 1,                        # fraction digits shown at least
        64 - 8 * max(blanks - 8, 0),                   # blanks in int_low: ZERO_TO_BLANK >> this
        8 * (blanks - 9) if blanks >= 9 else 64,       # '-' in int_low: 0x0D << this
        64 - 8 * min(blanks, 8),                       # the same in int_high
        8 * (blanks - 1) if 1 <= blanks <= 8 else 64,
    ]
    return [
        10 ** (length - taken),                        # integer = digits // this
        10 ** (taken + 16 - length) if taken else 1,   # fraction, 16 places: rest * this
        1 if taken else 10 ** (length - 16 - point),   # ... // this
        0 if taken else 10 ** (20 - length + point),   # last 4 places: remainder * this
        int.from_bytes(bytes(shifts), "little"),
        int.from_bytes((b"e%+03d" % (point - 1)).ljust(5), "little") if scientific else 0,
    ]


@functools.cache
def _tables() -> _Tables:
    return _Tables()


def float_reprs(a) -> list[str]:
    """Exactly ``list(map(repr, a.ravel().tolist()))`` for a float64 or float32 array
    (float32 values become the float64 of the same value, as tolist() makes them)."""
    flat = np.asarray(a).ravel()
    if flat.size < SMALL_ARRAY or flat.dtype.kind != "f" or flat.dtype.itemsize > 8:
        return list(map(repr, flat.tolist()))
    with np.errstate(invalid="ignore"):   # float32 signalling nans, as tolist() does
        values = np.ascontiguousarray(flat, dtype=np.float64)
    if values.size <= CHUNK:
        return _reprs(values)
    text = []
    for start in range(0, values.size, CHUNK):
        text += _reprs(values[start:start + CHUNK])
    return text


def float_rows(values):
    """float_reprs of a contiguous float64 array as rows of blank-padded ASCII bytes, a number
    each (its repr is its row without the blanks), or None if a number needs repr: a subnormal,
    an infinity or a nan, or too few numbers for the vector path to pay."""
    if values.size < SMALL_ARRAY:
        return None
    rows, odd_ones = _rows(values)
    return rows if odd_ones is None or not odd_ones.any() else None


def _reprs(values):
    """float_reprs of a contiguous float64 array."""
    rows, odd_ones = _rows(values)
    text = str(rows.data, "ascii").split()
    if odd_ones is not None:
        for i in np.flatnonzero(odd_ones).tolist():
            text[i] = repr(values[i].item())
    return text


def _rows(values):
    """(rows, odd_ones): each number's text in a row of blank-padded bytes (_layout), right but
    for the numbers odd_ones flags (None: none), which need repr."""
    bits = values.view(_U64)
    biased = (bits >> _52) & _EXPONENT_MASK
    fraction = bits & (_HIDDEN_BIT - _1)
    zero = odd_ones = None
    if ((biased - _1) >= _EXPONENT_MASK - _1).any():     # zeros, subnormals, infinities, nans
        zero = (bits << 1) == 0
        odd_ones = ((biased == 0) | (biased == 0x7FF)) & ~zero
        plain = zero | odd_ones           # get stand-ins the vector path copes with
        biased = np.where(plain, 1075, biased)
        fraction = np.where(plain, 0, fraction)
    digits, exponent10 = _shortest(biased, fraction)
    return _layout(bits >> _63, digits, exponent10, zero), odd_ones


def _mul_64x64(a_low, a_high, b_low, b_high):
    """The 128-bit product of a < 2**63 and b < 2**60 given as 32-bit halves: (low, high)."""
    low = a_low * b_low
    middle = a_low * b_high + a_high * b_low + (low >> _32)   # below 2**63 + 2**60 + 2**32
    return (middle << _32) | (low & _LOW32), a_high * b_high + (middle >> _32)


def _round_to_odd(x1, y0, y1):
    """Java's rop(g1, g0, cp) from x1 = high(g0 * cp) and y = g1 * cp.

    Its sticky bit leaves out the product's low 64 bits, where g's excess over
    the power of ten lies: a decimal exactly halfway stays a tie, as it must
    (round-to-odd over every bit would break such ties upwards)."""
    z = (y0 >> _1) + x1
    return (y1 + (z >> _63)) | ((z << _1) != _0)


def _shortest(biased, fraction):
    """Schubfach for normal doubles (Java's DoubleToDecimal.toDecimal).

    Returns the decimal significand (16 to 18 digits, trailing zeros kept) and
    its power of ten.
    """
    c = fraction | _HIDDEN_BIT
    irregular = (fraction == _0) & (biased > _1)
    g0, g1, packed = _tables().schubfach_rows(biased.view(np.int64) + irregular * _IRREGULAR_ROWS)
    h = packed & _LOW8
    cp = c << (h + _2)
    cp_low, cp_high = cp & _LOW32, cp >> _32
    x0, x1 = _mul_64x64(g0 & _LOW32, g0 >> _32, cp_low, cp_high)
    y0, y1 = _mul_64x64(g1 & _LOW32, g1 >> _32, cp_low, cp_high)
    vb = _round_to_odd(x1, y0, y1)
    # The interval ends: cp plus or minus 2 << h (1 << h for the lower end
    # when it is nearer), so the products change by g0 and g1 times that.
    up = h + _1
    down = up - irregular
    add0, add1 = x0 + (g0 << up), y0 + (g1 << up)
    up = _64 - up
    vbr = _round_to_odd(x1 + (g0 >> up) + (add0 < x0), add1, y1 + (g1 >> up) + (add1 < y0))
    sub0, sub1 = g0 << down, g1 << down
    down = _64 - down
    vbl = _round_to_odd(x1 - (g0 >> down) - (x0 < sub0), y0 - sub1, y1 - (g1 >> down) - (y0 < sub1))

    out = c & _1
    s = vb >> _2
    s4 = vb & ~_3
    sp10 = (s // _10) * _10
    sp40 = sp10 << _2
    low_end = vbl + out                   # u is in the interval if low_end <= 4u
    high_end = vbr - out                  # w is in it if 4w <= high_end
    upin = low_end <= sp40
    wpin = sp40 + _40 <= high_end
    uin = low_end <= s4
    win = s4 + _4 <= high_end
    above = vb + (s & _1) > s4 + _2       # past the middle, or on it with s odd
    digits = np.where(upin != wpin, sp10 + wpin * _10, s + (~uin | (win & above)))
    return digits, (packed >> _8).view(np.int64) - _K_BIAS


def _ascii8(v, ascii4):
    """Eight decimal digits of v < 10**8 as ASCII bytes in a little-endian word."""
    high = v // _10_000
    return ascii4.take(high.view(np.int64)) | (ascii4.take((v - high * _10_000).view(np.int64)) << _32)


def _digits_to_last_nonzero(ascii_word, zeros=_ASCII_ZEROS):
    """How many bytes of a word of ASCII digits run up to its last non-'0' (negative if none)."""
    exponent = (ascii_word ^ zeros).astype(np.float64).view(np.int64) >> _52_SIGNED
    return (exponent - _1015_SIGNED) >> _3_SIGNED   # the highest set bit's byte + 1; digits <= 9 cannot round up


def _layout(negative, digits, exponent10, zero):
    """The rows of text for signs, decimal significands and powers of ten."""
    tables = _tables()
    ascii4 = tables.ascii4
    # digits has 16 or 17 digits, or 18 ending in 0
    long = digits >= _10 ** 17
    if long.any():
        digits = np.where(long, digits // _10, digits)
        exponent10 = exponent10 + long
    index = exponent10 * _2_SIGNED + _INDEX_OF_17_DIGITS - (digits < _10 ** 16)
    if zero is not None:
        digits[zero] = 0
        index[zero] = 2 * (1 + _POINT_BIAS)
    int_div, frac_mul, frac_div, tail_mul, shifts = tables.layout_rows(index)
    least_shown = shifts & _LOW8
    integer = digits // int_div
    scaled = (digits - integer * int_div) * frac_mul
    frac = scaled // frac_div
    tail = (scaled - frac * frac_div) * tail_mul
    frac_high = frac // _10 ** 8
    words = (_ascii8(frac_high, ascii4), _ascii8(frac - frac_high * _10 ** 8, ascii4),
             ascii4.take(tail.view(np.int64)))
    shown = np.maximum(np.maximum(_digits_to_last_nonzero(words[0]),
                                  _digits_to_last_nonzero(words[1]) + _8_SIGNED),
                       _digits_to_last_nonzero(words[2], _ASCII_ZEROS & _LOW32) + _16_SIGNED)
    shown = np.maximum(shown, least_shown.view(np.int64))
    blank_low, sign_low = (shifts >> _8) & _LOW8, (shifts >> _16) & _LOW8

    largest = int(integer.max())
    wide = largest >= 10**7
    row = _ROWS[16 if wide else 8 if largest >= 1000 else 4]
    rows = np.full((digits.size, row.itemsize), ord(" "), np.uint8)
    fields = rows.view(row)[:, 0]
    minus = negative * _MINUS_OVER_BLANK
    if wide:
        blank_high, sign_high = (shifts >> _24) & _LOW8, shifts >> _32
        fields["margin"] = ord(" ") | (minus * (blank_high == _64))   # before 16 digits
        fields["int_high"] = (_ascii8(integer // _10 ** 8, ascii4) ^ (_ZERO_TO_BLANK >> blank_high)) | (
            minus << sign_high)
        integer = integer % _10 ** 8
    if wide or largest >= 10_000:
        int_low = _ascii8(integer, ascii4)
    else:
        int_low = ascii4.take(integer.view(np.int64)) << _32 | ascii4[0]
    int_low = (int_low ^ (_ZERO_TO_BLANK >> blank_low)) | (minus << sign_low)
    fields["int_low"] = int_low >> _32 if row.itemsize == _ROWS[4].itemsize else int_low
    fields["point"] = ord(".")
    # fraction digits after the shown ones become blanks
    shift = shown.view(_U64) * _8
    fields["frac_high"] = words[0] ^ (_ZERO_TO_BLANK << shift)
    fields["frac_low"] = words[1] ^ (_ZERO_TO_BLANK << (np.maximum(shift, _64) - _64))
    fields["frac_tail"] = words[2] ^ (_ZERO_TO_BLANK << (np.maximum(shift, _128) - _128))
    scientific = np.flatnonzero(least_shown == _0)
    if scientific.size:
        after = shown[scientific]
        point_at = row.fields["point"][1]
        at = scientific * row.itemsize + point_at + np.where(after > 0, after + 1, 0)
        text = tables.exponents[index[scientific]]
        flat = rows.reshape(-1)
        for byte in range(5):
            flat[at + byte] = (text >> (8 * byte)).astype(np.uint8)
    return rows
