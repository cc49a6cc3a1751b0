"""A program's expressions -> closures, by Python's rules: every name, attribute
and call is resolved when its line runs (an unknown one is Python's NameError or
AttributeError then, catchable); only the scope a name lives in is decided
before (program_scopes.py).

Each closure takes the running Frame (program_runtime.py). ProgramLowering
(program_lowering.py) adds what makes a scope of its own: lambda,
comprehensions; StatementLowering (program_statements.py) the statements.
"""
from __future__ import annotations

from . import ast as A
from ..errors import AgcliError, did_you_mean
from ..torchapi import namespace
from .anomaly_places import noting_fn
from .lower import Lowering, guard
from .program_attributes import get_attribute
from .program_builtins import builtins
from .program_calls import call_method, invoke
from . import suggestions
from .program_exceptions import ProgramException, raise_python
from .program_functions import UserFunction
from .program_objects import ProgramObject
from .program_values import type_name
from .program_fstrings import FStringLowering
from .program_items import getitem
from .program_iteration import iterate
from .program_operators import arithmetic, comparison, truth, unary
from .unknown_names import not_provided, pytorch_has

_CONSTANTS = {"True": True, "False": False, "None": None}
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
_NUMERIC_ERRORS = (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError)     # (as lower.guard)


def name_error(name, frame, span):
    """NameError for `name` (a hint: the name meant, or PyTorch's function of that name)."""
    python = suggestions.for_name(name, None if frame.vars is frame.globals else frame.vars, frame.globals)
    if name in namespace.FUNCTIONS:
        hint = f"did you mean torch.{name}? (import torch first)"
    elif pytorch_has(name):
        hint = not_provided(pytorch_has(name))
    else:       # (the line says Python's suggestion: a hint repeats it only if there is none)
        hint = None if python is not None else did_you_mean(name, [*frame.vars, *frame.globals, *builtins()])
    error = ProgramException(NameError(f"name '{name}' is not defined"), span, hint)
    error.suggestion = python
    raise error


