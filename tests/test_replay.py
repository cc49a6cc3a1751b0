"""Replays (replay.py): a repeated expression must give, bit for bit, what a
full evaluation of the same line gives, and must never be replayed where the
values could change the graph."""
import json

import numpy as np
import pytest

from agcli.evaluate import run as api
from agcli.output.json_lines import result_json_line
from agcli.output.render import result_json

# Expressions and the shapes of their bindings: broadcasting, every kind of
# matmul, reductions with dims, shape ops, literals, constants, names.
CASES = [
    ("a*b + c*d**2/e", dict(a=(), b=(), c=(), d=(), e=())),
    ("sum(sigmoid((1 + sigmoid(y @ a - z))**0.5))", dict(a=(2, 4), y=(2, 2), z=(4,))),
    ("(x @ w + b).relu().sum()", dict(x=(3, 4), w=(4, 2), b=(2,))),
    ("g = u @ v; h = torch.tanh(m @ u); (g * h).mean()", dict(u=(3,), v=(3,), m=(2, 3))),
    ("(x.t() @ x)[0].sum() + x[-1, 1:].exp().sum()", dict(x=(3, 2))),
    ("F.softmax(x, dim=1)[:, 0].sum() + F.log_softmax(x, 0).mean()", dict(x=(2, 3))),
    ("F.cross_entropy(x, tensor([2, 0])) + F.mse_loss(x, y)", dict(x=(2, 3), y=(2, 3))),
    ("F.binary_cross_entropy_with_logits(z, tensor([1., 0., 1.]))", dict(z=(3,))),
    ("where(x > 0, x, 2 * x).sum() + x.max(0).values.sum() + x.norm()", dict(x=(2, 2))),
    ("cat([x, y], 0).sum(0, keepdim=true).abs().sum() + stack([x, y]).logsumexp(0).sum()",
     dict(x=(2,), y=(2,))),
    ("((2 - a) / (1 + b**2) + 3 ** a + a ** b.abs() - pi).sum()", dict(a=(2,), b=(2,))),
    ("clamp(x, min=-0.5, max=0.5).sum() + maximum(x, y).sum() + x.reshape(4).cos().sum()",
     dict(x=(2, 2), y=(2, 2))),
    ("(x.unsqueeze(0) * ones(3, 1, 1)).flatten().sum() + x.T.sin().sum()", dict(x=(2, 2))),
]


def _bindings(shapes, rng):
    return {name: json.dumps(np.round(rng.uniform(0.2, 2.0, shape), 3).tolist()) if shape
            else repr(float(np.round(rng.uniform(0.2, 2.0), 3)))
            for name, shape in shapes.items()}


def _full(expr, bindings, **options):
    """A full evaluation, as if the expression had never been seen."""
    saved = dict(api._replays)
    api._replays.clear()
    try:
        return api.evaluate(expr, bindings, **options)
    finally:
        api._replays.clear()
        api._replays.update(saved)


def _same(a, b):
    from agcli.evaluate.result import same_result
    return a.error is None and b.error is None and same_result(a, b)


@pytest.fixture(autouse=True)
def _fresh():
    api.configure()
    api._replays.clear()
    yield
    api._replays.clear()


@pytest.mark.parametrize("expr, shapes", CASES, ids=[c[0] for c in CASES])
def test_a_replay_gives_what_the_full_evaluation_gives(expr, shapes, monkeypatch):
    rng = np.random.default_rng(7)
    replayed = []
    real = api._replay
    monkeypatch.setattr(api, "_replay", lambda *a: replayed.append(1) or real(*a))
    for _ in range(6):
        bindings = _bindings(shapes, rng)
        result = api.evaluate(expr, bindings)
        assert _same(result, _full(expr, bindings)), bindings
        assert result_json_line(result) == result_json_line(_full(expr, bindings))
    # seen, recorded, checked against a replay, then replayed three times
    assert len(replayed) == 4
    (state,) = api._replays.values()
    assert state.verified


def test_the_json_line_says_what_to_json_says():
    bindings = dict(x="[1.0, -2.0]", y="3")
    for _ in range(4):
        result = api.evaluate("(x * y).log().sum()", bindings)    # a nan and a warning too
        line = json.loads(result_json_line(result, 7))
        assert line.pop("line") == 7
        assert line == result_json(result)
        assert line["value"] == "nan" and line["warnings"]


def test_a_replay_warns_as_the_full_evaluation_does():
    for x in ("[1.0, 2.0]", "[3.0, 4.0]", "[0.5, 1.5]", "[-1.0, 0.0]"):
        result = api.evaluate("log(x).sum()", {"x": x})
    assert result.warnings == _full("log(x).sum()", {"x": "[-1.0, 0.0]"}).warnings
    assert len(result.warnings) == 3     # divide by zero, invalid value, the gradient's inf
    (replay,) = api._replays.values()
    assert replay.verified


@pytest.mark.parametrize("expr", [
    "x * randn(2)",            # random numbers: new ones each line
    "x * x.sum().item()",      # a value leaves the graph
    "x * x.detach()",          # a constant made from a binding
    "x * ones(int(2))",        # a shape from a value
    "x[(x > 0).long()]",       # an index from a value
    "x.pow(2).sum(dim=int(1))",
])
def test_what_the_values_could_change_is_never_replayed(expr):
    from agcli.language.replay_safety import replayable
    from agcli.language.syntax import parse
    assert not replayable(parse(expr))


def test_a_replay_that_disagrees_with_the_graph_is_retired(monkeypatch):
    monkeypatch.setattr(api, "same_result", lambda a, b: False)
    for x in ("[1.0, 2.0]", "[3.0, 4.0]", "[0.5, 1.5]", "[2.0, 2.5]"):
        result = api.evaluate("(x * x).sum()", {"x": x})
        assert result.value == _full("(x * x).sum()", {"x": x}).value
    assert list(api._replays.values()) == [api.NEVER]


