"""`agcli plot`: an expression f and its derivative over a range of one variable.

The variable bound to a 1-D range of two or more points (`--x "linspace(0, 2*pi,
200)"`) is the x axis; f must give one value per point, of the range's shape.
What is differentiated is --wrt (default: the range's variable); a variable
other than the range must hold one number (a parameter such as `a` in
`a*sin(x)`), whose derivative at point i is d f_i / d a.

How each point's derivative is computed, decided from the graph:
- the range's variable, when every node of the graph between it and the output
  is elementwise (engine/ops' pointwise and bounds families, softplus, and the
  ops that keep elements in order: view, reshape, squeeze, unsqueeze, clone, a
  dtype change) and keeps one element per point: the Jacobian is diagonal, and
  one backward with a ones output gradient gives every f'(x_i) at once;
- any other expression (`x.cumsum(0)`, `x * x.sum()`, `softmax(x, 0)`): the
  diagonal of the whole Jacobian d f_i / d x_j (evaluate/jacobians.py: batched
  forward mode, or reverse mode), for at most MAX_JACOBIAN_POINTS points;
- a one-number variable: its Jacobian column, of the same Jacobian.
An expression that draws random numbers is refused on the Jacobian's path
(another evaluation would draw other numbers); so is one whose output is not
one value per point. Never a curve that is not f's derivative.
"""
from __future__ import annotations

import numpy

from ..engine import backend as B
from ..engine.backward import backward
from ..engine.ops import bounds, nn, pointwise, shapes
from ..engine.op import Op
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..state import state
from .prepared import errors_kept, prepare, run_plan
from .result import Result
from .float_warnings import FloatErrors

MAX_JACOBIAN_POINTS = 4096      # a non-elementwise expression's N x N Jacobian: 16.7 million numbers at most

# The ops that map element k of their input to element k of their output and no other.
_IN_ORDER = ("VIEW", "RESHAPE_ALIAS", "UNSAFE_VIEW", "SQUEEZE", "SQUEEZE_DIM", "UNSQUEEZE", "EXPAND", "ALIAS",
             "CLONE", "COPY", "TO_COPY", "MOVE")
ELEMENTWISE = frozenset(
    [op for family in (pointwise, bounds) for op in vars(family).values() if isinstance(op, Op)]
    + [getattr(nn, name) for name in ("SOFTPLUS", "LOGIT") if hasattr(nn, name)]
    + [getattr(shapes, name) for name in _IN_ORDER if hasattr(shapes, name)])

# How a derivative was computed (JSON's "method"): one backward of ones, the Jacobian's diagonal or column.
BACKWARD, DIAGONAL, COLUMN = "backward", "jacobian_diagonal", "jacobian_column"


class Plot(Result):
    """A Result (f is `value`) with the axis: `variable`, `x`, and `df` {name: d f / d name at each point}."""

    def __init__(self, expr: str):
        super().__init__(expr)
        self.variable = None        # the range's name
        self.x = None               # host array, shape (N,)
        self.df: dict = {}          # name -> host array, shape (N,), in --wrt's order
        self.method: dict = {}      # name -> how its derivative was computed (BACKWARD, DIAGONAL, COLUMN)


def plot(expr: str, bindings, *, wrt=None, strict: bool = False) -> Plot:
    """f and its derivatives at every point of the range; errors go into `.error`, never raised."""
    result = Plot(expr)
    return errors_kept(result, expr, lambda: _compute(result, expr, bindings, wrt, strict))


def _compute(result, expr, bindings, wrt, strict):
    plan, leaves, names = prepare(result, expr, bindings, wrt, strict)
    axis = _axis(leaves, wrt, plan.unused or ())
    names = [axis] if wrt is None else names
    x = leaves[axis]
    n = int(x.data.shape[0])
    for name in names:
        if name != axis and leaves[name].data.size != 1:
            raise AgcliError(f"--wrt {name}: a derivative at each point needs a variable of one number, but {name} "
                             f"has shape {tuple(leaves[name].data.shape)}", kind="usage",
                             hint=f"differentiate {axis} (the x axis) or variables bound to one number")
        leaves[name].requires_grad = True
    output, random = _noting_draws(lambda: run_plan(result, plan, leaves))
    result.variable, result.x = axis, B.to_host(x.data)
    if tuple(output.data.shape) != (n,) or B.kind(output.data.dtype) != "f":
        got = f"shape {tuple(output.data.shape)}" if B.kind(output.data.dtype) == "f" else \
            f"{B.dtype_name(output.data.dtype)} values"
        raise AgcliError(f"agcli plot draws f at each point of {axis}: f must have {axis}'s shape ({n},), but it "
                         f"gives {got}", kind="usage",
                         hint=f"write f elementwise in {axis}, e.g. sin({axis}) * {axis}**2")
    others = [name for name in names if name != axis]
    if axis in names and _elementwise(output, x):
        result.df[axis] = _one_backward(result, output, x)
        result.method[axis] = BACKWARD
    elif axis in names:
        others.insert(0, axis)
    if others:
        if random:
            raise AgcliError("the expression draws random numbers: its derivative at each point would need the "
                             "Jacobian, from another evaluation with other numbers", kind="usage",
                             hint="bind the random values as variables (--w \"randn(200)\" --seed 0)")
        if axis in others and n > MAX_JACOBIAN_POINTS:
            raise AgcliError(f"f is not elementwise in {axis}: each point's derivative is the diagonal of the "
                             f"{n} x {n} Jacobian, more than agcli plot computes ({MAX_JACOBIAN_POINTS} points at "
                             f"most)", kind="usage", hint=f"use fewer points: linspace(a, b, {MAX_JACOBIAN_POINTS})")
        _jacobian_parts(result, expr, leaves, others, axis)
    result.df = {name: result.df[name] for name in names}