class ProgramExpressions(FStringLowering, Lowering):
    """Expressions as a program's: Python's values, names found when reached."""

    python_words = True

    def __init__(self, scope, source):
        super().__init__(set(), source)
        self.scope = scope
        self.builtins = builtins()

    # -- names
    def lower_Name(self, node):
        name, span = node.id, node.span
        if name in _CONSTANTS:
            value = _CONSTANTS[name]
            return lambda f: value
        where = self.scope.where(name)
        kind = where[0]
        if kind == "local":
            def local(f):
                try:
                    return f.vars[name]
                except KeyError:
                    raise_python(UnboundLocalError(
                        f"cannot access local variable '{name}' where it is not associated with a value"), span)
            return local
        if kind == "free":
            index = where[1]

            def free(f):
                try:
                    return f.cells[index][name]
                except KeyError:
                    raise_python(NameError(f"cannot access free variable '{name}' where it is not associated "
                                           "with a value in enclosing scope"), span)
            return free
        builtin = self.builtins
        if kind == "class":
            cell = where[1]

            def class_name(f):
                if name in f.vars:
                    return f.vars[name]
                if cell is not None and name in f.cells[cell]:
                    return f.cells[cell][name]
                return _global(f)
        else:
            class_name = None

        def _global(f):
            try:
                return f.globals[name]
            except KeyError:
                try:
                    return builtin[name]
                except KeyError:
                    name_error(name, f, span)
        return class_name or _global

    def lower_EllipsisLit(self, node):
        return lambda f: Ellipsis

    # -- displays
    def _items(self, items):
        """A display's items: closures, and the indices of the starred ones."""
        closures = [self.expr(i.value if type(i) is A.Starred else i) for i in items]
        starred = [type(i) is A.Starred for i in items]
        if not any(starred):
            return lambda f: [c(f) for c in closures]
        pairs = list(zip(closures, starred))

        def items_of(f):
            out = []
            for c, star in pairs:
                if star:
                    out.extend(iterate(c(f)))
                else:
                    out.append(c(f))
            return out
        return items_of

    def lower_ListLit(self, node):
        return self._items(node.items)

    def lower_TupleLit(self, node):
        items = self._items(node.items)
        return lambda f: tuple(items(f))

    def lower_SetLit(self, node):
        items = self._items(node.items)
        make = guard(_set, node.span)
        if len(node.items) > 2 and all(map(_constant, node.items)):
            # CPython compiles three constants or more as set().update(a frozenset of them): their order then
            return lambda f: make(frozenset(items(f)))
        return lambda f: make(items(f))

    def lower_DictLit(self, node):
        entries = [(None if k is None else self.expr(k), self.expr(v), (k or v).span)
                   for k, v in zip(node.keys, node.values)]
        return _finish_dict(entries)

    def lower_Starred(self, node):
        raise self.error("can't use starred expression here", node.span, "syntax")

    def lower_Yield(self, node):
        raise self.error("agcli runs 'yield' as a statement or as an assignment's value, inside a def",
                         node.span, "syntax")

    # -- operators
    def lower_Unary(self, node):
        operand = self.expr(node.operand)
        apply = guard(unary(node.op), node.span)
        return lambda f: apply(operand(f))

    def binop_function(self, op):
        return comparison(op) if op in _COMPARISONS else arithmetic(op)

    def lower_BinOp(self, node):
        # a * b * c * ... is lowered and run as a loop (no recursion to exhaust Python's stack);
        # each operator puts its span on its error (inline: a program's loops run these most)
        spine = []
        while isinstance(node, A.BinOp):
            spine.append(node)
            node = node.left
        first = self.expr(node)
        steps = [(noting_fn(self.binop_function(b.op), b.op_span), self.expr(b.right), b.op_span)
                 for b in reversed(spine)]
        if len(steps) == 1:
            ((fn, right, span),) = steps

            def binop(f):
                a, b = first(f), right(f)
                try:
                    return fn(a, b)
                except AgcliError as e:
                    raise e.at(span)
                except _NUMERIC_ERRORS as e:
                    raise AgcliError(str(e), span) from e
            return binop

        def chain(f):
            value = first(f)
            for fn, right, span in steps:
                b = right(f)
                try:
                    value = fn(value, b)
                except AgcliError as e:
                    raise e.at(span)
                except _NUMERIC_ERRORS as e:
                    raise AgcliError(str(e), span) from e
            return value
        return chain

    def lower_BoolOp(self, node):
        left, right = self.expr(node.left), self.expr(node.right)
        test = guard(truth, node.span)
        if node.op == "and":
            def and_(f):
                v = left(f)
                return right(f) if test(v) else v
            return and_

        def or_(f):
            v = left(f)
            return v if test(v) else right(f)
        return or_

    def lower_Not(self, node):
        operand = self.expr(node.operand)
        test = guard(truth, node.span)
        return lambda f: not test(operand(f))

    def lower_IfExp(self, node):
        test, body, orelse = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
        check = guard(truth, node.test.span)
        return lambda f: body(f) if check(test(f)) else orelse(f)

    def lower_Compare(self, node):
        operands = [self.expr(o) for o in node.operands]
        tests = [guard(comparison(op), span) for op, span in zip(node.ops, node.op_spans)]
        check = guard(truth, node.span)

        def compare(f):
            left = operands[0](f)
            result = True
            for test, right in zip(tests, operands[1:]):
                r = right(f)
                result = test(left, r)
                if len(tests) > 1 and not check(result):
                    return result
                left = r
            return result
        return compare

    # -- attributes, items, calls
    def lower_Attribute(self, node):
        obj = self.expr(node.obj)
        name = node.name
        get = guard(get_attribute, node.name_span)
        return lambda f: get(obj(f), name)

    def lower_Index(self, node):
        obj = self.expr(node.obj)
        keys = [self._subscript(i) for i in node.items]
        get = guard(getitem, node.span)
        if len(keys) == 1:
            (k0,) = keys
            return lambda f: get(obj(f), k0(f))
        return lambda f: get(obj(f), tuple(k(f) for k in keys))

    def _subscript(self, node):
        if isinstance(node, A.Slice):
            parts = [None if p is None else self.expr(p) for p in (node.start, node.stop, node.step)]
            return lambda f: slice(*(None if p is None else p(f) for p in parts))
        return self.expr(node)

    def lower_Call(self, node):
        func = node.func
        if type(func) is A.Name and func.id == "super" and self.scope.where("super") == ("global",):
            return self.super_call(node)
        arguments = self.arguments(node)
        if type(func) is A.Attribute:
            receiver, name, span = self.expr(func.obj), func.name, func.name_span

            def method_call(f):
                r = receiver(f)
                args, kwargs = arguments(f, r, name)
                try:
                    return call_method(r, name, args, kwargs)
                except AgcliError as e:
                    raise e.at(span)
            return noting_fn(method_call, span)      # (anomaly mode: where its node was made)
        callee, span = self.expr(func), func.span

        def call(f):
            fn = callee(f)
            args, kwargs = arguments(f, fn)
            try:
                return invoke(fn, args, kwargs)
            except AgcliError as e:
                raise e.at(span)
        return noting_fn(call, span)

    def arguments(self, node):
        """A closure giving a call's (positional list, keyword dict), with *args and **kwargs spread."""
        positional = [(self.expr(a.value if type(a) is A.Starred else a), type(a) is A.Starred) for a in node.args]
        keywords = [(k.name, self.expr(k.value), k.span) for k in node.kwargs]
        if not any(star for _, star in positional) and all(k is not None for k, _, _ in keywords):
            closures = [c for c, _ in positional]
            if not keywords:
                return lambda f, fn, method=None: ([c(f) for c in closures], {})
            return lambda f, fn, method=None: ([c(f) for c in closures], {k: c(f) for k, c, _ in keywords})

        def spread(f, fn, method=None):
            args = []
            for c, star in positional:
                if star:
                    value = c(f)
                    try:
                        args.extend(iterate(value))
                    except ProgramException as e:
                        if not isinstance(e.value, TypeError):
                            raise
                        raise_python(TypeError(f"{callee_name(fn, method)}() argument after * must be an "
                                               f"iterable, not {type_name(value)}"), e.span)
                else:
                    args.append(c(f))
            kwargs = {}
            for k, c, span in keywords:
                if k is not None:
                    if k in kwargs:         # (f(**d, b=1) with 'b' in d: Python's error, never one value kept)
                        raise_python(TypeError(f"{callee_name(fn, method)}() got multiple values for keyword "
                                               f"argument '{k}'"), span)
                    kwargs[k] = c(f)
                    continue
                mapping = c(f)
                if not isinstance(mapping, dict):      # (a dict, or a state dict: an OrderedDict)
                    raise_python(TypeError(f"{callee_name(fn, method)}() argument after ** must be a mapping, "
                                           f"not {type_name(mapping)}"), span)
                for key, value in mapping.items():
                    if key in kwargs:
                        raise_python(TypeError(f"{callee_name(fn, method)}() got multiple values for keyword "
                                               f"argument '{key}'"), span)
                    kwargs[key] = value
            return args, kwargs
        return spread

