"""The one job every front end runs: bind, evaluate, backward, collect.

`evaluate` is what `agcli grad`, each line of `agcli batch` and the Python
API (`agcli.grad`) call; it returns a Result and never prints. A repeated
expression is replayed (engine/replay.py) once a recording of it has been
checked against a full evaluation.
"""
from __future__ import annotations

from typing import Mapping

import numpy

from ..device import choose
from ..engine.backend import ON_HOST, dtype as backend_dtype, dtype_name, from_host, to_host
from ..engine.backward import backward, reachable
from ..engine.replay import build
from ..engine.tensor import Tensor
from ..errors import AgcliError, detached
from ..state import state
from ..torchapi import creation as C
from .bindings import binding_array, parse_value
from .float_warnings import FloatErrors, gradient_warnings
from .plans import forget_oldest, plan_for
from .result import Result, same_result, tuple_output

__all__ = ["Result", "evaluate", "grad", "settings", "configure", "plan_for"]


_FLOAT_DTYPES = ("float32", "float64")


def settings(*, dtype: str = "float64", seed: int | None = None, max_elements: int = 10**8,
             detect_anomaly: bool = False) -> dict:
    """The state fields for these options, checked (for `state.using(**...)` or `configure`)."""
    if dtype not in _FLOAT_DTYPES:
        raise AgcliError(f"--dtype must be float32 or float64, not {dtype!r}", kind="usage")
    return {"default_float": dtype, "seed": seed, "rng": None, "max_elements": max_elements, "anomaly_check_nan": True,
            "unchecked_up_to": min(10**6, max_elements), "detect_anomaly": bool(detect_anomaly)}


def configure(*, dtype: str = "float64", seed: int | None = None, max_elements: int = 10**8,
              detect_anomaly: bool = False):
    """Set the state for a whole command (the CLI's edge); the Python API scopes it instead."""
    s = state
    if (s.rng is None and s.default_float == dtype and dtype in _FLOAT_DTYPES and s.seed is seed
            and s.max_elements is max_elements and s.detect_anomaly is detect_anomaly
            and s.anomaly_check_nan is True):
        return      # as the last batch line left it (the common case): nothing to set
    for name, value in settings(dtype=dtype, seed=seed, max_elements=max_elements,
                                detect_anomaly=detect_anomaly).items():
        setattr(state, name, value)


def bind(name: str, value) -> Tensor:
    """A binding's value as a floating-point leaf (not yet requiring grad): a host
    array checked, then sent to the device (the one transfer a binding makes)."""
    chosen = False      # (whether the binding chose its floating dtype: it keeps it)
    if isinstance(value, str):
        array, chosen = binding_array(name, value)
    elif type(value) is Tensor:
        array = to_host(value.data)
    else:
        try:
            array = to_host(C.as_tensor(value).data)
        except AgcliError as e:
            raise AgcliError(f"the value of --{name} is not a tensor: {e.message}", kind="binding",
                             origin=f"--{name}") from None
    default = _DTYPES.get(state.default_float)      # (most are already in it: no kind test, no astype call)
    dtype = array.dtype
    if dtype is not default and dtype.kind not in "biuf":
        raise AgcliError(f"the value of --{name} is not numeric", kind="binding", origin=f"--{name}")
    if array.size > state.max_elements:
        C.check_size(array.shape, f"--{name}")
    if dtype is not default and not chosen:
        with numpy.errstate(over="ignore"):                    # (1e300 in float32 is inf, as in PyTorch)
            array = array.astype(state.default_float, copy=False)
    # (name passed by position: a class called with keywords has a dict made for them)
    return Tensor(array if ON_HOST else from_host(array), False, name)


_DTYPES = {name: numpy.dtype(name) for name in _FLOAT_DTYPES}


# What evaluate knows of each (expression, settings, leaves' names, shapes, dtypes and
# requires_grad), from one sighting to the next:
#   (absent)  never seen: evaluate in full;
#   SEEN      seen once (kept under its key's hash): evaluate in full again, recording the ops;
#   a Replay  recorded: its first use is checked against a full evaluation
#             (replay.verified), later ones only replay;
#   NEVER     do not replay (it cannot be, or a replay diverged once).
SEEN, NEVER = "seen", "never"
_replays: dict = {}


