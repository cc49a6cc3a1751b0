"""torch.optim.Optimizer: what every optimizer shares, as torch/optim/optimizer.py has it —
the parameter groups (a list of dicts a program reads and changes: `g['lr'] = 0.01`),
the per-parameter state (a defaultdict keyed by the tensors), zero_grad, step's closure,
add_param_group, state_dict, print(optimizer), and PyTorch's errors with its words.

A subclass declares its `defaults` (their order is PyTorch's: it shows in param_groups and
state_dict), its `step` (PyTorch's errors name each class's own) and `update(group)`, one
step of one group; `run_step` runs the closure with grad enabled, then the updates without
recording. A program reaches an optimizer's attributes
and methods through `program_attributes` / `program_methods` (language/program_attributes.py).
"""
from __future__ import annotations

import functools
from collections import defaultdict

from ...engine import backend as B
from ...engine.tensor import Tensor, bump_version, set_grad_enabled
from ...errors import AgcliError
from ...state import state
from .. import namespace
from . import updates
from ..ndarrays import type_name

_DUPLICATES = ("UserWarning: optimizer contains a parameter group with duplicate parameters; in future, this will "
               "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information")
# What a foreach/fused/capturable/differentiable option may be here: agcli runs PyTorch's CPU
# single-tensor updates, which are what those options' defaults pick on a CPU.
_ONLY_DEFAULT = {"foreach": (None, False), "fused": (None, False), "capturable": (False,),
                 "differentiable": (False,)}


def value_error(message):
    raise AgcliError(message, kind="value")


def type_error(message):
    raise AgcliError(message, kind="type")


def typename(value) -> str:
    """torch.typename(value), as PyTorch's messages name what they got."""
    if type(value) is Tensor:
        return namespace.METHODS["type"](value)
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def scalar_dtype() -> str:
    """_get_scalar_dtype(): the dtype of a `step` counter."""
    return "float64" if state.default_float == "float64" else "float32"


def counter() -> Tensor:
    """torch.tensor(0.0, dtype=_get_scalar_dtype()): a step count."""
    return Tensor(B.asarray(0.0, dtype=scalar_dtype()), device="cpu")


def number(value, what):
    """A hyperparameter as the update reads it: agcli takes numbers (PyTorch also takes a 1-element tensor)."""
    if type(value) is Tensor:
        raise AgcliError(f"a tensor {what} is not available in agcli", kind="not_implemented",
                         hint=f"give {what} as a number: {what}={B.item(value.data)!r}")
    return value


def zeros_like(p) -> Tensor:
    return Tensor(B.zeros(p.data.shape, dtype=p.data.dtype), device=p.device)


