"""The plan cache (evaluate/plans.py): a plan is kept from its expression's second sighting on."""
from __future__ import annotations

from agcli.evaluate import plans
from agcli.evaluate.run import evaluate


def _count_lowerings(monkeypatch):
    made = []
    real = plans.lower

    def counting(tree, names):
        made.append(tree.source)
        return real(tree, names)
    monkeypatch.setattr(plans, "lower", counting)
    monkeypatch.setattr(plans, "_plans", {})
    monkeypatch.setattr(plans, "_seen_once", {})
    return made


def test_an_expression_seen_once_keeps_no_plan(monkeypatch):
    made = _count_lowerings(monkeypatch)
    for k in range(50):
        assert evaluate(f"(x * {k}).sum()", {"x": "[1., 2.]"}).grads["x"].tolist() == [k, k]
    assert len(made) == 50 and plans._plans == {}


def test_a_repeated_expression_is_lowered_twice_then_kept(monkeypatch):
    made = _count_lowerings(monkeypatch)
    for k in range(6):
        assert float(evaluate("(x * y).sum()", {"x": f"[{k}., 2.]", "y": "[3., 4.]"}).value) == 3 * k + 8
    assert made == ["(x * y).sum()"] * 2 and len(plans._plans) == 1


def test_the_bound_names_are_part_of_the_key(monkeypatch):
    made = _count_lowerings(monkeypatch)
    for _ in range(2):
        evaluate("x.sum()", {"x": "[1., 2.]"})
        assert "is bound but" in evaluate("x.sum()", {"x": "[1., 2.]", "y": "3."}).warnings[0]
    assert len(made) == 4 and len(plans._plans) == 2


def test_the_caches_stay_bounded(monkeypatch):
    _count_lowerings(monkeypatch)
    monkeypatch.setattr(plans, "CACHE_SIZE", 8)
    for k in range(40):
        for _ in range(2):
            evaluate(f"(x + {k}).sum()", {"x": "[1.]"})
    assert 0 < len(plans._plans) <= 8 and 0 < len(plans._seen_once) <= 8
