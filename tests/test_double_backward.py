"""A gradient taken with create_graph=True carries PyTorch 2.13's double-backward graph.

tests/fixtures/torch_double_backward.json (written by record_double_backward.py
with PyTorch 2.13) holds, for each case (an expression over float64 leaves a, b, ...;
or a program that sets `out`, for the in-place variants),
the gradients of (expr * weight).sum() taken with create_graph=True: each one's
grad_fn name, its graph (next_functions down to the leaves) and values; and the
second derivatives, d/d(inputs) of sum((grad * vectors[name]).sum()). agcli
evaluates the same expression and must record the same graph, give the same
values, and agree with central differences of its own first gradient (float64).
Then third derivatives through PyTorch's own backward ops (TanhBackwardBackward0,
...) against differences of the second.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agcli.engine.backend import from_host as D, to_host
from agcli.engine.backward import backward
from agcli.engine.tensor import Tensor
from agcli.evaluate import run as api
from agcli.evaluate.plans import plan_for
from agcli.torchapi import functions
from agcli.torchapi.nodes import GradFn

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "torch_double_backward.json").read_text())
CASES = [pytest.param(case, id=f"{i:03d} {case['expr']}") for i, case in enumerate(FIXTURE["cases"])]
EPS = 1e-6

# Where agcli's graph differs from PyTorch's, and why (the README lists these).
DIFFERENT = {
    # PyTorch's group norm gradient with create_graph is composed over the mean and rstd its forward node
    # outputs (infinitely_differentiable_native_group_norm_backward); agcli's node has one output, its
    # gradient is composed over the input (the same values, other nodes)
    "F.group_norm(a, 2, b[0], b[1])": "group norm's double backward: composed over the forward's mean and rstd",
    "F.group_norm(a, 3)": "group norm's double backward: composed over the forward's mean and rstd",
    # PyTorch's soft margin gradient is one node (SoftMarginLossBackwardBackward0); agcli's is composed
    "F.soft_margin_loss(a, torch.tensor([[1., -1., 1.], [-1., -1., 1.]], dtype=torch.float64), reduction='none')":
        "soft margin loss's double backward: composed of multiplications, exp and division",
    # PyTorch's decompositions are one node for all their outputs, and their formulas solve with
    # linalg_solve_triangular; agcli's are a node per output (each formula with the others' gradients
    # undefined: the same values) and solve with linalg.solve
    **{expr: "a decomposition's double backward: a node per output, linalg.solve for solve_triangular" for expr in (
        "torch.linalg.qr(a)[0].pow(2) * torch.linalg.qr(a)[1].sum(0)",
        "torch.linalg.qr(a)[1] * torch.linalg.qr(a).Q.pow(2).sum(0)[:, None]",
        "torch.linalg.eigh(a + a.mT)[1].pow(2) + torch.linalg.eigvalsh(a @ a.mT)",
        "torch.linalg.svd(a, full_matrices=False)[0].pow(2) * torch.linalg.svdvals(a)"
        " + torch.linalg.svd(a)[2][:, :1].pow(2).sum()")},
    # PyTorch's matrix_exp gradient builds its block matrix by copies into zeros (CopySlices); agcli's by cat
    "torch.linalg.pinv(a)[:3] * torch.linalg.matrix_exp(a[:, :3] * 0.5)": "matrix_exp's block matrix: cat, not copies",
}


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


def _leaves(case, moved=None):
    """The case's inputs as leaves that require grad (each moved by `moved[name]` if given)."""
    leaves = {}
    for name, value in case["inputs"].items():
        a = np.array(value, dtype=np.float64)
        if moved is not None:
            a = a + moved[name]
        leaves[name] = Tensor(D(a), requires_grad=True)
    return leaves


def _output(case, leaves):
    """The case's expression over the leaves; a program case (in-place variants) runs as `agcli run`
    runs it, with the leaves bound, and gives its `out`."""
    if case.get("program"):
        from agcli.language.program import run_program
        env = run_program("import torch\nimport torch.nn.functional as F\n" + case["expr"], lambda text: None,
                          env=dict(leaves))
        return env["out"]
    return plan_for(case["expr"], list(leaves)).run(dict(leaves))


