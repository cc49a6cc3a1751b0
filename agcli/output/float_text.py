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

__all__ = ["float_reprs"]

# Below this many numbers plain repr is faster than the vector path's set-up.
SMALL_ARRAY = 64

_U64 = np.uint64
_LOW32 = 0xFFFF_FFFF
_ZERO_TO_BLANK = 0x1010_1010_1010_1010  # '0' ^ 0x10 == ' ', per byte
_MINUS_OVER_BLANK = 0x0D                 # ' ' | 0x0D == '-'
_EXPONENT_WIDTH = 5                      # "e-308"

# One row of text: 4 blanks (room for a sign), 16 integer digits, the point,
# 20 fraction digits, room for the exponent after the 16th fraction digit.
_POINT = 20
_ROW = np.dtype({
    "names": ["int_high", "int_low", "point", "frac_high", "frac_low", "frac_tail"],
    "formats": ["<u8", "<u8", "u1", "<u8", "<u8", "<u4"],
    "offsets": [4, 12, _POINT, 21, 29, 37],
    "itemsize": 44,
})


@functools.cache
def _tables():
    """Schubfach's constants for every exponent, found exactly with Python ints."""
    count = 4096                        # biased exponent, + 2048 when c == 2**52
    g_parts = np.zeros((4, count), _U64)  # 32-bit halves of g0 and of g1
    shift = np.zeros(count, _U64)         # h
    k_of = np.zeros(count, np.int64)
    for irregular in (0, 1):
        for biased in range(1 + irregular, 2047):
            q = biased - 1075
            # k = floor(log10(2**q)), or of 3/4 * 2**q when the lower end is
            # nearer (c a power of two, not the smallest normal).
            num, den = (3 << max(q, 0), 4 << max(-q, 0)) if irregular else (1 << max(q, 0), 1 << max(-q, 0))
            k = _floor_log10(num, den)
            # 10**-k == beta * 2**r with 2**125 <= beta < 2**126; g = floor(beta) + 1
            if k <= 0:
                power = 10 ** -k
                r = power.bit_length() - 126
                g = (power >> r if r >= 0 else power << -r) + 1
            else:
                power = 10 ** k
                r = -(125 + power.bit_length())
                g = (1 << -r) // power + 1
            h = q + r + 127
            assert 1 <= h <= 8, (q, h)          # keeps cp below 2**63
            i = biased + 2048 * irregular
            g1, g0 = g >> 63, g & (2**63 - 1)
            g_parts[:, i] = g0 & _LOW32, g0 >> 32, g1 & _LOW32, g1 >> 32
            shift[i] = h
            k_of[i] = k
    ascii4 = np.array([int.from_bytes(b"%04d" % v, "little") for v in range(10_000)], _U64)
    exponents = np.array([list(b"e%+03d" % e + b" " * (_EXPONENT_WIDTH - len(b"e%+03d" % e)))
                          for e in range(-400, 400)], np.uint8)
    pow10 = np.array([10**i for i in range(20)], _U64)
    byte_masks = np.array([(1 << (8 * n)) - 1 for n in range(9)], _U64)
    return g_parts, shift, k_of, ascii4, exponents, pow10, byte_masks


def _floor_log10(num, den):
    """floor(log10(num / den)) for positive ints."""
    k = len(str(num)) - len(str(den))     # the answer or one more
    return k if num * 10 ** max(-k, 0) >= den * 10 ** max(k, 0) else k - 1


def float_reprs(a) -> list[str]:
    """Exactly ``list(map(repr, a.ravel().tolist()))`` for a float64 or float32 array."""
    flat = np.asarray(a).ravel()
    if flat.size < SMALL_ARRAY:
        return list(map(repr, flat.tolist()))
    with np.errstate(invalid="ignore"):   # float32 signalling nans, as tolist() does
        values = np.ascontiguousarray(flat, dtype=np.float64)
    bits = values.view(_U64)
    biased = (bits >> 52) & 0x7FF
    fraction = bits & ((1 << 52) - 1)
    zero = (bits << 1) == 0
    odd_ones = ((biased == 0) | (biased == 0x7FF)) & ~zero   # subnormal, inf, nan
    plain = zero | odd_ones
    if plain.any():                       # stand-ins that the vector path copes with
        biased = np.where(plain, 1075, biased)
        fraction = np.where(plain, 0, fraction)
    digits, exponent10 = _shortest(biased, fraction)
    text = _layout(bits >> 63, digits, exponent10, zero).tobytes().decode("ascii").split()
    for i in np.flatnonzero(odd_ones).tolist():
        text[i] = repr(values[i].item())
    return text


def _mul_64x64(a_low, a_high, b_low, b_high):
    """The 128-bit product of two numbers given as 32-bit halves: (low, high)."""
    p00, p01, p10, p11 = a_low * b_low, a_low * b_high, a_high * b_low, a_high * b_high
    middle = (p00 >> 32) + (p01 & _LOW32) + (p10 & _LOW32)
    return (middle << 32) | (p00 & _LOW32), p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32)


def _round_to_odd(x1, y0, y1):
    """Java's rop(g1, g0, cp) from x1 = high(g0 * cp) and y = g1 * cp."""
    z = (y0 >> 1) + x1
    return (y1 + (z >> 63)) | ((z << 1) != 0)


