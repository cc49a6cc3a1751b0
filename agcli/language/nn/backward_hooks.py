"""Module backward hooks (register_full_backward_hook, register_full_backward_pre_hook), as
PyTorch's torch.utils.hooks.BackwardHook runs them: the module's tensor arguments and its
output each pass through an identity node named BackwardHookFunctionBackward (so the graph's
names are PyTorch's); the output's node keeps the gradients of the outputs (and lets the
pre-hooks replace them), the inputs' node calls the hooks with (module, grad_input,
grad_output), whose answer may replace the gradients of the inputs.
"""
from __future__ import annotations

from types import SimpleNamespace

from ...engine.backend import zeros
from ...engine.function_node import FunctionNode, Port
from ...engine.tensor import Tensor
from ...errors import AgcliError
from ...state import state
from ...torchapi.nodes import _check_single as check_single
from ..program_autograd_function import own_view

NAME = "BackwardHookFunctionBackward"
NO_INPUT_GRAD = ("UserWarning: Full backward hook is firing when gradients are computed with respect to module "
                 "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                 "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


class BackwardHook:
    """One call of a module with backward hooks: what its two identity nodes share."""

    __slots__ = ("module", "hooks", "pre_hooks", "grad_outputs", "n_inputs", "inputs_index", "n_outputs",
                 "outputs_index")

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = self.inputs_index = self.outputs_index = None
        self.n_inputs = self.n_outputs = -1

    def setup_input_hook(self, args: tuple) -> tuple:
        res, self.inputs_index = _wrap(args, self._on_inputs, materialize=True)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result):
        several = type(result) is tuple
        res, self.outputs_index = _wrap(result if several else (result,), self._on_outputs, materialize=False)
        self.n_outputs = len(result) if several else 1
        return res if several else res[0]

    def _on_outputs(self, grads):
        self.grad_outputs = _pack(self.outputs_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            answer = hook(self.module, self.grad_outputs)
            if answer is None:
                continue
            if len(answer) != len(self.grad_outputs):
                raise AgcliError(f"Backward pre hook returned an invalid number of grad_output, got {len(answer)}, "
                                 f"but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(answer)
        local = self.grad_outputs
        if self.inputs_index is None:     # no input requires grad: the hooks run here, with no grad_input
            state.warn(NO_INPUT_GRAD)
            for hook in self.hooks:
                answer = hook(self.module, (None,) * self.n_inputs, self.grad_outputs)
                if answer is not None and not (type(answer) is tuple and all(a is None for a in answer)):
                    raise AgcliError("Backward hook for Modules where no input requires gradient should always "
                                     "return None or None for all gradients.")
            self.grad_outputs = None
        return [local[i] for i in self.outputs_index]

    def _on_inputs(self, grads):
        if self.grad_outputs is None:   # reached without passing through the output (double backward)
            return grads
        res = _pack(self.inputs_index, grads, self.n_inputs)
        for hook in self.hooks:
            answer = hook(self.module, res, self.grad_outputs)
            if answer is None:
                continue
            if len(answer) != len(res):
                raise AgcliError(f"Backward hook returned an invalid number of grad_input, got {len(answer)}, "
                                 f"but expected {len(res)}")
            for i in self.inputs_index:     # (checked as a hook of the node: PyTorch's is named 'hook')
                if answer[i] is not None:
                    check_single(res[i], answer[i], _NODE_HOOK)
            res = tuple(answer)
        self.grad_outputs = None
        return [res[i] for i in self.inputs_index]


_NODE_HOOK = SimpleNamespace(name="hook")


def _pack(index, values, size) -> tuple:
    res = [None] * size
    for i, v in zip(index, values):
        res[i] = v
    return tuple(res)


def _wrap(args: tuple, on_grads, materialize: bool):
    """args with each tensor passed through one identity node (PyTorch's BackwardHookFunction),
    and where the tensors were; (args, None) when none needs a gradient. materialize: a missing
    gradient reaches on_grads as zeros (what the Function's backward sees), else as None (what
    a hook on the node sees)."""
    index = [i for i, a in enumerate(args) if type(a) is Tensor]
    tensors = [args[i] for i in index]
    if not (state.grad_enabled and any(t.requires_grad for t in tensors)):
        return args, None
    several = len(tensors) > 1
    outs = [own_view(t, several) for t in tensors]     # (an input handed on as it is, as a Function's apply does)

    def backward(grads):
        if materialize:
            grads = [Tensor(zeros(o.data.shape, dtype=o.data.dtype), device=o.device) if g is None else g
                     for g, o in zip(grads, outs)]
        return on_grads(grads)
    stand_in = Tensor(outs[0].data, device=outs[0].device) if several else outs[0]    # (no program sees it)
    node = FunctionNode(NAME, tensors, outs, stand_in, backward)
    for k, (out, t) in enumerate(zip(outs, tensors)):
        if t.requires_grad:             # (the others: marked non-differentiable)
            out.grad_fn = Port(node, k, out) if several else node
            out.requires_grad = True
    res = list(args)
    for i, out in zip(index, outs):
        res[i] = out
    return tuple(res), index
