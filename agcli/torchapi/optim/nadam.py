"""torch.optim.NAdam and RAdam: _single_tensor_nadam and _single_tensor_radam of torch/optim/nadam.py
and radam.py, op by op (a Python number in a tensor op rounded to the tensor's dtype first, as
PyTorch's kernels take it; `step` and NAdam's `mu_product` are tensors of the scalar dtype)."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.backend import item
from ...engine.tensor import Tensor
from . import updates as U
from .optimizer import Optimizer, program_method, counter, number, scalar_dtype, value_error, zeros_like


def check_adam_like(lr, betas, eps, weight_decay):
    """The checks NAdam, RAdam and Adamax share with Adam, in its order and words."""
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
    return lr


class NAdam(Optimizer):
    pytorch_module = "torch.optim.nadam"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        lr = check_adam_like(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            value_error(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = number(group["lr"], "lr"), group["eps"], group["weight_decay"]
        momentum_decay = group["momentum_decay"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            if len(state) == 0:
                state["step"] = counter()
                state["mu_product"] = Tensor(B.asarray(1.0, dtype=scalar_dtype()), device="cpu")
                state["exp_avg"] = zeros_like(param)
                state["exp_avg_sq"] = zeros_like(param)
            exp_avg, exp_avg_sq, mu_product = state["exp_avg"], state["exp_avg_sq"], state["mu_product"]
            U.add_number_(state["step"], 1)
            step = item(state["step"].data)
            bias_correction2 = 1 - beta2 ** step
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    U.mul_(param, 1 - lr * weight_decay)
                else:
                    grad = U.add(grad, param, alpha=weight_decay)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            U.mul_(mu_product, mu)
            U.lerp_(exp_avg, grad, 1 - beta1)
            U.addcmul_(U.mul_(exp_avg_sq, beta2), grad, grad, value=1 - beta2)
            denom = U.sqrt_(U.div_number(exp_avg_sq, bias_correction2))
            product = item(mu_product.data)
            mu_product_next = product * mu_next
            U.add_number_(denom, eps)
            U.addcdiv_(param, grad, denom, value=(-lr * (1.0 - mu) / (1.0 - product)))
            U.addcdiv_(param, exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))


class RAdam(Optimizer):
    pytorch_module = "torch.optim.radam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        lr = check_adam_like(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
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
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            U.add_number_(state["step"], 1)
            step = item(state["step"].data)
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    U.mul_(param, 1 - lr * weight_decay)
                else:
                    grad = U.add(grad, param, alpha=weight_decay)
            U.lerp_(exp_avg, grad, 1 - beta1)
            U.addcmul_(U.mul_(exp_avg_sq, beta2), grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            bias_corrected_exp_avg = U.div_number(exp_avg, bias_correction1)
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                # (bias_correction2 ** 0.5) / tensor is PyTorch's tensor.reciprocal() * number
                adaptive_lr = U.mul_number(U.reciprocal(U.add_number_(U.sqrt(exp_avg_sq), eps)),
                                           bias_correction2 ** 0.5)
                update = U.mul_number(U.mul(U.mul_number(bias_corrected_exp_avg, lr), adaptive_lr), rect)
            else:
                update = U.mul_number(bias_corrected_exp_avg, lr)
            U.add_(param, update, alpha=-1.0)