def _first(case, leaves):
    """The output and {name: gradient} of (expr * weight).sum(), taken with create_graph."""
    out = _output(case, leaves)
    loss = functions.sum(functions.mul(out, D(np.array(case["weight"], dtype=np.float64))))
    grads = backward(loss, None, create_graph=True, accumulate=False)
    return out, {name: grads.get(leaf) for name, leaf in leaves.items()}


def _inner(case, grads):
    """sum((grad * vectors[name]).sum()) over the gradients that require grad (None if none does)."""
    inner = None
    for name, g in grads.items():
        if g is not None and g.requires_grad:
            term = functions.sum(functions.mul(g, D(np.array(case["vectors"][name], dtype=np.float64))))
            inner = term if inner is None else functions.add(inner, term)
    return inner


def _second(case, leaves, create_graph=False):
    _, grads = _first(case, leaves)
    inner = _inner(case, grads)
    if inner is None:
        return None
    second = backward(inner, None, create_graph=create_graph, accumulate=False)
    return {name: second.get(leaf) for name, leaf in leaves.items()}


def _graph(fn):
    """[name, next_0, ...] as the recorder writes PyTorch's (through what programs see: GradFn)."""
    if fn is None:
        return None
    return [fn.qualified_name()] + [_graph(nxt) for nxt, _ in fn.next_functions()]


def _values(x):
    return np.array(x, dtype=np.float64)