def evaluate(expr: str, bindings: Mapping[str, object], *, wrt=None, grad_output=None,
             strict: bool = False, observer=None) -> Result:
    """Evaluate `expr` with `bindings`, backward from its value, collect it all.

    wrt: the names that require grad (default: every binding).
    grad_output: backward's gradient for a non-scalar output (a value or binding text).
    strict: a binding the expression does not read is an error, not a warning.
    observer: sees the graph and backward's steps (`agcli graph`, `explain`: evaluate/graph.py);
    it turns replays off.
    Errors are caught into `result.error`; the caller decides how to show them.
    """
    result = Result(expr)
    plan = None
    # Nothing outlives a line but its Result, and an expression changes nothing in place
    # (only an op's own bookkeeping does, as v @ M's squeeze_): its nodes skip the
    # version record again (engine/tensor.py: Node) until a bump in this line.
    state.version_bumps = 0
    try:
        plan = plan_for(expr, bindings)
        if plan.unused:
            _unused(result, plan.unused, strict)
        leaves = {name: bind(name, value) for name, value in bindings.items()}
        wanted = set(leaves) if wrt is None else set(wrt)
        unknown = () if wrt is None else wanted - leaves.keys()
        if unknown:
            raise AgcliError(f"--wrt names {', '.join(sorted(unknown))}, which "
                             f"{'is' if len(unknown) == 1 else 'are'} not bound", kind="usage",
                             hint="bind each with --NAME VALUE")
        for name in wanted:
            leaves[name].requires_grad = True
        key = known = None
        unused_warnings = tuple(result.warnings)
        if grad_output is None and plan.replayable is not False and observer is None and not state.detect_anomaly:
            key = (expr, *state.key(),
                   tuple([(name, leaf.data.shape, leaf.data.dtype, leaf.requires_grad)
                          for name, leaf in leaves.items()]))
            known, hashed = _replays.get(key), None
            if known is None:       # (SEEN stands under the key's hash: taken once, for _learn too)
                hashed = hash(key)
                known = _replays.get(hashed)
            if known is SEEN and not plan.may_replay():
                known = _replays[key] = NEVER
            elif known not in (None, SEEN, NEVER) and known.verified:
                replayed = _replay(known, expr, leaves, unused_warnings)
                if replayed is not None:
                    return _explained(replayed, plan)
                known = _replays[key] = NEVER      # it diverged: evaluate in full from now on
        recording = [] if known is SEEN else None
        heard = len(state.warnings)
        output, order, made = _evaluate_graph(result, plan, leaves, wanted, grad_output, recording, observer)
        if (made or len(state.warnings) > heard) and key is not None:   # a replay knows the bound leaves only,
            _replays[key], key = NEVER, None                            # and says none of PyTorch's warnings
        if len(state.warnings) > heard:     # (PyTorch's warnings its functions gave: the result's)
            result.warnings[len(unused_warnings):len(unused_warnings)] = _heard(heard)
        if key is not None:
            _learn(key, hashed, known, recording, expr, leaves, wanted, output, order, result, unused_warnings)
    except AgcliError as e:
        if e.source is None and e.origin is None and e.span is not None:
            e.source = expr
        result.error = detached(e)
    except RecursionError:
        result.error = AgcliError("the expression is nested too deeply to evaluate", kind="limit",
                                  hint="split it into statements: t1 = ...; t2 = f(t1); ...")
    return _explained(result, plan)


def _heard(start) -> list:
    """The warnings PyTorch's functions gave since `start` (each once), taken from the state's list."""
    heard = list(dict.fromkeys(state.warnings[start:]))
    del state.warnings[start:]
    return heard


def _explained(result, plan):
    """Say why each variable without a gradient has none (rare: it may parse again)."""
    if result.error is None:
        for g in result.grads.values():
            if g is None:
                from .why_none import reasons
                result.no_grad = reasons(result.expr, [n for n, g in result.grads.items() if g is None],
                                         plan.unused)
                break
    return result


def _unused(result, names, strict):
    """Warn of (or, strict, refuse) bindings the expression never reads: often a mistyped name."""
    listed = ", ".join(f"'{n}'" for n in names)
    few = len(names) == 1
    message = f"{listed} {'is' if few else 'are'} bound but the expression does not use {'it' if few else 'them'}"
    if strict:
        raise AgcliError(message, kind="usage", hint="remove the binding, or check the names for a typo")
    result.warnings.append(message)


