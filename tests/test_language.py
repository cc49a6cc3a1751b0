"""The language: the generated parser is current, Python's precedence, the AST's
spans, statements, and the Python API's errors with their positions."""
from pathlib import Path

import numpy as np
import pytest

import agcli
from agcli.language import ast as A
from agcli.language.syntax import parse

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", ["_parser.py", "_tables.py"])
def test_generated_parser_is_built_from_this_grammar(module):
    from tools.gen_parser import grammar_stamp
    first_line = (ROOT / "agcli" / "language" / module).read_text().splitlines()[0]
    assert first_line == "# " + grammar_stamp(), \
        f"grammar/agcli.lark changed: run `python tools/gen_parser.py` to regenerate agcli/language/{module}"


def test_tables_are_written_from_this_parser():
    from tools.gen_parser import tables_source
    assert (ROOT / "agcli" / "language" / "_tables.py").read_text() == tables_source(), \
        "agcli/language/_tables.py does not match _parser.py: run `python tools/gen_parser.py`"


def test_start_up_parses_without_building_lark(tmp_path):
    # Lark's parser costs half of agcli's start-up beyond NumPy's: only errors
    # and texts of several lines build it.
    import subprocess
    import sys
    code = ("import sys; from agcli.language.syntax import parse; parse('a*b + c*d**2/e'); "
            "print('agcli.language._parser' in sys.modules, end=' '); parse('a +\\n'); ")
    run = subprocess.run([sys.executable, "-c", code + "pass"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1 and run.stdout == "False " and "unexpected" in run.stderr


SAMPLES = [
    "a*b + c*d**2/e", "-a**2 @ b[1:, ::2] >= 3", "g = a*b; h = sum(x, dim=0, keepdim=true); g + h",
    "(inp+1).pow(2).t()", "torch.nn.functional.mse_loss(a, b, reduction='sum')", "x[..., None, -1]",
    "def f(a, n=2):\n    while a.norm() < 10:\n        a = a * n\n    return a\nprint(f\"{f(x)}\")\n",
    "try:\n    y.backward()\nexcept RuntimeError as e:\n    print(e)\n",
    "with torch.no_grad():\n    a[:] = 11.\nx += 1; y //= 2\n",
]


def test_generated_parser_agrees_with_lark_on_the_grammar():
    lark = pytest.importorskip("lark")
    from lark.indenter import Indenter

    from agcli.language.syntax import _ToAst

    class PythonIndents(Indenter):
        NL_type, OPEN_PAREN_types, CLOSE_PAREN_types = "_NL", ["LPAR", "LSQB"], ["RPAR", "RSQB"]
        INDENT_type, DEDENT_type, tab_len = "_INDENT", "_DEDENT", 8

    fresh = lark.Lark((ROOT / "grammar" / "agcli.lark").read_text(), parser="lalr", maybe_placeholders=True,
                      transformer=_ToAst(), postlex=PythonIndents())
    for text in SAMPLES:
        source = text if text.endswith("\n") else text + "\n"
        assert parse(text).body == tuple(fresh.parse(source)), text


ONE_LINERS = [
    "a*b + c*d**2/e", "a if c else b", "a not in b", "not a and b or c", "a is not None", "index + iffy * not_a",
    "x[..., 1:, ::2]", "1.e5 + .5e-3 - 2. * 3e+2", "a**-b**c", "x //= 2", "a; b; c = d", "a + b  # a comment",
    "f'{x}' + r'\\d' + 'it''s'", "'#' + s", "torch.nn.functional.relu(x).sum(dim=(0, 1), keepdim=True)",
    "(a, b) = b, a", "[1, [2, 3.], (4,)]", "del x[0]", "import torch as t", "a\\\n + b", "x.T.mT[0][1]",
    "a ** b", "-a + +b - ~c", "a * * b", "a +", "(a", "a ) b", "'unclosed", "a $ b", "if x: y", "1 2",
]


def test_terminals_tried_first_lex_every_short_text_as_lark_does():
    """syntax.TRIED_FIRST's premise: no other terminal can begin where they do."""
    import itertools
    import re

    from agcli.language import _tables, syntax
    _, lark = syntax._lark_parser()
    (lark_pattern,) = lark.parser.lexer.lexer.root_lexer.scanner._mres
    ours = re.compile(_tables.PATTERN, _tables.FLAGS)
    assert ours.pattern != lark_pattern.pattern          # reordered, or this test is idle

    def tokens(pattern, text):
        """The tokens, or None where a character starts no token (a lexing error:
        the driver hands the text to Lark, which words it)."""
        found = [(m.lastgroup, m.span()) for m in pattern.finditer(text)]
        ends = [0] + [end for _, (_, end) in found]
        if any(start != end for (_, (start, _)), end in zip(found, ends)) or ends[-1] != len(text):
            return None
        return found
    printable = [chr(c) for c in range(32, 127)] + ["\t", "\x0c", "\n", "\r", "é", "π"]
    some = list(" \t()[],;:*+-/=<>!.#'\"\\fr0a_") + ["rf", "Fr", "fff"]
    texts = itertools.chain(printable, map("".join, itertools.product(printable, repeat=2)),
                            map("".join, itertools.product(some, repeat=3)))
    assert [t for t in texts if tokens(ours, t) != tokens(lark_pattern, t)] == []


def test_the_fast_driver_parses_as_lark_does():
    """syntax._Driver (on _tables.py, pass-up reductions skipped, one-line lexer) against Lark's own parse."""
    import json

    from agcli.cli.arguments import parse_line
    from agcli.language.syntax import _fast_driver, _lark_parser
    driver, (_, lark) = _fast_driver(), _lark_parser()
    texts = list(SAMPLES) + ONE_LINERS
    texts += [parse_line(case["args"]).expr
              for case in json.loads((ROOT / "tests" / "fixtures" / "torch_cases.json").read_text())]
    texts += [parse_line(line).expr for line in (ROOT / "samples" / "seeds.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert len(texts) > 300
    accepted = 0
    for text in texts:
        source = text if text.endswith("\n") else text + "\n"
        try:
            expected = lark.parse(source)
        except Exception:
            with pytest.raises(Exception):
                driver.parse(source)
            continue
        assert driver.parse(source) == expected, text
        accepted += 1
    assert accepted > 280


def value(expr, **bindings):
    """The expression's value (even where backward has nothing to do)."""
    from agcli.evaluate import run as api
    api.configure()
    result = api.evaluate(expr, bindings)
    return result.value.item()


@pytest.mark.parametrize("expr, expected", [
    ("-a**2", -9.0),              # ** binds tighter than unary minus
    ("a**b**2", 3.0 ** 4),        # ** is right-associative
    ("a - b - 1", 0.0),           # - is left-associative
    ("a / b / 2", 0.75),
    ("a + b * 2", 7.0),
    ("(a + b) * 2", 10.0),
    ("2**-a", 2.0 ** -3),         # a unary operand of **
    ("-a * b", -6.0),
    ("a * -b", -6.0),
    ("a - -b", 5.0),
    ("a + b > 4", 1.0),           # comparisons bind loosest
])
def test_operator_precedence_follows_python(expr, expected):
    assert value(expr, a=3.0, b=2.0) == pytest.approx(expected)


def test_matmul_sits_with_multiplication():
    assert value("a @ b * 2", a=[1.0, 2.0], b=[3.0, 4.0]) == 22.0     # (a @ b) * 2
    assert value("a + a @ b", a=[1.0], b=[3.0]) == pytest.approx(4.0)  # broadcast 1 + 3


def test_python_agrees_on_precedence():
    for expr in ["-a**2", "a**b**2", "a - b - 1", "a / b / 2", "2**-a", "a * -b", "a - -b"]:
        a, b = 3.0, 2.0
        # The test (not agcli) asks Python: the reference for precedence.
        expected = eval(expr, {}, {"a": a, "b": b})  # noqa: S307
        assert value(expr, a=a, b=b) == pytest.approx(expected), expr


def test_a_binding_wins_over_a_constant():
    assert value("e * 2", e=10) == 20.0
    assert value("pi", x=1) == pytest.approx(np.pi)


def test_numbers_in_every_spelling():
    assert value("2 + 2. + .5 + 1e-3 + 1E2", x=0) == pytest.approx(104.501)


def test_statements_name_intermediates():
    r = agcli.grad("g = a*b; h = c*d**2/e\ng + h", a=2, b=4, c=6, d=8, e=10)
    assert [(n.name, n.grad_fn) for n in r.nodes] == [
        ("g", "MulBackward0"), (None, "PowBackward0"), (None, "MulBackward0"), ("h", "DivBackward0"),
        (None, "AddBackward0")]
    assert float(r.value) == pytest.approx(46.4)


def test_comments_and_blank_lines():
    r = agcli.grad("# a comment\n\ng = a * 2  # twice\ng + 1\n", a=1)
    assert float(r.value) == 3.0


def test_spans_point_at_the_source():
    program = parse("x + sin(y)")
    (node,) = program.body
    assert isinstance(node, A.BinOp)
    assert node.op_span == (2, 3)
    assert node.right.func.span == (4, 7)


def test_pasted_pytorch_prefixes():
    for expr in ["torch.sin(x)", "F.relu(x)", "torch.nn.functional.relu(x)", "x.sin()"]:
        assert agcli.grad(expr, x=0.5).grad_fn in ("SinBackward0", "ReluBackward0")


def test_api_returns_arrays_and_nodes():
    r = agcli.grad("(x * w).sum()", x=[1.0, 2.0], w=[3.0, 4.0], wrt=["w"])
    assert float(r.value) == 11.0
    assert list(r.grads) == ["w"]
    np.testing.assert_array_equal(r.grads["w"], [1.0, 2.0])
    assert [n.grad_fn for n in r.nodes] == ["MulBackward0", "SumBackward0"]


@pytest.mark.parametrize("expr, kind, line, column, exit_code", [
    ("a +* b", "syntax", 1, 4, 2),
    ("a + zz", "name", 1, 5, 2),
    ("sinn(a)", "name", 1, 1, 2),
    ("g = a\nb @ a", "shape", 2, 3, 1),
    ("sum(a, dimm=0)", "call", 1, 8, 2),
])
def test_api_errors_carry_their_position(expr, kind, line, column, exit_code):
    with pytest.raises(agcli.AgcliError) as caught:
        agcli.grad(expr, a=[1.0, 2.0, 3.0], b=[1.0, 2.0])
    e = caught.value
    assert (e.kind, e.line, e.column, e.exit_code) == (kind, line, column, exit_code)
    text, caret = e.context()
    assert caret.index("^") == column - 1


def test_user_text_never_reaches_python():
    for expr in ["__import__('os').system('true')", "a.__class__", "globals()", "open('x')"]:
        with pytest.raises(agcli.AgcliError) as caught:
            agcli.grad(expr, a=1.0)
        assert caught.value.exit_code == 2


def test_expression_nested_too_deeply_is_an_agcli_error():
    with pytest.raises(agcli.AgcliError) as caught:
        agcli.grad("-" * 5000 + "x", x=1.0)
    assert caught.value.kind in ("limit", "syntax")


def test_a_plain_number_where_pytorch_takes_a_tensor():
    # PyTorch's TypeError, in its words (mean(2.) was once an internal error, then a 0-d tensor);
    # a list literal there is a tensor literal, and the arithmetic functions take numbers.
    for expr, message in [("mean(2.) * x", "mean(): argument 'input' (position 1) must be Tensor, not float"),
                          ("x * sum(3)", "sum(): argument 'input' (position 1) must be Tensor, not int"),
                          ("x.maximum(2)", "maximum(): argument 'other' (position 1) must be Tensor, not int"),
                          ("dot(x, other=2)", None),
                          ("torch.maximum(x, other=2.5)", "maximum(): argument 'other' must be Tensor, not float")]:
        with pytest.raises(agcli.AgcliError) as e:
            agcli.grad(expr, x=[1.5])
        assert e.value.python_type == "TypeError" and (message is None or e.value.message == message)
    r = agcli.grad("mean([2.]) * x + torch.add(3, x, alpha=2).sum()", x=1.5)
    assert r.value == 9.0 and r.grads["x"] == 4.0


def test_a_tuple_where_pytorch_takes_a_tensor():
    # PyTorch's words for an argument, agcli's for a method (a tuple once reached the kernels:
    # exp((1., 2.)) came out float64 under --dtype float32)
    for expr, kind, message in [
            ("exp((1., 2.)) + x", "TypeError", "exp(): argument 'input' (position 1) must be Tensor, not tuple"),
            ("exp(()) + x", "TypeError", "exp(): argument 'input' (position 1) must be Tensor, not tuple"),
            ("pow((1., 2.), 2) + x", "TypeError", "pow(): argument 'input' (position 1) must be Tensor, not tuple"),
            ("F.mse_loss((1.,), x)", "TypeError", "mse_loss(): argument 'input' (position 1) must be Tensor, not tuple"),
            ("(1., 2.).exp() + x", "AttributeError", ".exp() is a tensor's method, and this is a tuple of 2 values"),
            ("x.max(0).exp()", "AttributeError", ".exp() is a tensor's method, and this is a tuple of 2 values")]:
        with pytest.raises(agcli.AgcliError) as e:
            agcli.grad(expr, x=[1.5])
        assert (e.value.python_type, e.value.message) == (kind, message)
    assert agcli.grad("torch.einsum('i,i->', (x, x))", x=[1.5]).grads["x"] == [3.0]     # einsum takes a tuple


def test_numpy_keyword_names_where_pytorch_takes_them():
    # PyTorch's argument parser takes axis= for dim= and keepdims= for keepdim= (values
    # against PyTorch: tests/fixtures/cases.txt); giving both is agcli's TypeError, and
    # F.softmax, a Python function in PyTorch, does not take axis=.
    r = agcli.grad("x.sum(axis=0, keepdims=True).sum() + x.std(axis=1).sum()", x=[[1.0, 2.0], [3.0, 5.0]])
    assert r.value.shape == () and np.isclose(float(r.value), 11 + np.sqrt(0.5) + np.sqrt(2))
    for expr, column in [("x.sum(dim=0, axis=0)", 14), ("F.softmax(x, axis=0)", 14)]:
        with pytest.raises(agcli.AgcliError) as caught:
            agcli.grad(expr, x=[[1.0, 2.0], [3.0, 5.0]])
        assert (caught.value.kind, caught.value.column) == ("call", column)
