"""Every op's forward-mode rules (engine/op.py: `jvps`) in float64: against central
finite differences of its kernel, and against its VJPs (<u, J v> both ways), with
unbatched tangents, batches of tangents, and tangents that are tensors requiring
grad (reverse over forward mode, whose rules record).

The op calls tested are the ones the gradient tests make: the engine's recording
(state.recording) collects them while test_gradcheck's expressions (forward, and
backward with create_graph), its second-order functions, test_in_place's programs
and test_random_numbers' draws run. So each op is checked on inputs it really
meets, away from kinks by those tests' construction. A new op without a call
here fails test_every_op_has_a_jvp_test.
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest

import test_gradcheck as gradcheck
import test_in_place as in_place
import test_random_numbers as draws
from agcli.engine.backend import astype, from_host as D, kind, ndarray, to_host
from agcli.engine.backward import backward
from agcli.engine.forward import output_tangent
from agcli.engine.ops import ALL
from agcli.engine.ops.shapes import sum_to
from agcli.engine.tensor import Tensor
from agcli.errors import AgcliError
from agcli.evaluate import run as api
from agcli.evaluate.plans import plan_for
from agcli.state import state

EPS = 1e-6
PER_OP = 4                   # calls kept per op (the first ones of distinct shapes)
BATCHES = ((3,), (2, 2))     # leading batch dims of batched tangents


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


# ------------------------------------------------------------- the calls
def _recorded(run):
    """The (op, args, params, cast) calls `run()` makes (engine/tensor.py: apply records them)."""
    calls = []
    before = state.recording
    state.recording = calls
    try:
        run()
    finally:
        state.recording = before
    return [(op, args, params, cast) for op, args, params, cast, _ in calls]


def _expression(expr, make):
    inputs, fixed = make(np.random.default_rng(0))
    try:
        program, bindings = gradcheck._objective(expr, inputs, np.random.default_rng(1), fixed)
    except AssertionError:      # an expression that does not evaluate fails in test_gradcheck, not here
        return lambda: None

    def run():
        leaves = {name: api.bind(name, value) for name, value in bindings.items()}
        for name in inputs:
            leaves[name].requires_grad = True
        out = plan_for(program, leaves).run(dict(leaves))
        backward(out, None, create_graph=True, accumulate=False)
    return run


def _leaves(f, arrays):
    def run():
        xs = gradcheck._leaves(arrays)
        out = f(*xs)
        if out.requires_grad:
            backward(out, None, create_graph=True, accumulate=False)
    return run


def _all_calls():
    runs = [_expression(*case.values) for case in gradcheck.CASES]
    runs += [_leaves(*case.values) for case in gradcheck.SECOND_ORDER]
    runs += [_leaves(case.values[0], [np.random.default_rng(5).standard_normal(s) for s in case.values[1]])
             for case in in_place.CASES]
    runs += [(lambda draw=draw: draws._through(draw, 2, 3)) for _, draw in draws.ZERO_GRADIENTS]
    by_op = {}
    api.configure(dtype="float64", seed=0, max_elements=10**8)
    runs.append(lambda: state.recording.extend(call + (None,) for call in _by_hand()))
    for run in runs:
        for op, args, params, cast in _recorded(run):
            if op.vjps is None or not _inputs(op, args) or _extreme(args):
                continue
            calls = by_op.setdefault(id(op), [])
            shapes = tuple(tuple(a.shape) for a in args if type(a) is Tensor)
            if len(calls) < PER_OP and all(shapes != seen for _, _, _, _, seen in calls):
                calls.append((op, _snapshot(args), params, cast, shapes))
    return by_op


def _extreme(args) -> bool:
    """Whether a tensor argument holds values at float's extremes (logcumsumexp's gradient scans
    float's lowest): a finite difference does not move them, so it says nothing there."""
    return any(type(a) is Tensor and kind(a.data.dtype) == "f" and bool(np.any(np.abs(to_host(a.data)) > 1e300))
               for a in args)


