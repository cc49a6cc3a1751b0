"""torch.func.jvp and jacfwd in forward mode (engine/forward.py's dual numbers):
jvp gives the primals the tangents; jacfwd gives each differentiated tensor the
batch of its columns of one identity, so one evaluation gives every column.
Inside another forward-mode level (jvp within jacfwd) they fall back to the
double-backward trick on the tape, one level being all the engine keeps.
"""
from __future__ import annotations

from ..engine import backend as B
from ..engine import forward as FW
from ..engine.forward import tangent_of
from ..engine.tensor import Tensor, set_grad_enabled
from ..state import state
from . import creation as C
from . import functions as F
from .func_levels import (Level, Transformed, _dtype, _gradients, _jacobian_impl, _positions, _runtime,
                          _tree_map, _value_error, flatten, flatten_outputs, float_primal, python_type,
                          split_aux, standard_basis, transform)

_JVP = "jvp(f, primals, tangents)"     # how PyTorch's messages name jvp (and jacfwd, which runs it)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    def wrapper(*args, **kwargs):
        if state.dual is None:      # forward mode, all columns at once
            return _jacobian_forward(func, argnums, has_aux, args, kwargs)
        # (a dual level is open already, jacfwd(jacfwd(f)): one level at a time, so by reverse mode)
        return _jacobian_impl(func, argnums, has_aux, args, kwargs, _JVP)
    return Transformed("jacfwd", wrapper, func)


def _jacobian_forward(func, argnums, has_aux, args, kwargs):
    """jacfwd in forward mode: each differentiated tensor carries the batch of its columns
    of one identity (engine/forward.py), so one evaluation gives every column."""
    positions = _positions(argnums, len(args))
    args = list(args)
    level = FW.enter_level()
    try:
        diff = tuple(_tree_map(_dual_copy, args[p]) for p in positions)
        flat_in, rebuild_in = flatten(diff if isinstance(argnums, tuple) else diff[0])
        numels = [int(x.data.size) for x in flat_in]
        for x, block in zip(flat_in, standard_basis(flat_in, numels) if flat_in else ()):
            columns = B.xp.reshape(block.data, (sum(numels),) + tuple(x.shape))
            level.give(x, Tensor(columns, device=x.device) if x.requires_grad else columns)
        for p, d in zip(positions, diff):
            args[p] = d
        output, aux = split_aux(func(*args, **kwargs), has_aux, _JVP)
        flat_out, rebuild_out = flatten_outputs(output, _JVP)
        tangents = [tangent_of(o) for o in flat_out]
    finally:
        FW.exit_level(level)
    per_output = []
    for out, t in zip(flat_out, tangents):
        blocks, start = [], 0
        for inp, numel in zip(flat_in, numels):
            shape = tuple(out.shape) + tuple(inp.shape)
            if t is None:
                blocks.append(C.zeros(shape, dtype=_dtype(out)))
            else:
                part = (t.data if type(t) is Tensor else t)[start:start + numel, ...]
                part = B.xp.reshape(part, (numel, int(out.data.size)))
                blocks.append(Tensor(B.xp.reshape(B.xp.permute_dims(part, (1, 0)), shape), device=out.device))
            start += numel
        per_output.append(rebuild_in(blocks))
    result = rebuild_out(per_output)
    if has_aux:
        return result, aux
    return result


def _dual_copy(x):
    """A tensor of the dual level's own for argument x (x itself gets no tangent)."""
    if type(x) is not Tensor:
        raise _value_error(f"Thing passed to transform API must be Tensor, got {python_type(x)}")
    float_primal(x)
    return F.view(x, x.shape) if x.requires_grad else x.detach()



# ------------------------------------------------------------------ jvp
@transform
def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    if not isinstance(primals, tuple):
        raise _runtime("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid to call "
                       "f(*primals).")
    flat_p, _ = flatten(primals)
    flat_t, _ = flatten(tangents) if isinstance(tangents, tuple) else ([tangents], None)
    if not isinstance(tangents, tuple) or len(flat_p) != len(flat_t):
        raise _runtime("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                       "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got "
                       f"primals with structure {_structure(primals)} and tangents with structure "
                       f"{_structure(tangents)}")
    for idx, (p, t) in enumerate(zip(flat_p, flat_t)):
        if type(t) is Tensor and type(p) is Tensor and t.shape != p.shape:
            raise _runtime(f"jvp(f, primals, tangents): Expected primals and tangents to have the same shape. "
                           f"tangent:{idx} with shape {_size(t.shape)} in flattened pytree doesn't match the "
                           f"shape {_size(p.shape)} of the corresponding primal.")
    _tree_map(float_primal, primals)
    if state.dual is None:
        return _jvp_forward(func, primals, flat_t, strict, has_aux)
    # (a dual level is open already: the double-backward trick, one level at a time)
    level = Level()
    with set_grad_enabled(True):
        diff = _tree_map(level.differentiable, primals)
        flat_in, _ = flatten(diff)
        output, aux = split_aux(func(*diff), has_aux, _JVP)
        flat_out, rebuild_out = flatten_outputs(output, _JVP)
        dummies = [C.zeros_like(o, requires_grad=True) for o in flat_out]
        grads = _gradients(flat_out, flat_in, dummies, retain_graph=True, create_graph=True)
        products = _gradients(grads, dummies, list(flat_t), retain_graph=True, create_graph=True)
    result = (rebuild_out([level.unwrap(o) for o in flat_out]),
              rebuild_out([level.unwrap(p) for p in products]))
    if has_aux:
        return result + (_tree_map(level.unwrap, aux),)
    return result


def _jvp_forward(func, primals, flat_tangents, strict, has_aux):
    """jvp in forward mode: the primals carry the tangents through func (engine/forward.py)."""
    level = FW.enter_level()
    try:
        duals = _tree_map(_dual_copy, primals)
        for d, t in zip(flatten(duals)[0], flat_tangents):
            level.give(d, t if type(t) is Tensor and t.requires_grad else _raw_tangent(t, d))
        output, aux = split_aux(func(*duals), has_aux, _JVP)
        flat_out, rebuild_out = flatten_outputs(output, _JVP)
        tangents = []
        for o in flat_out:
            t = tangent_of(o)
            if t is None:
                if strict:
                    raise _runtime("jvp(f, primals, tangents, strict=True): The output of f is independent of the "
                                   "inputs. This is not allowed with strict=True.")
                t = C.zeros_like(o)
            tangents.append(t if type(t) is Tensor else Tensor(t, device=o.device))
    finally:
        FW.exit_level(level)
    result = (rebuild_out(list(flat_out)), rebuild_out(tangents))
    return result + (aux,) if has_aux else result


def _raw_tangent(t, like):
    """A tangent as the dual level takes it: the raw array, in the primal's dtype (a tensor when
    the primal requires grad: its rules then run on tensors)."""
    data = t.data if type(t) is Tensor else B.asarray(t)
    data = data if data.dtype == like.data.dtype else B.astype(data, like.data.dtype)
    return Tensor(data, device=like.device) if like.requires_grad else data


def _size(shape):
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _structure(tree):
    leaves, _ = flatten(tree)
    if not isinstance(tree, (tuple, list)):
        return "*"
    return f"TreeSpec({type(tree).__name__}, None, [{', '.join('*' for _ in leaves)}])"