def _tolerance(case, rtol):
    """float64 cases to rtol; a case computed in float32 (x.float()) to float32's last digits
    (NumPy's and PyTorch's float32 cos may differ by one unit in the last place)."""
    return dict(rtol=2e-6, atol=1e-7) if case["out_dtype"] == "float32" else dict(rtol=rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("case", CASES)
def test_gradient_graph_is_pytorchs(case):
    out, grads = _first(case, _leaves(case))
    different = case["expr"] in DIFFERENT
    if not different:
        assert GradFn(out.grad_fn).qualified_name() == case["out_grad_fn"]
    for name, want in case["grads"].items():
        g = grads[name]
        if want is None:
            assert g is None, f"PyTorch gives {name} no gradient"
            continue
        np.testing.assert_allclose(to_host(g.data), _values(want["value"]), **_tolerance(case, 1e-12))
        got = None if g.grad_fn is None else GradFn(g.grad_fn)
        assert (got and got.qualified_name()) == want["grad_fn"] or different, name
        if not different:
            assert _graph(got) == want["graph"], name


@pytest.mark.parametrize("case", CASES)
def test_second_derivatives_are_pytorchs(case):
    second = _second(case, _leaves(case))
    if case["second"] is None:
        assert second is None
        return
    for name, want in case["second"].items():
        got = second[name]
        if want is None:
            assert got is None, f"PyTorch's second derivative does not reach {name}"
            continue
        np.testing.assert_allclose(to_host(got.data), _values(want), err_msg=name, **_tolerance(case, 1e-10))


def _first_values(case, moved):
    _, grads = _first(case, _leaves(case, moved))
    return {name: np.zeros(np.shape(case["inputs"][name])) if g is None else to_host(g.data)
            for name, g in grads.items()}


def _directional(case, values_of, along):
    """Central differences of values_of(moved) with every input moved along `along`."""
    plus = values_of(case, {n: EPS * v for n, v in along.items()})
    minus = values_of(case, {n: -EPS * v for n, v in along.items()})
    return {n: (plus[n] - minus[n]) / (2 * EPS) for n in plus}


# Differences want float64 all the way (a.float().double() rounds to float32 on the way), and a
# smooth function: a draw's gradient is zero by convention (torch.normal(mean, std) moves with both).
FLOAT64_CASES = [c for c in CASES if c.values[0]["out_dtype"] == "float64"
                 and ".float()" not in c.values[0]["expr"] and "manual_seed" not in c.values[0]["expr"]]


@pytest.mark.parametrize("case", FLOAT64_CASES)
def test_second_derivatives_match_finite_differences(case):
    # d/dx sum(<grad_j, v_j>) is the Hessian times v (symmetric): the change of the
    # first gradient along v, with every input moved along its v at once.
    vectors = {n: _values(v) for n, v in case["vectors"].items()}
    want = _directional(case, _first_values, vectors)
    second = _second(case, _leaves(case)) or {}
    for name in case["inputs"]:
        got = second.get(name)
        got = np.zeros(np.shape(case["inputs"][name])) if got is None else to_host(got.data)
        np.testing.assert_allclose(got, want[name], rtol=1e-6, atol=1e-7, err_msg=name)


# ------------------------------------------------------------ third order
# The rules of PyTorch's own backward ops (TanhBackwardBackward0, ...) against
# differences of the second derivative: d/dx sum(<second_j, u_j>) is the third
# derivative contracted with v and u (symmetric), the change of the second along u.
THIRD = ["torch.tanh(a)", "torch.sigmoid(a)", "torch.sin(torch.relu(a))", "torch.softmax(a, dim=1)",
         "a.log_softmax(0)", "F.mse_loss(a, b)", "F.mse_loss(a, b, reduction='none')",
         "F.cross_entropy(a, torch.tensor([0, 2, 1]))", "F.cross_entropy(a, b)", "torch.sin(a.max())",
         "torch.sin(torch.max(a, dim=1).values)", "torch.sin(torch.abs(a))", "a ** 3", "torch.tan(a)",
         "torch.sin(a.add(b, alpha=2))", "a % b", "torch.sin(a[[0, 2]])", "torch.sin(a + b)",
         # the backward ops on a gradient that requires grad: their rules for grad_output
         "torch.sin(torch.tanh(a))", "torch.sin(torch.sigmoid(a))", "torch.sin(torch.softmax(a, dim=1))",
         "torch.sin(F.log_softmax(a, dim=0))", "torch.sin(F.mse_loss(a, b))",
         "torch.sin(F.mse_loss(a, b, reduction='none'))", "torch.sin(F.nll_loss(a, torch.tensor([0, 2, 1])))",
         "torch.sin(F.nll_loss(a, torch.tensor([1, 1, 0]), reduction='none'))",
         "torch.sin(F.cross_entropy(a, torch.tensor([0, 2, 1]), reduction='sum'))",
         # added with issue 11: their backward ops (SoftplusBackwardBackward0, ...) and the nodes of their formulas
         "F.softplus(a)", "torch.sin(F.softplus(a))", "F.softplus(a, beta=2, threshold=1)",
         "F.binary_cross_entropy(a, b)", "torch.sin(F.binary_cross_entropy(a, b))",
         "torch.sin(F.binary_cross_entropy(a, b, reduction='none'))",
         "F.binary_cross_entropy(a, b, weight=torch.tensor([0.5, 2.0, 1.5], dtype=torch.float64))",
         "a.prod(1)", "torch.prod(a, dim=1)", "a.std()", "torch.std(a, dim=1, unbiased=False)",
         "torch.log1p(b)", "torch.sin(torch.sort(a, dim=1).values)", "torch.sin(torch.trace(a))",
         "F.linear(a, b, c)", "torch.sin(torch.index_fill(a, 0, torch.tensor([1]), b))",
         "torch.sin(a.scatter(1, torch.tensor([[0], [2]]), b))", "torch.sin(torch.clamp(a, b, c))"]
BY_EXPR = {case["expr"]: case for case in FIXTURE["cases"]}


def _second_values(case, moved):
    second = _second(case, _leaves(case, moved))
    return {name: np.zeros(np.shape(case["inputs"][name])) if s is None else to_host(s.data)
            for name, s in second.items()}


@pytest.mark.parametrize("expr", THIRD)
def test_third_derivatives_match_finite_differences(expr):
    case = BY_EXPR[expr]
    rng = np.random.default_rng(5)
    along = {n: rng.standard_normal(np.shape(v)) for n, v in case["inputs"].items()}
    want = _directional(case, _second_values, along)
    leaves = _leaves(case)
    second = _second(case, leaves, create_graph=True)
    inner = None
    for name, s in second.items():
        if s is not None and s.requires_grad:
            term = functions.sum(functions.mul(s, D(along[name])))
            inner = term if inner is None else functions.add(inner, term)
    third = {} if inner is None else backward(inner, None, accumulate=False)
    for name, leaf in leaves.items():
        got = to_host(third[leaf].data) if leaf in third else np.zeros(leaf.shape)
        np.testing.assert_allclose(got, want[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_the_fixture_covers_pytorchs_own_backward_ops():
    """The names this file exists for are in the fixture, so a re-recording cannot lose them."""
    names = set()

    def walk(graph):
        if graph:
            names.add(graph[0])
            for sub in graph[1:]:
                walk(sub)
    for case in FIXTURE["cases"]:
        for g in case["grads"].values():
            walk(g and g["graph"])
    assert {"TanhBackwardBackward0", "SigmoidBackwardBackward0", "ThresholdBackwardBackward0",
            "SoftmaxBackwardDataBackward0", "LogSoftmaxBackwardDataBackward0", "MseLossBackwardBackward0",
            "NllLossBackwardBackward0", "SelectBackwardBackward0", "SliceBackwardBackward0",
            "IndexPutImplBackward0", "MaskedFillBackward1", "ScatterBackward0", "SoftplusBackwardBackward0",
            "BinaryCrossEntropyBackwardBackward0", "LogitBackward0", "CumprodBackward0", "IndexFillBackward0",
            "IndexFillBackward1", "IndexSelectBackward0", "ScatterBackward1"} <= names


def test_the_fixture_covers_every_op():
    """Every differentiable op of engine.ops.ALL is in some recorded graph (a new op needs a case
    at the end of record_double_backward.py's list), but those that have no gradient to take twice."""
    from agcli.engine.ops import ALL
    names = set()

    def walk(graph):
        if graph:
            names.add(graph[0].replace("torch::autograd::", ""))
            for sub in graph[1:]:
                walk(sub)
    for case in FIXTURE["cases"]:
        names.add(case["out_grad_fn"].replace("torch::autograd::", ""))
        for g in case["grads"].values():
            walk(g and g["graph"])
    no_second = {"NotImplemented",      # floor_divide, number % tensor, bernoulli(x, p): backward fails
                 "HardsigmoidBackward0",    # hardsigmoid: its gradient's node is NotImplemented (transcript 259)
                 "MultiMarginLossBackward0",    # multi_margin_loss: its gradient's node is NotImplemented (fixture 437)
                 "Unique2Backward0",    # unique: no derivative (transcript 234)
                 "UniqueConsecutiveBackward0",  # unique_consecutive: none either (fixture 356)
                 "UniqueDimBackward0",  # unique(dim=): none either (fixture 673)
                 "EmbeddingBagBackward0", "EmbeddingBagBackwardBackward0",  # embedding_bag: none (fixture 345)
                 "StandardGammaBackward0", "_DirichletBackward",    # draws: their gradients are not differentiable
                 "CdistBackward0", "CdistBackwardBackward0",    # cdist's kernel: its gradient fails (fixture 560)
                 "PdistBackward0", "PdistBackwardBackward0",    # pdist's too (fixture 360)
                 "AsinhBackward1", "AcoshBackward1", "AtanhBackward1",  # in-place: no derivative (fixture 361)
                 "CtcLossBackward0",    # ctc_loss: its gradient's node is NotImplemented (fixture 363)
                 "ScaledDotProductFlashAttentionForCpuBackward0",   # its gradient is NotImplemented (fixture 561)
                 "Identity",            # forward mode's unpack_dual primal (tests/test_jvp.py)
                 # grid_sample's second derivative's own node: agcli refuses a third (fixture 358)
                 "GridSampler2DDoubleBackward",
                 # its second derivative reads the saved norms as a constant, not the derivative of its
                 # gradient (PyTorch's gradgradcheck fails too): tests/test_weight_norm.py
                 "WeightNormInterfaceBackward0"}
    missing = {op.name for op in ALL if op.vjps is not None} - names - no_second
    assert not missing, f"ops without a double-backward case: {sorted(missing)}"
    for expr in THIRD:
        assert expr in BY_EXPR
