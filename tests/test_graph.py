"""`agcli graph` and `agcli explain` against PyTorch 2.13's own graphs.

tests/fixtures/torch_graphs.json (tests/fixtures/record_graphs.py) holds, per
expression, what PyTorch's node hooks saw: each node's grad_fn, the order of
next_functions, the gradient at every node and edge, what each node saved,
and the order the engine ran the nodes in. The graph's JSON must agree node
for node; explain's steps must come in the engine's order, with its numbers.
The commands themselves run as subprocesses (the installed `agcli`).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from agcli.cli.arguments import parse_line
from agcli.evaluate import run as api
from agcli.evaluate.explain import engine_order, steps
from agcli.evaluate.graph import trace
from agcli.output.explain_render import explain_json
from agcli.output.graph_render import graph_json
from installed import AGCLI, base_env

FIXTURE = Path(__file__).parent / "fixtures" / "torch_graphs.json"
RECORDS = json.loads(FIXTURE.read_text())
IDS = [r["args"] for r in RECORDS]
TUTORIAL = ["a*b + c*d**2/e", "--a", "2", "--b", "4", "--c", "6", "--d", "8", "--e", "10"]
HAS_DOT = shutil.which("dot") is not None
# What a node saved that agcli reads back differently on purpose (README, "Where agcli differs").
SAVED_DIFFERS = {("SliceBackward0", "end"): "an open slice end reads back as the size (PyTorch: 2**63 - 1)"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _close(ours, theirs):
    """Equal as nested numbers to float64's last bits (None and strings exactly)."""
    if theirs is None or isinstance(theirs, str):
        return ours == theirs
    if isinstance(theirs, list) and (not theirs or not isinstance(theirs[0], (int, float, list))):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(map(_close, ours, theirs))
    return np.allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float), rtol=1e-12, atol=1e-15)


def _graph(record, saved=True):
    api.configure()
    args = parse_line(record["args"])
    return trace(args.expr, args.bindings, wrt=args.wrt, grad_output=args.grad_output, saved=saved)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_the_graph_is_pytorchs_node_for_node(record):
    ours = json.loads(graph_json(_graph(record), saved=True))
    assert ours["error"] is None
    assert ours["root"] == record["root"] == 0
    assert [(n["id"], n["grad_fn"], n["name"], n["shape"]) for n in ours["nodes"]] == \
        [(n["id"], n["grad_fn"], n["name"], n["shape"]) for n in record["nodes"]]
    for mine, theirs in zip(ours["nodes"], record["nodes"]):
        assert _close(mine["grad"], theirs["grad"]), (mine, theirs)
        if "value" in theirs:       # (the recorder sees values of what torch functions returned)
            assert _close(mine["value"], theirs["value"]), (mine, theirs)
        if theirs.get("saved") is not None:
            assert mine["saved"].keys() == theirs["saved"].keys(), mine["grad_fn"]
            for name, value in theirs["saved"].items():
                if (mine["grad_fn"], name) not in SAVED_DIFFERS:
                    assert _close(mine["saved"][name], value), (mine["grad_fn"], name)
    assert [(e["from"], e["to"], e["input"]) for e in ours["edges"]] == \
        [(e["from"], e["to"], e["input"]) for e in record["edges"]]
    for mine, theirs in zip(ours["edges"], record["edges"]):
        assert _close(mine["grad"], theirs["grad"]), (mine, theirs)
    assert _close(ours["value"], record["value"])


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_explain_runs_the_steps_in_pytorchs_engine_order(record):
    graph = _graph(record)
    assert engine_order(graph) == record["order"]
    # agcli's own backward ran the nodes in that order too (its leaves are added at the end)
    assert graph.ran == [i for i in record["order"] if record["nodes"][i]["grad_fn"] != "AccumulateGrad"]
    told = json.loads(explain_json(graph, steps(graph)))
    assert [s["node"] for s in told["steps"]] == record["order"]
    sent = {(e["from"], e["input"]): e["grad"] for e in record["edges"]}
    for step in told["steps"]:
        assert _close(step["grad_in"], record["nodes"][step["node"]]["grad"])
        assert all(_close(i["grad_out"], sent[(step["node"], i["input"])]) for i in step["inputs"])
        # what arrived is summed before the node runs
        arrived = [a["grad"] for a in step["arriving"]]
        if len(arrived) > 1:
            assert _close(np.sum([np.asarray(a) for a in arrived], axis=0).tolist(), step["grad_in"])


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_watching_backward_changes_nothing(record):
    """The observer sees backward's steps; the value and gradients stay `agcli grad`'s, bit for bit."""
    api.configure()
    args = parse_line(record["args"])
    plain = api.evaluate(args.expr, args.bindings, wrt=args.wrt, grad_output=args.grad_output)
    seen = _graph(record).result
    assert plain.value.tobytes() == seen.value.tobytes()
    assert {k: v.tobytes() for k, v in plain.grads.items()} == {k: v.tobytes() for k, v in seen.grads.items()}