def _shortest(biased, fraction):
    """Schubfach for normal doubles: (decimal significand, power of ten)."""
    g_parts, shift, k_of, *_ = _tables()
    c = fraction | (1 << 52)
    irregular = (fraction == 0) & (biased > 1)
    row = biased | irregular * _U64(2048)
    g0_low, g0_high, g1_low, g1_high = (part[row] for part in g_parts)
    h = shift[row]
    cp = c << (h + 2)
    cp_low, cp_high = cp & _LOW32, cp >> 32
    x0, x1 = _mul_64x64(g0_low, g0_high, cp_low, cp_high)
    y0, y1 = _mul_64x64(g1_low, g1_high, cp_low, cp_high)
    vb = _round_to_odd(x1, y0, y1)
    # The interval ends: cp plus or minus 2 << h (1 << h for the lower end
    # when it is nearer), so the products change by g0 and g1 times that.
    g0 = g0_low | (g0_high << 32)
    g1 = g1_low | (g1_high << 32)
    up = h + 1
    down = up - irregular
    add0, add1 = x0 + (g0 << up), y0 + (g1 << up)
    vbr = _round_to_odd(x1 + (g0 >> (64 - up)) + (add0 < x0), add1,
                        y1 + (g1 >> (64 - up)) + (add1 < y0))
    sub0, sub1 = g0 << down, g1 << down
    vbl = _round_to_odd(x1 - (g0 >> (64 - down)) - (x0 < sub0), y0 - sub1,
                        y1 - (g1 >> (64 - down)) - (y0 < sub1))

    out = c & 1
    s = vb >> 2
    sp10 = (s // 10) * 10
    tp10 = sp10 + 10
    upin = vbl + out <= sp10 << 2
    wpin = (tp10 << 2) + out <= vbr
    t = s + 1
    uin = vbl + out <= s << 2
    win = (t << 2) + out <= vbr
    middle = (s << 2) + 2
    nearest = np.where((vb < middle) | ((vb == middle) & ((s & 1) == 0)), s, t)
    digits = np.where(upin != wpin, np.where(upin, sp10, tp10),
                      np.where(uin != win, np.where(uin, s, t), nearest))
    return digits, k_of[row]


def _ascii8(v):
    """Eight decimal digits of v < 10**8 as ASCII bytes in a little-endian word."""
    ascii4 = _tables()[3]
    high = v // 10_000
    return ascii4[high] | (ascii4[v - high * 10_000] << 32)


def _layout(negative, digits, exponent10, zero):
    """The rows of text for decimal significands and powers of ten."""
    *_, exponents, pow10, byte_masks = _tables()
    # As 17 digits exactly: digits has 16 to 18, the 18-digit ones end in 0.
    long = digits >= 10**17
    short = digits < 10**16
    padded = np.where(long, digits // 10, np.where(short, digits * 10, digits))
    padded[zero] = 0
    point = exponent10 + 17 + long.view(np.int8) - short.view(np.int8)   # dtoa's decpt
    point[zero] = 1
    rest, trailing = padded, np.zeros(padded.shape, np.int64)
    for width in (16, 8, 4, 2, 1):
        cut = rest % pow10[width] == 0
        rest = np.where(cut, rest // pow10[width], rest)
        trailing += cut * width
    significant = 17 - trailing
    scientific = (point < -3) | (point > 16)
    int_width = np.where(scientific, 1, np.maximum(point, 1))
    whole = scientific | (point >= 1)
    # integer digits, and fraction digits left-aligned in 16 + 4 places
    divisor = pow10[np.where(whole, 17 - int_width, 1 - np.minimum(point, 0))]
    high = padded // divisor
    low = padded - high * divisor
    integer = np.where(whole, high, 0)
    frac = np.where(whole, low * pow10[int_width - 1], high)
    frac_tail = np.where(whole, 0, low * pow10[np.clip(point + 3, 0, 3)])
    shown = np.where(scientific, significant - 1,
                     np.maximum(significant - np.where(whole, int_width, point), 1))

    rows = np.full((digits.size, _ROW.itemsize), ord(" "), np.uint8)
    fields = rows.view(_ROW)[:, 0]
    # integer: blanks for leading zeros, '-' just before the first digit
    first = (16 - int_width).astype(_U64)
    int_high, int_low = integer // 10**8, integer % 10**8
    for name, word, start in (("int_high", int_high, 0), ("int_low", int_low, 8)):
        blanks = byte_masks[np.clip(16 - int_width - start, 0, 8)]
        sign_at = first - 1 - start
        fields[name] = (_ascii8(word) ^ (blanks & _ZERO_TO_BLANK)) | (
            (negative * _MINUS_OVER_BLANK) << (sign_at * 8))
    sign_in_margin = (first == 0) & (negative == 1)
    rows[sign_in_margin, 3] = ord("-")
    # fraction: digits past the shown ones become blanks
    frac_high = frac // 10**8
    for name, word, start in (("frac_high", _ascii8(frac_high), 0),
                              ("frac_low", _ascii8(frac - frac_high * 10**8), 8),
                              ("frac_tail", _tables()[3][frac_tail], 16)):
        keep = np.clip(shown - start, 0, 8)
        fields[name] = word ^ (~byte_masks[keep] & _ZERO_TO_BLANK)
    fields["point"] = ord(".")
    where = np.flatnonzero(scientific)
    if where.size:
        at = where * _ROW.itemsize + _POINT + np.where(shown[where] > 0, shown[where] + 1, 0)
        flat = rows.reshape(-1)
        text = exponents[point[where] - 1 + 400]
        for i in range(_EXPONENT_WIDTH):
            flat[at + i] = text[:, i]
    return rows
