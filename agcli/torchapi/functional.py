"""torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp.

PyTorch writes these in Python on top of autograd.grad (torch/autograd/functional.py);
this is the same algorithm on agcli's autograd.grad, with PyTorch's argument
handling (a tensor or a tuple of tensors; create_graph, strict, vectorize),
return structures and messages. `func` is any callable on tensors: a program's
`def` or lambda, or an expression's plan (evaluate/calculus.py).

jvp is PyTorch's double-backward trick here too, as in PyTorch's own
torch.autograd.functional.jvp; torch.func.jvp is forward mode (func.py).
"""
from __future__ import annotations

from ..engine.tensor import Tensor, set_grad_enabled
from ..errors import AgcliError
from ..state import state
from . import creation as C
from . import functions as F
from .autograd import autograd_grad, requires_grad_
from .func_levels import python_type, standard_basis


def _runtime(message):
    return AgcliError(message, kind="runtime")


def as_tuple(value, arg_name, fn_name):
    """(was it a tuple, the tensors as a tuple), with PyTorch's TypeError for anything else."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, el in enumerate(values):
        if type(el) is not Tensor:
            which = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise AgcliError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                             f"but {which} has type {python_type(el)}.", kind="type")
    return is_tuple, values


def _tuple_postprocess(res, to_unpack):
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs, create_graph, need_graph):
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(F.view(inp, inp.shape))          # inp.view_as(inp): ViewBackward0
        else:
            res.append(requires_grad_(inp.detach(), need_graph))     # (refuses an integer tensor)
    return tuple(res)


def _grad_postprocess(inputs, create_graph):
    if type(inputs[0]) is Tensor:
        return inputs if create_graph else tuple(inp.detach() for inp in inputs)
    return tuple(_grad_postprocess(inp, create_graph) for inp in inputs)


def _size(shape) -> str:
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise _runtime(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise _runtime("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise _runtime(f"{prepend}v has invalid size: should be {_size(el_other.shape)} but got "
                           f"{_size(el_v.shape)}.")


def _check_requires_grad(inputs, input_type, strict):
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:
            raise _runtime(f"The output of the user-provided function is independent of input {i}. This is not "
                           "allowed in strict mode.")
        if not inp.requires_grad:
            if input_type == "hessian":
                raise _runtime(f"The hessian of the user-provided function with respect to input {i} is "
                               "independent of the input. This is not allowed in strict mode. You should ensure "
                               "that your function is thrice differentiable and that the hessian depends on the "
                               "inputs.")
            if input_type == "jacobian":
                raise _runtime("While computing the hessian, found that the jacobian of the user-provided "
                               f"function with respect to input {i} is independent of the input. This is not "
                               "allowed in strict mode. You should ensure that your function is twice "
                               "differentiable and that the jacobian depends on the inputs (this would be "
                               "violated by a linear function for example).")
            if input_type == "grad_inputs":
                raise _runtime(f"The gradient with respect to input {i} is independent of the inputs of the "
                               "user-provided function. This is not allowed in strict mode.")
            raise _runtime(f"Output {i} of the user-provided function does not require gradients. The outputs "
                           "must be computed in a differentiable manner from the input when running in strict "
                           "mode.")


def grad_of(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """PyTorch's _autograd_grad: autograd.grad over the outputs that require grad (None
    for every input when none does), unused inputs None."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return autograd_grad([o for o, _ in kept], list(inputs), [g for _, g in kept], retain_graph=retain_graph,
                         create_graph=create_graph, allow_unused=True)


def grad_batched(outputs, inputs, grad_outputs, create_graph=False):
    """_autograd_grad(..., is_grads_batched=True): one autograd.grad per row of the
    batched grad_outputs, stacked (PyTorch vmaps it; the values are the same)."""
    rows = grad_outputs[0].shape[0]
    per_row = [grad_of(outputs, inputs, tuple(F.select(g, 0, r) for g in grad_outputs),
                       create_graph=create_graph, retain_graph=True) for r in range(rows)]
    return tuple(None if per_row[0][i] is None else F.stack([row[i] for row in per_row])
                 for i in range(len(inputs)))


_STRICT_STAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    res = ()
    for i, grads_i in enumerate(grads):
        if grads_i is None:
            if strict:
                raise _runtime(_STRICT_STAGES[stage].format(i=i))
            grads_i = C.zeros_like(refs[i])
        elif strict and create_graph and not grads_i.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise _runtime(f"The {what} of the user-provided function is independent of input {i}. This is not "
                           "allowed in strict mode when create_graph=True.")
        res += (grads_i,)
    return res