def _by_hand():
    """Calls the runs above do not make: ops made without apply (AsStrided, when a view's history
    regrows) or reached only through paths those tests take elsewhere (conversions, x[mask] = v)."""
    from agcli.engine.ops import channels, puts, sampled, shapes, writes
    rng = np.random.default_rng(9)

    def t(*shape):
        return Tensor(D(rng.standard_normal(shape)))
    x = t(2, 3)
    mask = D(np.array([[True, False, True], [False, True, False]]))
    return [(shapes.COPY, (x,), {}, None), (shapes.TO_COPY, (x,), {"dtype": x.data.dtype}, None),
            (shapes.PRIMAL, (x,), {}, None),
            (shapes.MOVE, (x,), {}, None), (shapes.INDEX_PUT, (x, t(3)), {"key": (mask,)}, None),
            (shapes.INDEX_PUT, (x, t(1)), {"key": (D(np.array([1, 0])),)}, None),
            (writes.AS_STRIDED, (x,), {"positions": D(np.array([[0, 4], [2, 5]]))}, None),
            (sampled.BERNOULLI_TENSOR_, (x, t(2, 3)), {"values": D(np.ones((2, 3)))}, None),
            (channels.RRELU_, (x,), {"noise": None, "negative_slope": 0.2}, None),
            (puts.INDEX_PUT_ADD, (x, t(3)), {"key": (D(np.array([1, 0, 1])), D(np.array([2, 2, 0])))}, None),
            (puts.MASKED_SCATTER, (x, t(4)), {"mask": mask}, None),
            (puts.MASKED_SCATTER_BACKWARD, (x,), {"mask": mask, "shape": (4,)}, None),
            (puts.SLICE_SCATTER, (x, t(2, 2)), {"params": (1, 0, 3, 2)}, None),
            (puts.SELECT_SCATTER, (x, t(3)), {"params": (0, 1)}, None),
            (puts.DIAGONAL_SCATTER, (x, t(2)), {"params": (1, 0, 1)}, None)]


def _snapshot(args):
    """The arguments as the call saw them (an in-place op may change a tensor later)."""
    return tuple(Tensor(D(to_host(a.data).copy())) if type(a) is Tensor else a for a in args)


def _inputs(op, args):
    """The positions of the floating-point tensor inputs that have a forward-mode rule (a rule
    for all inputs: those the op differentiates, by its VJPs)."""
    if op.jvps is None:
        return []
    return [i for i, a in enumerate(args) if type(a) is Tensor and kind(a.data.dtype) == "f"
            and (op.variadic or (op.vjps if callable(op.jvps) else op.jvps)[i] is not None)]


CALLS = _all_calls()
OPS = {id(op): op for op in ALL}
NO_FORWARD = {"NotImplemented": "floor_divide, number % tensor, bernoulli(x, p), hardsigmoid's gradient: PyTorch "
                                "has no forward derivative either (test_an_op_without_one_raises_pytorchs_error)",
              "GridSampler2DBackward0": "grid_sampler_2d: PyTorch has no forward derivative (its words raised, "
                                        "fixture 358)",
              "GridSampler2DBackwardBackward0": "grid_sampler_2d's gradient: no forward derivative here either",
              "GridSampler2DDoubleBackward": "grid_sampler_2d's second derivative: none either",
              "PdistBackward0": "_pdist_forward: PyTorch has no forward derivative (its words raised)",
              "PdistBackwardBackward0": "_pdist_backward: PyTorch has no derivative of it",
              **{f"{name}Backward1": "the in-place asinh_, acosh_, atanh_: PyTorch has no forward derivative (its "
                                     "words raised, fixture 361)" for name in ("Asinh", "Acosh", "Atanh")},
              "Unique2Backward0": "unique: no derivative in PyTorch, either mode",
              "UniqueDimBackward0": "unique(dim=): no derivative in PyTorch, either mode",
              "UniqueConsecutiveBackward0": "unique_consecutive: no derivative in PyTorch, either mode",
              "EmbeddingBagBackward0": "embedding_bag: PyTorch has no forward derivative (fixture 345)",
              "EmbeddingBagBackwardBackward0": "embedding_bag's gradient: PyTorch has no derivative of it",
              "MultiMarginLossBackward0": "multi_margin_loss: PyTorch has no forward derivative (fixture 437)",
              "CtcLossBackward0": "_ctc_loss: PyTorch has no forward derivative (its words raised, fixture 363)",
              "ScatterReduceBackward0": "scatter_reduce: agcli has no forward-mode rule yet (PyTorch has them for "
                                        "sum, mean, amax and amin); its use refuses in words",
              "PackPaddedSequenceBackward0": "pack_padded_sequence: PyTorch has no forward derivative; its "
                                             "NotImplementedError: fixture 639",
              "StandardGammaBackward0": "_standard_gamma: PyTorch has no forward derivative (its words raised)",
              "WeightNormInterfaceBackward0": "_weight_norm_interface: PyTorch has no forward derivative (its words "
                                              "raised)",
              "_DirichletBackward": "Dirichlet's Function of PyTorch's has no jvp (its words raised)",
              "CholeskyInverseBackward0": "PyTorch's cholesky_inverse_jvp, which finite differences do not confirm "
                                          "(nor PyTorch's gradcheck with check_forward_ad): fixture 590 instead",
              **{name: "PyTorch has no forward derivative of cdist's kernels or of the flash-attention kernel "
                       "(programs 560, 561)" for name in (
                  "CdistBackward0", "CdistBackwardBackward0", "EuclideanDistBackward0",
                  "ScaledDotProductFlashAttentionForCpuBackward0")}}


