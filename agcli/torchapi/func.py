"""torch.func: grad, grad_and_value, vjp, jacrev, hessian here; jvp and jacfwd
(forward mode, func_forward.py) and vmap (func_vmap.py) gathered with them.

How a transform's tensors and results relate to the level outside it:
func_levels.py. vmap calls the function once per batch element and stacks the
results (functorch's batching rules give the same values).
"""
from __future__ import annotations

from ..engine.tensor import Tensor, set_grad_enabled
from ..state import state
from .func_forward import _jacobian_forward, jacfwd, jvp
from .func_levels import (Level, Transformed, _differentiable_args, _gradients, _jacobian_impl, _runtime, transform,
                          _tree_map, _value_error, flatten, flatten_outputs, float_primal, python_type, spec_text,
                          split_aux)
from .func_vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap", "jacfwd_tuple"]


# ------------------------------------------------------------------ grad
def grad_and_value_impl(func, argnums, has_aux, args, kwargs, api="grad_and_value"):
    level = Level()
    with set_grad_enabled(True):
        args, _, flat, rebuild = _differentiable_args(level, args, argnums)
        output, aux = split_aux(func(*args, **kwargs), has_aux, "grad_and_value(f)(*args)")
        if type(output) is not Tensor:
            raise _runtime(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                           f"{python_type(output)}")
        if output.data.ndim != 0:
            raise _runtime("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
                           f"with {output.data.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        grads = rebuild([level.unwrap(g) for g in _gradients((output,), flat, create_graph=True)])
        output = level.unwrap(output)
        if has_aux:
            return grads, (output, _tree_map(level.unwrap, aux))
        return grads, output


def grad_and_value(func, argnums=0, has_aux=False):
    return Transformed("grad_and_value", lambda *a, **k: grad_and_value_impl(func, argnums, has_aux, a, k), func)


def grad(func, argnums=0, has_aux=False):
    def wrapper(*args, **kwargs):
        results = grad_and_value_impl(func, argnums, has_aux, args, kwargs)
        if has_aux:
            grads, (_, aux) = results
            return grads, aux
        return results[0]
    return Transformed("grad", wrapper, func)


# ------------------------------------------------------------------ vjp
@transform
def vjp(func, *primals, has_aux=False):
    level = Level()
    with set_grad_enabled(True):
        diff_primals = _tree_map(level.differentiable, tuple(primals))
        flat_primals, rebuild_primals = flatten(diff_primals)
        output, aux = split_aux(func(*diff_primals), has_aux, "vjp(f, *primals)")
        flat_out, rebuild_out = flatten_outputs(output, "vjp(f, *primals)")

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        create = state.grad_enabled if create_graph is None else create_graph
        flat_cot, _ = flatten(cotangents)
        if spec_text(cotangents) != spec_text(output):
            raise _runtime("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                           f"to the function. cotangents: {spec_text(cotangents)}, primal output: {spec_text(output)}")
        for c, o in zip(flat_cot, flat_out):
            if type(c) is Tensor and c.shape != o.shape:
                raise _runtime(f"Mismatch in shape: grad_output[0] has a shape of torch.Size([{', '.join(map(str, c.shape))}]) "
                               f"and output[0] has a shape of torch.Size([{', '.join(map(str, o.shape))}]).")
        with set_grad_enabled(True):
            found = _gradients(flat_out, flat_primals, flat_cot, retain_graph=retain_graph, create_graph=True)
        found = [level.unwrap(g) if create else g.detach() for g in found]
        return rebuild_primals(found)

    result = rebuild_out([level.unwrap(o) for o in flat_out])
    fn = Transformed("vjp", vjp_fn, func)
    if has_aux:
        return result, fn, _tree_map(level.unwrap, aux)
    return result, fn


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    if chunk_size is not None and chunk_size <= 0:
        raise _value_error("jacrev: `chunk_size` should be greater than 0.")
    return Transformed("jacrev", lambda *a, **k: _jacobian_impl(func, argnums, has_aux, a, k, "vjp(f, *primals)"), func)


def hessian(func, argnums=0):
    return jacfwd(jacrev(func, argnums), argnums)


def jacfwd_tuple(func, inputs):
    """torch.autograd.functional.jacobian(strategy="forward-mode", vectorize=True)'s answer:
    (was the output a tuple, jacobians[output][input]) of func(*inputs)."""
    for x in inputs:
        float_primal(x)
    outputs = func(*inputs)
    is_tuple = isinstance(outputs, tuple)
    every = tuple(range(len(inputs)))
    # forward mode, every input's columns at once (zeros for the others': their terms are added in, 0 + -0)
    result = _jacobian_forward(func, every, False, inputs, {}) if state.dual is None else \
        _jacobian_impl(func, every, False, inputs, {}, "jacobian")
    result = result if is_tuple else (result,)
    return is_tuple, [list(row) for row in result]      # (lists, as PyTorch's _jacfwd gives them)
