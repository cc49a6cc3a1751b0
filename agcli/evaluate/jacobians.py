"""Jacobians and Jacobian-vector products of an expression (`agcli jacobian`, `agcli jvp`).

A Jacobian is computed in one of two ways, picked by size after a first
evaluation without a graph has told the output's size m (n: the elements of
the variables differentiated, all together):

- forward mode (m >= n): one evaluation with dual numbers (engine/forward.py),
  each variable carrying its block of the rows of an n x n identity as a batch
  of tangents, (n, *x.shape); the output's tangent, (n, *out.shape), is the
  whole Jacobian, transposed: no loop over rows in Python;
- reverse mode (m < n): one graph, and a backward pass per output element on
  it (a scalar output: one pass, what `agcli grad` computes). Reverse mode's
  rules take one cotangent at a time (engine/op.py), so this is a loop over
  the m rows, the few of them.

For a variable x the result has shape out.shape + x.shape, as
torch.autograd.functional.jacobian returns it; an output the variables do not
reach (or an integer one) gives zeros.
"""
from __future__ import annotations

import numpy

from ..engine import backend as B
from ..engine import forward as FW
from ..engine.backward import backward, reachable
from ..engine.tensor import Tensor, set_grad_enabled
from ..errors import AgcliError
from ..state import state
from .bindings import parse_value
from .calculus_reverse import NOTHING_STACKED, check_vector_shape, limit_matrix, quietly
from .prepared import need_variables, prepare, run_plan


def jacobians(result, expr, bindings, *, wrt=None, strict=False, mode=None) -> dict:
    """{name: host array of shape out.shape + x.shape} for each variable differentiated
    (mode "forward" or "reverse" overrides the choice by size: tests and benchmarks)."""
    plan, leaves, names = prepare(result, expr, bindings, wrt, strict, once=True)
    need_variables(names, wrt)
    with set_grad_enabled(False):
        probe = run_plan(result, plan, leaves)
    m = int(probe.data.size)
    if not m:       # (functional.jacobian stacks one row per output element: none to stack)
        raise AgcliError(NOTHING_STACKED)
    n = sum(int(leaves[name].data.size) for name in names)
    limit_matrix("Jacobian", m, n)
    if B.kind(probe.data.dtype) != "f" or not names:
        columns = {name: None for name in names}
    elif mode == "reverse" or (mode is None and (m < n or state.detect_anomaly)):
        # (anomaly mode: PyTorch's own passes, a backward per row, so that the backward function whose nan
        # stops PyTorch's jacobian stops this one: forward mode runs none)
        with quietly(result):       # (the backward passes' floating-point trouble shows in the Jacobian)
            columns = _reverse(result, plan, leaves, names, m)
    else:
        columns = _forward(result, plan, leaves, names, n)
    out_shape = tuple(probe.data.shape)
    found = {name: B.to_host(_shaped(columns[name], leaves[name], out_shape, probe)) for name in names}
    if mode is None and m >= n and not state.detect_anomaly and not all(map(_all_finite, found.values())):
        # (where a derivative is undefined, forward mode's inf and nan land in other entries than PyTorch's
        # backward passes put them, sqrt's at 0 in its column, not its row: then its passes give the answer)
        with quietly(result):
            columns = _reverse(result, plan, leaves, names, m)
        found = {name: B.to_host(_shaped(columns[name], leaves[name], out_shape, probe)) for name in names}
    for name, array in found.items():
        _finite(result, array, f"the Jacobian for {name}")
    return found


def _all_finite(array) -> bool:
    return array.dtype.kind != "f" or bool(numpy.isfinite(array).all())


def _finite(result, array, what):
    """A warning when an answer holds inf or nan (the forward's own trouble is warned of already)."""
    if array.size and not _all_finite(array):
        result.warnings.append(f"{what} holds inf or nan")


def _forward(result, plan, leaves, names, n) -> dict:
    """Each variable's (k, *out.shape) rows of the transposed Jacobian, from one batched evaluation."""
    level = FW.enter_level()
    try:
        start = 0
        for name in names:
            x = leaves[name]
            k = int(x.data.size)
            level.give(x, _identity_block(n, start, k, x))
            start += k
        with set_grad_enabled(False):
            tangent = FW.tangent_of(run_plan(result, plan, leaves))
    finally:
        FW.exit_level(level)
    columns, start = {}, 0
    for name in names:
        k = int(leaves[name].data.size)
        columns[name] = None if tangent is None else B.getitem(tangent, (slice(start, start + k), ...))
        start += k
    return columns


def _identity_block(n, start, k, x):
    """Rows start..start+k of an n x n identity, as tangents of x: shape (n, *x.shape)."""
    if start == 0 and k == n:
        block = B.eye(n, dtype=x.data.dtype)
    else:
        block = B.zeros((n, k), dtype=x.data.dtype)
        B.setitem(block, (slice(start, start + k), slice(None)), B.eye(k, dtype=x.data.dtype))
    return B.xp.reshape(block, (n,) + tuple(x.data.shape))


