"""The reverse-mode calculus commands' work (`agcli vjp`, `hessian`, `hvp`, `vhp`):
an expression as a function of its differentiated variables, handed to PyTorch's
torch.autograd.functional (torchapi/functional.py), the answers as host arrays.

calculus.py registers the commands and prepares the plan, the leaves and the
names; the functions here compute. Values for --grad-output and --vector are
binding texts (or values), read as `agcli grad` reads them.
"""
from __future__ import annotations

import numpy

from ..engine.backend import dtype_name, from_host, to_host
from ..engine.ops.pointwise import MASKED_FILL
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..state import state
from ..torchapi import creation as C
from ..torchapi import functional as AF
from .bindings import parse_value
from .result import tuple_output
from .float_warnings import FloatErrors


# functional.jacobian stacks one row per output element; with none, torch.stack's error
NOTHING_STACKED = "stack expects a non-empty TensorList"


def limit_matrix(what, m, n, rows="outputs", hint="differentiate fewer variables (--wrt)"):
    """Refuse a Jacobian (or Hessian, or gradcheck's numerical Jacobian) of more than
    --max-elements elements before any of it is made."""
    if m * n > state.max_elements:
        raise AgcliError(f"the {what} would have {m * n} elements ({m} {rows} x {n} inputs), more than the "
                         f"limit of {state.max_elements}", kind="limit", hint=f"raise it with --max-elements N, or "
                         f"{hint}")


def as_function(plan, leaves, names):
    """The expression as PyTorch's functional API takes a function: the variables
    `names` (in order) as arguments, every other binding a constant."""
    def expression(*tensors):
        env = dict(leaves)
        env.update(zip(names, tensors))
        value = plan.run(env)
        if isinstance(value, tuple):
            tuple_output(value)
        return C.as_tensor(value)
    return expression


def host(t):
    return None if t is None else to_host(t.data)


def quietly(result):
    """The floating-point context of the derivatives' work: NumPy's warnings silenced
    (the forward's are the value's warnings already; a gradient's nan shows in it)."""
    errors = FloatErrors(result.warnings)
    errors.quiet = True
    return errors.watch()


def given_tensor(text, like, option):
    """A --grad-output / --vector value (binding text or a value) as a tensor of `like`'s dtype."""
    if isinstance(text, str):
        array = parse_value(option, text)
    else:
        array = to_host(C.as_tensor(text).data)
    return Tensor(from_host(numpy.asarray(array, dtype=dtype_name(like.data.dtype))), device=like.device)


def vjp(result, plan, leaves, names, grad_output=None):
    """v^T J for each variable: torch.autograd.functional.vjp(f, inputs, v) (v None: a scalar output's 1)."""
    fn = as_function(plan, leaves, names)
    inputs = tuple(leaves[n] for n in names)
    with quietly(result):
        v = None
        if grad_output is not None:
            v = given_tensor(grad_output, _output_like(fn, inputs), "grad-output")
        try:
            _, products = AF.vjp(fn, inputs, v)
        except AgcliError as e:
            if v is None and e.hint is None and e.message.startswith("The vector v can only be None"):
                shape = tuple(_output_like(fn, inputs).shape)
                e.hint = (f"the output has shape {shape}: give v as --grad-output VALUE of that shape "
                          f"('ones({', '.join(map(str, shape))})': the gradient of its sum)")
            raise
    return {name: host(p) for name, p in zip(names, products)}


def _output_like(fn, inputs):
    """What the output's dtype is (a forward without a graph)."""
    from ..engine.tensor import set_grad_enabled
    with set_grad_enabled(False):
        return fn(*inputs)


def hessian(result, plan, leaves, names):
    """{x: {y: d²out/dx dy}} of a scalar output, shape x.shape + y.shape
    (torch.autograd.functional.hessian with the variables as a tuple of inputs):
    forward over reverse in one pass where every op on the way has a forward-mode
    rule, else PyTorch's own algorithm (a backward per gradient element)."""
    fn = as_function(plan, leaves, names)
    inputs = tuple(leaves[n] for n in names)
    if any(not x.data.size for x in inputs):        # (the Jacobian of an empty gradient: no rows to stack)
        raise AgcliError(NOTHING_STACKED)
    n = sum(int(x.data.size) for x in inputs)
    limit_matrix("Hessian", n, n, rows="inputs")
    with quietly(result):
        # (anomaly mode: PyTorch's double backward, whose nan it looks for; forward mode's rules may have none)
        blocks = None if state.detect_anomaly else _forward_over_reverse(fn, inputs)
        if blocks is not None and not all(_finite(b) for row in blocks for b in row):
            blocks = None       # (forward mode's inf and nan stand in a column where PyTorch's are in a row)
        if blocks is None:
            blocks = AF.hessian(fn, inputs)
    return {a: {b: host(blocks[i][j]) for j, b in enumerate(names)} for i, a in enumerate(names)}


def _finite(block) -> bool:
    array = host(block)
    return array is None or array.dtype.kind != "f" or bool(numpy.isfinite(array).all())


