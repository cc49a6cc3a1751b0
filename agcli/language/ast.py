"""The syntax tree: small records (never changed once made), each with the span of source it came from.

A span is (start, end) character offsets into the program text; errors turn it
into a line and a caret (see errors.py). The records are hand-rolled rather
than dataclasses because building the dataclasses is a noticeable part of start-up.
"""
from __future__ import annotations

Span = tuple


class _Record:
    """Fields are the class's __slots__; a record is not changed once made.

    Nothing enforces that: a __setattr__ that refused would also slow every
    field's store in __init__ (a parse makes dozens of records a line)."""

    __slots__ = ()

    def __init_subclass__(cls):
        # A class without its own __init__ gets one that writes through its slots'
        # descriptors; the commonest records spell theirs out (plain stores, faster).
        if "__init__" in cls.__dict__:
            return
        setters = tuple(cls.__dict__[name].__set__ for name in cls.__slots__)
        size = len(setters)

        def __init__(self, *values):
            if len(values) != size:
                raise TypeError(f"{cls.__name__} takes {size} fields")
            for set_field, value in zip(setters, values):
                set_field(self, value)
        cls.__init__ = __init__

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self):
        return hash((type(self),) + tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self):
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Name(_Record):
    __slots__ = ('id', 'span')

    def __init__(self, id, span):
        self.id = id
        self.span = span


class Number(_Record):
    __slots__ = ('value', 'span')

    def __init__(self, value, span):
        self.value = value
        self.span = span


class String(_Record):
    __slots__ = ('value', 'span')


class ListLit(_Record):
    __slots__ = ('items', 'span')

    def __init__(self, items, span):
        self.items = items
        self.span = span


class TupleLit(_Record):
    __slots__ = ('items', 'span')

    def __init__(self, items, span):
        self.items = items
        self.span = span


class Unary(_Record):
    # op: '-' or '+'
    __slots__ = ('op', 'operand', 'span')

    def __init__(self, op, operand, span):
        self.op = op
        self.operand = operand
        self.span = span


class BinOp(_Record):
    # op: + - * / @ ** < <= > >= == !=
    # op_span: where the caret goes when the op fails
    __slots__ = ('op', 'left', 'right', 'span', 'op_span')

    def __init__(self, op, left, right, span, op_span):
        self.op = op
        self.left = left
        self.right = right
        self.span = span
        self.op_span = op_span


class Keyword(_Record):
    __slots__ = ('name', 'value', 'span')

    def __init__(self, name, value, span):
        self.name = name
        self.value = value
        self.span = span


class Call(_Record):
    # func: Name, or Attribute for methods and torch.xxx
    # kwargs: of Keyword
    __slots__ = ('func', 'args', 'kwargs', 'span')

    def __init__(self, func, args, kwargs, span):
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.span = span


class Attribute(_Record):
    __slots__ = ('obj', 'name', 'span', 'name_span')

    def __init__(self, obj, name, span, name_span):
        self.obj = obj
        self.name = name
        self.span = span
        self.name_span = name_span


class Slice(_Record):
    __slots__ = ('start', 'stop', 'step', 'span')

    def __init__(self, start, stop, step, span):
        self.start = start
        self.stop = stop
        self.step = step
        self.span = span


class EllipsisLit(_Record):
    __slots__ = ('span',)


class Index(_Record):
    # items: expressions, Slice, EllipsisLit
    __slots__ = ('obj', 'items', 'span')

    def __init__(self, obj, items, span):
        self.obj = obj
        self.items = items
        self.span = span


class BoolOp(_Record):
    # op: 'and' or 'or'
    __slots__ = ('op', 'left', 'right', 'span')


class Not(_Record):
    __slots__ = ('operand', 'span')


class IfExp(_Record):
    __slots__ = ('test', 'body', 'orelse', 'span')


class Compare(_Record):
    # a < b < c: ops ('<', '<'), operands (a, b, c); ops also 'in', 'not in', 'is', 'is not'
    __slots__ = ('ops', 'operands', 'span', 'op_spans')


class FString(_Record):
    # parts: str pieces and (field source text, field offset, format spec) triples
    __slots__ = ('parts', 'span')