def _outputs(value, fn_name):
    return as_tuple(value, "outputs of the user-provided function", fn_name)


def _v_given(v, like, is_like_tuple, fn_name, create_graph):
    _, v = as_tuple(v, "v", fn_name)
    v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
    _validate_v(v, like, is_like_tuple)
    return v


def _last_backward(outputs, inputs, v, refs, strict, create_graph, stage):
    """The backward vjp, jvp, vhp and hvp end with: the gradients of `outputs` with respect
    to `inputs`, weighted by v, in the grad mode create_graph asks for; zeros like `refs`
    where none arrived (strict refuses that at `stage`)."""
    with set_grad_enabled(True if create_graph else state.grad_enabled):
        grads = grad_of(outputs, inputs, v, create_graph=create_graph)
        return _fill_in_zeros(grads, refs, strict, create_graph, stage)


def _outputs_and_product(outputs, is_outputs_tuple, product, is_product_tuple, create_graph):
    """(func's outputs, the product) as vjp, jvp, vhp and hvp return them: detached unless
    create_graph, each a tensor again where the user gave one."""
    return (_tuple_postprocess(_grad_postprocess(outputs, create_graph), is_outputs_tuple),
            _tuple_postprocess(_grad_postprocess(product, create_graph), is_product_tuple))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    with set_grad_enabled(True):
        is_inputs_tuple, inputs = as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _outputs(func(*inputs), "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            v = _v_given(v, outputs, is_outputs_tuple, "vjp", create_graph)
        elif len(outputs) != 1 or outputs[0].data.size != 1:
            raise _runtime("The vector v can only be None if the user-provided function returns a single Tensor "
                           "with a single element.")
    result = _last_backward(outputs, inputs, v, inputs, strict, create_graph, "back")
    return _outputs_and_product(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    with set_grad_enabled(True):
        is_inputs_tuple, inputs = as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        if v is not None:
            v = _v_given(v, inputs, is_inputs_tuple, "jvp", create_graph)
        elif len(inputs) != 1 or inputs[0].data.size != 1:
            raise _runtime("The vector v can only be None if the input to the user-provided function is a single "
                           "Tensor with a single element.")
        is_outputs_tuple, outputs = _outputs(func(*inputs), "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        grad_outputs = tuple(C.zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = grad_of(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    result = _last_backward(grad_inputs, grad_outputs, v, outputs, strict, create_graph, "back_trick")
    return _outputs_and_product(outputs, is_outputs_tuple, result, is_outputs_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AgcliError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function '
                         'has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, '
                         'prefer to use "reverse-mode".', kind="assert")
    if strategy == "forward-mode":
        return _jacobian_forward(func, inputs, create_graph, strict, vectorize)
    with set_grad_enabled(True):
        is_inputs_tuple, inputs = as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _outputs(func(*inputs), "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize:
            if strict:
                raise _runtime("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
            numels = tuple(int(out.data.size) for out in outputs)
            basis = standard_basis(outputs, numels)
            flat = tuple(F.reshape(out, (-1,)) for out in outputs)
            vj = list(grad_batched(flat, inputs, basis, create_graph=create_graph))
            for k, el in enumerate(vj):
                if el is None:
                    vj[k] = F.expand(C.zeros_like(inputs[k]), (sum(numels),) + tuple(inputs[k].shape))
            by_input = []
            for jac_input, inp in zip(vj, inputs):
                row, start = [], 0
                for numel, out in zip(numels, outputs):
                    part = jac_input if len(outputs) == 1 else F.getitem(jac_input, slice(start, start + numel))
                    row.append(F.reshape(part, tuple(out.shape) + tuple(inp.shape)))
                    start += numel
                by_input.append(row)
            result = _grad_postprocess(tuple(zip(*by_input)), create_graph)
            return _tuple_postprocess(result, (is_outputs_tuple, is_inputs_tuple))
        result = ()
        for i, out in enumerate(outputs):
            rows = tuple([] for _ in inputs)
            flat = F.reshape(out, (-1,))
            for j in range(int(out.data.size)):
                vj = grad_of((F.select(flat, 0, j),), inputs, retain_graph=True, create_graph=create_graph)
                for k, (row, el, inp) in enumerate(zip(rows, vj, inputs)):
                    if el is not None:
                        if strict and create_graph and not el.requires_grad:
                            raise _runtime(f"The jacobian of the user-provided function is independent of input "
                                           f"{i}. This is not allowed in strict mode when create_graph=True.")
                        row.append(el)
                    else:
                        if strict:
                            raise _runtime(f"Output {i} of the user-provided function is independent of input "
                                           f"{k}. This is not allowed in strict mode.")
                        row.append(C.zeros_like(inp))
            result += (tuple(_stacked_rows(row, tuple(out.shape) + tuple(inputs[k].shape), inputs[k])
                             for k, row in enumerate(rows)),)
        result = _grad_postprocess(result, create_graph)
        return _tuple_postprocess(result, (is_outputs_tuple, is_inputs_tuple))


def _stacked_rows(rows, shape, like):
    """torch.stack(rows).view(shape); a 0-element output has no rows to stack (PyTorch's stack
    refuses an empty list: a zero-element output's jacobian is empty)."""
    if not rows:
        raise _runtime("stack expects a non-empty TensorList")
    return F.view(F.stack(rows), shape)


def _jacobian_forward(func, inputs, create_graph, strict, vectorize):
    if create_graph:
        raise AgcliError("torch.autograd.functional.jacobian: `create_graph=True` and "
                         '`strategy="forward-mode"` are not supported together (yet). Please either set '
                         '`create_graph=False` or `strategy="reverse-mode"`.', kind="not_implemented")
    if strict:
        raise _runtime("torch.autograd.functional.jacobian: `strict=True` and `strategy=\"forward-mode\"` are not "
                       "supported together (yet). Please either set `strict=False` or "
                       "`strategy=\"reverse-mode\"`.")
    if not vectorize:
        raise AgcliError("Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented "
                         "for `vectorize=True`.", kind="not_implemented")
    from .func import jacfwd_tuple
    is_inputs_tuple, inputs = as_tuple(inputs, "inputs", "jacobian")
    is_outputs_tuple, jac = jacfwd_tuple(func, inputs)
    return _tuple_postprocess(jac, (is_outputs_tuple, is_inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    is_inputs_tuple, inputs = as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AgcliError('Expected strategy to be either "forward-mode" or "reverse-mode".', kind="assert")

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _outputs(out, "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if is_out_tuple or type(out) is not Tensor:
            raise _runtime("The function given to hessian should return a single Tensor")
        if out.data.size != 1:
            raise _runtime("The Tensor returned by the function given to hessian should contain a single element")
        return F.squeeze(out)

    def jac_func(*inp):
        if outer_jacobian_strategy == "forward-mode":
            for t in inp:
                t.requires_grad = True
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def _scalar_function_check(outputs, is_outputs_tuple, name):
    if is_outputs_tuple or type(outputs[0]) is not Tensor:
        raise _runtime(f"The function given to {name} should return a single Tensor")
    if outputs[0].data.size != 1:
        raise _runtime(f"The Tensor returned by the function given to {name} should contain a single element")


def _second_order_start(func, inputs, v, create_graph, strict, name):
    """What vhp and hvp share: inputs, v, outputs and the differentiable gradient."""
    is_inputs_tuple, inputs = as_tuple(inputs, "inputs", name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    if v is not None:
        v = _v_given(v, inputs, is_inputs_tuple, name, create_graph)
    elif len(inputs) != 1 or inputs[0].data.size != 1:
        raise _runtime("The vector v can only be None if the input to the user-provided function is a single "
                       "Tensor with a single element.")
    is_outputs_tuple, outputs = _outputs(func(*inputs), name)
    _check_requires_grad(outputs, "outputs", strict)
    _scalar_function_check(outputs, is_outputs_tuple, name)
    jac = grad_of(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    with set_grad_enabled(True):
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _second_order_start(
            func, inputs, v, create_graph, strict, "vhp")
    result = _last_backward(jac, inputs, v, inputs, strict, create_graph, "double_back")
    return _outputs_and_product(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    with set_grad_enabled(True):
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _second_order_start(
            func, inputs, v, create_graph, strict, "hvp")
        grad_jac = tuple(C.zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = grad_of(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    result = _last_backward(double_back, grad_jac, v, inputs, strict, create_graph, "double_back_trick")
    return _outputs_and_product(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)
