"""Reverse-mode backward: walk the tape from the output back to the leaves.

Without recursion: the nodes reachable from the output are gathered with an
explicit stack and visited in reverse creation order, which is the order the
tape recorded them, reversed. Rules get raw arrays unless `create_graph`
asks for a differentiable gradient; then they get tensors and are recorded
like any other op.
"""
from __future__ import annotations

from operator import attrgetter

from ..errors import AgcliError
from ..state import state
from .accumulate import accumulate_grad, as_leaf, laid_out_as
from .backend import asarray, astype, copy, empty, ndarray, view_base
from .hooks import Watch, watching
from .ops.reductions import SUM
from .ops.layout import sum_to_array
from .ops.shapes import sum_to, to_dtype
from .backward_messages import SECOND_BACKWARD, modified_message
from .backward_roots import _leading_to, checked_grad_output, more_roots, ones_like, reachable_from
from .formula_order import InFormulaOrder, send_recorded
from .tensor import AccumulateGrad, Tensor, apply


def reachable(root):
    """Nodes reachable from `root`, in reverse creation order (tape order, reversed)."""
    if type(root) is AccumulateGrad:
        return []
    nodes = [root]
    seen = {root, None}     # (nodes hash by identity; leaves' sinks are seen once too; None: no edge)
    add, append = seen.add, nodes.append
    for node in nodes:      # (the list is the queue: a loop over a list visits what is appended to it)
        for nxt in node.next:
            if nxt not in seen:
                add(nxt)
                if type(nxt) is not AccumulateGrad:
                    append(nxt)
    nodes.sort(key=_creation, reverse=True)
    return nodes


_creation = attrgetter("seq")


def propagate(steps, grads, observer=None):
    """The backward loop over steps: replays run it, and graph passes that hooks, inputs, an
    observer or create_graph watch or filter (_plain_pass runs the others); `send` is each
    step's work, the one place gradients go through rules, sum_to and casts.

    steps: in backward's order, (key, out, args, edges) per op that may
    have a gradient to send, an edge being (vjp, params, input shape, input
    dtype or None, target key); grads: key -> gradient, the output's to begin
    with. Each step's gradient goes through its rules to its inputs' keys;
    what is left in grads at the end is what reached the leaves. (Keys are
    the graph's nodes, or a replay's slots.) observer(key, g, edges) -> edges,
    for `agcli graph` and `explain` only, sees each step and what its edges carry.
    """
    for key, out, args, edges in steps:
        g = grads.pop(key, None)
        if g is None:
            continue
        if observer is not None:
            edges = observer(key, g, edges)
        send(g, out, args, edges, grads)
    return grads


def send(g, out, args, edges, grads):
    """One step's gradient g through its edges' rules into grads (see propagate)."""
    if type(edges) is InFormulaOrder:
        return send_recorded(g, out, args, edges, grads)
    for vjp, params, shape, dtype, target in edges:
        gi = vjp(g, out, *args, **params) if params else vjp(g, out, *args)    # (** copies even {})
        if gi is None:              # (op.undefined: PyTorch's undefined gradient, nothing to add)
            continue
        if getattr(gi, "shape", None) != shape:
            gi = sum_to(gi, shape)          # broadcasting, undone in one place
        if dtype is not None and gi.dtype != dtype:
            gi = to_dtype(gi, dtype)        # back to the input's own dtype, as PyTorch's engine does
        prev = grads.get(target)
        grads[target] = gi if prev is None else prev + gi


def edges_of(node):
    """What propagate needs of a node's inputs (see its docstring)."""
    op, params, shapes, casts = node.op, node.params, node.shapes, node.casts
    vjps, variadic = op.vjps, op.variadic
    edges = []
    i = 0
    for nxt in node.next:
        if nxt is not None:
            if variadic:
                edges.append((vjps[0], {"i": i, **params}, shapes[i], None if casts is None else casts[i], nxt))
            else:
                edges.append((vjps[i], params, shapes[i], None if casts is None else casts[i], nxt))
        i += 1
    return edges


