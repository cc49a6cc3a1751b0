"""Python's pprint in programs (pprint, pformat, pp, saferepr, isreadable, isrecursive, PrettyPrinter):
CPython 3.11's Lib/pprint.py, its layout rules ported over the containers a program holds (dicts, lists,
tuples, sets, strings, OrderedDict and a state_dict, defaultdict, Counter, deque), every other value by
its repr as print shows it (a tensor as PyTorch's repr, over several lines as it is)."""
from __future__ import annotations

import re
from collections import Counter, OrderedDict, defaultdict, deque

from .nn.state_dict import StateDict
from .program_exceptions import python_errors, raise_python
from .program_objects import Builtin
from .program_runtime import current
from .program_sys import write_to
from .program_values import type_name, value_repr

_SCALARS = (str, float, complex, bool, type(None))


class _SafeKey:
    """pprint's _safe_key: values that do not compare order by their type's name and id."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __lt__(self, other):
        try:
            return bool(self.obj < other.obj)
        except TypeError:
            return (str(type(self.obj)), id(self.obj)) < (str(type(other.obj)), id(other.obj))


def _safe_tuple(t):
    return _SafeKey(t[0]), _SafeKey(t[1])


def _recursion(v) -> str:
    return f"<Recursion on {type_name(v)} with id={id(v)}>"


class PrettyPrinter:
    type_name = "PrettyPrinter"
    program_methods = frozenset(("pprint", "pformat", "isreadable", "isrecursive"))

    def __init__(self, indent=1, width=80, depth=None, stream=None, *, compact=False, sort_dicts=True,
                 underscore_numbers=False):
        indent, width = int(indent), int(width)
        if indent < 0:
            raise_python(ValueError("indent must be >= 0"))
        if depth is not None and depth <= 0:
            raise_python(ValueError("depth must be > 0"))
        if not width:
            raise_python(ValueError("width must be != 0"))
        self._depth, self._indent_per_level, self._width, self._stream = depth, indent, width, stream
        self._compact, self._sort_dicts, self._underscore_numbers = bool(compact), sort_dicts, underscore_numbers
        self._readable = self._recursive = False

    def pprint(self, object):
        out = []
        self._format(object, out, 0, 0, {}, 0)
        text = "".join(out) + "\n"
        current().write(text) if self._stream is None else write_to(self._stream, text)

    def pformat(self, object):
        out = []
        self._format(object, out, 0, 0, {}, 0)
        return "".join(out)

    def isrecursive(self, object):
        return self._safe_repr(object, {}, 0, 0)[2]

    def isreadable(self, object):
        _, readable, recursive = self._safe_repr(object, {}, 0, 0)
        return readable and not recursive

    def __repr__(self):
        return f"<pprint.PrettyPrinter object at {id(self):#x}>"

    # ------------------------------------------------------------ layout
    def _format(self, v, out, indent, allowance, context, level):
        if id(v) in context:
            out.append(_recursion(v))
            self._recursive, self._readable = True, False
            return
        rep = self._repr(v, context, level)
        if len(rep) > self._width - indent - allowance:
            p = _DISPATCH.get(type(v).__repr__)
            if p is not None:
                context[id(v)] = 1
                p(self, v, out, indent, allowance, context, level + 1)
                del context[id(v)]
                return
            if getattr(type(v), "_dataclass_repr", False) and not isinstance(v, type):
                context[id(v)] = 1
                self._pprint_dataclass(v, out, indent, allowance, context, level + 1)
                del context[id(v)]
                return
        out.append(rep)

    def _pprint_dataclass(self, v, out, indent, allowance, context, level):
        name = type(v).__name__
        indent += len(name) + 1
        items = [(f.name, v.__dict__.get(f.name)) for f in type(v)._dataclass_fields.values() if f.repr]
        out.append(name + "(")
        delimnl = ",\n" + " " * indent
        for i, (key, ent) in enumerate(items):
            last = i == len(items) - 1
            out.append(key + "=")
            if id(ent) in context:
                out.append("...")      # (as the dataclass's own repr shows recursion)
            else:
                self._format(ent, out, indent + len(key) + 1, allowance if last else 1, context, level)
            if not last:
                out.append(delimnl)
        out.append(")")

    def _pprint_dict(self, v, out, indent, allowance, context, level):
        out.append("{")
        if self._indent_per_level > 1:
            out.append((self._indent_per_level - 1) * " ")
        if len(v):
            items = sorted(v.items(), key=_safe_tuple) if self._sort_dicts else v.items()
            self._format_dict_items(list(items), out, indent, allowance + 1, context, level)
        out.append("}")

    def _pprint_ordered_dict(self, v, out, indent, allowance, context, level):
        if not len(v):
            out.append(value_repr(v))
            return
        name = type_name(v)
        out.append(name + "(")
        self._format(list(v.items()), out, indent + len(name) + 1, allowance + 1, context, level)
        out.append(")")

    def _pprint_list(self, v, out, indent, allowance, context, level):
        out.append("[")
        self._format_items(v, out, indent, allowance + 1, context, level)
        out.append("]")

    def _pprint_tuple(self, v, out, indent, allowance, context, level):
        out.append("(")
        end = ",)" if len(v) == 1 else ")"
        self._format_items(v, out, indent, allowance + len(end), context, level)
        out.append(end)

    def _pprint_set(self, v, out, indent, allowance, context, level):
        if not len(v):
            out.append(value_repr(v))
            return
        if type(v) is set:
            out.append("{")
            end = "}"
        else:
            out.append("frozenset({")
            end = "})"
            indent += len("frozenset") + 1
        self._format_items(sorted(v, key=_SafeKey), out, indent, allowance + len(end), context, level)
        out.append(end)

    def _pprint_str(self, v, out, indent, allowance, context, level):
        if not len(v):
            out.append(repr(v))
            return
        chunks = []
        lines = v.splitlines(True)
        if level == 1:
            indent += 1
            allowance += 1
        max_width1 = max_width = self._width - indent
        for i, line in enumerate(lines):
            rep = repr(line)
            if i == len(lines) - 1:
                max_width1 -= allowance
            if len(rep) <= max_width1:
                chunks.append(rep)
                continue
            parts = re.findall(r"\S*\s*", line)[:-1]      # (non-space, space) runs, the empty last dropped
            max_width2, current_part = max_width, ""
            for j, part in enumerate(parts):
                candidate = current_part + part
                if j == len(parts) - 1 and i == len(lines) - 1:
                    max_width2 -= allowance
                if len(repr(candidate)) > max_width2:
                    if current_part:
                        chunks.append(repr(current_part))
                    current_part = part
                else:
                    current_part = candidate
            if current_part:
                chunks.append(repr(current_part))
        if len(chunks) == 1:
            out.append(rep)
            return
        if level == 1:
            out.append("(")
        for i, rep in enumerate(chunks):
            if i > 0:
                out.append("\n" + " " * indent)
            out.append(rep)
        if level == 1:
            out.append(")")

    def _pprint_default_dict(self, v, out, indent, allowance, context, level):
        if not len(v):
            out.append(value_repr(v))
            return
        factory = self._repr(v.default_factory, context, level)
        indent += len("defaultdict") + 1
        out.append(f"defaultdict({factory},\n{' ' * indent}")
        self._pprint_dict(v, out, indent, allowance + 1, context, level)
        out.append(")")

    def _pprint_counter(self, v, out, indent, allowance, context, level):
        if not len(v):
            out.append(value_repr(v))
            return
        out.append("Counter({")
        if self._indent_per_level > 1:
            out.append((self._indent_per_level - 1) * " ")
        self._format_dict_items(v.most_common(), out, indent + len("Counter") + 1, allowance + 2, context, level)
        out.append("})")

    def _pprint_deque(self, v, out, indent, allowance, context, level):
        if not len(v):
            out.append(value_repr(v))
            return
        out.append("deque(")
        indent += len("deque") + 1
        out.append("[")
        if v.maxlen is None:
            self._format_items(v, out, indent, allowance + 2, context, level)
            out.append("])")
        else:
            self._format_items(v, out, indent, 2, context, level)
            out.append(f"],\n{' ' * indent}maxlen={self._repr(v.maxlen, context, level)})")

    def _format_dict_items(self, items, out, indent, allowance, context, level):
        indent += self._indent_per_level
        delimnl = ",\n" + " " * indent
        last_index = len(items) - 1
        for i, (key, ent) in enumerate(items):
            last = i == last_index
            rep = self._repr(key, context, level)
            out.append(rep)
            out.append(": ")
            self._format(ent, out, indent + len(rep) + 2, allowance if last else 1, context, level)
            if not last:
                out.append(delimnl)

    def _format_items(self, items, out, indent, allowance, context, level):
        indent += self._indent_per_level
        if self._indent_per_level > 1:
            out.append((self._indent_per_level - 1) * " ")
        delimnl = ",\n" + " " * indent
        delim = ""
        width = max_width = self._width - indent + 1
        items = list(items)
        for k, ent in enumerate(items):
            last = k == len(items) - 1
            if last:
                max_width -= allowance
                width -= allowance
            if self._compact:
                rep = self._repr(ent, context, level)
                w = len(rep) + 2
                if width < w:
                    width = max_width
                    if delim:
                        delim = delimnl
                if width >= w:
                    width -= w
                    out.append(delim)
                    delim = ", "
                    out.append(rep)
                    continue
            out.append(delim)
            delim = delimnl
            self._format(ent, out, indent, allowance if last else 1, context, level)

    def _repr(self, v, context, level):
        rep, readable, recursive = self._safe_repr(v, dict(context), self._depth, level)
        if not readable:
            self._readable = False
        if recursive:
            self._recursive = True
        return rep

    def _safe_repr(self, v, context, maxlevels, level):
        """(repr, readable, recursive): pprint's one-line form, its dicts' keys sorted."""
        t = type(v)
        if t in _SCALARS:
            return repr(v), True, False
        if t is int:
            return (f"{v:_d}" if self._underscore_numbers else repr(v)), True, False
        if t is dict:
            if not v:
                return "{}", True, False
            if maxlevels and level >= maxlevels:
                return "{...}", False, id(v) in context
            items = sorted(v.items(), key=_safe_tuple) if self._sort_dicts else v.items()
            return self._joined(v, [(k, x) for k, x in items], "{%s}", context, maxlevels, level)
        if t is list or t is tuple:
            if not v:
                return ("[]" if t is list else "()"), True, False
            form = "[%s]" if t is list else "(%s,)" if len(v) == 1 else "(%s)"
            if maxlevels and level >= maxlevels:
                return form % "...", False, id(v) in context
            return self._joined(v, list(v), form, context, maxlevels, level)
        rep = value_repr(v)
        return rep, bool(rep) and not rep.startswith("<"), False

    def _joined(self, v, parts, form, context, maxlevels, level):
        if id(v) in context:
            return _recursion(v), False, True
        context[id(v)] = 1
        readable, recursive, shown = True, False, []
        for part in parts:
            pieces = part if type(part) is tuple and type(v) is dict else (part,)
            reps = []
            for piece in pieces:
                rep, piece_readable, piece_recursive = self._safe_repr(piece, context, maxlevels, level + 1)
                reps.append(rep)
                readable = readable and piece_readable
                recursive = recursive or piece_recursive
            shown.append(": ".join(reps))
        del context[id(v)]
        return form % ", ".join(shown), readable, recursive


_DISPATCH = {dict.__repr__: PrettyPrinter._pprint_dict, OrderedDict.__repr__: PrettyPrinter._pprint_ordered_dict,
             StateDict.__repr__: PrettyPrinter._pprint_ordered_dict, list.__repr__: PrettyPrinter._pprint_list,
             tuple.__repr__: PrettyPrinter._pprint_tuple, set.__repr__: PrettyPrinter._pprint_set,
             frozenset.__repr__: PrettyPrinter._pprint_set, str.__repr__: PrettyPrinter._pprint_str,
             defaultdict.__repr__: PrettyPrinter._pprint_default_dict, Counter.__repr__: PrettyPrinter._pprint_counter,
             deque.__repr__: PrettyPrinter._pprint_deque}


def pprint(object, stream=None, indent=1, width=80, depth=None, *, compact=False, sort_dicts=True,
           underscore_numbers=False):
    PrettyPrinter(stream=stream, indent=indent, width=width, depth=depth, compact=compact, sort_dicts=sort_dicts,
                  underscore_numbers=underscore_numbers).pprint(object)


def pformat(object, indent=1, width=80, depth=None, *, compact=False, sort_dicts=True, underscore_numbers=False):
    return PrettyPrinter(indent=indent, width=width, depth=depth, compact=compact, sort_dicts=sort_dicts,
                         underscore_numbers=underscore_numbers).pformat(object)


def pp(object, *args, sort_dicts=False, **kwargs):
    pprint(object, *args, sort_dicts=sort_dicts, **kwargs)


def saferepr(object):
    return PrettyPrinter()._safe_repr(object, {}, None, 0)[0]


def isreadable(object):
    return PrettyPrinter()._safe_repr(object, {}, None, 0)[1]


def isrecursive(object):
    return PrettyPrinter()._safe_repr(object, {}, None, 0)[2]


def pprint_entries(BuiltinClass) -> dict:
    """The pprint module's names (program_modules.py's BuiltinClass given: it imports this module)."""
    functions = {f.__name__: Builtin(f.__name__, python_errors(f))
                 for f in (pprint, pformat, pp, saferepr, isreadable, isrecursive)}
    return {**functions, "PrettyPrinter": BuiltinClass("PrettyPrinter", "pprint", PrettyPrinter,
                                                       python_errors(PrettyPrinter))}
