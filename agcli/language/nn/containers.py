"""nn.Sequential, nn.ModuleList and nn.ModuleDict, as torch/nn/modules/container.py writes
them: modules registered under "0", "1", ... (or their keys), indexing (negative and
slices), len, iteration, append, extend, insert, update, and ModuleList's printing that
folds repeated modules.
"""
from __future__ import annotations

from collections import OrderedDict

from ..program_classes import instantiate
from ..program_exceptions import ProgramException, raise_python
from ..program_iteration import iterate
from ..program_values import type_name
from .module import Module, add_indent
from .native import call, native_class, program


def as_index(idx):
    """operator.index(idx)."""
    if type(idx) is bool or type(idx) is int:
        return int(idx)
    raise_python(TypeError(f"'{type_name(idx)}' object cannot be interpreted as an integer"))


def _key_at(module, idx):
    """The key of the idx-th module (Sequential._get_item_by_idx, ModuleList._get_abs_string_index)."""
    keys = list(module.__dict__["_modules"])
    size = len(keys)
    idx = as_index(idx)
    if not -size <= idx < size:
        raise_python(IndexError(f"index {idx} is out of range"))
    return keys[idx % size]


def _renumber(module):
    modules = module.__dict__["_modules"]
    module.__dict__["_modules"] = dict(zip([str(i) for i in range(len(modules))], modules.values()))


def _delete(module, idx):
    if type(idx) is slice:
        for key in list(module.__dict__["_modules"])[idx]:
            del module.__dict__["_modules"][key]
    else:
        del module.__dict__["_modules"][_key_at(module, idx)]
    _renumber(module)


class Sequential(Module):
    @program("__init__")
    def init(self, *args):
        Module.init(self)
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                Module.add_module(self, key, module)
        else:
            for idx, module in enumerate(args):
                Module.add_module(self, str(idx), module)

    @program("__getitem__")
    def getitem(self, idx):
        modules = self.__dict__["_modules"]
        if type(idx) is slice:
            return instantiate(type(self), (OrderedDict(list(modules.items())[idx]),), {})
        return modules[_key_at(self, idx)]

    @program("__setitem__")
    def setitem(self, idx, module):
        Module.program_setattr(self, _key_at(self, idx), module)

    @program("__delitem__")
    def delitem(self, idx):
        _delete(self, idx)

    @program("__len__")
    def len(self):
        return len(self.__dict__["_modules"])

    @program("__iter__")
    def iter(self):
        return iter(list(self.__dict__["_modules"].values()))

    @program("forward")
    def forward(self, input):
        for module in list(self.__dict__["_modules"].values()):
            input = module(input)
        return input

    @program("append")
    def append(self, module):
        Module.add_module(self, str(len(self.__dict__["_modules"])), module)
        return self

    @program("extend")
    def extend(self, sequential):
        for layer in iterate(sequential):
            call(self, "append", layer)
        return self

    @program("insert")
    def insert(self, index, module):
        if not isinstance(module, Module):
            raise_python(AssertionError("module should be of type: <class 'torch.nn.modules.module.Module'>"))
        modules = self.__dict__["_modules"]
        n = len(modules)
        if not -n <= index <= n:
            raise_python(IndexError(f"Index out of range: {index}"))
        if index < 0:
            index += n
        _shift_up(modules, n, index)
        modules[str(index)] = module
        return self

    @program("pop")
    def pop(self, key):
        value = call(self, "__getitem__", key)
        _delete(self, key)
        return value


