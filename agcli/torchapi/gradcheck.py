"""torch.autograd.gradcheck and gradgradcheck: analytical Jacobians (one backward per
output element) against central finite differences, in PyTorch's order, with its
tolerances, checks and report (torch/autograd/gradcheck.py, slow mode, real inputs).

`compare` does the work and keeps every Jacobian it computed, so `agcli check`
can show them all; `gradcheck` / `gradgradcheck` are PyTorch's API on top of it
(True, False with raise_exception=False, or GradcheckError's text).

The finite differences change each input's array in place, element by element,
as PyTorch changes `input.data` (no version bump), and put it back after.
"""
from __future__ import annotations

from itertools import product

from ..engine import backend as B
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..state import state
from . import creation as C
from . import forward_ad as FA
from .autograd import autograd_grad
from .operands import sub_check
from .printing import format_tensor


class GradcheckError(AgcliError):
    """torch.autograd.gradcheck.GradcheckError: a RuntimeError to `except`."""

    def __init__(self, message):
        super().__init__(message, kind="gradcheck")


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable(outputs):
    return tuple(o for o in _as_tuple(outputs) if type(o) is Tensor and o.requires_grad)


def _check_inputs(inputs):
    """PyTorch's _check_inputs: at least one input requires grad; a warning for each not in float64."""
    found = False
    for idx, inp in enumerate(inputs):
        if type(inp) is Tensor and inp.requires_grad:
            if B.dtype_name(inp.data.dtype) != "float64":
                state.warn(f"UserWarning: Input #{idx} requires gradient and is not a double precision floating "
                           "point or complex. This check will likely fail if all the inputs are not of double "
                           "precision floating point or complex. ")
            found = True
    if not found:
        raise AgcliError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.", kind="value")


def numerical_jacobians(func, inputs, outputs, eps):
    """Per input that requires grad, per floating-point output: the (input numel, output numel)
    matrix of central differences (b - a) / (2 eps), as PyTorch's _get_numerical_jacobian (which
    leaves integer outputs out and fills the k-th float output's matrix from the k-th output's
    differences: the same one unless an integer output comes first)."""
    jacobians = []
    for inp in inputs:
        if not (type(inp) is Tensor and inp.requires_grad):
            continue
        array = inp.data
        numel = int(array.size)
        columns = {}
        for d_idx, idx in enumerate(product(*[range(m) for m in array.shape])):
            orig = B.copy(array[idx])
            B.setitem(array, idx, orig - eps)
            outa = _cloned(func(*inputs))
            B.setitem(array, idx, orig + eps)
            outb = _cloned(func(*inputs))
            B.setitem(array, idx, orig)
            columns[d_idx] = [_difference(a, b, eps, idx) for a, b in zip(outa, outb)]
        per_output = []
        for k, out in enumerate([o for o in outputs if type(o) is Tensor and B.kind(o.data.dtype) == "f"]):
            matrix = B.zeros((numel, int(out.data.size)), dtype=out.data.dtype)
            for d_idx, column in columns.items():
                B.setitem(matrix, d_idx, column[k])
            per_output.append(matrix)
        jacobians.append(per_output)
    return jacobians


def _by_output(numerical):
    """numerical_jacobians' matrices per output (each a list over the inputs)."""
    return [[per_input[i] for per_input in numerical] for i in range(len(numerical[0]) if numerical else 0)]


def _cloned(outputs):
    """func's outputs, copied as PyTorch's wrapped_fn clones them: an output that is a view of
    the input being perturbed (x, x[0], x.t(), a gradient of x.sum()) must keep its values."""
    return tuple(Tensor(B.copy(o.data)) if type(o) is Tensor else o for o in _as_tuple(outputs))


def _difference(a, b, eps, idx):
    if a.shape != b.shape:
        raise AgcliError(f"Expected `func` to return outputs with the same shape when inputs are perturbed on "
                         f"index {idx} by {eps}, but got: shapes {_size(a.shape)} and {_size(b.shape)}.",
                         kind="assert")
    if B.kind(a.data.dtype) == "b":
        sub_check(b, a)         # (PyTorch's b - a of bools: its error)
    d = b.data - a.data
    if B.kind(d.dtype) in "iu":        # (an integer output's difference divides in the default float)
        d = B.astype(d, state.default_float)
    return B.xp.reshape(d / (2 * eps), (-1,))


def _size(shape):
    return f"torch.Size([{', '.join(map(str, shape))}])"


