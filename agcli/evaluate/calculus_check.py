"""`agcli check`'s work: torch.autograd.gradcheck (and, with --second-order,
gradgradcheck) of an expression in its differentiated variables, every
Jacobian kept for the answer (torchapi/gradcheck.py computes them).

The answer: "ok", and per variable the largest absolute difference between the
analytical and the numerical Jacobian and both matrices (rows: the variable's
elements, columns: the output's, as PyTorch lays them out); with --second-order
the same per variable's gradient (gradgradcheck's outputs) and per input of
gradgradcheck's (the variables, then `grad_output`, the random output gradient
it differentiates through, drawn as PyTorch's make_tensor draws it: --seed). A failed check is an error
whose message is PyTorch's report (GradcheckError's text).
"""
from __future__ import annotations

from ..engine.backend import dtype_name, to_host
from ..errors import AgcliError
from ..state import state
from ..torchapi import gradcheck as G
from ..engine.tensor import Tensor, set_grad_enabled
from .calculus_reverse import as_function, limit_matrix, quietly

GRAD_OUTPUT = "grad_output"


def _largest_difference(a, n):
    if a is None or a.size == 0:
        return None if a is None else 0.0
    import numpy
    with numpy.errstate(invalid="ignore"):
        return float(numpy.max(numpy.abs(a - n.astype(a.dtype))))


def _pairs(comparison, output):
    """{input name: {max_abs_diff, numerical, analytical}} for one output of the comparison."""
    numerical = comparison.numerical[output] if output < len(comparison.numerical) else []
    analytical = comparison.analytical[output] if output < len(comparison.analytical) else []
    out = {}
    for k, name in enumerate(comparison.names):
        n = to_host(numerical[k]) if k < len(numerical) else None
        a = to_host(analytical[k]) if k < len(analytical) and analytical[k] is not None else None
        out[name] = {"max_abs_diff": None if n is None else _largest_difference(a, n),
                     "numerical": n, "analytical": a}
    return out


def check(result, plan, leaves, names, *, eps=1e-6, atol=1e-5, rtol=1e-3, second_order=False):
    """Fill result.answer; raise the first failure as PyTorch words it (kind 'gradcheck', exit 1)."""
    fn = as_function(plan, leaves, names)
    inputs = tuple(leaves[n] for n in names)
    with set_grad_enabled(False), quietly(result):   # (the output's size; the value's warnings are said already)
        outputs = fn(*inputs)
    m = sum(int(t.data.size) for t in (outputs if isinstance(outputs, tuple) else (outputs,)) if type(t) is Tensor)
    limit_matrix("numerical Jacobian", m, sum(int(t.data.size) for t in inputs), hint="check fewer variables (--wrt)")
    for t in inputs:
        t.requires_grad = True
    def warn(message):      # gradcheck's own (an input not in float64) become the result's
        result.warnings.append(message.removeprefix("UserWarning: ").strip())
    with quietly(result), state.using(warn=warn):
        first = G.compare(fn, inputs, eps=eps, atol=atol, rtol=rtol, default_dtype="float32", complete=True)
        first.names = names
        answer = {"ok": first.failure is None, "first_order": _pairs(first, 0)}
        failure = first.failure
        if second_order:
            new_func, all_inputs = G.grad_of_grad_function(fn, inputs, None)
            second = G.compare(new_func, all_inputs, eps=eps, atol=atol, rtol=rtol, default_dtype="float32",
                               complete=True)
            second.names = names + [GRAD_OUTPUT] * (len(all_inputs) - len(names))
            # one output per variable: its gradient, differentiated by every input
            answer["second_order"] = {name: _pairs(second, k) for k, name in enumerate(names)
                                      if k < len(second.numerical)}
            answer["ok"] = answer["ok"] and second.failure is None
            failure = failure or second.failure
    result.answer = answer
    if failure is not None:
        single = any(dtype_name(t.data.dtype) != "float64" for t in inputs)
        raise AgcliError(failure.message.rstrip("\n"), kind="gradcheck",
                         hint="gradcheck's tolerances are meant for float64: leave --dtype float32 out" if single
                         else "gradcheck compares central differences (--eps) with backward's gradients: they "
                              "differ where the function is not smooth within --eps of the point (a kink such as "
                              "relu at 0, a pole, a domain's edge), or where --eps is too small to move it")
