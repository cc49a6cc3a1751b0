"""The name Python 3.11 suggests after an unknown name ("NameError: name 'los' is not
defined. Did you mean: 'loss'?"): its Levenshtein distance and choice, as
Python/suggestions.c computes them, over the names Python would look at."""
from __future__ import annotations

import builtins as _python_builtins

_MAX_CANDIDATES = 750       # more names than this: Python suggests none
_MAX_STRING = 40
_MOVE_COST, _CASE_COST = 2, 1
# What a module's globals hold before its own names (their order is Python's).
_MODULE_DUNDERS = ("__name__", "__doc__", "__package__", "__loader__", "__spec__", "__annotations__",
                   "__builtins__", "__file__", "__cached__")


def _substitution_cost(a: str, b: str) -> int:
    if (ord(a) & 31) != (ord(b) & 31):
        return _MOVE_COST
    if a == b:
        return 0
    return _CASE_COST if a.lower() == b.lower() and a.isascii() and b.isascii() else _MOVE_COST


def _distance(a: str, b: str, max_cost: int) -> int:
    """levenshtein_distance: common ends trimmed, a move costing 2 and a change of case 1;
    anything over max_cost is max_cost + 1."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end = 0
    while end < min(len(a), len(b)) and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    a, b = a[:len(a) - end], b[:len(b) - end]
    if not a or not b:
        return (len(a) + len(b)) * _MOVE_COST
    if len(a) > _MAX_STRING or len(b) > _MAX_STRING:
        return max_cost + 1
    if len(b) < len(a):
        a, b = b, a
    if (len(b) - len(a)) * _MOVE_COST > max_cost:
        return max_cost + 1
    row = [(i + 1) * _MOVE_COST for i in range(len(a))]
    result = 0
    for b_index, code in enumerate(b):
        distance = result = b_index * _MOVE_COST
        minimum = None
        for index, char in enumerate(a):
            substitute = distance + _substitution_cost(code, char)
            distance = row[index]
            result = min(min(result, distance) + _MOVE_COST, substitute)
            row[index] = result
            minimum = result if minimum is None else min(minimum, result)
        if minimum > max_cost:
            return max_cost + 1
    return result


def suggestion(name: str, candidates) -> str | None:
    """calculate_suggestions: the nearest of `candidates` (a list, in Python's order), or None."""
    if len(candidates) >= _MAX_CANDIDATES:
        return None
    best, best_distance = None, None
    for item in candidates:
        if item == name:
            continue
        max_distance = (len(name.encode()) + len(item.encode()) + 3) * _MOVE_COST // 6
        if best_distance is not None:
            max_distance = min(max_distance, best_distance - 1)
        distance = _distance(name, item, max_distance)
        if distance <= max_distance and (best is None or distance < best_distance):
            best, best_distance = item, distance
    return best


def for_name(name: str, local_names, global_names) -> str | None:
    """A NameError's: the function's locals first (none at module level), then the module's
    globals, then Python's builtins."""
    found = suggestion(name, list(local_names)) if local_names is not None else None
    if found is None:
        names = list(global_names)
        found = suggestion(name, [*(d for d in _MODULE_DUNDERS if d not in global_names), *names])
    return found if found is not None else suggestion(name, list(_python_builtins.__dict__))


def for_tensor_attribute(name: str) -> str | None:
    """An AttributeError's on a tensor: among dir() of PyTorch's tensor (recorded: tensor_dir.txt)."""
    return suggestion(name, _recorded("tensor_dir.txt"))


def for_module_attribute(name: str, own) -> str | None:
    """On an nn.Module: Module.__dir__'s names, those of a bare module (recorded: module_dir.txt) and
    the module's `own` (its class's, attributes, parameters, submodules, buffers), sorted."""
    return suggestion(name, sorted(k for k in [*_recorded("module_dir.txt"), *own] if not k[:1].isdigit()))


def for_object_attribute(name: str, own) -> str | None:
    """On a program's object: dir() of it, its `own` and its classes' names with object's, sorted."""
    return suggestion(name, sorted({*own, *dir(object), "__dict__", "__module__", "__weakref__"}))


# The modules of Python's and NumPy's a program can import: dir() of the real one is Python's.
_PYTHON_MODULES = frozenset(("math", "random", "copy", "warnings", "sys", "collections", "functools", "itertools",
                             "dataclasses", "contextlib", "time", "pprint", "typing", "__future__", "numpy",
                             "numpy.random", "os", "os.path", "posixpath", "argparse",
                             "logging", "json", "operator", "statistics", "string", "heapq", "bisect", "textwrap",
                             "re", "datetime", "abc", "enum", "types"))


def missing_from_module(module: str, name: str):
    """(Python's message, its suggestion or None) for `module.NAME` that the real module lacks; False when
    it has NAME (agcli's own limit, then); None when agcli cannot tell (torch itself, matplotlib)."""
    recorded = _module_dirs().get(module)
    if recorded is not None:        # torch's modules: dir() recorded from PyTorch
        return name not in recorded and (f"module '{module}' has no attribute '{name}'", suggestion(name, recorded))
    if module not in _PYTHON_MODULES:
        return None
    import importlib
    real = importlib.import_module(module)
    try:
        getattr(real, name)
    except AttributeError as e:     # (its words: NumPy's for its removed aliases, which suggest nothing)
        return str(e), None if e.name is None else suggestion(name, dir(real))
    return False


# Python's own values: dir() of the value itself is Python's.
_PYTHON_TYPES = frozenset((list, dict, str, int, float, tuple, set, frozenset, bool, complex, type(None), range,
                           slice))


def for_value_attribute(value, type_name: str, name: str) -> str | None:
    """On another value: among value_dir's names (none known: no suggestion)."""
    names = value_dir(value, type_name)
    return None if names is None else suggestion(name, names)


def value_dir(value, type_name: str) -> list | None:
    """dir() of a value, where agcli knows it as Python lists it: Python's own values and classes of them (their
    real dir()), a torch.return_types structseq, or PyTorch's object of that type (type_dir); else None."""
    if type(value) in _PYTHON_TYPES or type(value) is type and value in _PYTHON_TYPES:
        return dir(value)
    if type_name.startswith("torch.return_types."):     # a structseq: a tuple's names and its fields'
        return sorted([*dir(tuple), "__match_args__", "n_fields", "n_sequence_fields", "n_unnamed_fields",
                       *value.fields])
    return type_dir(type_name)


def module_dir(module: str) -> list | None:
    """dir() of a module a program imports: torch's recorded, Python's and NumPy's their own; None if unknown."""
    recorded = _module_dirs().get(module)
    if recorded is None and module in _PYTHON_MODULES:
        import importlib
        return dir(importlib.import_module(module))
    return recorded


def type_dir(type_name: str) -> list | None:
    """dir() of PyTorch's object of that type (a tensor's, torch.Size, an optimizer, ...), None if not recorded."""
    return _recorded("tensor_dir.txt") if type_name in ("Tensor", "Parameter") else _dirs("type_dirs.txt").get(type_name)


def _module_dirs() -> dict:
    return _dirs("module_dirs.txt")


def _dirs(file) -> dict:
    """{a module or type: its dir()}, a line each in `file`: the module's or type's name, then the names."""
    if file not in _RECORDED:
        _RECORDED[file] = {key: names for key, *names in map(str.split, _lines(file))}
    return _RECORDED[file]


_RECORDED: dict = {}


def _recorded(file: str) -> list:
    if file not in _RECORDED:
        _RECORDED[file] = " ".join(_lines(file)).split()
    return _RECORDED[file]


def _lines(file: str) -> list:
    import os
    with open(os.path.join(os.path.dirname(__file__), file), encoding="utf-8") as f:
        return f.read().splitlines()
