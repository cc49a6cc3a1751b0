"""Module.state_dict() and load_state_dict(), in memory, as torch/nn/modules/module.py
does them: the persistent parameters and buffers by dotted name (detached unless
keep_vars), copied back under no_grad with PyTorch's checks and messages.
"""
from __future__ import annotations

from collections import OrderedDict

from ...engine.tensor import Tensor, set_grad_enabled
from ...torchapi import in_place
from ...torchapi.functions import select
from ...torchapi.namespace import Size
from ..program_exceptions import python_errors, raise_python
from ..program_values import value_repr
from .native import members_of, program
from .parameter import parameter


class StateDict(OrderedDict):
    """The OrderedDict a state_dict() returns, printed as Python 3.11 prints one (tensors as PyTorch's)."""

    type_name = "OrderedDict"
    pytorch_module = "collections"      # (type(sd): <class 'collections.OrderedDict'>)
    program_methods = frozenset(("keys", "values", "items", "get", "copy", "pop", "popitem", "update",
                                 "setdefault", "clear", "move_to_end"))

    # a module's state_dict() carries its versions (PyTorch's `_metadata`), which a copy or a dict of it does not
    versioned = False

    def __repr__(self):
        if not self:
            return "OrderedDict()"
        return "OrderedDict([" + ", ".join(f"({value_repr(k)}, {value_repr(v)})" for k, v in self.items()) + "])"

    def copy(self):
        return StateDict(self)


for _name in StateDict.program_methods - {"copy"}:
    setattr(StateDict, _name, python_errors(getattr(OrderedDict, _name)))


class IncompatibleKeys(tuple):
    """load_state_dict's answer: (missing_keys, unexpected_keys)."""

    type_name = "_IncompatibleKeys"
    program_attributes = {"missing_keys": "missing_keys", "unexpected_keys": "unexpected_keys"}
    missing_keys = property(lambda self: self[0])
    unexpected_keys = property(lambda self: self[1])

    def __repr__(self):
        if not self[0] and not self[1]:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={value_repr(self[0])}, unexpected_keys={value_repr(self[1])})"


def _save(module, destination, prefix, keep_vars):
    own = module.__dict__
    for name, param in own["_parameters"].items():
        if param is not None:
            # (an UninitializedParameter's detach is one too: a lazy module's shows `<UninitializedParameter>`)
            keep = keep_vars or getattr(param, "parameter", False) == "uninitialized"
            destination[prefix + name] = param if keep else param.detach()
    for name, buf in own["_buffers"].items():
        if buf is not None and name not in own["_non_persistent_buffers_set"]:
            destination[prefix + name] = buf if keep_vars else buf.detach()
    for name, child in own["_modules"].items():
        if child is not None:
            _save(child, destination, prefix + name + ".", keep_vars)


def _load_local(module, state_dict, prefix, missing, unexpected, errors, assign, versioned):
    own = module.__dict__
    persistent = {k: v for k, v in own["_buffers"].items() if k not in own["_non_persistent_buffers_set"]}
    local = {k: v for k, v in [*own["_parameters"].items(), *persistent.items()] if v is not None}
    if not versioned and own.get("track_running_stats") and local.get("num_batches_tracked") is not None:
        # (_NormBase: a state dict of no version, older than num_batches_tracked, keeps the module's own)
        state_dict.setdefault(prefix + "num_batches_tracked", local["num_batches_tracked"])
    for name, param in local.items():
        key = prefix + name
        if key not in state_dict:
            missing.append(key)
            continue
        value = state_dict[key]
        if type(value) is not Tensor:
            errors.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like object '
                          f"from checkpoint but received {_python_type(value)}")
            continue
        if param.ndim == 0 and value.ndim == 1 and value.shape[0] == 1:
            value = select(value, 0, 0)
        if tuple(value.shape) != tuple(param.shape):
            errors.append(f"size mismatch for {key}: copying a param with shape {Size(value.shape)!r} from "
                          f"checkpoint, the shape in current model is {Size(param.shape)!r}.")
            continue
        if assign:          # the checkpoint's tensor itself becomes the module's (a Parameter where one was)
            if getattr(param, "parameter", False) and not getattr(value, "parameter", False):
                value = parameter(value, requires_grad=param.requires_grad)
            (own["_parameters"] if name in own["_parameters"] else own["_buffers"])[name] = value
            continue
        with set_grad_enabled(False):
            in_place.copy_(param, value)
    for key in state_dict:
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)
            if len(head) > 1:
                if head[0] not in own["_modules"]:
                    unexpected.append(key)
            elif head[0] not in local:
                unexpected.append(key)


def _python_type(value):
    t = type(value)
    if t is Tensor:         # (agcli's class, PyTorch's name)
        return "<class 'torch.nn.parameter.Parameter'>" if getattr(value, "parameter", False) \
            else "<class 'torch.Tensor'>"
    return f"<class '{t.__name__}'>" if t.__module__ == "builtins" else f"<class '{t.__module__}.{t.__qualname__}'>"


def _load(module, state_dict, prefix, missing, unexpected, errors, assign, versioned):
    _load_local(module, state_dict, prefix, missing, unexpected, errors, assign, versioned)
    for name, child in module.__dict__["_modules"].items():
        if child is not None:
            child_prefix = prefix + name + "."
            _load(child, {k: v for k, v in state_dict.items() if k.startswith(child_prefix)}, child_prefix,
                  missing, unexpected, errors, assign, versioned)


def _quoted(keys):
    return ", ".join(f'"{k}"' for k in keys)


class StateDicts:
    """Module's state_dict methods (a mixin of module.Module)."""

    @program("state_dict")
    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        if "_parameters" not in self.__dict__:     # (what PyTorch's state_dict reads first)
            members_of(self, "_state_dict_pre_hooks")
        if destination is None:
            destination = StateDict()
            destination.versioned = True
        _save(self, destination, prefix, keep_vars)
        return destination

    @program("load_state_dict")
    def load_state_dict(self, state_dict, strict=True, assign=False):
        if not isinstance(state_dict, dict):
            raise_python(TypeError(f"Expected state_dict to be dict-like, got {_python_type(state_dict)}."))
        if "_parameters" not in self.__dict__:     # (what PyTorch's loading reads first)
            members_of(self, "_load_state_dict_pre_hooks")
        missing, unexpected, errors = [], [], []
        _load(self, dict(state_dict), "", missing, unexpected, errors, assign, getattr(state_dict, "versioned", False))
        if strict:
            if unexpected:
                errors.insert(0, f"Unexpected key(s) in state_dict: {_quoted(unexpected)}. ")
            if missing:
                errors.insert(0, f"Missing key(s) in state_dict: {_quoted(missing)}. ")
        if errors:
            raise_python(RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors))))
        return IncompatibleKeys((missing, unexpected))