def analytical_jacobians(inputs, output):
    """Per input that requires grad: the (input numel, output numel) matrix whose column j is
    the gradient of output element j (autograd.grad with a one-hot grad_output), as PyTorch's
    _check_analytical_jacobian_attributes; a size or dtype mismatch is its GradcheckError."""
    diff_inputs = [inp for inp in inputs if type(inp) is Tensor and inp.requires_grad]
    numel = int(output.data.size)
    matrices = [B.zeros((int(inp.data.size), numel), dtype=inp.data.dtype) for inp in diff_inputs]
    sizes_ok = True
    for j in range(numel):
        flat = B.zeros((numel,), dtype=output.data.dtype)
        B.setitem(flat, j, 1)
        grads = autograd_grad([output], diff_inputs, [Tensor(B.xp.reshape(flat, output.data.shape))],
                              retain_graph=True, allow_unused=True)
        for matrix, g, inp in zip(matrices, grads, diff_inputs):
            if g is None:
                continue
            if g.data.shape != inp.data.shape:
                sizes_ok = False
                continue
            B.setitem(matrix, (slice(None), j), B.xp.reshape(g.data, (-1,)))
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    return matrices


def allclose(a, n, rtol, atol) -> bool:
    """torch.allclose(a, n, rtol, atol): |a - n| <= atol + rtol |n| everywhere, nan never close."""
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if tolerance < 0:       # (torch.allclose's check, in C++'s words for a double)
            raise AgcliError(f"{name} must be greater than or equal to zero, but got {format(tolerance, 'g')}")
    if a.shape != n.shape:
        return False
    dtype = B.result_type(a.dtype, n.dtype)
    a, n = B.astype(a, dtype), B.astype(n, dtype)
    with B.float_errors_ignored():      # inf - inf: equal infinities are close, as torch.isclose has them
        return bool(B.xp.all((a == n) | (B.xp.abs(a - n) <= atol + rtol * B.xp.abs(n))))


def mismatch_message(analytical, numerical, output_idx, input_idx, default_dtype, forward=False) -> str:
    """PyTorch's _get_notallclose_msg, the matrices printed as PyTorch prints them."""
    def shown(m):
        return format_tensor(B.to_host(m), dtype=B.dtype_name(m.dtype), default_dtype=default_dtype)
    mode = "computed with forward mode " if forward else ""
    return (f"Jacobian {mode}mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
            f"numerical:{shown(numerical)}\nanalytical:{shown(analytical)}\n")


class Comparison:
    """What `compare` found: per (output, input) the numerical and analytical Jacobians
    (None where PyTorch stopped before computing it), and the first failure's GradcheckError."""

    def __init__(self):
        self.numerical = []     # [output][input] -> matrix
        self.analytical = []    # [output][input] -> matrix or None
        self.failure = None     # GradcheckError, or None when the check passed


def compare(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, default_dtype=None, complete=False):
    """Run gradcheck's slow mode on func(*inputs); the Comparison (its failure: PyTorch's
    GradcheckError text). complete: go on after a failure, so that every Jacobian is known
    (agcli check shows them all); the failure stays the first one PyTorch would report."""
    default_dtype = default_dtype or state.default_float
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    func_out = _as_tuple(func(*inputs))
    outputs = _differentiable(func_out)
    found = Comparison()
    if not outputs:
        numerical = numerical_jacobians(func, inputs, func_out, eps)
        found.numerical = _by_output(numerical)
        for per_output in numerical:
            for jacobian in per_output:
                if bool(B.xp.any(jacobian != 0)):
                    found.failure = GradcheckError("Numerical gradient for function expected to be zero")
        return found
    numerical = _by_output(numerical_jacobians(func, inputs, func_out, eps))
    by_output = [n for o, n in zip(func_out, numerical) if type(o) is Tensor and o.requires_grad]    # (as PyTorch zips)
    found.numerical = by_output
    for i, output in enumerate(outputs):
        found.analytical.append([None] * len(by_output[i]))
        if found.failure is not None and not complete:
            break
        analytical = analytical_jacobians(inputs, output)
        for j, (a, n) in enumerate(zip(analytical, by_output[i])):
            found.analytical[i][j] = a
            if found.failure is None and not allclose(a, n, rtol, atol):
                found.failure = GradcheckError(mismatch_message(a, n, i, j, default_dtype))
    if found.failure is None:
        found.failure = _backward_mul_by_grad_output(outputs, inputs)
    return found