def program_method(fn):
    """A method a program calls: a call that does not fit its signature is the program's TypeError,
    in Python's words (which are PyTorch's: its optimizers are Python classes too)."""
    @functools.wraps(fn)
    def method(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TypeError as e:
            if e.__traceback__.tb_next is None:         # raised by the call itself, before fn ran
                raise AgcliError(str(e), kind="type") from None
            raise
    return method


def called_with_grad(closure):
    """step(closure)'s closure(), gradients on; step(loss) fails in Python's words, as PyTorch's call does."""
    if not callable(closure):
        raise AgcliError(f"'{type_name(closure)}' object is not callable", kind="type")
    with set_grad_enabled(True):
        return closure()


class OptimizerState(defaultdict):
    """optimizer.state: defaultdict(dict) keyed by the parameters (Python's own container)."""

    type_name = "defaultdict"
    pytorch_module = "collections"      # (type(opt.state): <class 'collections.defaultdict'>)
    program_methods = frozenset(("items", "keys", "values", "get"))


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    pytorch_module = "torch.optim.optimizer"    # what type() names as its module (program_conversions.type_of)
    program_attributes = {"param_groups": "param_groups", "state": "state", "defaults": "defaults"}
    program_methods = frozenset(("zero_grad", "step", "add_param_group", "state_dict", "load_state_dict"))

    def __init__(self, params, defaults: dict):
        for name, allowed in _ONLY_DEFAULT.items():
            if name in defaults and defaults[name] not in allowed:
                raise AgcliError(f"{type(self).__name__}({name}={defaults[name]!r}) is not available in agcli",
                                 kind="not_implemented",
                                 hint="agcli runs PyTorch's single-tensor CPU updates: leave "
                                      f"{name} at its default")
        self.defaults = defaults
        self.watched_by_scheduler = False   # a scheduler's warning asks whether step() ran since it came
        self.stepped = False
        if type(params) is Tensor:
            type_error("params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                       + typename(params))
        self.state = OptimizerState(dict)
        self.param_groups = []
        param_groups = list(_iterable(params))
        if not param_groups:
            value_error("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------ groups
    @program_method
    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            type_error(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if type(params) is Tensor:
            param_group["params"] = [params]
        elif isinstance(params, (set, frozenset)):
            type_error("optimizer parameters need to be organized in ordered collections, but the ordering of "
                       "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(_iterable(params))
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                value_error("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if type(param) is not Tensor:
                type_error("optimizer can only optimize Tensors, but one of the params is " + typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                value_error("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                value_error(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in tensors}) != len(tensors):
            state.warn(_DUPLICATES)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                value_error("all optimizer param groups should be with/without names. "
                            f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            value_error("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------ the loop's calls
    @program_method
    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                grad.grad_fn, grad.requires_grad = None, False      # detach_() / requires_grad_(False)
                B.setitem(grad.data, ..., 0)
                bump_version(grad)

    def run_step(self, closure):
        """step(closure): each optimizer's step() (PyTorch defines one per class, so its errors name it)."""
        loss = None
        if closure is not None:
            loss = called_with_grad(closure)
        with set_grad_enabled(False), B.float_errors_ignored():
            for group in self.param_groups:
                self.update(group)
        if self.watched_by_scheduler:
            self.stepped = True
        return loss

    @program_method
    def step(self, closure=None):
        raise AgcliError("", kind="not_implemented")        # (each optimizer has its own)

    def update(self, group):
        raise NotImplementedError

    def with_grads(self, group):
        """The group's parameters that have a gradient, and their gradients (negated for maximize)."""
        params = [p for p in group["params"] if p.grad is not None]
        grads = [p.grad if not group.get("maximize") else updates.neg(p.grad) for p in params]
        return params, grads

    # ------------------------------------------------------------ reading it
    @program_method
    def state_dict(self):
        mapping, start = {}, 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        packed_state = {(mapping[id(k)] if type(k) is Tensor else k): v for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": groups}

    @program_method
    def load_state_dict(self, state_dict):
        """Optimizer.load_state_dict: the saved groups' options (deep copies) with this optimizer's
        parameters, the saved state keyed by them; a state tensor of the parameter's dtype is taken
        as it is (shared with the dict, as PyTorch's .to() returns it), another converted."""
        import copy
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(self.param_groups) != len(saved_groups):
            value_error("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            value_error("loaded state dict contains a parameter group that doesn't match the size of optimizer's "
                        "group")
        id_map = {saved: p for g, s in zip(self.param_groups, saved_groups) for saved, p in zip(s["params"],
                                                                                                g["params"])}
        new_state = OptimizerState(dict)
        for key, value in state_dict["state"].items():
            param = id_map.get(key)
            new_state[key if param is None else param] = value if param is None else _cast(param, value)
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
        self.state, self.param_groups = new_state, saved_groups

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {_shown(group[key])}\n"
        return text + ")"


def _cast(param, value, key=None):
    """A loaded state value for `param` (_process_value_according_to_param_policy): `step` as it is,
    other tensors in the parameter's dtype (the same tensor when it is already)."""
    if type(value) is Tensor:
        if key == "step" or value.data.dtype == param.data.dtype or B.kind(param.data.dtype) != "f":
            return value
        return Tensor(B.astype(value.data, param.data.dtype), device=param.device)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    return value


def _iterable(params):
    try:
        return iter(params)
    except TypeError:
        type_error(f"'{type_name(params)}' object is not iterable")


def _shown(value) -> str:
    """A group's value as f"{value}" shows it (a tensor lr as PyTorch prints it)."""
    if type(value) is Tensor:
        from ..printing import tensor_repr
        return tensor_repr(value)
    return str(value)
