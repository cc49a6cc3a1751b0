"""The modules of Python's standard library that programs import and agcli makes only then (os,
argparse, json, logging, operator, statistics, string, heapq, bisect, textwrap, re, datetime): what
each is made of lives in its own program_*.py; importing none of them costs a run nothing."""
from __future__ import annotations

from .module_value import ModuleValue

STANDARD_LIBRARY = ("os", "argparse", "json", "logging", "operator", "statistics", "string", "heapq", "bisect",
                    "textwrap", "re", "datetime")


def standard_library_modules(top: str, builtin_class) -> dict:
    """{dotted name: module} for `import top` (os brings os.path)."""
    if top == "os":
        from . import program_os
        return program_os.entries()
    if top == "argparse":
        from . import program_argparse
        return {top: ModuleValue(top, program_argparse.entries(builtin_class))}
    if top == "logging":
        from . import program_logging
        return {top: ModuleValue(top, program_logging.entries(builtin_class))}
    if top == "json":
        from . import program_json
        return {top: ModuleValue(top, program_json.entries())}
    if top == "operator":
        from . import program_operator_module
        return {top: ModuleValue(top, program_operator_module.entries())}
    from . import program_pure
    return {name: ModuleValue(name, entries) for name, entries in program_pure.entries(builtin_class).items()}