def test_each_rule_is_told_with_its_numbers():
    api.configure()
    graph = trace("a*b + c*d**2/e", dict(a="2", b="4", c="6", d="8", e="10"), saved=True)
    told = [(s.node.grad_fn, e.input, rule, numbers) for s in steps(graph) for e, rule, numbers in s.sends]
    assert told == [
        ("AddBackward0", 0, "grad", "1."),
        ("AddBackward0", 1, "grad * alpha", "1. * 1"),
        ("DivBackward0", 0, "grad / other", "1. / 10."),
        ("DivBackward0", 1, "-grad * ((self / other) / other)", "-1. * ((384. / 10.) / 10.)"),
        ("MulBackward0", 0, "grad * other", "0.1000 * 64."),
        ("MulBackward0", 1, "grad * self", "0.1000 * 6."),
        ("PowBackward0", 0, "grad * (exponent * self ** (exponent - 1))", "0.6000 * (2 * 8. ** (2 - 1))"),
        ("MulBackward0", 0, "grad * other", "1. * 4."),
        ("MulBackward0", 1, "grad * self", "1. * 2."),
    ]
    api.configure()
    graph = trace("x.tanh() * y", dict(x="0.5", y="-2"), saved=True)
    told = {(s.node.grad_fn, e.input): numbers for s in steps(graph) for e, _, numbers in s.sends}
    assert told[("TanhBackward0", 0)] == "(-2.) * (1 - 0.4621²)"     # a negative number in parentheses
    assert told[("MulBackward0", 1)] == "1. * 0.4621"


# ---------------------------------------------------------------- the commands
@pytest.fixture
def agcli(tmp_path):
    """agcli(*args, env=None) -> CompletedProcess of the installed command, in tmp_path."""
    def run(*args, env=None, text=True):
        proc = subprocess.run([AGCLI, *args], cwd=tmp_path, env=env or base_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=text, timeout=60)
        assert b"Traceback" not in (proc.stderr if not text else proc.stderr.encode())
        return proc
    return run


TUTORIAL_TREE = """\
a*b + c*d**2/e
tensor(46.4000, grad_fn=<AddBackward0>)

backward graph, from the output down to the leaves
grad: of the output w.r.t. the node's output; <-: what the edge carries back
#0 AddBackward0  ()  value 46.4000  grad 1.
├── <- 1.  #1 MulBackward0  ()  value 8.  grad 1.
│   ├── <- 4.  #2 a AccumulateGrad  ()  value 2.  grad 4.
│   └── <- 2.  #3 b AccumulateGrad  ()  value 4.  grad 2.
└── <- 1.  #4 DivBackward0  ()  value 38.4000  grad 1.
    ├── <- 0.1000  #5 MulBackward0  ()  value 384.  grad 0.1000
    │   ├── <- 6.4000  #6 c AccumulateGrad  ()  value 6.  grad 6.4000
    │   └── <- 0.6000  #7 PowBackward0  ()  value 64.  grad 0.6000
    │       └── <- 9.6000  #8 d AccumulateGrad  ()  value 8.  grad 9.6000
    └── <- -3.8400  #9 e AccumulateGrad  ()  value 10.  grad -3.8400
"""


def test_graph_draws_a_tree_as_plain_text_in_a_pipe(agcli):
    proc = agcli("graph", *TUTORIAL)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == TUTORIAL_TREE


def test_graph_on_a_terminal_is_the_same_layout_in_colour(agcli):
    proc = agcli("graph", *TUTORIAL, "--color", "always")
    assert "\x1b[" in proc.stdout
    assert ANSI.sub("", proc.stdout) == TUTORIAL_TREE


def test_a_shared_node_is_drawn_once(agcli):
    proc = agcli("graph", "x*x + x", "--x", "3")
    lines = proc.stdout.splitlines()[5:]
    assert lines == ["#0 AddBackward0  ()  value 12.  grad 1.",
                     "├── <- 1.  #1 MulBackward0  ()  value 9.  grad 1.",
                     "│   ├── <- 3.  #2 x AccumulateGrad  ()  value 3.  grad 7.",
                     "│   └── <- 3.  #2 x AccumulateGrad (shown above)",
                     "└── <- 1.  #2 x AccumulateGrad (shown above)"]


def test_graph_saved_shows_what_nodes_saved(agcli):
    proc = agcli("graph", "x.sin() * 2", "--x", "[1., 2.]", "--grad-output", "ones(2)", "--saved")
    assert "saved self [1., 2.]" in proc.stdout           # SinBackward0's _saved_self
    assert "saved other 2" in proc.stdout                   # MulBackward0 keeps the number
    data = json.loads(agcli("graph", "x.sin() * 2", "--x", "[1., 2.]", "--grad-output", "ones(2)", "--saved",
                            "--format", "json").stdout)
    assert data["nodes"][0]["saved"] == {"other": 2, "self": None}      # x * 2 keeps no x, as PyTorch


