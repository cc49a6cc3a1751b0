"""torch.optim.Adam and AdamW: _single_tensor_adam of torch/optim/adam.py, op by op
(AdamW is Adam with decoupled_weight_decay=True, as in PyTorch)."""
from __future__ import annotations

from ...engine.backend import item
from . import updates as U
from .optimizer import Optimizer, program_method, counter, number, value_error, zeros_like


class Adam(Optimizer):
    pytorch_module = "torch.optim.adam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        lr = number(lr, "lr")
        if not 0.0 <= lr:
            value_error(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            value_error(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            value_error(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            value_error(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            value_error(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            number(betas[0], "betas[0]"), number(betas[1], "betas[1]")
            value_error("betas must be either both floats or both Tensors")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = number(group["lr"], "lr"), group["eps"], group["weight_decay"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            if len(state) == 0:
                state["step"] = counter()
                state["exp_avg"] = zeros_like(param)
                state["exp_avg_sq"] = zeros_like(param)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = zeros_like(param)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            U.add_number_(state["step"], 1)
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    U.mul_(param, 1 - lr * weight_decay)
                else:
                    grad = U.add(grad, param, alpha=weight_decay)
            U.lerp_(exp_avg, grad, 1 - beta1)
            U.addcmul_(U.mul_(exp_avg_sq, beta2), grad, grad, value=1 - beta2)
            step = item(state["step"].data)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2 ** 0.5
            if group["amsgrad"]:
                largest = U.maximum_(state["max_exp_avg_sq"], exp_avg_sq)
                denom = U.add_number_(U.div_number(U.sqrt(largest), bias_correction2_sqrt), eps)
            else:
                denom = U.add_number_(U.div_number(U.sqrt(exp_avg_sq), bias_correction2_sqrt), eps)
            U.addcdiv_(param, exp_avg, denom, value=-step_size)


class AdamW(Adam):
    pytorch_module = "torch.optim.adamw"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
