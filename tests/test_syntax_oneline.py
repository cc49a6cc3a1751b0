"""The one-line expression fast path (language/syntax_oneline.py) against the
table driver it stands in for: wherever it accepts a text, the trees are
equal (spans included); wherever the driver refuses one, it does not accept it."""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from agcli.cli.arguments import parse_line
from agcli.language import syntax
from agcli.language.syntax_oneline import expression_line

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _driver(text):
    """The table driver's statements for `text`, or the exception it (or Lark, after it) raises."""
    try:
        return syntax._fast_driver().parse(text + "\n")
    except Exception:
        pass
    try:
        return syntax._lark_parse(text + "\n", text)
    except Exception as e:
        return e


def _same_or_declined(text) -> bool:
    """True if the fast path parsed `text` (and then to the driver's tree); False if it declined."""
    fast = expression_line(text)
    if fast is None:
        return False
    slow = _driver(text)
    assert not isinstance(slow, Exception), f"the fast path accepts {text!r}, which the driver refuses: {slow}"
    assert fast == slow, text
    return True


def _fixture_expressions():
    texts = []
    for line in (FIXTURES / "cases.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            texts.append(parse_line(line.strip()).expr)
    texts += [case["e"] for case in json.loads((FIXTURES / "random_cases.json").read_text(encoding="utf-8"))]
    return texts


def test_the_fixtures_parse_to_the_drivers_trees():
    texts = _fixture_expressions()
    accepted = sum(_same_or_declined(text) for text in texts)
    assert accepted > 0.8 * len(texts)      # (statements, strings and chains go to the driver)


def test_the_benchmarks_distinct_lines_parse_to_the_drivers_trees():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import gen_batch
    finally:
        sys.path.remove(str(BENCHMARKS))
    texts = [parse_line(line).expr for line in gen_batch.distinct_lines(1500, seed=3)]
    assert all(_same_or_declined(text) for text in texts)


@pytest.mark.parametrize("text", [
    "a", "-a", "+-a", "-a**b", "a**-b", "a**b**c", "-2**-3", "a - b - c", "a // b % c @ d * e / f",
    "f()", "f(a)", "f( a )", "f(a, b)", "f(a, dim=1)", "f(dim=1)", "f(a)(b)", "x.t()", "x .t ()",
    "torch.nn.functional.relu(x)", "x[0]", "x[0, 1]", "x[:]", "x[::2]", "x[1:]", "x[:2]", "x[1:2:3]", "x[:, 0]",
    "x[0][1:][::-1]", "[1, 2]", "[]", "[[1, 2], [3, 4]]", "(a)", "((a + b))", "1e5", "1.", ".5", "1_000",
    "1E-3", "\ta\t*\x0cb", "a * b   ", "x²", "aé + 1", "a < b", "a == -b", "f(x >= 1)",
    "f(a,)", "f(a, k=1,)", "[1, 2,]", "(a, b)", "(a,)", "()", "x[0,]", "x[0, 1,]", "(a) != [b]",
])
def test_edge_cases_parse_to_the_drivers_trees(text):
    # (x[0,] indexes with a tuple of one, which the driver's tree says: the fast path leaves it)
    assert _same_or_declined(text) is (text not in ("x²", "x[0,]"))


@pytest.mark.parametrize("text", [
    "", "   ", "not a", "a if b else c", "lambda x: x", "'s'", 'f"{a}"', "a; b", "a = 1",
    "a += 1", "x.if", "f(a=1, b)", "f(*a)", "f(**k)", "(a,,)", "[1,,]", "a\nb", "a # c",
    "x[...]", "x[]", "1j", "a b", "a +", "(a", "a)", "async(x)", "a \\\n+ b", "a < b < c", "a in b", "(*a,)",
    "0x1F", "0o17", "0b101", "é + 1", "1__0", "1_", "a\vb",
])
def test_anything_else_goes_to_the_driver(text):
    assert expression_line(text) is None


def test_random_token_soup():
    rng = random.Random(5)
    pieces = ["a", "b", "x1", "sum", "torch", "F", "dim", "1", "2.5", "1e3", ".5", "3.", "0x1F", "1_000", "+", "-",
              "*", "/", "//", "%", "@", "**", "(", ")", "[", "]", ",", ":", "=", ".", " ", "\t", "t", "é", "x²",
              "if", "not", "<", "==", "'s'", "#c", "...", "j", "e5", "**=", ";"]
    accepted = 0
    for _ in range(40000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        accepted += _same_or_declined(text)
    assert accepted > 1000