def forward_jacobians(func, inputs):
    """PyTorch's _get_analytical_jacobian_forward_ad: per input that requires grad, per floating-point
    output, the (input numel, output numel) matrix whose row k is the output's tangent when that input's
    tangent is the k-th one-hot (the others zeros), the inputs detached and made dual."""
    with FA.dual_level():
        duals, tangents = [], []
        for inp in inputs:
            if type(inp) is Tensor and inp.requires_grad:
                inp = FA.make_dual(inp.detach(), C.zeros_like(inp))
                tangents.append(FA.unpack_dual(inp).tangent)
            duals.append(inp)
        jacobians = []
        for tangent in tangents:
            numel, matrices = int(tangent.data.size), None
            for row, idx in enumerate(product(*[range(m) for m in tangent.data.shape])):
                B.setitem(tangent.data, idx, 1)
                outputs = [o for o in _as_tuple(func(*duals)) if type(o) is Tensor and B.kind(o.data.dtype) == "f"]
                if matrices is None:
                    matrices = [B.zeros((numel, int(o.data.size)), dtype=o.data.dtype) for o in outputs]
                for matrix, o in zip(matrices, outputs):
                    found = FA.unpack_dual(o).tangent
                    if found is not None:
                        B.setitem(matrix, row, B.xp.reshape(found.data, (-1,)))
                B.setitem(tangent.data, idx, 0)
            jacobians.append(matrices or [])
    return jacobians


def forward_failure(func, inputs, eps, atol, rtol):
    """check_forward_ad's part of gradcheck: forward_jacobians against the central differences,
    PyTorch's GradcheckError for the first that differs (None when all agree)."""
    func_out = _as_tuple(func(*inputs))
    if not _differentiable(func_out):
        return compare(func, inputs, eps=eps, atol=atol, rtol=rtol).failure    # (the numerical check alone)
    numerical = _by_output(numerical_jacobians(func, inputs, func_out, eps))
    by_output = [n for o, n in zip(func_out, numerical) if type(o) is Tensor and o.requires_grad]
    analytical = forward_jacobians(func, inputs)
    for i, per_output in enumerate(by_output):
        for j, n in enumerate(per_output):
            a = analytical[j][i]
            if not allclose(a, n, rtol, atol):
                return GradcheckError(mismatch_message(a, n, i, j, state.default_float, forward=True))
    return None


def _backward_mul_by_grad_output(outputs, inputs):
    """PyTorch's _test_backward_mul_by_grad_output: zero grad_outputs give zero gradients."""
    diff_inputs = [inp for inp in inputs if type(inp) is Tensor and inp.requires_grad]
    grads = autograd_grad(list(outputs), diff_inputs, [C.zeros_like(o) for o in outputs], allow_unused=True)
    for g, inp in zip(grads, diff_inputs):
        if g is None:
            continue
        if not bool(B.xp.all(g.data == 0)):
            return GradcheckError("backward not multiplied by grad_output")
        if g.data.dtype != inp.data.dtype:
            return GradcheckError("grad is incorrect type")
        if g.data.shape != inp.data.shape:
            return GradcheckError("grad is incorrect size")
    return None


def _checked_options(eps, atol, rtol):
    return float(eps), float(atol), float(rtol)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """torch.autograd.gradcheck (slow mode, reverse and forward mode; the batched checks are not run)."""
    eps, atol, rtol = _checked_options(eps, atol, rtol)
    if check_backward_ad:
        failure = compare(func, inputs, eps=eps, atol=atol, rtol=rtol).failure
    else:
        _check_inputs(_as_tuple(inputs))
        failure = None
    if failure is None and check_forward_ad:
        failure = forward_failure(func, _as_tuple(inputs), eps, atol, rtol)
    if failure is None:
        return True
    if raise_exception:
        raise failure
    return False


def grad_of_grad_function(func, inputs, grad_outputs):
    """gradgradcheck's new_func and its inputs: (inputs + grad_outputs) -> the gradients of
    func's outputs with respect to the inputs that require grad (create_graph)."""
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = _differentiable(func(*inputs))
        grad_outputs = tuple(random_grad_output(o) for o in outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    count = len(grad_outputs)
    diff_inputs = {i for i, x in enumerate(inputs) if type(x) is Tensor and x.requires_grad}

    def new_func(*args):
        input_args = args[:-count] if count else args
        outputs = _differentiable(func(*input_args))
        grads = autograd_grad(list(outputs), [x for i, x in enumerate(input_args) if i in diff_inputs],
                              list(args[-count:]) if count else None, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)
    return new_func, inputs + tuple(grad_outputs)


def random_grad_output(like):
    """torch.testing.make_tensor(shape, low=-1, high=1, requires_grad=True): uniform in [-1, 1)."""
    from .sampling import uniform_
    leaf = uniform_(Tensor(B.zeros(like.data.shape, dtype=like.data.dtype), device=like.device), -1.0, 1.0)
    leaf.requires_grad = True
    return leaf


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """torch.autograd.gradgradcheck: gradcheck of the function that gives func's gradients."""
    new_func, all_inputs = grad_of_grad_function(func, inputs, grad_outputs)
    return gradcheck(new_func, all_inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
