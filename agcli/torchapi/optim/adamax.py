"""torch.optim.Adamax, Rprop and ASGD: _single_tensor_adamax, _single_tensor_rprop and
_single_tensor_asgd of torch/optim/adamax.py, rprop.py and asgd.py, op by op (ASGD's `eta` and
`mu` are tensors of the scalar dtype: their values are rounded to it, as PyTorch stores them)."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.backend import item, xp
from ...engine.tensor import Tensor
from . import updates as U
from .nadam import check_adam_like
from .optimizer import Optimizer, program_method, counter, number, scalar_dtype, value_error, zeros_like


class Adamax(Optimizer):
    pytorch_module = "torch.optim.adamax"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        lr = check_adam_like(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
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
                state["exp_inf"] = zeros_like(param)
            exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
            U.add_number_(state["step"], 1)
            if weight_decay != 0:
                grad = U.add(grad, param, alpha=weight_decay)
            U.lerp_(exp_avg, grad, 1 - beta1)
            U.maximum_(U.mul_(exp_inf, beta2), U.add_number_(U.abs(grad), eps))
            bias_correction = 1 - beta1 ** item(state["step"].data)
            clr = lr / bias_correction
            U.addcdiv_(param, exp_avg, exp_inf, value=-clr)


class Rprop(Optimizer):
    pytorch_module = "torch.optim.rprop"

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        lr = number(lr, "lr")
        if not 0.0 <= lr:
            value_error(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            value_error(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            if len(state) == 0:
                state["step"] = counter()
                state["prev"] = zeros_like(param)
                state["step_size"] = U.fill_number_(zeros_like(grad), number(group["lr"], "lr"))
            prev, step_size = state["prev"], state["step_size"]
            U.add_number_(state["step"], 1)
            sign = U.sign(U.mul(grad, prev))
            U.where_(sign, sign.data > 0, etaplus)
            U.where_(sign, sign.data < 0, etaminus)
            U.where_(sign, sign.data == 0, 1)
            U.clamp_(U.mul_tensor_(step_size, sign), step_size_min, step_size_max)
            grad = U.where_(U.clone(grad), sign.data == B.asarray(etaminus, dtype=sign.data.dtype), 0)
            U.addcmul_(param, U.sign(grad), step_size, value=-1)
            U.copy_(prev, grad)


class ASGD(Optimizer):
    pytorch_module = "torch.optim.asgd"

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        lr = number(lr, "lr")
        if not 0.0 <= lr:
            value_error(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            value_error(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        lr, lambd, alpha, t0 = number(group["lr"], "lr"), group["lambd"], group["alpha"], group["t0"]
        weight_decay = group["weight_decay"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            if len(state) == 0:
                state["step"] = counter()
                state["eta"] = _scalar(lr)
                state["mu"] = _scalar(1.0)
                state["ax"] = zeros_like(param)
            eta, mu, ax = state["eta"], state["mu"], state["ax"]
            U.add_number_(state["step"], 1)
            if weight_decay != 0:
                grad = U.add(grad, param, alpha=weight_decay)
            eta_value = item(eta.data)
            U.mul_(param, 1 - lambd * eta_value)
            U.add_(param, grad, alpha=-eta_value)
            if item(mu.data) != 1:
                U.add_(ax, U.mul_(U.sub(param, ax), item(mu.data)))
            else:
                U.copy_(ax, param)
            step = item(state["step"].data)
            # (torch.as_tensor of a Python float is of the default dtype, then copied into eta's)
            U.fill_number_(eta, _default_rounded(lr / ((1 + lambd * lr * step) ** alpha)))
            U.fill_number_(mu, _default_rounded(1 / max(1, step - t0)))


def _scalar(value):
    return Tensor(B.asarray(value, dtype=scalar_dtype()), device="cpu")


def _default_rounded(value):
    from ...state import state
    return float(item(B.asarray(value, dtype=state.default_float)))
