"""Module hooks: register_forward_pre_hook and register_forward_hook (with prepend= and
with_kwargs=), register_full_backward_hook and register_full_backward_pre_hook
(backward_hooks.py), run around forward as Module._call_impl runs them, and the
RemovableHandle whose remove() takes a hook out. A module without hooks keeps no hook
dicts, so its call takes no detour.
"""
from __future__ import annotations

from itertools import count

from ...engine.tensor import Tensor
from ...state import state
from ..program_exceptions import raise_python
from ..program_values import type_name, value_str
from .backward_hooks import BackwardHook
from .native import call, program

_IDS = count()


class RemovableHandle:
    """What registering a hook returns: handle.remove() unregisters it."""

    __slots__ = ("id", "tables")
    type_name = "RemovableHandle"
    program_attributes = {"id": "id"}
    program_methods = frozenset(("remove",))

    def __init__(self, tables):
        self.id, self.tables = next(_IDS), tables

    def remove(self):
        for table in self.tables:
            table.pop(self.id, None)

    def __repr__(self):
        return f"<torch.utils.hooks.RemovableHandle object at {id(self):#x}>"


def _tables(module, name):
    own = module.__dict__
    if name not in own:
        own[name], own[name + "_with_kwargs"] = {}, {}
    return own[name], own[name + "_with_kwargs"]


def _register(module, name, hook, prepend, with_kwargs):
    hooks, with_kw = _tables(module, name)
    handle = RemovableHandle((hooks, with_kw))
    if prepend:
        rest = dict(hooks)
        hooks.clear()
        hooks[handle.id] = hook
        hooks.update(rest)
    else:
        hooks[handle.id] = hook
    if with_kwargs:
        with_kw[handle.id] = True
    return handle


def call_with_hooks(module, args, kwargs):
    """module(*args, **kwargs): its forward, with its forward hooks around it if it has any."""
    own = module.__dict__
    pre, post = own.get("_forward_pre_hooks"), own.get("_forward_hooks")
    backward, backward_pre = own.get("_backward_hooks"), own.get("_backward_pre_hooks")
    if "_parameters" not in own:           # Module.__init__ never ran: PyTorch's call reads its hooks first
        raise_python(AttributeError(f"'{type(module).__name__}' object has no attribute '_backward_hooks'"))
    if not pre and not post and not backward and not backward_pre:
        return call(module, "forward", *args, **kwargs)
    for hook_id, hook in list((pre or {}).items()):
        if hook_id in own["_forward_pre_hooks_with_kwargs"]:
            result = hook(module, args, kwargs)
            if result is not None:
                if type(result) is not tuple or len(result) != 2:
                    raise_python(RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                              f"new_kwargs), but got {value_str(result)}."))
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if type(result) is tuple else (result,)
    watch = None
    if backward or backward_pre:
        watch = BackwardHook(module, list(backward.values()) if backward else [],
                            list(backward_pre.values()) if backward_pre else [])
        args = watch.setup_input_hook(tuple(args))
    result = call(module, "forward", *args, **kwargs)
    for hook_id, hook in list((post or {}).items()):
        if hook_id in own["_forward_hooks_with_kwargs"]:
            hook_result = hook(module, args, kwargs, result)
        else:
            hook_result = hook(module, args, result)
        if hook_result is not None:
            result = hook_result
    if watch is not None:
        if type(result) is not tuple and not isinstance(result, Tensor):
            state.warn("UserWarning: For backward hooks to be called, module output should be a Tensor or a tuple "
                       f"of Tensors but received <class '{type_name(result)}'>")
        result = watch.setup_output_hook(result)
    return result


class Hooks:
    """Module's hook methods (a mixin of module.Module)."""

    @program("register_forward_pre_hook")
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        return _register(self, "_forward_pre_hooks", hook, prepend, with_kwargs)

    @program("register_forward_hook")
    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        return _register(self, "_forward_hooks", hook, prepend, with_kwargs)

    @program("register_full_backward_hook")
    def register_full_backward_hook(self, hook, prepend=False):
        return _register(self, "_backward_hooks", hook, prepend, False)

    @program("register_full_backward_pre_hook")
    def register_full_backward_pre_hook(self, hook, prepend=False):
        return _register(self, "_backward_pre_hooks", hook, prepend, False)
