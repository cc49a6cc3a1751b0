"""A batch's JSON lines written a block at a time (output/json_lines.py: json_texts) say what
each line written alone says (result_json_line), byte for byte, or leave the line to it."""
import json

import numpy as np
import pytest

from agcli.evaluate import run as api
from agcli.evaluate.result import Result
from agcli.output import json_lines
from agcli.output.json_lines import json_texts, result_json_line


def _grad(expr, wrt=None, **bindings):
    api.configure()
    return api.evaluate(expr, bindings, wrt=wrt)


def _results():
    """Results of every kind a batch writes: quiet ones of many shapes and dtypes, and the
    ones that must be written alone (nan, inf, errors, warnings, no gradient)."""
    quiet = [_grad("(a * b).sum()", a=[1.5, -2.25], b=3.0),
             _grad("(sin(x) @ y).sum()", x=[[0.1, 0.2], [0.3, 0.4]], y=[1.0, 2.0]),
             _grad("(x ** 2).sum()", x=np.arange(12.0).reshape(2, 3, 2) / 7),
             _grad("tanh(x).sum()", x=np.float32(0.3) * np.ones(5, np.float32)),
             _grad("x.sum() * 1e-7 + y.sum() * 1e22", x=[1e-300, 5e-324], y=[[2.0]]),
             _grad("(x * 0).sum()", x=[-0.0, 0.0]),
             _grad("α * 2", α=1 / 3)]
    loud = [_grad("log(x).sum()", x=[0.0, 1.0]),              # -inf in the value
            _grad("(x / 0).sum()", x=[1.0]),                 # inf and nan
            _grad("a + ", a=1.0),                           # an error
            _grad("y.detach().sum() + x.sum()", x=[1.0], y=[2.0])]     # no gradient for y
    for value, grad in ((np.array([np.nan, 1.0]), np.ones(2)), (np.float64(2.0), np.array([[np.inf]]))):
        quiet_but_not_finite = Result("x.sum()")     # (as if its warnings were not kept)
        quiet_but_not_finite.value, quiet_but_not_finite.grads = value, {"x": grad}
        loud.append(quiet_but_not_finite)
    assert all(r.error is None and not r.warnings and not r.no_grad for r in quiet)
    assert all(r.error is not None or r.warnings or r.no_grad
               or not all(np.isfinite(a).all() for a in [r.value, *r.grads.values()]) for r in loud)
    empty = Result("x.sum()")
    empty.value, empty.grads = np.zeros((0, 3)), {"x": np.zeros((0, 3))}
    return quiet + [empty], loud


def test_a_block_writes_what_each_line_alone_writes():
    quiet, loud = _results()
    mixed = [r for pair in zip(quiet, loud) for r in pair] + quiet[len(loud):]
    numbered = list(enumerate(mixed, 11))
    texts = json_texts(numbered)
    for (number, result), text in zip(numbered, texts):
        alone = result_json_line(result, number)
        if result in quiet:
            assert text == alone
            json.loads(text)
        else:
            assert text is None         # (the caller writes it alone)
    assert sum(text is not None for text in texts) == len(quiet)


def test_many_lines_of_one_shape_go_through_one_formatting(monkeypatch):
    rng = np.random.default_rng(3)
    results = [_grad("(tanh(w @ x) * 0.01).sum()", w=rng.standard_normal((3, 4)), x=rng.standard_normal(4))
               for _ in range(50)]
    calls = []
    real = json_lines.float_reprs
    monkeypatch.setattr(json_lines, "float_reprs", lambda a: calls.append(a.size) or real(a))
    numbered = list(enumerate(results, 1))
    assert json_texts(numbered) == [result_json_line(r, n) for n, r in numbered]
    assert calls == [50 * (1 + 12 + 4)]


@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0), (2, 3, 1)])
def test_a_list_template_is_the_repr_of_its_list(shape):
    a = np.arange(int(np.prod(shape)), dtype=float).reshape(shape) + 0.5
    template, count = json_lines._list_template(shape)
    assert count == a.size
    assert template % tuple(map(repr, a.ravel().tolist())) == repr(a.tolist())