def _axis(leaves, wrt, unused) -> str:
    """The variable bound to a range: the one bound to a 1-D array of 2 or more points
    (of several, the one the expression reads, or the first that --wrt names)."""
    ranges = [name for name, t in leaves.items() if len(t.data.shape) == 1 and t.data.shape[0] >= 2]
    ranges = [name for name in ranges if name not in unused] or ranges
    if len(ranges) > 1 and wrt:
        ranges = [name for name in wrt if name in ranges] or ranges
    if not ranges:
        raise AgcliError("agcli plot needs a variable bound to a range of points", kind="usage",
                         hint='e.g. --x "linspace(0, 2*pi, 200)"')
    if len(ranges) > 1 and not (wrt and wrt[0] in ranges):
        listed = f"{', '.join(ranges[:-1])} and {ranges[-1]} are {'both' if len(ranges) == 2 else 'all'}"
        raise AgcliError(f"{listed} bound to ranges: agcli plot draws over one", kind="usage",
                         hint=f"name the x axis first in --wrt (--wrt {ranges[0]}), or bind the others to numbers")
    return ranges[0]


def _elementwise(output, x) -> bool:
    """Is every node between the output and leaf x elementwise, one element per point?"""
    if output is x:
        return True
    n = x.data.size
    root = output.grad_fn
    if root is None:
        return not output.requires_grad       # f does not depend on x at all: f' = 0
    reaches = {}            # node -> does it lead to x's AccumulateGrad?
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if node in reaches:
            continue
        nexts = [nxt for nxt in node.next if nxt is not None]
        if not expanded:
            stack.append((node, True))
            stack.extend((nxt, False) for nxt in nexts if nxt not in reaches and hasattr(nxt, "op"))
            continue
        reaches[node] = any(getattr(nxt, "variable", None) is x or reaches.get(nxt, False) for nxt in nexts)
    return all(node.op in ELEMENTWISE and node.out.data.size == n for node, leads in reaches.items() if leads)


def _one_backward(result, output, x):
    """f'(x_i) for every i: backward from a ones output gradient (the Jacobian is diagonal)."""
    if output is x:
        return numpy.ones(B.to_host(x.data).shape, dtype=B.to_host(x.data).dtype)
    if output.grad_fn is None:
        return numpy.zeros(B.to_host(x.data).shape, dtype=B.to_host(x.data).dtype)
    errors = FloatErrors(result.warnings)
    errors.quiet = True
    with errors.watch():
        grads = backward(output, B.ones(tuple(output.data.shape), dtype=output.data.dtype), inputs=[x],
                         accumulate=False)
    g = grads.get(x)
    if g is None:
        return numpy.zeros(B.to_host(x.data).shape, dtype=B.to_host(x.data).dtype)
    return B.to_host(g.data if type(g) is Tensor else g)


def _jacobian_parts(result, expr, leaves, names, axis):
    """The Jacobian's diagonal (the range's variable) or column (a one-number variable), per name."""
    from .jacobians import jacobians
    scratch = Result(expr)
    values = {name: B.to_host(t.data) for name, t in leaves.items()}  # (the values bound, not drawn again)
    jac = jacobians(scratch, expr, values, wrt=names)
    result.warnings += [w for w in scratch.warnings if w not in result.warnings]
    for name in names:
        j = numpy.asarray(jac[name])
        n = j.shape[0]
        if name == axis:
            result.df[name], result.method[name] = numpy.ascontiguousarray(numpy.diagonal(j.reshape(n, n))), DIAGONAL
        else:
            result.df[name], result.method[name] = j.reshape(n), COLUMN


def _noting_draws(evaluate):
    """(evaluate(), did it draw random numbers?): did the default generator move?"""
    before = None if state.rng is None else state.rng.state_bytes()
    value = evaluate()
    return value, state.rng is not None and (before is None or state.rng.state_bytes() != before)
