"""Python's scopes, decided before a program runs, as Python's compiler
decides them: which names a function (a lambda, a comprehension, a class
body) binds itself, which it reads from the functions around it, which are
the module's.

At run time a name is then found in one place: the frame's own names, a cell
of an enclosing function's (Frame.cells, by the scope's level), or the
module's names and then the builtins. Only where it is found is decided when
the line runs: a name found nowhere is Python's NameError then.
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError

_NESTED = (A.FunctionDef, A.ClassDef, A.Lambda, A.Comprehension)


class Scope:
    """One scope: the module, a function (or lambda, or comprehension), or a class body."""

    __slots__ = ("kind", "parent", "bound", "globals", "nonlocals", "level", "qualname", "generator")

    def __init__(self, kind, parent=None, qualname=""):
        self.kind, self.parent, self.qualname = kind, parent, qualname
        self.bound, self.globals, self.nonlocals = set(), set(), set()
        self.generator = False
        if parent is None or parent.kind == "module":
            self.level = 0
        else:
            self.level = parent.level + (parent.kind != "class")

    @property
    def function_like(self) -> bool:
        return self.kind == "function"

    def where(self, name):
        """('global',), ('local',), ('class', cell or None) or ('free', cell index) for a name read here."""
        if self.kind == "module" or name in self.globals:
            return ("global",)
        if self.kind == "function" and name in self.bound and name not in self.nonlocals:
            return ("local",)
        free = self._enclosing(name)
        if self.kind == "class" and name in self.bound and name not in self.nonlocals:
            return ("class", None if free[0] == "global" else free[1])
        return free

    def _enclosing(self, name):
        scope = self.parent
        while scope is not None and scope.kind != "module":
            if scope.kind == "function":
                if name in scope.globals:
                    return ("global",)
                if name in scope.bound and name not in scope.nonlocals:     # (its own, not one further out)
                    return ("free", scope.level)
            scope = scope.parent
        return ("global",)

    def stored(self, name):
        """Where an assignment to `name` here goes: ('global',), ('local',), ('class',) or ('free', index)."""
        if self.kind == "module" or name in self.globals:
            return ("global",)
        if name in self.nonlocals:
            return self._enclosing(name)
        return ("class",) if self.kind == "class" else ("local",)


def function_scope(parent, qualname, params, body, source) -> Scope:
    """The scope of a def (body: statements) or a lambda (body: one expression)."""
    scope = Scope("function", parent, qualname)
    scope.bound.update(p.name for p in params if p.name is not None)
    if isinstance(body, tuple):
        _declarations(body, scope, source)
        _bindings(body, scope.bound)
        scope.generator = any(_has_yield(s) for s in body)
    else:
        scope.generator = _has_yield(body)
    _check_nonlocals(scope, source)
    return scope


def class_scope(parent, qualname, body, source) -> Scope:
    scope = Scope("class", parent, qualname)
    _declarations(body, scope, source)
    _bindings(body, scope.bound)
    _check_nonlocals(scope, source)
    return scope


def module_scope(body, source) -> Scope:
    scope = Scope("module")
    for node in _statements(body):
        if type(node) is A.Nonlocal:
            raise AgcliError("nonlocal declaration not allowed at module level", node.span, kind="syntax",
                             source=source)
    return scope


def comprehension_scope(parent, clauses) -> Scope:
    scope = Scope("function", parent, f"{parent.qualname}.<locals>.<listcomp>" if parent.qualname else "<listcomp>")
    for clause in clauses:
        if type(clause) is A.CompFor:
            _target_names(clause.target, scope.bound)
    return scope


def _statements(body):
    """Every statement of a body and the bodies inside it, but not those of nested defs and classes."""
    for node in body:
        yield node
        kind = type(node)
        if kind in (A.If, A.While, A.For):
            yield from _statements(node.body)
            yield from _statements(node.orelse)
        elif kind is A.With:
            yield from _statements(node.body)
        elif kind is A.Try:
            yield from _statements(node.body)
            for h in node.handlers:
                yield from _statements(h.body)
            yield from _statements(node.orelse)
            yield from _statements(node.finalbody)


def _declarations(body, scope, source):
    for node in _statements(body):
        if type(node) is A.Global:
            scope.globals.update(node.names)
        elif type(node) is A.Nonlocal:
            scope.nonlocals.update(node.names)


def _check_nonlocals(scope, source):
    for name in scope.nonlocals:
        if scope._enclosing(name)[0] != "free":
            raise AgcliError(f"no binding for nonlocal '{name}' found", kind="syntax", source=source)


def _bindings(body, names: set):
    """The names a body binds (its assignments, loops, defs, classes, imports, except ... as, del)."""
    for node in _statements(body):
        kind = type(node)
        if kind is A.Assign:
            for t in node.targets:
                _target_names(t, names)
        elif kind in (A.AugAssign, A.AnnAssign):
            _target_names(node.target, names)
        elif kind is A.For:
            _target_names(node.target, names)
        elif kind in (A.FunctionDef, A.ClassDef):
            names.add(node.name)
        elif kind is A.Import:
            names.update(alias or module.split(".")[0] for module, alias in node.names)
        elif kind is A.ImportFrom and node.names != "*":
            names.update(alias or name for name, alias in node.names)
        elif kind is A.With:
            for _, target in node.items:
                if target is not None:
                    _target_names(target, names)
        elif kind is A.Try:
            names.update(h.name for h in node.handlers if h.name)
        elif kind is A.Delete:
            for t in node.targets:
                _target_names(t, names)


def _target_names(target, names):
    kind = type(target)
    if kind is A.Name:
        names.add(target.id)
    elif kind in (A.TupleLit, A.ListLit):
        for item in target.items:
            _target_names(item, names)
    elif kind is A.Starred:
        _target_names(target.value, names)


def _has_yield(node) -> bool:
    """Does this statement or expression yield (outside any def, lambda or comprehension inside it)?"""
    if type(node) is A.Yield:
        return True
    if isinstance(node, _NESTED):
        return False
    if isinstance(node, tuple):
        return any(_has_yield(n) for n in node)
    if isinstance(node, A._Record):
        return any(_has_yield(getattr(node, f)) for f in node.__slots__ if not f.endswith("span"))
    return False


def has_yield(node) -> bool:
    return _has_yield(node)