def test_dot_is_the_same_bytes_every_time(agcli):
    args = ["graph", "(w @ x).tanh().sum() + x.sum()", "--w", "[[0.5, -1.], [2., 1.]]", "--x", "[1., 2.]",
            "--format", "dot", "--saved"]
    first, second = agcli(*args), agcli(*args)
    assert first.returncode == 0 and first.stdout == second.stdout
    assert first.stdout.startswith("digraph agcli {\n") and first.stdout.endswith("}\n")
    assert 'n0 [label="{AddBackward0|shape\\ ()|' in first.stdout
    assert "n1 -> n2" in first.stdout


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
def test_dot_renders_with_graphviz(agcli, tmp_path):
    dot = agcli("graph", "x*x + x.t()[0].sum()", "--x", "[[1., 2.], [3., 4.]]", "--format", "dot").stdout
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=60)
    assert drawn.returncode == 0 and drawn.stderr == "", drawn.stderr
    for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG")):
        assert agcli("graph", *TUTORIAL, "--out", f"a.{fmt}").returncode == 0
        assert agcli("graph", *TUTORIAL, "--format", fmt, "--out", f"b.{fmt}").returncode == 0
        a, b = (tmp_path / f"a.{fmt}").read_bytes(), (tmp_path / f"b.{fmt}").read_bytes()
        assert a.startswith(magic) and a == b
    assert b"AccumulateGrad" in (tmp_path / "a.svg").read_bytes()


def test_without_graphviz_a_picture_is_refused_in_one_line(agcli, tmp_path):
    proc = agcli("graph", *TUTORIAL, "--format", "svg", "--out", "g.svg", env=base_env(PATH=str(tmp_path)))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert "apt-get install graphviz" in proc.stderr and "--format dot" in proc.stderr
    assert not (tmp_path / "g.svg").exists()


def test_graph_json_and_its_errors(agcli):
    proc = agcli("graph", "a*b +", "--a", "2", "--b", "3", "--format", "json")
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    assert data["nodes"] == [] and data["root"] is None and data["error"]["kind"] == "syntax"
    proc = agcli("graph", "a @ b", "--a", "[1., 2.]", "--b", "[1., 2., 3.]", "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"]["kind"] == "shape"
    proc = agcli("graph", *TUTORIAL, "--out", "graph.bmp")
    assert proc.returncode == 2 and "--format" in proc.stderr


TUTORIAL_STEPS = """\
step 1  #0 AddBackward0
  gets grad = 1.  (backward() starts from 1)
  -> #1 MulBackward0 (input 0):  grad = 1.
  -> #4 DivBackward0 (input 1):  grad * alpha = 1. * 1 = 1.

step 2  #4 DivBackward0
  gets grad = 1.
  -> #5 MulBackward0 (input 0):  grad / other = 1. / 10. = 0.1000
  -> #9 e AccumulateGrad (input 1):  -grad * ((self / other) / other) = -1. * ((384. / 10.) / 10.) = -3.8400

step 3  #9 e AccumulateGrad
  adds to e.grad:  -3.8400
"""


def test_explain_reads_as_a_worked_example(agcli):
    proc = agcli("explain", *TUTORIAL)
    assert proc.returncode == 0 and proc.stderr == ""
    assert TUTORIAL_STEPS in proc.stdout
    assert proc.stdout.index("#8 d AccumulateGrad\n  adds to d.grad:  9.6000") < proc.stdout.index("step 8")
    assert proc.stdout.rstrip().endswith("e      ()      -3.8400")


def test_explain_sums_what_reaches_a_node(agcli):
    proc = agcli("explain", "x*x + x", "--x", "3")
    assert "step 3  #2 x AccumulateGrad\n  adds to x.grad:  1. + 3. + 3. = 7.\n" in proc.stdout
    data = json.loads(agcli("explain", "x*x + x", "--x", "3", "--format", "json").stdout)
    assert [s["grad_fn"] for s in data["steps"]] == ["AddBackward0", "MulBackward0", "AccumulateGrad"]
    assert data["steps"][2]["arriving"] == [{"from": 0, "input": 1, "grad": 1.0}, {"from": 1, "input": 0, "grad": 3.0},
                                            {"from": 1, "input": 1, "grad": 3.0}]
    assert data["grads"] == {"x": 7.0}


def test_explain_says_where_broadcasting_is_summed(agcli):
    proc = agcli("explain", "(x + b).sum()", "--x", "ones(2, 3)", "--b", "[1., 2., 3.]")
    assert "= [2., 2., 2.]  (summed to the input's shape (3,))" in proc.stdout


def test_help_teaches_with_examples(agcli):
    for command in ("graph", "explain"):
        proc = agcli(command, "--help")
        assert proc.returncode == 0 and "Examples:" in proc.stdout and f"agcli {command} \"a*b" in proc.stdout
