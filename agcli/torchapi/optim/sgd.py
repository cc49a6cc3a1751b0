"""torch.optim.SGD: _single_tensor_sgd of torch/optim/sgd.py, op by op."""
from __future__ import annotations

from . import updates as U
from .optimizer import Optimizer, program_method, number, value_error


class SGD(Optimizer):
    pytorch_module = "torch.optim.sgd"

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        lr = number(lr, "lr")
        if lr < 0.0:
            value_error(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            value_error(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            value_error(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            value_error("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        lr, momentum = number(group["lr"], "lr"), group["momentum"]
        weight_decay, dampening = group["weight_decay"], group["dampening"]
        for param, grad in zip(params, grads):
            if weight_decay != 0:
                grad = U.add(grad, param, alpha=weight_decay)
            if momentum != 0:
                state = self.state[param]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = U.clone(grad)
                else:
                    U.add_(U.mul_(buf, momentum), grad, alpha=1 - dampening)
                state["momentum_buffer"] = buf
                grad = U.add(grad, buf, alpha=momentum) if group["nesterov"] else buf
            U.add_(param, grad, alpha=-lr)
