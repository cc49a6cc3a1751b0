"""The modules of Python's standard library that programs import and agcli makes only then (os,
argparse, json, logging, operator, statistics, string, heapq, bisect, textwrap, re, datetime, abc, enum,
pathlib, csv, inspect, types.SimpleNamespace): what each is made of lives in its own program_*.py;
importing none of them costs a run nothing."""
from __future__ import annotations

import importlib

from .module_value import ModuleValue
from .program_modules import BuiltinClass, import_module, modules

# each module's maker: its entries(builtin_class) (program_pure makes several modules at once)
_MAKERS = {"argparse": "program_argparse", "logging": "program_logging", "json": "program_json",
           "operator": "program_operator_module", "abc": "program_abc", "enum": "program_enum",
           "pathlib": "program_pathlib", "datetime": "program_datetime",
           "csv": "program_csv", "inspect": "program_inspect"}
_PURE = ("statistics", "string", "heapq", "bisect", "textwrap", "re")
STANDARD_LIBRARY = ("os", "types", *_MAKERS, *_PURE)


def find_module(dotted: str) -> ModuleValue:
    """`import dotted`: one of these made on first import, else program_modules' (or its ModuleNotFoundError)."""
    top = dotted.partition(".")[0]
    if top in STANDARD_LIBRARY and dotted not in modules():
        for name, made in standard_library_modules(top, BuiltinClass).items():
            modules().setdefault(name, made)
    return import_module(dotted)


def standard_library_modules(top: str, builtin_class) -> dict:
    """{dotted name: module} for `import top` (os brings os.path)."""
    if top == "os":
        from . import program_os
        return program_os.entries()
    if top == "types":
        from .program_argparse import SimpleNamespace
        return {top: ModuleValue(top, {"SimpleNamespace": builtin_class("SimpleNamespace", "types", SimpleNamespace,
                                                                        SimpleNamespace)})}
    if top in _MAKERS:
        maker = importlib.import_module(f".{_MAKERS[top]}", __package__)
        return {top: ModuleValue(top, maker.entries(builtin_class))}
    from . import program_pure
    return {name: ModuleValue(name, entries) for name, entries in program_pure.entries(builtin_class).items()}