class ModuleList(Module):
    @program("__init__")
    def init(self, modules=None):
        Module.init(self)
        if modules is not None:
            ModuleList.extend(self, modules)

    @program("__getitem__")
    def getitem(self, idx):
        modules = self.__dict__["_modules"]
        if type(idx) is slice:
            return instantiate(type(self), (list(modules.values())[idx],), {})
        return modules[_key_at(self, idx)]

    @program("__setitem__")
    def setitem(self, idx, module):
        Module.program_setattr(self, _key_at(self, idx), module)

    @program("__delitem__")
    def delitem(self, idx):
        _delete(self, idx)

    @program("__len__")
    def len(self):
        return len(self.__dict__["_modules"])

    @program("__iter__")
    def iter(self):
        return iter(list(self.__dict__["_modules"].values()))

    @program("__iadd__")
    def iadd(self, modules):
        return ModuleList.extend(self, modules)

    @program("append")
    def append(self, module):
        Module.add_module(self, str(len(self.__dict__["_modules"])), module)
        return self

    @program("extend")
    def extend(self, modules):
        offset = len(self.__dict__["_modules"])
        try:
            modules = list(iterate(modules))
        except ProgramException as e:       # (PyTorch asks isinstance(modules, Iterable) first)
            if isinstance(e.value, TypeError) and str(e.value).endswith("is not iterable"):
                raise_python(TypeError(f"ModuleList.extend should be called with an iterable, but got "
                                       f"{type_name(modules)}"))
            raise
        for i, module in enumerate(modules):
            Module.add_module(self, str(offset + i), module)
        return self

    @program("insert")
    def insert(self, index, module):
        modules = self.__dict__["_modules"]
        _shift_up(modules, len(modules), index)
        modules[str(index)] = module

    @program("pop")
    def pop(self, key):
        value = call(self, "__getitem__", key)
        _delete(self, key)
        return value

    @program("__repr__")
    def repr(self):
        reprs = [repr(m) for m in self.__dict__["_modules"].values()]
        if not reprs:
            return call(self, "_get_name") + "()"
        spans, blocks = [[0, 0]], [reprs[0]]
        for i, r in enumerate(reprs[1:], 1):
            if r == blocks[-1]:
                spans[-1][1] += 1
                continue
            spans.append([i, i])
            blocks.append(r)
        lines = []
        for (start, end), block in zip(spans, blocks):
            line = f"({start}): {block}" if start == end else f"({start}-{end}): {end - start + 1} x {block}"
            lines.append(add_indent(line, 2))
        return call(self, "_get_name") + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    @program("__init__")
    def init(self, modules=None):
        Module.init(self)
        if modules is not None:
            ModuleDict.update(self, modules)

    @program("__getitem__")
    def getitem(self, key):
        modules = self.__dict__["_modules"]
        if key not in modules:
            raise_python(KeyError(key))
        return modules[key]

    @program("__setitem__")
    def setitem(self, key, module):
        Module.add_module(self, key, module)

    @program("__delitem__")
    def delitem(self, key):
        ModuleDict.getitem(self, key)
        del self.__dict__["_modules"][key]

    @program("__len__")
    def len(self):
        return len(self.__dict__["_modules"])

    @program("__iter__")
    def iter(self):
        return iter(list(self.__dict__["_modules"]))

    @program("__contains__")
    def contains(self, key):
        return key in self.__dict__["_modules"]

    @program("clear")
    def clear(self):
        self.__dict__["_modules"].clear()

    @program("pop")
    def pop(self, key):
        value = ModuleDict.getitem(self, key)
        del self.__dict__["_modules"][key]
        return value

    @program("keys")
    def keys(self):
        return self.__dict__["_modules"].keys()

    @program("items")
    def items(self):
        return self.__dict__["_modules"].items()

    @program("values")
    def values(self):
        return self.__dict__["_modules"].values()

    @program("update")
    def update(self, modules):
        if isinstance(modules, (dict, ModuleDict)):
            pairs = list(modules.items()) if isinstance(modules, dict) else \
                list(modules.__dict__["_modules"].items())
            for key, module in pairs:
                Module.add_module(self, key, module)
            return
        for j, m in enumerate(iterate(modules)):
            m = list(iterate(m))
            if len(m) != 2:
                raise_python(ValueError(f"ModuleDict update sequence element #{j} has length {len(m)}; 2 is required"))
            Module.add_module(self, m[0], m[1])


native_class(Sequential, "torch.nn.modules.container")
native_class(ModuleList, "torch.nn.modules.container")
native_class(ModuleDict, "torch.nn.modules.container")


def _shift_up(modules, n, index):
    """The modules keyed index..n-1 moved one key up, as PyTorch's insert moves them: a KeyError
    the program can catch where a key is a name (add_module('final', ...)), not a number."""
    for i in range(n, index, -1):
        if str(i - 1) not in modules:
            raise_python(KeyError(str(i - 1)))
        modules[str(i)] = modules[str(i - 1)]
