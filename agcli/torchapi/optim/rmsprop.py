"""torch.optim.RMSprop: _single_tensor_rmsprop of torch/optim/rmsprop.py, op by op."""
from __future__ import annotations

from . import updates as U
from .optimizer import Optimizer, program_method, counter, number, value_error, zeros_like


class RMSprop(Optimizer):
    pytorch_module = "torch.optim.rmsprop"

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        lr = number(lr, "lr")
        if not 0.0 <= lr:
            value_error(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            value_error(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            value_error(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            value_error(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            value_error(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        lr, alpha, eps = number(group["lr"], "lr"), group["alpha"], group["eps"]
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            if len(state) == 0:
                state["step"] = counter()
                state["square_avg"] = zeros_like(param)
                if momentum > 0:
                    state["momentum_buffer"] = zeros_like(param)
                if group["centered"]:
                    state["grad_avg"] = zeros_like(param)
            square_avg = state["square_avg"]
            U.add_number_(state["step"], 1)
            if weight_decay != 0:
                grad = U.add(grad, param, alpha=weight_decay)
            U.addcmul_(U.mul_(square_avg, alpha), grad, grad, value=1 - alpha)
            if group["centered"]:
                grad_avg = U.lerp_(state["grad_avg"], grad, 1 - alpha)
                avg = U.sqrt_(U.addcmul(square_avg, grad_avg, grad_avg, value=-1))
            else:
                avg = U.sqrt(square_avg)
            U.add_number_(avg, eps)
            if momentum > 0:
                buf = U.addcdiv_(U.mul_(state["momentum_buffer"], momentum), grad, avg)
                U.add_(param, buf, alpha=-lr)
            else:
                U.addcdiv_(param, grad, avg, value=-lr)