def _graph_steps(order, grads, create_graph, retain_graph, retain_grads, asked, needed, caught, watch=None):
    """The steps of a recorded graph, checked and released as PyTorch does;
    `watch` (hooks.py) runs the hooks and anomaly checks when there are any."""
    for node in order:
        g = grads.get(node)
        if g is None:
            continue
        if watch is not None and needed is not None and node not in needed:
            g = grads[node] = watch.tensor_hooks(node, g)     # PyTorch: before it captures a node it skips
        if asked and node in asked:
            caught.append((asked[node], g))
        if needed is not None and node not in needed:
            del grads[node]
            continue
        if watch is not None:
            g = grads[node] = watch.tensor_hooks(node, g)
        # (before the node runs, as PyTorch's retain_grad hook: after the tensor's hooks)
        # (its latest version's node only: one changed in place since is another node's output now)
        if retain_grads and node.out is not None and node.out.retains_grad and node.out.grad_fn is node:
            accumulate_grad(node.out, g if type(g) is Tensor else asarray(g, dtype=node.out.data.dtype), create_graph,
                            in_place=False)
        if watch is not None:
            g = grads[node] = watch.pre_hooks(node, g)
        op = node.op
        if op.saves:
            _check_saved(node)
        # (an op's rules, or a program's backward for all inputs at once: engine/function_node.py)
        edges = edges_of(node) if op.vjps is not None else node.edges(g, create_graph)
        inputs = [i for i, nxt in enumerate(node.next) if nxt is not None] if create_graph else None
        if watch is not None:       # (hooks and anomaly checks see every input's gradient)
            edges = watch.redirect(node, edges)
        elif needed is not None:    # autograd.grad(y, inputs): only the edges toward an input carry anything
            kept = [k for k, e in enumerate(edges) if e[4] in needed or e[4] in needed.targets]
            edges, inputs = [edges[k] for k in kept], inputs and [inputs[k] for k in kept]
        # Rules see tensors when the gradient must itself be differentiable,
        # raw arrays otherwise (no graph is built for them: cheaper).
        if create_graph:
            if op.vjps is not None:     # (a program's Function computes all its gradients at once)
                edges = InFormulaOrder(edges, inputs, op.order)
            yield node, node.out, node.inputs, edges
        else:
            yield node, node.out.data, node.arrays, edges
        if not retain_graph:
            _release(node)
        if watch is not None:
            watch.after(node, g, grads)


def _plain_pass(order, grads, retain_graph):
    """propagate(_graph_steps(...)) for a pass that nothing watches or filters (no hooks,
    inputs, retained grads, create_graph nor observer: most passes), without the generator
    and its tests: the same steps, checks and release.

    A node of one or two inputs, without params or casts (most ops), sends its gradient
    here as `send` would, without its edges built: each rule called with the arrays
    spelled out (a call with *args costs as much as a small rule)."""
    pop, get = grads.pop, grads.get
    for node in order:
        g = pop(node, None)
        if g is None:
            continue
        op = node.op
        saves = op.saves
        if saves and (node.released or state.version_bumps and node.seq < state.bumped_at):
            _check_saved(node)
        vjps, args = op.vjps, node.arrays
        if vjps is None or op.variadic or node.params or node.casts is not None or len(args) > 2:
            send(g, node.out.data, args, edges_of(node) if vjps is not None else node.edges(g, False), grads)
        else:
            out = node.out.data
            if len(args) == 2:      # (each input's step spelled out: no loop, no index)
                a, b = args
                first, second = node.next
                if first is not None:
                    gi = vjps[0](g, out, a, b)
                    if type(gi) is not ndarray or gi.shape != node.shapes[0]:
                        gi = _summed_back(gi, node.shapes[0])
                    prev = get(first)
                    grads[first] = gi if prev is None else prev + gi
                if second is not None:
                    gi = vjps[1](g, out, a, b)
                    if type(gi) is not ndarray or gi.shape != node.shapes[1]:
                        gi = _summed_back(gi, node.shapes[1])
                    prev = get(second)
                    grads[second] = gi if prev is None else prev + gi
            else:
                first, = node.next
                if first is not None:
                    gi = vjps[0](g, out, args[0])
                    if type(gi) is not ndarray or gi.shape != node.shapes[0]:
                        gi = _summed_back(gi, node.shapes[0])
                    prev = get(first)
                    grads[first] = gi if prev is None else prev + gi
        if not retain_graph:         # (_release and Node.free, spelled out: a call per node costs)
            if saves:
                node.inputs = node.arrays = node.out = None
            node.released = True