def _reverse(result, plan, leaves, names, m) -> dict:
    """Each variable's Jacobian rows, (m, *x.shape), by one backward pass per output element."""
    for name in names:
        leaves[name].requires_grad = True
    output = run_plan(result, plan, leaves)
    if output.grad_fn is None and not output.requires_grad:
        return {name: None for name in names}
    targets = [leaves[name] for name in names]
    nodes = reachable(output.grad_fn) if output.grad_fn is not None else None
    rows = {name: [] for name in names}
    for j in range(m):
        # (a one-hot of its own each pass: a gradient can be a view of it, as sum(dim)'s expand is)
        flat = B.zeros((m,), dtype=output.data.dtype)
        B.setitem(flat, (j,), 1)
        seed = Tensor(B.xp.reshape(flat, tuple(output.data.shape)))
        grads = backward(output, seed, retain_graph=True, inputs=targets, accumulate=False, nodes=nodes)
        for name, x in zip(names, targets):
            g = grads.get(x)
            rows[name].append(B.zeros(tuple(x.data.shape), dtype=x.data.dtype) if g is None else
                              B.copy(g.data if type(g) is Tensor else g))
    return {name: _transposed(B.xp.stack(rows[name]), leaves[name]) for name in names}


def _transposed(rows, x):
    """(m, *x.shape) rows as the forward mode's (k, *out) columns: (k, m), reshaped later."""
    m = rows.shape[0]
    return B.xp.permute_dims(B.xp.reshape(rows, (m, int(x.data.size))), (1, 0))


def _shaped(columns, x, out_shape, probe):
    """(k, *out.shape) columns as the Jacobian of shape out.shape + x.shape (zeros for None)."""
    x_shape = tuple(x.data.shape)
    dtype = probe.data.dtype if B.kind(probe.data.dtype) == "f" else x.data.dtype
    if columns is None:
        return B.zeros(out_shape + x_shape, dtype=dtype)
    k, m = int(x.data.size), int(probe.data.size)
    matrix = B.xp.permute_dims(B.xp.reshape(columns, (k, m)), (1, 0))
    return B.xp.reshape(B.astype(matrix, dtype), out_shape + x_shape)


def jvp_product(result, expr, bindings, vectors, *, wrt=None, strict=False):
    """J v in forward mode: vectors {name: value or text} for the variables differentiated
    (a variable of one element may be left out: its tangent is 1)."""
    plan, leaves, names = prepare(result, expr, bindings, wrt, strict, once=True)
    need_variables(names, wrt)
    stray = [name for name in vectors if name not in names]
    if stray:
        raise AgcliError(f"--vector {', '.join(stray)} names no variable differentiated", kind="usage",
                         hint="each --vector NAME=VALUE gives the tangent of a bound variable (in --wrt, if given)")
    missing = [name for name in names if name not in vectors and leaves[name].data.size != 1]
    if missing:
        listed = ", ".join(missing)
        raise AgcliError(f"no --vector for {listed}: a JVP needs a tangent for every variable differentiated",
                         kind="usage", hint=f"add --vector {missing[0]}=VALUE (a value of its shape "
                                            f"{tuple(leaves[missing[0]].data.shape)}), or leave it out with --wrt; "
                                            "a variable of one element defaults to 1")
    if state.detect_anomaly:    # PyTorch's functional.jvp: two backward passes, which anomaly mode checks
        return _jvp_by_backward(result, plan, leaves, names, vectors)
    level = FW.enter_level()
    try:
        for name in names:
            x = leaves[name]
            level.give(x, _vector(name, vectors.get(name), x))
        with set_grad_enabled(False):
            output = run_plan(result, plan, leaves)
            tangent = FW.tangent_of(output)
    finally:
        FW.exit_level(level)
    if B.kind(output.data.dtype) != "f":      # (functional.jvp's zeros_like(out, requires_grad=True) refuses it)
        raise AgcliError("Only Tensors of floating point and complex dtype can require gradients")
    if tangent is None:
        return B.to_host(B.zeros(tuple(output.data.shape), dtype=output.data.dtype))
    product = B.to_host(tangent.data if type(tangent) is Tensor else tangent)
    _finite(result, product, "the JVP")
    return product


def _jvp_by_backward(result, plan, leaves, names, vectors):
    """J v as torch.autograd.functional.jvp computes it (the double-backward trick)."""
    from ..torchapi import functional as AF
    from .calculus_reverse import as_function
    with set_grad_enabled(False):
        run_plan(result, plan, leaves)      # (the value, and the forward's warnings, as forward mode gives them)
    inputs = tuple(leaves[name] for name in names)
    v = tuple(Tensor(_vector(name, vectors.get(name), x), device=x.device) for name, x in zip(names, inputs))
    with quietly(result):
        _, product = AF.jvp(as_function(plan, leaves, names), inputs, v)
    product = B.to_host(product.data)
    _finite(result, product, "the JVP")
    return product


def _vector(name, value, x):
    """The tangent given for x (1 when left out), checked against x's shape, in x's dtype."""
    shape = tuple(x.data.shape)
    if value is None:
        return B.ones(shape, dtype=x.data.dtype)
    if isinstance(value, str):
        array = parse_value(f"vector {name}", value)
    else:
        array = B.to_host(value.data) if type(value) is Tensor else value
    array = numpy.asarray(array)
    if array.dtype.kind not in "biuf":
        raise AgcliError(f"the --vector for {name} is not numeric", kind="binding", origin=f"--vector {name}")
    check_vector_shape(name, array.shape, shape)
    return B.from_host(array.astype(B.dtype_name(x.data.dtype), copy=False))