def test_a_replay_that_diverges_falls_back_to_the_graph(monkeypatch):
    for x in ("[1.0, 2.0]", "[3.0, 4.0]", "[0.5, 1.5]"):
        api.evaluate("(x * x).sum()", {"x": x})
    (replay,) = api._replays.values()
    assert replay.verified

    import agcli.engine.replay as R

    def diverge(self, leaves):
        raise R.Diverged
    monkeypatch.setattr(R.Replay, "run", diverge)
    result = api.evaluate("(x * x).sum()", {"x": "[2.0, 1.0]"})
    assert result.value == 5.0 and result.grads["x"].tolist() == [4.0, 2.0]
    assert list(api._replays.values()) == [api.NEVER]


def test_options_and_shapes_that_differ_are_recorded_apart():
    for x in ("[1.0, 2.0]", "[3.0]", "[1.0, 2.0]", "[3.0]", "[1.0, 2.0]", "[3.0]"):
        api.evaluate("(x * x).sum()", {"x": x})
    api.configure(dtype="float32")
    result = None
    for x in ("[1.0, 2.0]", "[3.0, 4.0]", "[1.5, 2.5]", "[0.5, 1.5]"):
        result = api.evaluate("(x * x).sum()", {"x": x})
    assert result.value.dtype == np.float32 and result.grads["x"].dtype == np.float32
    assert len(api._replays) == 3
    # wrt and grad_output: a different key, or no replay at all
    for _ in range(4):
        result = api.evaluate("(x * y).sum()", {"x": "[1.0, 2.0]", "y": "[3.0, 4.0]"}, wrt=["y"])
    assert list(result.grads) == ["y"] and result.grads["y"].tolist() == [1.0, 2.0]
    for _ in range(4):
        result = api.evaluate("x * 2", {"x": "[1.0, 2.0]"}, grad_output="[1.0, 1.0]")
    assert result.grads["x"].tolist() == [2.0, 2.0]


def test_a_line_seen_once_leaves_only_its_keys_hash():
    # A batch of distinct lines keeps no copy of each line's text and shapes (a working set
    # that slowed every line): a first sighting is its key's hash, a second the whole key.
    for i in range(5):
        api.evaluate(f"(x * {i}).sum()", {"x": "[1.0, 2.0]"})
    assert len(api._replays) == 5 and all(type(key) is int for key in api._replays)
    api.evaluate("(x * 0).sum()", {"x": "[3.0, 4.0]"})
    keys = list(api._replays)
    assert len(keys) == 5 and [key[0] for key in keys if type(key) is tuple] == ["(x * 0).sum()"]


def test_a_key_whose_hash_was_seen_by_another_is_still_checked(monkeypatch):
    # Two keys of one hash: the second line is taken for a repeat and recorded at once, and
    # its recording is checked against a full evaluation before any replay, as always.
    expr, shapes = CASES[2]
    rng = np.random.default_rng(3)
    first = _bindings(shapes, rng)
    key = api._replay_key(expr, shapes.items(), set(shapes))
    api._replays[hash(key)] = api.SEEN            # as another key of the same hash would leave it
    replayed = []
    real = api._replay
    monkeypatch.setattr(api, "_replay", lambda *a: replayed.append(1) or real(*a))
    for bindings in [first] + [_bindings(shapes, rng) for _ in range(3)]:
        assert _same(api.evaluate(expr, bindings), _full(expr, bindings))
    # recorded at its first sighting, checked at its second, replayed at its third and fourth
    assert len(replayed) == 3 and api._replays[key].verified


def test_gradients_handed_out_by_a_replay_are_fresh_arrays():
    results = [api.evaluate("(x + y).sum()", {"x": "[1.0, 2.0]", "y": "[3.0, 4.0]"}) for _ in range(5)]
    last = results[-1]
    assert not np.shares_memory(last.grads["x"], last.grads["y"])
    last.grads["x"][0] = 99.0
    assert results[-2].grads["x"][0] == 1.0 and last.grads["y"][0] == 1.0


def test_every_name_declares_whether_it_may_be_replayed():
    """A name added to the namespace must say SAFE, LITERAL or NEVER (torchapi/namespace.py)."""
    from agcli.torchapi import namespace as N
    names = set(N.FUNCTIONS) | set(N.METHODS) | set(N.ATTRIBUTES)
    assert sorted(names - set(N.REPLAY)) == []
    assert set(N.REPLAY.values()) <= {N.SAFE, N.LITERAL, N.NEVER}


def test_promotion_is_part_of_the_recorded_op():
    """float32 leaves times an int64 literal: the op computes in float32 (apply's cast),
    so the recording agrees with what ran and later lines replay."""
    api.configure(dtype="float32")
    results = [api.evaluate("(x * tensor([1, 2])).sum()", {"x": f"[1.5, {i}.]"}) for i in range(5)]
    (replay,) = api._replays.values()
    assert replay not in (api.SEEN, api.NEVER) and replay.verified
    assert [float(r.value) for r in results] == [1.5, 3.5, 5.5, 7.5, 9.5]
    assert all(r.value.dtype == np.float32 and r.grads["x"].dtype == np.float32 for r in results)


def test_the_python_api_leaves_the_settings_as_it_found_them():
    import agcli
    from agcli.state import state
    before = (state.default_float, state.seed, state.max_elements)
    r = agcli.grad("a * randn(2).sum()", a=2.0, dtype="float32", seed=3, max_elements=10)
    assert r.value.dtype == np.float32
    assert (state.default_float, state.seed, state.max_elements) == before