def _forward_over_reverse(fn, inputs):
    """The Hessian's blocks [i][j] from one evaluation: each input carries a batch of
    tangents (its columns of one identity, engine/forward.py), the gradient is taken with
    create_graph, and its tangents are the Hessian's rows. None when some op on the way has
    no forward-mode rule (or the output is not a single element: PyTorch's checks then)."""
    from ..engine import backend as B
    from ..engine import forward as FW
    from ..engine.backward import reachable
    from ..state import state
    if state.dual is not None:
        return None
    numels = [int(x.data.size) for x in inputs]
    basis = AF.standard_basis(inputs, numels)
    diff = []
    level = FW.enter_level()
    try:
        for x, block in zip(inputs, basis):
            d = x.detach()
            d.requires_grad = True
            # row r: direction r; a tensor, as the primal requires grad (the rules then run on tensors)
            level.give(d, Tensor(B.xp.reshape(block.data, (sum(numels),) + tuple(x.shape)), device=x.device))
            diff.append(d)
        out = fn(*diff)
        if out.data.size != 1 or out.grad_fn is None or not _forward_rules_everywhere(reachable(out.grad_fn)):
            return None
        grads = AF.grad_of((out,), diff, create_graph=True)
        for g in grads:
            if g is not None and g.grad_fn is not None and not _forward_rules_everywhere(reachable(g.grad_fn),
                                                                                         picks=False):
                return None
        tangents = [None if g is None else FW.tangent_of(g) for g in grads]
    finally:
        FW.exit_level(level)
    blocks, starts = [], [sum(numels[:k]) for k in range(len(numels))]
    for i, (x_i, t) in enumerate(zip(inputs, tangents)):
        row = []
        for j, x_j in enumerate(inputs):
            shape = tuple(x_i.shape) + tuple(x_j.shape)
            if t is None:
                row.append(C.zeros(shape, dtype=dtype_name(x_i.data.dtype)))
                continue
            part = (t.data if type(t) is Tensor else t)[starts[j]:starts[j] + numels[j], ...]
            part = B.xp.reshape(part, (numels[j], -1))
            row.append(Tensor(B.xp.reshape(B.xp.permute_dims(part, (1, 0)), shape)))
        blocks.append(row)
    return blocks


def _forward_rules_everywhere(nodes, picks=True) -> bool:
    """Has every node a forward-mode rule for each input a gradient flows to (one a tangent may take)?
    picks False: and none picks between values (where, masked_fill: a gradient's formula masked at a
    point where it is undefined, as sinc's at 0). Forward mode takes only the picked value's tangent
    there, where PyTorch's reverse-over-reverse Hessian carries the other's nan (0 * nan): its
    algorithm then, and PyTorch's nan."""
    for node in nodes:
        rules = node.op.jvps
        if rules is None or not picks and (callable(rules) or node.op is MASKED_FILL):
            return False
        if callable(rules):             # one rule for all the inputs (engine/op.py)
            continue
        if any(nxt is not None and (i >= len(rules) or rules[i] is None) for i, nxt in enumerate(node.next)):
            return False
    return True


def vectors_for(names, leaves, vectors, command):
    """One --vector per variable: a scalar variable may leave it out (1); otherwise the
    missing ones are named in one error; a vector for a variable not differentiated too."""
    vectors = dict(vectors or {})
    extra = [n for n in vectors if n not in names]
    if extra:
        raise AgcliError(f"--vector {', '.join(extra)}: {'it is' if len(extra) == 1 else 'they are'} not "
                         "among the variables differentiated", kind="usage",
                         hint="give a --vector NAME=VALUE for each variable of --wrt (default: every binding)")
    missing = [n for n in names if n not in vectors and leaves[n].data.size != 1]
    if missing:
        listed = " ".join(f"--vector {n}=..." for n in missing)
        raise AgcliError(f"{command} needs a vector for each variable differentiated; missing: "
                         f"{', '.join(missing)}", kind="usage",
                         hint=f"add {listed} (a value of the variable's shape); a scalar variable's defaults to 1")
    out = []
    for n in names:
        if n in vectors:
            out.append(given_tensor(vectors[n], leaves[n], f"vector {n}"))
            check_vector_shape(n, out[-1].shape, leaves[n].shape)
        else:
            out.append(C.ones_like(leaves[n]))
    return tuple(out)


def check_vector_shape(name, shape, variable_shape):
    """A --vector has its variable's shape (PyTorch's "v has invalid size"), checked before
    anything is computed with it: the same binding error (exit 2) in jvp, hvp and vhp."""
    if tuple(shape) != tuple(variable_shape):
        raise AgcliError(f"the --vector for {name} has shape {tuple(shape)}, but {name} has shape "
                         f"{tuple(variable_shape)}", kind="binding", origin=f"--vector {name}",
                         hint="PyTorch: v has invalid size: a tangent has its variable's shape")


def second_order_product(result, plan, leaves, names, vectors, which):
    """H v (hvp) or v^T H (vhp) of a scalar output, per variable."""
    fn = as_function(plan, leaves, names)
    inputs = tuple(leaves[n] for n in names)
    v = vectors_for(names, leaves, vectors, which)
    with quietly(result):
        _, products = (AF.hvp if which == "hvp" else AF.vhp)(fn, inputs, v)
    return {name: host(p) for name, p in zip(names, products)}