def callee_name(fn, method=None) -> str:
    """How Python's argument errors name the function called: __main__.f, __main__.A.f, print, Tensor.sum."""
    if method is not None:
        return f"{type_name(fn)}.{method}" if not isinstance(fn, ProgramObject) else \
            f"__main__.{type(fn).__qualname__}.{method}"
    fn = getattr(fn, "function", fn)
    if type(fn) is UserFunction:
        return f"__main__.{fn.qualname}"
    if isinstance(fn, type):
        return f"__main__.{fn.__qualname__}" if issubclass(fn, ProgramObject) else fn.__name__
    return getattr(fn, "name", type_name(fn))


def _constant(node) -> bool:
    """Is `node` a constant as CPython's compiler sees it after folding (a literal, None/True/False, a sign
    before a number, a tuple of constants)?"""
    t = type(node)
    return t in (A.Number, A.String, A.EllipsisLit) or t is A.Name and node.id in ("None", "True", "False") or \
        t is A.Unary and node.op in "-+~" and type(node.operand) is A.Number or \
        t is A.TupleLit and all(map(_constant, node.items))


def _set(items):
    try:
        return set(items)
    except TypeError as e:
        raise_python(TypeError(str(e)))


def _finish_dict(entries):
    def dict_(f):
        d = {}
        for key, value, span in entries:
            if key is None:
                mapping = value(f)
                if not isinstance(mapping, dict):
                    raise_python(TypeError(f"'{type(mapping).__name__}' object is not a mapping"), span)
                d.update(mapping)
                continue
            k = key(f)
            v = value(f)
            try:
                d[k] = v
            except TypeError as e:      # an unhashable key: Python's words
                raise_python(TypeError(str(e)), span)
        return d
    return dict_
