"""torch.optim.Adadelta: _single_tensor_adadelta of torch/optim/adadelta.py, op by op."""
from __future__ import annotations

from . import updates as U
from .optimizer import Optimizer, program_method, counter, number, value_error, zeros_like


class Adadelta(Optimizer):
    pytorch_module = "torch.optim.adadelta"

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        lr = number(lr, "lr")
        if not 0.0 <= lr:
            value_error(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            value_error(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            value_error(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            value_error(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        lr, rho, eps, weight_decay = number(group["lr"], "lr"), group["rho"], group["eps"], group["weight_decay"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            if len(state) == 0:
                state["step"] = counter()
                state["square_avg"] = zeros_like(param)
                state["acc_delta"] = zeros_like(param)
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            U.add_number_(state["step"], 1)
            if weight_decay != 0:
                grad = U.add(grad, param, alpha=weight_decay)
            U.addcmul_(U.mul_(square_avg, rho), grad, grad, value=1 - rho)
            std = U.sqrt_(U.add_number_(U.clone(square_avg), eps))
            delta = U.sqrt_(U.add_number_(U.clone(acc_delta), eps))
            U.mul_tensor_(U.div_(delta, std), grad)
            U.addcmul_(U.mul_(acc_delta, rho), delta, delta, value=1 - rho)
            U.add_(param, delta, alpha=-lr)