# Ops whose forward-mode rule, as PyTorch's, takes a symmetric tangent (linalg_eig_jvp's precondition:
# dA Hermitian); their forward reads one triangle, so a tangent elsewhere is a different direction.
SYMMETRIC_TANGENTS = {"LinalgEighBackward0", "LinalgCholeskyExBackward0"}


def _tangent(op, params, rng, shape):
    v = rng.standard_normal(shape)
    symmetric = op.name in SYMMETRIC_TANGENTS or params.get("hermitian")     # (pinv's hermitian=True: eigh's)
    return (v + np.swapaxes(v, -1, -2)) / 2 if symmetric else v


# ------------------------------------------------------------- one call
def _arrays(args, cast):
    arrays = [a.data if type(a) is Tensor else a for a in args]
    if cast is not None:
        arrays = [astype(a, cast) if type(a) is ndarray and a.dtype != cast else a for a in arrays]
    return arrays


def _forward(op, arrays, params):
    return op.forward(*arrays, **params)


def _jvp(op, arrays, params, cast, tangents):
    """J v by the op's rules: tangents {position: host array}, a leading batch allowed."""
    full = [None] * len(arrays)
    for i, v in tangents.items():
        full[i] = D(v)
    out = _forward(op, arrays, params)
    return to_host(output_tangent(op, full, arrays, out, params, cast))


def _numeric(op, arrays, params, tangents):
    """Central differences along the tangents, and where they mean something: the elements
    whose one-sided differences agree (an input exactly at a kink, as relu's zeros reaching
    threshold_backward, has none)."""
    moved = []
    for step in (EPS, 0.0, -EPS):
        shifted = list(arrays)
        for i, v in tangents.items():
            shifted[i] = D(to_host(arrays[i]) + step * v)
        moved.append(to_host(_forward(op, shifted, params)).astype(np.float64))
    ahead, behind = (moved[0] - moved[1]) / EPS, (moved[1] - moved[2]) / EPS
    smooth = np.abs(ahead - behind) <= 1e-3 * (1 + np.abs(ahead) + np.abs(behind))
    return (moved[0] - moved[2]) / (2 * EPS), smooth


def _vjp_inner(op, arrays, params, tangents, u):
    """sum over inputs of <J_i^T u, v_i> by the op's VJPs (summed back to each input's shape)."""
    out = _forward(op, arrays, params)
    total = 0.0
    for i, v in tangents.items():
        rule = op.vjps[0] if op.variadic else op.vjps[i]
        g = rule(D(u), out, *arrays, i=i, **params) if op.variadic else rule(D(u), out, *arrays, **params)
        if g is None:       # (op.undefined: PyTorch's undefined gradient, as backward takes it: nothing)
            continue
        total += float(np.sum(to_host(sum_to(g, tuple(arrays[i].shape))) * v))
    return total


def _cases():
    for key, calls in CALLS.items():
        for n, (op, args, params, cast, shapes) in enumerate(calls):
            if op.name in NO_FORWARD:       # (hardsigmoid's gradient, a NotImplemented node, among the calls)
                continue
            yield pytest.param(key, n, id=f"{op.name}-{n} {shapes}")


@pytest.mark.parametrize("key, n", list(_cases()))
def test_jvp_matches_finite_differences_and_the_vjp(request, key, n):
    op, args, params, cast, _ = CALLS[key][n]
    rng = np.random.default_rng(zlib.crc32(request.node.callspec.id.encode()))
    arrays = _arrays(args, cast)
    positions = _inputs(op, args)
    tangents = {i: _tangent(op, params, rng, tuple(arrays[i].shape)) for i in positions}
    got = _jvp(op, arrays, params, cast, tangents)
    want, smooth = _numeric(op, arrays, params, tangents)
    assert got.shape == want.shape
    if got.size == 0:       # (an empty output: lstsq's residuals from gelsy)
        return
    assert smooth.mean() >= 0.5, f"{op.name}: the inputs sit on kinks"
    np.testing.assert_allclose(got[smooth], want[smooth], rtol=1e-5, atol=1e-7, err_msg=f"J v of {op.name}")

    u = rng.standard_normal(got.shape)
    try:
        back = _vjp_inner(op, arrays, params, tangents, u)
    except AgcliError:          # (a call PyTorch's engine refuses backward for: scatter's larger src)
        back = None
    if back is not None:
        np.testing.assert_allclose(float(np.sum(u * got)), back, rtol=1e-9, atol=1e-10,
                                   err_msg=f"<u, J v> and <J^T u, v> of {op.name}")


