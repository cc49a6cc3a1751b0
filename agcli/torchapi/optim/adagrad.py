"""torch.optim.Adagrad: _single_tensor_adagrad of torch/optim/adagrad.py, op by op
(its state is made for every parameter when it is made, as PyTorch's is)."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.backend import item
from ...engine.tensor import Tensor
from . import updates as U
from .optimizer import Optimizer, program_method, counter, number, value_error


class Adagrad(Optimizer):
    pytorch_module = "torch.optim.adagrad"     # (type(opt): <class 'torch.optim.adagrad.Adagrad'>)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        lr = number(lr, "lr")
        if not 0.0 <= lr:
            value_error(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            value_error(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            value_error(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            value_error(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            value_error(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = counter()
                state["sum"] = Tensor(B.full(p.data.shape, initial_accumulator_value, dtype=p.data.dtype),
                                      device=p.device)

    @program_method
    def step(self, closure=None):
        return self.run_step(closure)

    def update(self, group):
        params, grads = self.with_grads(group)
        lr, eps = number(group["lr"], "lr"), group["eps"]
        weight_decay, lr_decay = group["weight_decay"], group["lr_decay"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            if "sum" not in state:          # (a group added after construction: PyTorch's KeyError)
                from ...errors import AgcliError
                raise AgcliError("sum", kind="key")
            U.add_number_(state["step"], 1)
            step = item(state["step"].data)
            if weight_decay != 0:
                grad = U.add(grad, param, alpha=weight_decay)
            clr = lr / (1 + (step - 1) * lr_decay)
            U.addcmul_(state["sum"], grad, grad, value=1)
            std = U.add_number_(U.sqrt(state["sum"]), eps)
            U.addcdiv_(param, grad, std, value=-clr)