def _fresh_arrays(order):
    """The saved inputs' data as it is now, after x.data = t: PyTorch saves an input as the tensor
    itself (its TensorImpl, whose data set_data replaced), so backward reads the new data."""
    for node in order:
        inputs, arrays = node.inputs, node.arrays
        if inputs and arrays is not None:
            node.arrays = [a if type(t) is not Tensor or a is t.data else t.data if t.data.dtype == a.dtype else
                           astype(t.data, a.dtype) for t, a in zip(inputs, arrays)]


def _summed_back(gi, shape):
    """A rule's gradient of another shape than its input's (or not an array) summed back to it."""
    if type(gi) is ndarray:
        return sum_to_array(gi, shape)
    return gi if getattr(gi, "shape", None) == shape else sum_to(gi, shape)


def _check_saved(node):
    """PyTorch's errors for a node whose saved tensors were freed, or changed in place since."""
    if node.released:
        raise AgcliError(SECOND_BACKWARD)
    changed = node.modified() if state.version_bumps else None    # (none changed in place: no call)
    if changed is not None:
        raise AgcliError(modified_message(node, *changed))


def _release(node):
    """Saved tensors go, as PyTorch frees its buffers. An op that saves nothing
    (Op.saves False) reads only shapes in its rules, so its graph can run backward
    again, as in PyTorch."""
    if node.op.saves:
        node.free()
    node.released = True


def backward(output: Tensor, grad_output=None, *, retain_graph: bool | None = None,
             create_graph: bool = False, inputs=None, accumulate: bool = True, nodes=None,
             retain_grads: bool = False, observer=None, into=None, also=()):
    """Propagate `grad_output` (ones for a scalar) from `output` to the leaves.

    accumulate=True adds into each leaf's .grad (Tensor.backward) and returns {};
    accumulate=False returns {leaf: grad} instead (torch.autograd.grad).
    nodes: reachable(output.grad_fn), when the caller has it already.
    retain_grads: fill .grad of non-leaves that asked for it (.retain_grad()).
    observer: what propagate hands each step to (evaluate/graph.py), or None.
    into: a dict that takes {leaf: gradient array} for each leaf without a .grad yet, in
    place of its new .grad (evaluate reads the arrays: no Tensor made for each).
    also: more (output, grad_output) pairs, in the same pass (backward_roots.py).
    """
    if retain_graph is None:  # PyTorch: a differentiable gradient keeps the graph by default
        retain_graph = create_graph
    root = output.grad_fn
    if root is None:
        if output.requires_grad:  # a leaf: its gradient is grad_output itself
            root = output.edge()
        else:
            raise AgcliError("element 0 of tensors does not require grad and does not have a grad_fn")
    order = [] if type(root) is AccumulateGrad else nodes if nodes is not None else reachable(root)
    if state.data_swaps:
        _fresh_arrays(order)
    watch = Watch(order) if watching() else None
    plain = watch is None and inputs is None and not retain_grads and not create_graph and observer is None \
        and not also
    if grad_output is None:
        if output.data.size != 1:
            raise AgcliError("grad can be implicitly created only for scalar outputs")
        # (None: the output is a whole sum, whose step is skipped below)
        grad_output = None if plain and order and root.op is SUM and root.casts is None else ones_like(output.data)
    else:
        grad_output = checked_grad_output(grad_output, output)

    if grad_output is None:
        # Most outputs are a whole sum: its input's gradient, ones, is made at once (the
        # sum's step would expand a 0-d one), and the sum is done with as its step would be.
        grads = {root.next[0]: _ones(root.shapes[0], output.data.dtype)}
        order = order[1:]
        if not retain_graph:
            root.released = True
    else:
        if type(grad_output) is Tensor and not create_graph:
            grad_output = grad_output.data
        elif create_graph and type(grad_output) is not Tensor:
            grad_output = Tensor(grad_output, device=output.device)
        grads = {root: grad_output}
        if also:
            order = reachable_from([root] + more_roots(also, grads, create_graph), reachable)
            if state.data_swaps:
                _fresh_arrays(order)
            watch = Watch(order) if watch is not None else None
    # Non-leaf tensors asked for by `inputs` (autograd.grad(y, [z])): caught as their node runs.
    asked = {} if inputs is None else {t.grad_fn: t for t in inputs if t.grad_fn is not None}
    caught = []
    needed = None if inputs is None else _leading_to(order, inputs)
    enabled, state.grad_enabled = state.grad_enabled, create_graph    # (set_grad_enabled, spelled out)
    try:
        if plain:
            _plain_pass(order, grads, retain_graph)
        else:
            propagate(_graph_steps(order, grads, create_graph, retain_graph, retain_grads, asked, needed, caught,
                                   watch), grads, observer)
    finally:
        state.grad_enabled = enabled

    results = {}
    handed_out = {id(grad_output.data if type(grad_output) is Tensor else grad_output)}  # arrays a .grad must not share
    if watch is not None:           # leaves whose hooks have not run yet (the output itself, say)
        for n in [n for n in grads if type(n) is AccumulateGrad and n not in watch.done]:
            grads[n] = watch.leaf(n, grads[n])
    if into is not None and accumulate and inputs is None and not caught:
        # (evaluate's pass: each leaf's array of its own dtype handed out as _hand_out would)
        for n, g in grads.items():
            if type(n) is AccumulateGrad:
                leaf = n.variable
                if type(g) is ndarray and g.dtype is leaf.data.dtype and leaf.grad is None \
                        and leaf.data.flags.c_contiguous:
                    address = id(g)
                    into[leaf] = copy(g) if address in handed_out or view_base(g) is not None \
                        or not g.flags.c_contiguous else g
                    handed_out.add(address)
                else:
                    _hand_out(leaf, g, handed_out, results, into, accumulate, create_graph)
        return results
    reached = [(n.variable, g) for n, g in grads.items() if type(n) is AccumulateGrad]
    for leaf, g in reached + caught if caught else reached:
        if inputs is None or any(leaf is t for t in inputs):
            _hand_out(leaf, g, handed_out, results, into, accumulate, create_graph)
            if watch is not None and accumulate:
                watch.accumulated(leaf)
    return results


