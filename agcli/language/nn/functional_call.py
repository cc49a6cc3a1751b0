"""torch.func.functional_call: a module called with some of its parameters and buffers replaced
by the given tensors for the call (then put back), as torch/_functorch/functional_call.py and
torch/nn/utils/stateless.py do it: the dicts merged (a key in two is ambiguous), tied tensors
given one value for all their names (tie_weights), strict's key check, each name swapped in its
submodule's _parameters, _buffers or attributes, and the originals swapped back after the call
(even when it raises). stack_module_state: the models' parameters and buffers stacked, for vmap."""
from __future__ import annotations

from ...engine.tensor import Tensor
from ...torchapi import shaping
from ..program_exceptions import raise_python
from ..program_values import type_name, value_repr
from .members import Members
from .module import Module
from .native import call

_MISSING = object()


def _named_tensors(module):
    """named_parameters and named_buffers, every name of a tensor registered under two."""
    return [*Members.named_parameters(module, remove_duplicate=False),
            *Members.named_buffers(module, remove_duplicate=False)]


def _untied(module, given):
    """_untie_named_tensors_map: the other names of a tied tensor given the same value."""
    names_of = {}
    for name, tensor in _named_tensors(module):
        names_of.setdefault(id(tensor), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    untied = dict(given)
    for name in [n for n in given if n in tied]:
        names = tied[name]
        if len([n for n in names if n in given]) > 1 and len({id(given[n]) for n in names if n in given}) != 1:
            raise_python(ValueError(f"functional_call got multiple values for keys {sorted(names)}, which are "
                                    "tied. Consider using tie_weights=False"))
        for other in names:
            untied[other] = given[name]
    return untied


def _submodule(module, path):
    for part in path.split(".") if path else ():
        child = module.__dict__["_modules"].get(part, _MISSING) if isinstance(module, Module) else _MISSING
        if child is _MISSING:
            raise_python(AttributeError(f"{call(module, '_get_name')} has no attribute `{part}`"))
        if not isinstance(child, Module):
            raise_python(TypeError(f"submodule `{path}`: {value_repr(child)} is not an instance of torch.nn.Module"))
        module = child
    return module


def _swap(module, name, tensor):
    """swap_tensor: `name` of its submodule set to tensor (_MISSING: removed); what was there."""
    path, _, attr = name.rpartition(".")
    module = _submodule(module, path)
    if tensor is not _MISSING and tensor is not None and type(tensor) is not Tensor:
        raise_python(TypeError(f"{value_repr(tensor)} is not an instance of torch.Tensor"))
    own = module.__dict__
    for table in (own["_parameters"], own["_buffers"]):
        if attr in table:
            original = table[attr]
            if tensor is _MISSING:
                del table[attr]
            else:
                table[attr] = tensor
            return original
    original = own.get(attr, _MISSING)
    if original is not _MISSING and type(original) is not Tensor:
        raise_python(TypeError(f"attribute `{attr}`: {value_repr(original)} is not an instance of torch.Tensor"))
    if tensor is not _MISSING:
        Module.program_setattr(module, attr, tensor)
    elif attr in own:
        del own[attr]
    return original


def _merged(dicts):
    if isinstance(dicts, dict):
        return dicts
    if not isinstance(dicts, (list, tuple)):
        raise_python(ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but "
                                f"got <class '{type_name(dicts)}'>"))
    if not all(isinstance(d, dict) for d in dicts):
        raise_python(ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries"))
    counts = {}
    for d in dicts:
        for k in d:
            counts[k] = counts.get(k, 0) + 1
    repeated = [k for k, v in counts.items() if v > 1]
    if repeated:
        raise_python(ValueError(f"{value_repr(repeated)} appeared in multiple dictionaries; behavior of functional "
                                "call is ambiguous"))
    return {k: v for d in dicts for k, v in d.items()}


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    given = _merged(parameter_and_buffer_dicts)
    kwargs = {} if kwargs is None else kwargs
    args = () if args is None else args if type(args) is tuple else (args,)
    tensors = _untied(module, given) if tie_weights else given
    if strict:
        valid = {name for name, _ in _named_tensors(module)}
        missing, unexpected = sorted(valid - set(tensors)), sorted(set(tensors) - valid)
        messages = ([f"Unexpected key(s): {', '.join(map(repr, unexpected))}."] if unexpected else []) + \
            ([f"Missing key(s): {', '.join(map(repr, missing))}."] if missing else [])
        if messages:
            raise_python(RuntimeError(f"Error(s) in reparametrizing for {call(module, '_get_name')}:\n\t" +
                                      "\n\t".join(messages)))
    originals = {}
    try:
        for name, tensor in tensors.items():
            originals[name] = _swap(module, name, tensor)
        return module(*args, **kwargs)
    finally:
        for name, original in originals.items():
            _swap(module, name, original)


def stack_module_state(models):
    """torch.func.stack_module_state: each parameter (and buffer) of the models stacked along a new first
    dimension, under its name; a stack of parameters is a new leaf that requires grad (detached)."""
    if len(models) == 0:
        raise_python(RuntimeError("stack_module_state: Expected at least one model, got 0."))
    if not (all(m.__dict__["training"] for m in models) or all(not m.__dict__["training"] for m in models)):
        raise_python(RuntimeError("stack_module_state: Expected all models to have the same training/eval mode."))
    if not all(type(m) is type(models[0]) for m in models):
        raise_python(RuntimeError("stack_module_state: Expected all models to be of the same class."))
    stacked = []
    for named in (Members.named_parameters, Members.named_buffers):
        each = [dict(named(m)) for m in models]
        stacked.append({k: _stacked_leaf([d[k] for d in each], k) for k in each[0]})
    return tuple(stacked)


def _stacked_leaf(tensors, name):
    wanting = [t.requires_grad for t in tensors]
    if any(wanting) and not all(wanting):
        raise_python(RuntimeError(f"Expected {name} from each model to have the same .requires_grad"))
    result = shaping.stack(tensors)
    if all(wanting):
        result = result.detach()
        result.requires_grad = True
    return result