def _learn(key, hashed, known, recording, expr, leaves, wanted, output, order, result, warnings):
    """The next state of a key after a full evaluation (see SEEN, NEVER above); hashed: hash(key),
    where `known` was looked up by it (absent or SEEN)."""
    if known is None:
        forget_oldest(_replays)
        _replays[hashed] = SEEN      # (the hash: a thousand kept keys slowed each line; a clash records early)
    elif known is SEEN:
        _replays.pop(hashed, None)
        _replays[key] = build(recording, leaves, wanted, output, order) or NEVER
    elif known is not NEVER:        # the first replay must give what the graph gave
        check = _replay(known, expr, leaves, warnings)
        known.verified = check is not None and same_result(check, result)
        if not known.verified:
            _replays[key] = NEVER


# The callback and context of evaluate's full evaluations and replays, made once: one after
# another, each takes them over for its own warnings (making them is most of a context's cost).
_ERRORS = FloatErrors([])
_WATCHING = _ERRORS.watch()


def _watched(warnings) -> FloatErrors:
    """The shared callback, reporting into `warnings` (enter _WATCHING for it to hear NumPy)."""
    _ERRORS.warnings, _ERRORS.quiet = warnings, False
    return _ERRORS


def _evaluate_graph(result, plan, leaves, wanted, grad_output, recording, observer=None):
    """Run the plan, recording the graph, and backward through it: the full evaluation.

    Returns the output tensor and the graph's nodes in backward's order.
    """
    errors = _watched(result.warnings)
    with _WATCHING:
        state.recording = recording
        env = dict(leaves)
        try:
            value = plan.run(env)
        finally:
            state.recording = None
        # Leaves the expression made itself (x = tensor([1., 2.], requires_grad=True); ...)
        # get their gradients shown too, after the bound ones.
        made = [name for name, v in env.items() if name not in leaves and type(v) is Tensor
                and v.requires_grad and v.grad_fn is None and all(v is not leaf for leaf in leaves.values())] \
            if len(env) != len(leaves) else ()     # (env only grows; most lines name nothing of their own: no scan)
        output = C.as_tensor(value) if not isinstance(value, tuple) else tuple_output(value)
        result.value = output.data if ON_HOST else to_host(output.data)
        result.grad_fn = output.grad_fn.name if output.grad_fn else None
        result.requires_grad = output.requires_grad
        nodes = _collect_nodes(result, output)
        g = None if grad_output is None else _grad_output(grad_output, output)
        if not output.requires_grad and grad_output is None and leaves:
            raise AgcliError("element 0 of tensors does not require grad and does not have a grad_fn",
                             hint="nothing differentiable links the value to the variables (argmax, .item(), "
                                  ".long(), .detach() and comparisons cut the gradient)")
        if g is None and output.data.size != 1 and output.requires_grad:
            shape = ", ".join(map(str, output.data.shape))
            raise AgcliError("grad can be implicitly created only for scalar outputs",
                             hint=f"the output has shape {tuple(output.data.shape)}; pass "
                                  f"--grad-output 'ones({shape})' for the gradient of its sum, or "
                                  "any tensor of that shape for a vector-Jacobian product")
        errors.quiet = True
        if observer is not None:
            observer.start(output, nodes)       # before backward frees what the nodes saved
        arrays = {}     # the leaves' gradients from backward (an observer reads them as .grad)
        backward(output, g, nodes=nodes, observer=observer, into=arrays if observer is None else None)
        result.grads = {name: arrays[leaf] if ON_HOST and leaf in arrays else _leaf_grad(leaf, arrays)
                        for name, leaf in leaves.items() if name in wanted}     # (a host array: no call)
        for name in made:
            result.grads[name] = _leaf_grad(env[name], arrays)
        gradient_warnings(result)
    # Nothing uses the graph after this: unlink its cycles (tensor <-> node, leaf <-> its AccumulateGrad) so
    # that reference counting frees it at once (a batch would leave the cyclic collector a graph a line).
    # A node's output is its one link back (its inputs and arrays point away from it).
    for node in nodes or ():
        node.out = None
    for leaf in leaves.values():
        leaf._accumulator = None
    return output, nodes, made


def _leaf_grad(leaf, arrays):
    """A leaf's gradient on the host, from backward's `arrays` or its .grad (None: it has none)."""
    if leaf in arrays:
        return to_host(arrays[leaf])
    return None if leaf.grad is None else to_host(leaf.grad.data)


def _replay(replay, expr, leaves, warnings=()):
    """The Result of replaying a recording on `leaves` (after `warnings`), or None if it cannot be replayed."""
    result = Result(expr)
    result.warnings.extend(warnings)
    errors = _watched(result.warnings)
    try:
        with _WATCHING:
            values = replay.run(leaves)
            errors.quiet = True
            grads = replay.backward(values)
            _fill(result, replay, leaves, values, grads)
            gradient_warnings(result)
    except Exception:      # replay.Diverged, or anything the recording did not foresee
        return None
    return result