def _hand_out(leaf, g, handed_out, results, into, accumulate, create_graph):
    """A leaf's gradient g: into `results` (not accumulate), `into`, or its .grad."""
    if type(g) is Tensor:
        array = g.data
    elif type(g) is ndarray and g.dtype is leaf.data.dtype:
        array = g
    else:
        g = array = asarray(g, dtype=leaf.data.dtype)      # (a NumPy number: a 0-d array)
    if not accumulate:
        results[leaf] = g if type(g) is Tensor else Tensor(g, device=leaf.device)
        return
    if not leaf.requires_grad:      # set False since the graph was made: AccumulateGrad reads it as it runs
        return
    # A gradient array is copied only if someone else may hold it too (a view, the caller's grad_output, or one
    # handed to a leaf), or if it is not laid out as its leaf (PyTorch's AccumulateGrad: accumulate.as_leaf).
    address = id(array)
    shared = address in handed_out or view_base(array) is not None or not as_leaf(array, leaf.data)
    handed_out.add(address)
    if shared and array is g and leaf.grad is None:     # (array is g: not a Tensor)
        g = array = laid_out_as(array, leaf.data)
        shared = False
    if into is not None and array is g and leaf.grad is None:
        into[leaf] = array
        return
    accumulate_grad(leaf, g, create_graph, shared)


def release(roots):
    """Free the saved tensors of every node below `roots` (what backward does without
    retain_graph), for a backward PyTorch runs in one pass over several roots."""
    for root in roots:
        if root is None or type(root) is AccumulateGrad:
            continue
        for node in reachable(root):
            if node.op.saves:
                node.free()
            node.released = True


def _ones(shape, dtype):
    """A fresh array of ones (numpy.ones is slow for small ones)."""
    out = empty(shape, dtype=dtype)
    out[...] = 1
    return out
