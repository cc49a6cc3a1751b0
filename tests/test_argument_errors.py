"""PyTorch's argument-parser errors (language/argument_errors.py) against PyTorch's own texts,
recorded by tests/fixtures/record_argument_errors.py for the calls of argument_error_cases.py."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from agcli.language.argument_errors import pytorch_error
from agcli.torchapi import creation as C
from agcli.torchapi.dtypes import DType
from tests.fixtures.argument_error_cases import arguments

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "argument_errors.json").read_text(encoding="utf-8"))


def _names():
    t = C.ones(2, 3)
    return {"T": t, "I": C.zeros(2, 3, dtype="int64"), "G": C.ones(2, 3, requires_grad=True), "B": t > 0}


@pytest.mark.parametrize("line", sorted(RECORDED))
def test_pytorch_words(line):
    name, is_method, _, args, kwargs = arguments(line, _names(), DType)
    expected = RECORDED[line]
    got = pytorch_error(name, is_method, args, kwargs)
    if expected is None or "Error" in expected and " " not in expected:   # (PyTorch's parser takes the call)
        assert got is None
    else:
        assert got == expected
