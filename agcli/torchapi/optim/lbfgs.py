"""torch.optim.LBFGS, as torch/optim/lbfgs.py runs it: the closure re-evaluated under grad, the two-loop
recursion over the history, the strong Wolfe line search. PyTorch's step mixes Python floats with 0-d
tensors of the parameters' dtype (gtd, ys, ro, H_diag, and t once a tensor touched it); that mix is kept
here (a number meeting a tensor rounded to its dtype, as PyTorch's operators do), so the decisions
and values follow PyTorch's. The dot products are in MKL's order for short vectors (lbfgs_search.dot),
else BLAS's through agcli's torch.dot: their last bits may differ (see the README)."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.backend import item, xp
from ...engine.tensor import Tensor, set_grad_enabled
from ...errors import AgcliError
from .. import functions as F
from ..autograd import truth
from . import updates as U
from .lbfgs_search import dot, strong_wolfe
from .optimizer import Optimizer, called_with_grad, number, program_method, value_error


class LBFGS(Optimizer):
    pytorch_module = "torch.optim.lbfgs"

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        lr = number(lr, "lr")
        if not 0.0 <= lr:
            value_error(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            value_error("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _gather_flat_grad(self):
        views = [xp.reshape(p.grad.data, (-1,)) if p.grad is not None else B.zeros((p.data.size,), dtype=p.data.dtype)
                 for p in self._params]
        return Tensor(xp.concat(views) if hasattr(xp, "concat") else xp.concatenate(views),
                      device=self._params[0].device)

    def _add_grad(self, step_size, update):
        alpha, offset = _float(step_size), 0
        for p in self._params:
            numel = p.data.size
            U.add_(p, Tensor(xp.reshape(update.data[offset:offset + numel], p.data.shape)), alpha=alpha)
            offset += numel

    def _clone_param(self):
        return [U.clone(p) for p in self._params]

    def _set_param(self, params_data):
        for p, pdata in zip(self._params, params_data):
            U.copy_(p, pdata)

    def _closure(self, closure):
        return called_with_grad(closure)

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = _float(self._closure(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    @program_method
    def step(self, closure):
        with set_grad_enabled(False), B.float_errors_ignored():
            loss = self._step(closure)
        if self.watched_by_scheduler:
            self.stepped = True
        return loss

    def _step(self, closure):
        group = self.param_groups[0]
        lr = number(group["lr"], "lr")
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = self._closure(closure)
        loss = _float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if truth(F.le(F.max(F.abs(flat_grad)), tolerance_grad)):
            return orig_loss
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter, opt_cond = 0, False
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = F.neg(flat_grad)
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                y = F.sub(flat_grad, prev_flat_grad)
                s = F.mul(d, t)
                ys = dot(y, s)
                if truth(F.gt(ys, 1e-10)):
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(F.mul(F.reciprocal(ys), 1.0))        # 1.0 / ys
                    H_diag = F.div(ys, dot(y, y))
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = F.neg(flat_grad)
                for i in range(num_old - 1, -1, -1):
                    al[i] = F.mul(dot(old_stps[i], q), ro[i])
                    U.add_(q, old_dirs[i], alpha=-_float(al[i]))
                d = r = F.mul(q, H_diag)
                for i in range(num_old):
                    be_i = F.mul(dot(old_dirs[i], r), ro[i])
                    U.add_(r, old_stps[i], alpha=_float(F.sub(al[i], be_i)))
            if prev_flat_grad is None:
                prev_flat_grad = U.clone(flat_grad)
            else:
                U.copy_(prev_flat_grad, flat_grad)
            prev_loss = loss
            if state["n_iter"] == 1:
                inverse = F.mul(F.reciprocal(F.sum(F.abs(flat_grad))), 1.0)     # 1.0 / |g|.sum()
                t = F.mul(inverse, lr) if truth(F.lt(inverse, 1.0)) else 1.0 * lr
            else:
                t = lr
            gtd = dot(flat_grad, d)
            if truth(F.gt(gtd, -tolerance_change)):
                break
            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise AgcliError("only 'strong_wolfe' is supported", kind="runtime")
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)
                loss, flat_grad, t, ls_func_evals = strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd,
                                                                 max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = truth(F.le(F.max(F.abs(flat_grad)), tolerance_grad))
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    loss = _float(self._closure(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = truth(F.le(F.max(F.abs(flat_grad)), tolerance_grad))
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if truth(F.le(F.max(F.abs(F.mul(d, t))), tolerance_change)):
                break
            if abs(loss - prev_loss) < tolerance_change:
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss


def _float(value):
    """float(value): a one-element tensor's value as a Python float."""
    if type(value) is Tensor:
        if value.data.size != 1:
            value_error("only one element tensors can be converted to Python scalars")
        return float(item(xp.reshape(value.data, ())))
    return float(value)