def _fill(result, replay, leaves, values, grads):
    """Put into `result` what a full evaluation would have put there."""
    result.value = values[replay.output_slot] if ON_HOST else to_host(values[replay.output_slot])
    result.grad_fn = replay.grad_fn
    result.requires_grad = True
    result.json_cache = replay.json_cache
    result.node_records = [(name, grad_fn, shape, values[slot] if ON_HOST else to_host(values[slot]))
                           for name, grad_fn, shape, slot in replay.nodes]
    # A fresh copy each, as a leaf's .grad never shares memory with anything.
    result.grads = {name: None if grads.get(slot) is None else
                    numpy.asarray(grads[slot], dtype=leaves[name].data.dtype, copy=True) if ON_HOST else
                    numpy.asarray(to_host(grads[slot]), dtype=_host_dtype(leaves[name].data.dtype))
                    for name, slot in replay.grad_slots}


def _host_dtype(dtype):
    """The NumPy dtype of a device array's dtype (NumPy's: itself)."""
    return dtype if ON_HOST else numpy.dtype(dtype_name(dtype))


def _grad_output(value, output) -> Tensor:
    if isinstance(value, str):
        array = parse_value("grad-output", value)
    else:
        array = to_host(C.as_tensor(value).data)
    return Tensor(from_host(numpy.asarray(array, dtype=_host_dtype(output.data.dtype))))


def _collect_nodes(result, output):
    """The graph's nodes in execution order; returns them in backward's order."""
    if output.grad_fn is None:
        return None
    nodes = reachable(output.grad_fn)
    if ON_HOST:
        result.node_records = [(out.name, node.op.name, data.shape, data)
                               for node in reversed(nodes) for out in [node.out] for data in [out.data]]
    else:
        result.node_records = [(node.out.name, node.op.name, node.out.data.shape, to_host(node.out.data))
                               for node in reversed(nodes)]
    return nodes


def grad(expr: str, bindings: Mapping[str, object] | None = None, /, *, wrt=None, grad_output=None,
         dtype: str = "float64", seed: int | None = None, max_elements: int = 10**8, device: str | None = None,
         **variables) -> Result:
    """Differentiate `expr`: `agcli.grad("a*b", a=2, b=4).grads` -> {'a': 4.0, 'b': 2.0}.

    Variables come as keywords (or a `bindings` dict, for names that clash with
    the options). Raises agcli.AgcliError, which carries the line and column.
    device: "cpu" or "cuda", checked against the process's device (chosen once,
    when agcli's engine was first imported: AGCLI_DEVICE, else cpu); another is
    refused (AgcliError, kind 'usage'). None: the process's device.
    """
    if device is not None:
        choose(device)
    merged = dict(bindings or {})
    merged.update(variables)
    with state.using(**settings(dtype=dtype, seed=seed, max_elements=max_elements)):
        result = evaluate(expr, merged, wrt=wrt, grad_output=grad_output)
    if result.error is not None:
        raise result.error
    return result


def checked_replay(expr: str, shapes, wanted):
    """The recording evaluate replays for `expr` with leaves of these (name, shape)
    in binding order, those in `wanted` requiring grad, once it has been checked
    against a full evaluation; else None (a sweep: evaluate/sweeps.py)."""
    known = _replays.get(_replay_key(expr, shapes, wanted))
    return known if known not in (None, SEEN, NEVER) and known.verified else None


def expect_repeats(expr: str, shapes, wanted):
    """Lines of `expr` with leaves of these shapes will follow (a sweep's group): the next
    full evaluation records its ops, as on a second sighting, so that the one after it
    checks the recording and a group sweeps from its third line, not its fourth."""
    key = _replay_key(expr, shapes, wanted)
    if key not in _replays:
        forget_oldest(_replays)
        _replays[hash(key)] = SEEN


def _replay_key(expr: str, shapes, wanted) -> tuple:
    """evaluate's key for `expr` with leaves of these (name, shape) in the default dtype, those in
    `wanted` requiring grad."""
    default = backend_dtype(state.default_float)
    return (expr, *state.key(), tuple((name, shape, default, name in wanted) for name, shape in shapes))


def replayed(replay, expr: str, leaves):
    """What evaluate gives for one line by `replay` on these leaves (tensors), or None."""
    return _replay(replay, expr, leaves)
