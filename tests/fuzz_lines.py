"""Mutated `agcli grad` lines for the fuzz test (tests/test_fuzz.py): what a
hurried typist makes of the fixture cases. Deterministic for a seed."""
from __future__ import annotations

import random
import shlex
from pathlib import Path

CASES = Path(__file__).resolve().parent / "fixtures" / "cases.txt"
PUNCTUATION = "()[]{},.:;*+-/@=<>!~%^&|'\"#\\`$?"
BRACKETS = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{"}
KEYWORDS = ["dim", "keepdim", "dtype", "requires_grad", "alpha", "reduction", "p", "min", "max", "out",
            "size", "axis", "beta", "weight", "target", "input", "other", "exponent", "start", "end"]
NAMES = ["sum", "mean", "tanh", "x", "a", "torch", "F", "None", "True", "nan", "inf", "1e309", "-0.", "[]",
         "[[1], [2, 3]]", "'s'", "()", "...", "x.grad", "x.T", "0", "-1", "2**64", "1j", "[1, [2]]"]


def seed_lines() -> list[str]:
    lines = []
    for raw in CASES.read_text(encoding="utf-8").splitlines():
        raw = raw.strip()
        if raw and not raw.startswith("#"):
            lines.append(raw)
    return lines


def mutate(line: str, rng: random.Random) -> str:
    """One to three edits of the expression (mostly) or the whole line."""
    words = shlex.split(line)
    target_expression = rng.random() < 0.75
    text = words[0] if target_expression else line
    for _ in range(rng.randint(1, 3)):
        text = _edit(text, rng)
    if target_expression:
        return shlex.join([text, *words[1:]])
    return text


def _edit(text: str, rng: random.Random) -> str:
    if not text:
        return rng.choice(NAMES)
    i = rng.randrange(len(text))
    kind = rng.randrange(7)
    if kind == 0:                       # delete a character
        return text[:i] + text[i + 1:]
    if kind == 1:                       # insert punctuation
        return text[:i] + rng.choice(PUNCTUATION) + text[i:]
    if kind == 2:                       # swap a bracket for its partner or another kind
        spots = [j for j, c in enumerate(text) if c in BRACKETS]
        if spots:
            j = rng.choice(spots)
            return text[:j] + rng.choice([BRACKETS[text[j]], *"([{"]) + text[j + 1:]
        return text[:i] + "(" + text[i:]
    if kind == 3:                       # a keyword argument, maybe misspelt
        word = rng.choice(KEYWORDS)
        if rng.random() < 0.5 and len(word) > 1:
            k = rng.randrange(len(word))
            word = word[:k] + word[k + 1:] + rng.choice("abcdefm")
        spots = [j for j, c in enumerate(text) if c in "(,"] or [len(text)]
        j = rng.choice(spots) + 1
        return text[:j] + f"{word}={rng.choice(NAMES)}, " + text[j:]
    if kind == 4:                       # a name or value dropped in
        return text[:i] + rng.choice(NAMES) + text[i:]
    if kind == 5:                       # duplicate a slice
        j = rng.randrange(i, min(len(text), i + 6) + 1)
        return text[:j] + text[i:j] + text[j:]
    k = rng.randrange(len(text))        # swap two characters
    chars = list(text)
    chars[i], chars[k] = chars[k], chars[i]
    return "".join(chars)


def fuzz_lines(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    seeds = seed_lines()
    return [mutate(rng.choice(seeds), rng) for _ in range(count)]


if __name__ == "__main__":
    import sys
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    print("\n".join(fuzz_lines(n)))
