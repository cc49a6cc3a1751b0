"""Issue 14, finding 6: a program's syntax error names the line and column
Python names and says what Python says (its message is taken from Python's
own compile() of the same text, which the test may use; agcli never does)."""
from __future__ import annotations

import subprocess

import pytest

from agcli.errors import AgcliError
from agcli.language.syntax import parse
from installed import AGCLI, base_env

# source, line, column (1-based, of agcli's caret), hint (or None)
CASES = [
    ("import torch\nx = torch.ones(2)\nif x.sum() > 0\n    print(x)\n", 3, 15, None),
    ("for i in range(3)\n    print(i)\n", 1, 18, None),
    ("def f(x)\n    return x\n", 1, 9, None),
    ("x = 1\nif x > 0:\nprint(x)\n", 3, 1, None),
    ("x = 1\n    y = 2\n", 2, 5, None),
    ("if True:\n    y = 1\n  z = 2\n", 3, 8, None),
    ("x = torch.ones((2,\ny = 3\nprint(y)\n", 1, 16, None),
    ("f([1, 2)\n", 1, 8, None),
    ("x = 1)\n", 1, 6, None),
    ('print("abc)\n', 1, 7, None),
    ('x = """abc\n', 1, 5, None),
    ("x = 2x\n", 1, 5, "write 2*x for a product"),
    ("x = 3 × 2\n", 1, 7, "write '*' (the ASCII character) instead"),
    ("x = 3 \u2212 2\n", 1, 7, "write '-' (the ASCII character) instead"),
    ("x = torch.ones\uff082)\n", 1, 15, "write '(' (the ASCII character) instead"),
    ("x = 3\u00a0+ 2\n", 1, 6, "replace it with a space"),
    ("x = 3\nprint(x\u00b2)\n", 2, 8, "for a power write x**2"),
    ('x = "中文" + (3 +\n', 1, 12, None),
    ("x = 1\nprint(08)\n", 2, 7, None),
]


def python_message(source):
    with pytest.raises(SyntaxError) as e:
        compile(source, "p.py", "exec")
    return e.value.msg, e.value.lineno


@pytest.mark.parametrize("source, line, column, hint", CASES)
def test_a_syntax_error_says_what_python_says(source, line, column, hint):
    message, python_line = python_message(source)
    with pytest.raises(AgcliError) as e:
        parse(source)
    assert e.value.kind == "syntax"
    assert e.value.message == message
    assert (e.value.line, e.value.column) == (line, column)
    assert line == python_line
    assert e.value.hint == hint


@pytest.mark.parametrize("source", [
    "x = torch.tensor([1.,\n    2.])\ns = '''a\n  b'''\nif x.sum() > 0:\n    y = (x *\n  2)\n    print(y)\n",
    "if x: y = 1\nelse: y = 2\n", "x = 0x1f + 0b10 + 0o7 + 1e5 + 1_000 + .5 + 1_0.2_5\n", "a1 = 2\nb = a1 * 2\n",
    "x = 'a # b'  # c\n", "é = 1\n", "x = 00 + 0_0 + 0.5 + 010.5 + 0e1\n",
])
def test_valid_programs_still_parse(source):
    parse(source)


def test_xor_on_floats_is_pytorchs_error_with_a_hint_for_a_power(tmp_path):
    """x^2 is Python's xor (valid syntax); on a float tensor it is PyTorch's error, and agcli
    says what was probably meant."""
    import agcli
    parse("y = x^2\n")
    with pytest.raises(AgcliError) as e:
        agcli.grad("x^2", x=3.0)
    assert e.value.message == "\"bitwise_xor_cpu\" not implemented for 'Double'"
    assert e.value.hint == "for a power write x**2"


def test_the_caret_stays_under_its_column_after_wide_characters(tmp_path):
    program = tmp_path / "wide.py"
    program.write_text('import torch\nx = "中文" + (3 +\n', encoding="utf-8")
    proc = subprocess.run([AGCLI, "run", str(program)], env=base_env(), capture_output=True, text=True,
                          encoding="utf-8", timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    source_line = next(i for i, l in enumerate(lines) if "中文" in l)
    caret = lines[source_line + 1]
    # '(' is the 12th character; the two wide characters take two columns each.
    assert caret.index("^") - caret.index("|") == lines[source_line].index("(") - lines[source_line].index("|") + 2
    assert "error: '(' was never closed" in proc.stderr


@pytest.mark.parametrize("source, column", [("z = torch.tensor([1+2j, 3-1j])\n", 21), ("y = x * 1.5J\n", 9)])
def test_an_imaginary_literal_is_refused_as_agcli_has_no_complex_tensors(source, column):
    """Valid Python, which agcli cannot compute: said plainly, not as a syntax error at the j."""
    compile(source, "p.py", "exec")
    with pytest.raises(AgcliError) as e:
        parse(source)
    assert e.value.message == "complex numbers are not supported: agcli's tensors hold real numbers"
    assert (e.value.line, e.value.column) == (1, column)
    assert e.value.hint == "keep real and imaginary parts as two real tensors"


@pytest.mark.parametrize("source, column, message", [
    ("import torch\nw = torch.ones(2)\nwhile (n := w.sum()) > 5:\n    pass\n", 10,
     "agcli does not run assignment expressions (the walrus operator ':=')"),
    ("def show(a, b, /, c):\n    return a\n", 16, "agcli does not run positional-only parameters (the '/' in a def)"),
    ("data = b'\\x01\\x00'\n", 8, "bytes literals (b'...') are not supported: agcli's programs hold str, numbers "
                                  "and tensors"),
])
def test_python_constructs_agcli_does_not_run_are_refused_by_name(source, column, message):
    """Valid Python that agcli does not run: the construct named, not 'unexpected ...' at a token."""
    compile(source, "p.py", "exec")
    with pytest.raises(AgcliError) as e:
        parse(source)
    assert e.value.message == message
    assert e.value.column == column
    assert e.value.hint


def test_a_format_spec_after_a_colon_is_not_a_walrus():
    """f'{x:=+8.2f}': Python reads ':' as the spec's start (an f-string's walrus needs parentheses)."""
    proc = subprocess.run([AGCLI, "run", "-e", "print(f'{12.5:=+8.2f}|{3:=5}')"], env=base_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert (proc.returncode, proc.stdout) == (0, "+  12.50|    3\n"), proc.stderr
