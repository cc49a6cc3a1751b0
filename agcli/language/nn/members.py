"""A module's members as PyTorch walks them: parameters, buffers, children and all
modules, named with their dotted paths, each member once (torch/nn/modules/module.py:
_named_members, named_modules). The iterators are generators, as PyTorch's are.
"""
from __future__ import annotations

from ...torchapi import autograd, in_place
from ..program_exceptions import raise_python
from .native import call, members_of, program


def _named_members(module, members, prefix, recurse, remove_duplicate):
    seen = set()
    modules = Members.named_modules(module, prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
        else [(prefix, module)]
    for module_prefix, m in modules:
        for k, v in members_of(m, members).items():
            if v is None or id(v) in seen:
                continue
            if remove_duplicate:
                seen.add(id(v))
            yield module_prefix + ("." if module_prefix else "") + k, v


class Members:
    """Module's iteration methods (a mixin of module.Module)."""

    @program("named_parameters")
    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        yield from _named_members(self, "_parameters", prefix, recurse, remove_duplicate)

    @program("parameters")
    def parameters(self, recurse=True):
        for _name, param in Members.named_parameters(self, recurse=recurse):
            yield param

    @program("named_buffers")
    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from _named_members(self, "_buffers", prefix, recurse, remove_duplicate)

    @program("buffers")
    def buffers(self, recurse=True):
        for _name, buf in Members.named_buffers(self, recurse=recurse):
            yield buf

    @program("named_children")
    def named_children(self):
        seen = set()
        for name, module in members_of(self, "_modules").items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    @program("children")
    def children(self):
        for _name, module in Members.named_children(self):
            yield module

    @program("named_modules")
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in members_of(self, "_modules").items():
            if module is None:
                continue
            yield from Members.named_modules(module, memo, prefix + ("." if prefix else "") + name,
                                             remove_duplicate)

    @program("modules")
    def modules(self, remove_duplicate=True):
        for _name, module in Members.named_modules(self, remove_duplicate=remove_duplicate):
            yield module

    @program("get_submodule")
    def get_submodule(self, target):
        if target == "":
            return self
        module = self
        for item in target.split("."):
            child = module.__dict__["_modules"].get(item)
            if child is None:
                if not _has(module, item):
                    raise_python(AttributeError(f"{type(module).__name__} has no attribute `{item}`"))
                raise_python(AttributeError(f"`{item}` is not an nn.Module"))
            module = child
        return module

    @program("get_parameter")
    def get_parameter(self, target):
        return _get_member(self, target, "_parameters", "nn.Parameter")

    @program("get_buffer")
    def get_buffer(self, target):
        return _get_member(self, target, "_buffers", "buffer")

    @program("requires_grad_")
    def requires_grad_(self, requires_grad=True):
        for p in Members.parameters(self):
            autograd.requires_grad_(p, requires_grad)
        return self

    @program("zero_grad")
    def zero_grad(self, set_to_none=True):
        for p in call(self, "parameters"):      # (a subclass's own parameters(), as PyTorch's)
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        autograd.detach_(p.grad)
                    else:
                        autograd.requires_grad_(p.grad, False)
                    in_place.zero_(p.grad)

    @program("apply")
    def apply(self, fn):
        for module in Members.children(self):
            call(module, "apply", fn)
        fn(self)
        return self


def _get_member(module, target, members, what):
    """get_parameter / get_buffer: the submodule's member by dotted path, with PyTorch's errors."""
    path, _, name = target.rpartition(".")
    mod = Members.get_submodule(module, path)
    own = members_of(mod, members)
    if own.get(name) is not None:
        return own[name]
    if not _has(mod, name):
        raise_python(AttributeError(f"{type(mod).__name__} has no attribute `{name}`"))
    raise_python(AttributeError(f"`{name}` is not {'an' if what == 'nn.Parameter' else 'a'} {what}"))


def _has(module, name) -> bool:
    """hasattr(module, name) as PyTorch's Module answers it: a member, an attribute or a method."""
    return any(members_of(module, kind).get(name) is not None for kind in ("_parameters", "_buffers", "_modules")) \
        or name in module.__dict__ or hasattr(type(module), name)
