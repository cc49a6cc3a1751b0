"""PyTorch's argument-parser errors (language/argument_errors.py) against PyTorch's own texts,
recorded by tests/fixtures/record_argument_errors.py for the calls of argument_error_cases.py."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agcli.evaluate import run as api
from agcli.language.argument_errors import pytorch_error
from agcli.language.nn.parameter import parameter
from agcli.torchapi import creation as C
from agcli.torchapi.dtypes import DType
from tests.fixtures.argument_error_cases import arguments

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = json.loads((FIXTURES / "argument_errors.json").read_text(encoding="utf-8"))
RANDOM = json.loads((FIXTURES / "argument_errors_random.json").read_text(encoding="utf-8"))
# The parser's own words (a TypeError of the kernel's, "expected tuple of 2 elements", is not its)
_PARSERS = re.compile(r"^(\w+\(\)( received an invalid combination| missing \d+ required| takes | got an unexpected"
                      r"| got multiple|: argument ')|expected Tensor as element)")


def _names():
    t = C.ones(2, 3)
    return {"T": t, "I": C.zeros(2, 3, dtype="int64"), "G": C.ones(2, 3, requires_grad=True), "B": t > 0,
            "P": parameter(C.ones(2, 3))}


@pytest.mark.parametrize("line", sorted(RECORDED))
def test_pytorch_words(line):
    name, is_method, _, args, kwargs = arguments(line, _names(), DType)
    expected = RECORDED[line]
    assert pytorch_error(name, is_method, args, kwargs) == (expected if _PARSERS.match(expected or "") else None)


def test_random_calls():
    """1807 calls, 5 of each recorded function (torch's, torch.linalg's and torch.special's) and method, drawn
    from arguments of every kind (most of them wrong): PyTorch's words where its parser refuses them, and None
    (no error) where it takes them."""
    problems = []
    for line, expected in RANDOM.items():
        name, is_method, _, args, kwargs = arguments(line, _names(), DType)
        got = pytorch_error(name, is_method, args, kwargs)
        if got != (expected if _PARSERS.match(expected or "") else None):
            problems.append(f"{line}\n  PyTorch: {expected!r}\n  agcli:   {got!r}")
    assert not problems, f"{len(problems)} of {len(RANDOM)}:\n" + "\n".join(problems[:20])


# An expression (agcli grad) words its calls' errors as PyTorch's parser does, where it refuses them:
# when lowered (a call that binds no signature of agcli's) and when run (one agcli's function refuses).
@pytest.mark.parametrize("expr, line", [
    ("torch.sum(x, dim='a')", "torch.sum(T, dim='a')"),
    ("x.sum(dim='a')", "T.sum(dim='a')"),
    ("x.view('a')", "T.view('a')"),
    ("torch.mm(x)", "torch.mm(T)"),
    ("torch.sum(x, 'a', True, 3)", "torch.sum(T, 'a', True, 3)"),
    ("x.transpose(0)", "T.transpose(0)"),
    ("torch.cat(x, x).sum()", "torch.cat(T, T)"),
])
def test_expressions_word_pytorchs_errors(expr, line):
    api.configure()
    error = api.evaluate(expr, {"x": "[[1., 2.], [3., 4.]]"}, wrt=["x"]).error
    assert error.message == RECORDED[line]
    assert error.python_type == "TypeError"


def test_an_inner_calls_error_comes_first():
    """x.view(9).sum(dim='a'): the view fails first, as in PyTorch, though sum's arguments are wrong too."""
    api.configure()
    error = api.evaluate("x.view(9).sum(dim='a')", {"x": "[[1., 2.], [3., 4.]]"}, wrt=["x"]).error
    assert error.message == "shape '[9]' is invalid for input of size 4"