# ------------------------------------------------------------- programs' expressions
class Starred(_Record):
    # *xs in a call, a display or an assignment's target
    __slots__ = ('value', 'span')


class DictLit(_Record):
    # {k: v, **other}: a key None unpacks its value
    __slots__ = ('keys', 'values', 'span')


class SetLit(_Record):
    __slots__ = ('items', 'span')


class Comprehension(_Record):
    # kind: 'list', 'set', 'dict' or 'generator'; value: a dict's value expression
    # clauses: CompFor and CompIf records, the first a CompFor
    __slots__ = ('kind', 'element', 'value', 'clauses', 'span')


class CompFor(_Record):
    __slots__ = ('target', 'iter', 'span')


class CompIf(_Record):
    __slots__ = ('test', 'span')


class Parameter(_Record):
    # kind: '' (a name, maybe with a default), '*' (*args; name None: a bare *), '**'; annotated: `x: int`
    __slots__ = ('name', 'default', 'kind', 'span', 'annotated')


class Lambda(_Record):
    __slots__ = ('params', 'body', 'span')


class Yield(_Record):
    # yield value (value None: yield None); is_from: yield from value
    __slots__ = ('value', 'is_from', 'span')


# ------------------------------------------------------------- statements
class Assign(_Record):
    # targets: a = b = value has two; each a Name, Index, Attribute, or a TupleLit/ListLit of targets
    __slots__ = ('targets', 'value', 'span')


class AugAssign(_Record):
    __slots__ = ('target', 'op', 'value', 'span', 'op_span')


class AnnAssign(_Record):
    # x: int = 3 (value None: an annotation alone)
    __slots__ = ('target', 'value', 'span')


class Pass(_Record):
    __slots__ = ('span',)


class Break(_Record):
    __slots__ = ('span',)


class Continue(_Record):
    __slots__ = ('span',)


class Return(_Record):
    __slots__ = ('value', 'span')


class Import(_Record):
    # import torch.nn as nn, math: names (('torch.nn', 'nn'), ('math', None))
    __slots__ = ('names', 'span')


class ImportFrom(_Record):
    # from torch import nn, optim as o: module 'torch', names (('nn', None), ('optim', 'o')); '*' for all
    __slots__ = ('module', 'names', 'span')


class Delete(_Record):
    __slots__ = ('targets', 'span')


class Global(_Record):
    __slots__ = ('names', 'span')


class Nonlocal(_Record):
    __slots__ = ('names', 'span')


class Assert(_Record):
    __slots__ = ('test', 'msg', 'span')


class Raise(_Record):
    # raise (exc None: re-raise), raise exc, raise exc from cause
    __slots__ = ('exc', 'cause', 'span')


class If(_Record):
    __slots__ = ('test', 'body', 'orelse', 'span')


class While(_Record):
    __slots__ = ('test', 'body', 'orelse', 'span')


class For(_Record):
    # target: a Name, or a TupleLit of targets
    __slots__ = ('target', 'iter', 'body', 'orelse', 'span')


class FunctionDef(_Record):
    # params: Parameter records; decorators: expressions, outermost first; annotated: a parameter's or `-> T`
    __slots__ = ('name', 'params', 'body', 'decorators', 'span', 'annotated')


class ClassDef(_Record):
    # bases: expressions; keywords: Keyword records (metaclass=...)
    __slots__ = ('name', 'bases', 'keywords', 'body', 'decorators', 'span')


class With(_Record):
    # items: (context expression, target or None) pairs
    __slots__ = ('items', 'body', 'span')


class Try(_Record):
    # handlers: ExceptHandler records; orelse and finalbody may be empty
    __slots__ = ('body', 'handlers', 'orelse', 'finalbody', 'span')


class ExceptHandler(_Record):
    __slots__ = ('type', 'name', 'body', 'span')


class Program(_Record):
    # body: Assign or expressions, in order
    __slots__ = ('body', 'source')

    def __init__(self, body, source):
        self.body = body
        self.source = source


def dotted_name(node) -> str | None:
    """'torch.nn.functional.relu' for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, Attribute):
        parts.append(node.name)
        node = node.obj
    if not isinstance(node, Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
