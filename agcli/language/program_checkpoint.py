"""torch.utils.checkpoint: checkpoint and checkpoint_sequential, as torch/utils/checkpoint.py runs them.

use_reentrant=True (still the default, with PyTorch's warning) is PyTorch's CheckpointFunction: the
function runs under no_grad and its outputs get one `CheckpointFunctionBackward` node over the tensor
arguments; that node's backward runs the function again with grad on (on the generator's state of the
forward, then the state put back) and a backward of its own through that graph, which fills the .grad
of the parameters the function used. No input requiring grad: PyTorch's warning, and no history.

use_reentrant=False records the graph the function makes, as a plain call does: PyTorch's saved-tensor
hooks only drop and remake what the nodes keep, with the same values. (agcli computes nothing again, so
side effects of the function, a print, happen once where PyTorch's recomputation repeats them.)
"""
from __future__ import annotations

from ..engine.backward_messages import SECOND_BACKWARD, modified_message
from ..engine.function_node import FunctionNode, Port
from ..engine.tensor import Tensor, set_grad_enabled, version_of
from ..errors import AgcliError
from ..state import state
from ..torchapi import autograd, generator
from .program_autograd_function import own_view, zeros_of
from .program_exceptions import raise_python
from .program_values import type_name
from .nn.containers import Sequential
from .nn.native import call

_RECOMMENDED = ("use_reentrant=False is recommended, but if you need to preserve the current default behavior, you "
                "can pass use_reentrant=True. Refer to docs for more details on the differences between the two "
                "variants.")
NO_FLAG = ("UserWarning: torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
           "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. " + _RECOMMENDED)
NO_FLAG_SEQUENTIAL = ("UserWarning: torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
                      "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
                      "passed. " + _RECOMMENDED)
NOT_VALID = ("When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing an `inputs` "
             "parameter to .backward(). To resolve this error, you can either set use_reentrant=False, or call "
             ".backward() without passing the `inputs` argument.")


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default", debug=False,
               early_stop=True, **kwargs):
    if use_reentrant is None:
        state.warn(NO_FLAG)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise_python(ValueError("Unexpected keyword arguments: " + ",".join(kwargs)))
    if use_reentrant:
        if context_fn is not None or debug is not False:
            raise_python(ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False."))
        return _reentrant(function, preserve, args)
    if determinism_check not in ("default", "none"):
        raise_python(ValueError(f"determinism_check should be one of ['default', 'none'], but got "
                                f"{determinism_check}"))
    return invoke(function, args, kwargs)


def _reentrant(function, preserve, args):
    """CheckpointFunction.apply(function, preserve, *args)."""
    tensors = [a for a in args if type(a) is Tensor]
    if not any(t.requires_grad for t in tensors):      # (check_backward_validity)
        state.warn("UserWarning: None of the inputs have requires_grad=True. Gradients will be None")
    rng = generator.default_generator().state_bytes() if preserve else None
    with set_grad_enabled(False):
        result = invoke(function, args, {})
    if not (state.grad_enabled and any(t.requires_grad for t in tensors)):
        return result
    several = type(result) is tuple
    outputs = list(result) if several else [result]
    if not any(type(out) is Tensor for out in outputs):
        return result
    # an input handed back as it came: a view of it, as Function.apply makes one
    outputs = [own_view(out, several) if type(out) is Tensor and any(out is t for t in tensors) else out
               for out in outputs]
    first = next(out for out in outputs if type(out) is Tensor)
    stand_in = first if not several else Tensor(first.data, device=first.device)   # (no program sees it)
    versions = [(version_of(t), t.grad_fn) for t in tensors]        # (ctx.save_for_backward(*tensor_inputs))
    node = FunctionNode("CheckpointFunctionBackward", tensors, outputs, stand_in,
                        lambda grads: _backward(function, rng, args, versions, node, grads))
    for k, out in enumerate(outputs):
        if type(out) is Tensor:
            out.grad_fn = Port(node, k, out) if several else node
            out.requires_grad = True
    return tuple(outputs) if several else outputs[0]


def _backward(function, rng, args, versions, node, grads):
    """CheckpointFunction.backward: the function again, with grad, and a backward through it."""
    if not autograd.checkpoint_valid():
        raise AgcliError(NOT_VALID)
    if node.released:               # (its saved inputs went with the first backward)
        raise AgcliError(SECOND_BACKWARD)
    for t, (version, maker) in zip(node.tensor_inputs, versions):
        if version_of(t) != version:
            raise AgcliError(modified_message(node, t, version, maker))
    grads = [zeros_of(out) if g is None and type(out) is Tensor else g for g, out in zip(grads, node.outputs)]
    detached = [_detached(a) for a in args]
    g = generator.default_generator()
    before = g.state_bytes() if rng is not None else None
    try:
        if rng is not None:
            g.set_state_bytes(rng)
        with set_grad_enabled(True):
            outputs = invoke(function, tuple(detached), {})
    finally:
        if before is not None:
            g.set_state_bytes(before)
    outputs = outputs if type(outputs) is tuple else (outputs,)
    with_grad = [(out, grads[i]) for i, out in enumerate(outputs) if type(out) is Tensor and out.requires_grad]
    if not with_grad:
        raise AgcliError("none of output has requires_grad=True, this checkpoint() is not necessary")
    autograd.autograd_backward([out for out, _ in with_grad], [g for _, g in with_grad])
    return [d.grad for d in detached if type(d) is Tensor]


def invoke(f, args, kwargs):
    """f(*args, **kwargs): a program's functions, modules and methods are Python callables here."""
    if not callable(f) or type(f) is Tensor:
        raise_python(TypeError(f"'{type_name(f)}' object is not callable"))
    return f(*args, **kwargs)


def _detached(a):
    if type(a) is not Tensor:
        return a
    d = a.detach()
    d.requires_grad = a.requires_grad
    return d


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    if use_reentrant is None:
        state.warn(NO_FLAG_SEQUENTIAL)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise_python(ValueError("Unexpected keyword arguments: " + ",".join(kwargs)))
    if isinstance(functions, Sequential):
        functions = list(call(functions, "children"))
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(_run(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return _run(end + 1, len(functions) - 1, functions)(input)


def _run(start, end, functions):
    def forward(input):
        for j in range(start, end + 1):
            input = invoke(functions[j], (input,), {})
        return input
    return forward