@pytest.mark.parametrize("key, n", list(_cases()))
def test_a_batch_of_tangents_gives_each_ones_jvp(request, key, n):
    op, args, params, cast, _ = CALLS[key][n]
    rng = np.random.default_rng(zlib.crc32(request.node.callspec.id.encode()) + 1)
    arrays = _arrays(args, cast)
    for batch in BATCHES:
        tangents = {i: _tangent(op, params, rng, batch + tuple(arrays[i].shape)) for i in _inputs(op, args)}
        got = _jvp(op, arrays, params, cast, tangents)
        for k in np.ndindex(batch):
            one = _jvp(op, arrays, params, cast, {i: v[k] for i, v in tangents.items()})
            assert got[k].shape == one.shape, f"{op.name}: batch {batch}"
            np.testing.assert_allclose(got[k], one, rtol=1e-10, atol=1e-12, err_msg=f"{op.name}, batch {batch}[{k}]")


@pytest.mark.parametrize("key, n", list(_cases()))
def test_tangents_with_a_graph_give_the_same_jvp(request, key, n):
    """Reverse over forward: tensor tangents that require grad run the rules on tensors."""
    op, args, params, cast, _ = CALLS[key][n]
    rng = np.random.default_rng(zlib.crc32(request.node.callspec.id.encode()) + 2)
    arrays = _arrays(args, cast)
    tangents = {i: _tangent(op, params, rng, (2,) + tuple(arrays[i].shape)) for i in _inputs(op, args)}
    want = _jvp(op, arrays, params, cast, tangents)
    inputs = [Tensor(a) if type(args[i]) is Tensor else a for i, a in enumerate(arrays)]
    full = [None] * len(arrays)
    for i, v in tangents.items():
        full[i] = Tensor(D(v), requires_grad=True)
    got = output_tangent(op, full, inputs, Tensor(_forward(op, arrays, params)), params, cast)
    assert type(got) is Tensor, f"{op.name}: the tangent is not a tensor"
    np.testing.assert_allclose(to_host(got.data), want, rtol=1e-10, atol=1e-12, err_msg=op.name)


def test_finite_differences_here_catch_a_wrong_rule():
    """The harness itself: a rule off by a sign must fail."""
    from agcli.engine.ops.pointwise import SIN
    x = D(np.array([0.3, -1.2, 2.0]))
    v = {0: np.array([1.0, 0.5, -2.0])}
    good = _jvp(SIN, [x], {}, None, v)
    want, smooth = _numeric(SIN, [x], {}, v)
    assert smooth.all()
    np.testing.assert_allclose(good, want, rtol=1e-7)
    saved = SIN.jvps
    SIN.jvps = (lambda t, out, x: -saved[0](t, out, x),)
    try:
        with pytest.raises(AssertionError):
            np.testing.assert_allclose(_jvp(SIN, [x], {}, None, v), want, rtol=1e-5)
    finally:
        SIN.jvps = saved


def test_an_op_without_one_raises_pytorchs_error():
    from agcli.engine.ops.pointwise import FLOOR_DIVIDE
    x = D(np.array([1.5, 2.5]))
    with pytest.raises(AgcliError, match="Trying to use forward AD with aten::floor_divide that does not support it"):
        output_tangent(FLOOR_DIVIDE, [D(np.ones(2)), None], [x, x], _forward(FLOOR_DIVIDE, [x, x], {}), {})


def test_every_op_has_a_jvp_test():
    """A new op in engine/ops/ needs a forward-mode rule and a call above (or a reason in NO_FORWARD)."""
    differentiable = [op for op in ALL if op.vjps is not None]
    without_rules = sorted({op.name for op in differentiable if op.jvps is None})
    assert not without_rules, f"ops with no forward-mode rule: {without_rules}"
    untested = sorted({op.name for op in differentiable if id(op) not in CALLS} - set(NO_FORWARD))
    assert not untested, f"ops with no JVP test: {untested}"
